"""The blind re-review page (``/office/review/``): one drawn statement at a time, without what
the screening decided, answered count / don't count / duplicate of (docs/methodology.md).

Forms only, no JavaScript (the site's CSP allows none). Staff log in through the back office's
own login (``site.admin_view``); answering needs ``statements.moderate_statement``; names in
the text are masked for staff without ``statements.view_personal_data`` (the stored masked
copy); reads by the others are audited (santui.backoffice.audit).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santui.backoffice import audit
from santui.backoffice.admin import site
from santui.backoffice.labels import place_name, sector_name
from santui.backoffice.suggestions import suggestion_table
from santui.screening.models import ReviewAnswer, ReviewSample, ReviewVerdict
from santui.screening.review import AnswerError, review_answer, review_next, review_progress
from santui.statements.masking import masked_text
from santui.statements.models import Channel, NameKind, Organization, Statement


class AnswerForm(forms.Form):
    sample = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    answer = forms.ChoiceField(choices=ReviewVerdict.choices)
    duplicate_of = forms.IntegerField(
        label=gettext_lazy("Number of the earlier statement it repeats"),
        required=False,
        min_value=1,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == ReviewVerdict.DUPLICATE and not data.get("duplicate_of"):
            self.add_error("duplicate_of", _("Give the number of the statement this one repeats."))
        return data


def _yes_no(value: bool | None) -> str:
    if value is None:
        return _("unknown")
    return _("yes") if value else _("no")


def _shown(statement: Statement, *, personal: bool) -> dict[str, Any]:
    """What the moderator reads: the statement and its fields, never its screening."""
    organizations = dict(Organization.choices)
    return {
        "number": statement.pk,
        "channel": dict(Channel.choices).get(statement.channel, statement.channel),
        "received_at": statement.received_at.astimezone(ZoneInfo(settings.SANTUI_REPORTING_TZ)),
        "text": statement.text if personal else masked_text(statement),
        "name": statement.name if personal else None,
        "name_kind": dict(NameKind.choices).get(statement.name_kind, statement.name_kind),
        "headcount": statement.headcount,
        "organizations": "、".join(str(organizations[o]) for o in statement.organizations),
        "region": place_name(statement.region),
        "sector": sector_name(statement.sector),
        "current_party_member": _yes_no(statement.current_party_member),
        "suggestion": suggestion_table(statement),
    }


def _moderator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_perm("statements.moderate_statement"):
        raise PermissionDenied
    return user


def review_view(request: HttpRequest) -> HttpResponse:
    """GET: the next drawn statement to judge. POST: record the answer, then the next one."""
    user = _moderator(request)
    form = AnswerForm()
    sample: ReviewSample | None = None
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            sample = (
                ReviewSample.objects.select_related("statement")
                .filter(pk=form.cleaned_data["sample"])
                .first()
            )
            if sample is None:
                raise PermissionDenied
            try:
                review_answer(
                    sample=sample,
                    answer=form.cleaned_data["answer"],
                    duplicate_of=form.cleaned_data.get("duplicate_of"),
                    by=user,
                )
            except AnswerError as e:
                if ReviewAnswer.objects.filter(sample=sample).exists():
                    # Answered meanwhile (another moderator, or this form sent twice): the
                    # first answer stands; go on to the next statement, and say so.
                    messages.warning(
                        request,
                        _(
                            "Statement %(n)d had already been answered: the first answer "
                            "stands and yours was not recorded. Here is the next one."
                        )
                        % {"n": sample.statement_id},
                    )
                    return HttpResponseRedirect(reverse("review:next"))
                form.add_error(None, str(e))
            else:
                messages.success(request, _("Answer recorded."))
                return HttpResponseRedirect(reverse("review:next"))
        elif form.data.get("sample", "").isdigit():
            sample = (
                ReviewSample.objects.select_related("statement")
                .filter(pk=int(form.data["sample"]), answer__isnull=True)
                .first()
            )
    if sample is None:
        sample = review_next(by=user)
        if sample is not None:
            form = AnswerForm(initial={"sample": sample.pk})
    answered, drawn = review_progress()
    personal = user.has_perm("statements.view_personal_data")
    if personal and sample is not None:
        audit.personal_data_read(
            user=user, statements=[sample.statement_id], fields=("name", "text"), via=audit.REVIEW
        )
    context = {
        **site.each_context(request),
        "title": _("Blind review"),
        "form": form,
        "sample": sample,
        "statement": _shown(sample.statement, personal=personal) if sample else None,
        "personal": personal,
        "answered": answered,
        "drawn": drawn,
        "verdicts": ReviewVerdict,
    }
    return TemplateResponse(request, "backoffice/review/next.html", context)


app_name = "review"
urlpatterns = [path("", site.admin_view(review_view), name="next")]
