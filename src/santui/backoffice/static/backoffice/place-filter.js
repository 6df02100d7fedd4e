// The place field of the office forms (santui.backoffice.places): with JavaScript on, a box
// above the <select> narrows its options as one types. Without it the select works alone.
// Served by this site (office CSP: script-src 'self'); no inline code, no other host.
"use strict";
(function () {
  function normalize(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  function enhance(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "place-filter";
    box.placeholder = select.getAttribute("data-place-filter");
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";
    select.parentNode.insertBefore(box, select);

    function narrow() {
      var query = normalize(box.value.trim());
      var shown = 0;
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !query || option.value === "" || normalize(option.text).indexOf(query) !== -1;
        option.hidden = !match;
        if (match && option.value !== "") {
          shown += 1;
          if (first === null) first = option;
        }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (o) {
          return !o.hidden;
        });
      });
      if (query && first !== null && select.selectedOptions.length &&
          select.selectedOptions[0].hidden) {
        first.selected = true;
      }
      select.size = query ? Math.max(2, Math.min(10, shown + 1)) : 0;
    }

    box.addEventListener("input", narrow);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  // choose, do not submit the form
        event.preventDefault();
        select.focus();
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-place-filter]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
