"""The public site in Simplified Chinese, Traditional Chinese and English: pages follow the
browser's language and the visible switch, and the shipped catalogs are complete, match what
makemessages extracts from the source now, and are compiled (.mo) from the .po files as they are.

To refresh the catalogs after changing a translatable string, from src/santui:

    ../../.venv/bin/django-admin makemessages -l zh_Hans -l zh_Hant --no-obsolete \
        --ignore 'migrations/*'
    # translate the new entries in locale/*/LC_MESSAGES/django.po, then in each LC_MESSAGES:
    msgfmt --check -o django.mo django.po
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.utils.html import escape

import santui

PACKAGE = Path(santui.__file__).resolve().parent  # src/santui
LOCALE_DIR = PACKAGE / "locale"
CATALOG_LOCALES = {"zh-hans": "zh_Hans", "zh-hant": "zh_Hant"}
HTML_LANG = {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant", "en": "en"}
PAGES = ["/", "/declare/", "/stats/", "/receipt/"]
HEADINGS = {  # the <h1> of each page, as written in the templates
    "/": "Persons who have declared their withdrawal",
    "/declare/": "Declare your withdrawal",
    "/stats/": "Figures",
    "/receipt/": "Check a receipt",
}
# Written out by hand too, so a catalog that loads but says the wrong thing is caught.
DECLARE_HEADING = {
    "zh-hans": "发表三退声明",
    "zh-hant": "發表三退聲明",
    "en": "Declare your withdrawal",
}
PARTY = {"zh-hans": "中国共产党", "zh-hant": "中國共產黨", "en": "Chinese Communist Party"}
LANGUAGE_BUTTONS = ["简体中文", "繁體中文", "English"]  # each in its own language, on every page
MAKEMESSAGES_ARGS = ["-l", "zh_Hans", "-l", "zh_Hant", "--no-obsolete", "--ignore", "migrations/*"]


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


def mo_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.mo"


def load_po(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


@cache
def translations(locale: str) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in load_po(po_path(locale)) if m.id}


def translated(lang: str, msgid: str) -> str:
    return msgid if lang == "en" else translations(CATALOG_LOCALES[lang])[msgid]


def strings(value: object) -> tuple[object, ...]:
    return value if isinstance(value, tuple) else (value,)


def msgids(catalog: Catalog) -> set[tuple[object, str | None]]:
    return {(m.id, m.context) for m in catalog if m.id}


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', page)
    assert match, page[:300]
    return match.group(1)


def visible_text(page: str) -> str:
    """What a reader sees or hears: text between tags, and the attributes read out."""
    spoken = re.findall(r'\s(?:title|aria-label|alt|placeholder)="([^"]*)"', page)
    return html.unescape(" ".join([re.sub(r"<[^>]*>", " ", page), *spoken]))


# --- (a) pages follow Accept-Language --------------------------------------------------------


def test_locale_paths_point_at_the_shipped_catalogs() -> None:
    paths = [Path(p).resolve() for p in settings.LOCALE_PATHS]
    assert LOCALE_DIR in paths, f"settings.LOCALE_PATHS {paths} does not hold {LOCALE_DIR}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_page_is_served_in_the_accepted_language(client: Client, lang: str, url: str) -> None:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    page = response.content.decode()
    assert html_lang(page) == HTML_LANG[lang]
    assert re.search(rf"<h1[^>]*>{re.escape(escape(translated(lang, HEADINGS[url])))}</h1>", page)
    assert escape(translated(lang, "Check a receipt")) in page  # the navigation
    for label in LANGUAGE_BUTTONS:
        assert f">{label}</button>" in page
    if lang != "en":  # nothing the catalog translates is shown in English
        text = visible_text(page)
        english = translations(CATALOG_LOCALES[lang])
        assert [m for m in english if re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_declare_form_speaks_the_language(client: Client, lang: str) -> None:
    page = client.get("/declare/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f"<h1>{DECLARE_HEADING[lang]}</h1>" in page
    assert PARTY[lang] in page
    others = {v for k, v in DECLARE_HEADING.items() if k != lang}
    assert not [h for h in others if h in page]


@pytest.mark.django_db
def test_simplified_chinese_is_the_default(client: Client) -> None:
    page = client.get("/declare/").content.decode()
    assert html_lang(page) == "zh-Hans"
    assert DECLARE_HEADING["zh-hans"] in page


# --- (b) the visible language switch ---------------------------------------------------------


@pytest.mark.django_db
def test_language_switch_sets_the_language_for_later_pages() -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html_lang(page) == "en"
    form = re.search(r'<form class="lang" action="([^"]+)" method="post">(.*?)</form>', page, re.S)
    assert form, "no language switch on the page"
    action, fields = form.groups()
    assert action == "/i18n/setlang/"
    # No token: the switch is exempt from CSRF so that public pages carry nothing per visitor
    # and can be cached and shared (a forged switch could only change the language).
    assert "csrfmiddlewaretoken" not in page
    next_url = re.search(r'name="next" value="([^"]+)"', fields)
    assert next_url and next_url.group(1) == "/stats/"
    assert 'name="language" value="zh-hant"' in fields

    response = client.post(
        action, {"next": next_url.group(1), "language": "zh-hant"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert response["Location"] == "/stats/"

    page = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html_lang(page) == "zh-Hant"
    assert f"<h1>{translated('zh-hant', 'Figures')}</h1>" in page
    assert "<h1>統計數據</h1>" in page
    assert 'value="zh-hant" aria-current="true"' in page


# --- (c) catalogs are complete and current ---------------------------------------------------


@pytest.mark.parametrize("locale", CATALOG_LOCALES.values())
def test_catalog_is_complete(locale: str) -> None:
    path = po_path(locale)
    catalog = load_po(path)
    assert not catalog.fuzzy, "the header is marked fuzzy"
    assert str(catalog.locale) == locale
    header = path.read_text(encoding="utf-8")
    assert f'"Language: {locale}\\n"' in header
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
    messages = [m for m in catalog if m.id]
    assert len(messages) > 50
    assert [m.id for m in messages if m.fuzzy] == []
    untranslated = [m.id for m in messages if not all(strings(m.string))]
    assert untranslated == []
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == []  # e.g. a %(d)d placeholder lost or renamed


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Catalog]:
    """Run makemessages on a copy of the source tree; return the fresh catalogs."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path_factory.mktemp("src") / "santui"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    (copy / "locale").mkdir()
    # Without settings, makemessages writes only into the copy's ./locale: with them it would
    # also create settings.LOCALE_PATHS[0] in the real tree.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "django", "makemessages", *MAKEMESSAGES_ARGS],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {locale: load_po(copy / "locale" / locale / "LC_MESSAGES" / "django.po")
            for locale in CATALOG_LOCALES.values()}  # fmt: skip


