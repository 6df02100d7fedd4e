"""What the parser read (``santui parse`` JSON) -> the values of a statement's own fields."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from santui.textparse.regions import RegionError, normalize_region
from santui.textparse.sectors import SECTORS

ORGANIZATIONS = ("party", "league", "pioneers")
NAME_KINDS = ("real", "alias", "anonymous")

# A reply is wanted when the message asks for one in these words (compared after NFKC and case
# folding); only then is the sender's address kept, encrypted, as the statement's contact.
REPLY_MARKERS = (
    "请回复", "請回復", "請回覆", "请回信", "請回信", "盼回复", "盼回覆", "盼回復",
    "请确认收到", "請確認收到", "请告知收到", "請告知收到", "收到请回", "收到請回",
    "please reply", "please confirm", "please let me know",
)  # fmt: skip


def wants_reply(*texts: str) -> bool:
    folded = unicodedata.normalize("NFKC", " ".join(texts)).casefold()
    return any(marker in folded for marker in REPLY_MARKERS)


def parse_text(text: str) -> dict[str, Any]:
    """``santui parse``'s JSON for ``text``. The parser is imported on first use: its tables
    load only in processes that read statements, not in every process that loads the admin."""
    from santui.textparse.parse import parse_statement  # see above

    return parse_statement(text).to_json()


def stored_suggestion(parsed: Mapping[str, Any]) -> dict[str, Any]:
    """The parser's reading as kept in ``Statement.suggested``: everything but the name, which
    is personal data and is stored only encrypted, in the statement's own ``name``."""
    return {key: value for key, value in parsed.items() if key != "name"}


def region_code(region: Any) -> str:
    """The most precise code of a parsed region, as Statement.region takes it ("" if none)."""
    if not isinstance(region, Mapping):
        return ""
    code = ""
    for level in ("county", "prefecture", "province"):
        value = region.get(level)
        if isinstance(value, str) and value:
            code = value
            break
    country = region.get("country")
    if not code and isinstance(country, str) and country and country != "CN":
        code = country
    if not code:
        return ""
    try:
        return normalize_region(code)
    except RegionError:
        return ""


def statement_fields(parsed: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of ``statement_receive`` from a parser reading (JSON form)."""
    organizations = [o for o in parsed.get("organizations") or () if o in ORGANIZATIONS]
    headcount = parsed.get("headcount")
    if not isinstance(headcount, int) or isinstance(headcount, bool) or headcount < 1:
        headcount = 1
    name = parsed.get("name")
    name = name.strip()[:200] if isinstance(name, str) else ""
    name_kind = parsed.get("name_kind")
    if name_kind not in NAME_KINDS:
        name_kind = "alias" if name else "anonymous"
    if name_kind == "anonymous":
        name = ""
    sector = parsed.get("sector")
    member = parsed.get("current_party_member")
    return {
        "organizations": organizations,
        "headcount": headcount,
        "name": name,
        "name_kind": name_kind,
        "region": region_code(parsed.get("region")),
        "sector": sector if isinstance(sector, str) and sector in SECTORS else "",
        "current_party_member": member if isinstance(member, bool) else None,
    }