@pytest.mark.parametrize("locale", CATALOG_LOCALES.values())
def test_catalog_matches_the_source(extracted: dict[str, Catalog], locale: str) -> None:
    fresh, shipped = msgids(extracted[locale]), msgids(load_po(po_path(locale)))
    hint = "run makemessages and translate (see the top of tests/publish/test_i18n.py)"
    assert sorted(map(str, fresh - shipped)) == [], f"not in the catalog: {hint}"
    assert sorted(map(str, shipped - fresh)) == [], f"no longer in the source: {hint}"


# --- (d) the compiled catalogs are the .po files ---------------------------------------------


def mo_messages(path: Path) -> tuple[Catalog, dict[tuple[object, str | None], object]]:
    """A compiled catalog, and its messages (the header left out)."""
    with path.open("rb") as f:
        catalog = read_mo(f)
    return catalog, {
        (tuple(m.id) if isinstance(m.id, list | tuple) else m.id, m.context): (
            tuple(m.string) if isinstance(m.string, list | tuple) else m.string
        )
        for m in catalog
        if m.id
    }


@pytest.mark.parametrize("locale", CATALOG_LOCALES.values())
def test_compiled_catalog_is_up_to_date(tmp_path: Path, locale: str) -> None:
    assert mo_path(locale).is_file(), f"{mo_path(locale)} is missing: run msgfmt"
    fresh = tmp_path / "django.mo"
    with fresh.open("wb") as f:
        write_mo(f, load_po(po_path(locale)))
    shipped, shipped_messages = mo_messages(mo_path(locale))
    _, fresh_messages = mo_messages(fresh)
    assert len(shipped_messages) > 50
    assert shipped_messages == fresh_messages, "the .mo is stale: run msgfmt on the .po"
    assert str(shipped.locale) == locale
    assert shipped.plural_forms == "nplurals=1; plural=0;"
