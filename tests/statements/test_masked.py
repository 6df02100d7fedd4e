"""Statement texts are stored encrypted, with a masked copy (names, e-mail addresses and phone
numbers replaced) computed on every path that stores a text (issue 12; santui.statements.masking).
"""

from __future__ import annotations

import datetime as dt
import re
from unittest.mock import patch

import pytest
from django.contrib.auth.models import User
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santui.statements import masking
from santui.statements.actions import statement_edit, statement_receive
from santui.statements.bulk import StatementRow, statements_bulk_load
from santui.statements.masking import (
    EMAIL_EN,
    EMAIL_ZH,
    NAME_EN,
    NAME_ZH,
    PHONE_EN,
    PHONE_ZH,
    _mask_names,
    mask_text,
    masked_text,
)
from santui.statements.models import Statement
from santui.textparse.normalize import CJK

# --- the masker, alone --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("我声明退出中共 李四", ["李四"], ["我声明退出中共"]),
        ("我声明退出中共的党、团、队组织。马平", ["马平"], ["退出中共"]),
        ("三退 李明 辽宁", ["李明"], ["三退", "辽宁"]),
        ("声明人：张三、李四、王五 2024-05-01 退党", ["张三", "李四", "王五"], ["2024-05-01"]),
        ("我叫小明，电话13812345678，邮箱 xm＠qq.com", ["小明", "13812345678", "xm"], ["电话"]),
        ("化名：自由 电话：一三八一二三四五六七八", ["一三八一二三四五六七八"], ["化名"]),
        ("我们全家赵丽、赵刚、赵小红声明三退", ["赵丽", "赵刚", "赵小红"], ["三退"]),
        (
            "My name is Zhang Wei. I quit the CCP. zhang.wei@gmail.com, +1 (415) 555-0123",
            ["Zhang Wei", "zhang.wei@gmail.com", "555-0123"],
            ["I quit the CCP"],
        ),
        ("write to wang (at) example.org please", ["wang", "example.org"], ["please"]),
    ],
)
def test_mask_text_replaces_names_addresses_and_phones(
    text: str, gone: list[str], kept: list[str]
) -> None:
    masked = mask_text(text)
    for value in gone:
        assert value not in masked, masked
    for value in kept:
        assert value in masked, masked


def test_the_statements_own_name_is_masked_whatever_its_spacing_and_case() -> None:
    text = "我退出共青团。 周 敏 于浙江。 Signed: li  NA"
    masked = mask_text(text, names=["周敏、Li Na"])
    assert "周" not in masked and "li" not in masked.lower().replace("signed", "")
    assert masked.count(NAME_ZH) >= 2


def test_chinese_text_gets_chinese_placeholders_and_latin_text_english_ones() -> None:
    assert mask_text("退党 电话 13812345678 a@b.cn") == f"退党 电话 {PHONE_ZH} {EMAIL_ZH}"
    english = mask_text("I quit. Call 13812345678 or a@b.cn")
    assert english == f"I quit. Call {PHONE_EN} or {EMAIL_EN}"
    assert NAME_EN in mask_text("I quit the party. My name is Li Na")


def test_dates_and_short_numbers_stay() -> None:
    text = "2023年5月1日，我们村120人声明三退。2024-05-01 12:30"
    assert mask_text(text, parse=False) == text


# Filler around what must go: Chinese and Latin words, punctuation, spaces.
_filler = st.text(
    alphabet=st.sampled_from(list("我声明退出中共党团队。，、 的在沈阳 abcXYZ.!-")), max_size=30
)


def _mobile() -> st.SearchStrategy[str]:
    """Phone numbers as people write them: Chinese mobiles and landlines, international forms,
    with or without separators, ASCII or full-width digits."""
    sep = st.sampled_from(["", " ", "-", "."])

    def join(parts: list[str], s: str, full: bool) -> str:
        number = s.join(parts)
        if full:
            number = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        return number

    digits = st.text(alphabet="0123456789", min_size=4, max_size=4)
    mobile = st.builds(
        lambda a, b, c, s, cc, full: (cc + join([a, b, c], s, full)),
        st.sampled_from(["13", "15", "18", "17", "19"]).flatmap(
            lambda p: st.text(alphabet="0123456789", min_size=1, max_size=1).map(lambda d: p + d)
        ),
        digits,
        digits,
        sep,
        st.sampled_from(["", "+86 ", "+86-", "0086"]),
        st.booleans(),
    )
    landline = st.builds(
        lambda area, a, b, s: f"({area}){s}{a}{s}{b}" if s == " " else f"{area}-{a}{b}",
        st.sampled_from(["010", "021", "0755", "024"]),
        digits,
        digits,
        sep,
    )
    us = st.builds(
        lambda a, b, c: f"+1 ({a}) {b}-{c}",
        st.text(alphabet="23456789", min_size=3, max_size=3),
        st.text(alphabet="0123456789", min_size=3, max_size=3),
        digits,
    )
    return st.one_of(mobile, landline, us)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(before=_filler, after=_filler, email=st.emails())
def test_every_email_address_is_masked(before: str, after: str, email: str) -> None:
    masked = mask_text(f"{before} {email} {after}", parse=False)
    assert email not in masked
    assert email.split("@")[1] not in masked.split(" ", 1)[-1] or "@" not in masked


@settings(max_examples=300)
@given(before=_filler, after=_filler, phone=_mobile())
def test_every_phone_number_is_masked(before: str, after: str, phone: str) -> None:
    masked = mask_text(f"{before}{phone}{after}", parse=False)
    digits = "".join(ch for ch in phone if ch.isdigit())
    assert phone not in masked
    # no run of the number's last seven digits survives anywhere
    kept = "".join(ch for ch in masked if ch.isdigit())
    assert digits[-7:] not in kept


_given_chars = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰"


@settings(max_examples=200)
@given(
    surname=st.sampled_from(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")),
    given_name=st.text(alphabet=_given_chars, min_size=1, max_size=2),
    spaces=st.lists(st.sampled_from(["", " ", "\u3000"]), min_size=3, max_size=3),
    before=_filler,
)
def test_the_statements_name_never_survives(
    surname: str, given_name: str, spaces: list[str], before: str
) -> None:
    name = surname + given_name
    written = spaces[0].join([surname, given_name]) if len(given_name) else name
    text = f"{before}我声明退出中共。{spaces[1]}{written}{spaces[2]}"
    masked = mask_text(text, names=[name])
    compact = "".join(masked.split())
    assert name not in compact


def _masked_by_characters(text: str, names: list[str], mark: str) -> str:
    """The reference: each character of the text kept or replaced, one at a time (what
    ``_mask_names`` did before it mapped runs of spaces instead of characters)."""
    keys = {"".join(ch.casefold() for ch in n if not ch.isspace()) for n in names}
    keys = {k for k in keys if len(k) >= 2}
    keep = [i for i, ch in enumerate(text) if not ch.isspace()]
    compact = "".join(text[i].casefold() for i in keep)
    hidden = [False] * len(text)
    for key in keys:
        at = compact.find(key)
        while at != -1:
            for i in range(keep[at], keep[at + len(key) - 1] + 1):
                hidden[i] = True
            at = compact.find(key, at + len(key))
    out, i = [], 0
    while i < len(text):
        if hidden[i]:
            out.append(mark)
            while i < len(text) and hidden[i]:
                i += 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


_spaces = st.sampled_from(["", " ", "  ", "\t", "\n", "\u3000", "\r\n", "\x1c"])


@st.composite
def _texts_with_names(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Names (some with spaces in them), and a text of filler in which each is written, once
    or more, with spaces of any kind inside and around it and in another case."""
    name = st.text(alphabet=list("张三李四王五AbcdEf退 \u3000"), min_size=1, max_size=5)
    names = draw(st.lists(name, min_size=1, max_size=3))
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        parts.append(draw(st.text(alphabet=list("我声明退出中共党 ab，。\u3000\n"), max_size=6)))
        parts.append(draw(_spaces))
        written = draw(st.sampled_from(names))
        if draw(st.booleans()):
            written = written.swapcase()
        chars = [c for c in written if not c.isspace()]
        parts.append("".join(c + draw(_spaces) for c in chars))
    return "".join(parts), names


@settings(max_examples=300)
@given(_texts_with_names())
def test_names_are_masked_as_if_character_by_character(
    text_and_names: tuple[str, list[str]],
) -> None:
    text, names = text_and_names
    assert _mask_names(text, names, NAME_ZH) == _masked_by_characters(text, names, NAME_ZH)


# Texts of the pieces the masker's searches turn on: names and other CJK, the separators of a
# list, spaces, digits (a date, a phone), "@" and "(at)", Latin letters.
_pieces = st.lists(
    st.sampled_from(
        [
            *("张三", "李四", "王五", "我们全家", "声明退出", "党", "团", "队", "·", "声明人："),
            *("、", "，", ",", "；", "/", " ", "\u3000", "\t", ".", "@", "＠", "(at)", "[AT]"),
            *("2024-05-01", "138", "1234", "５６７８", "一三八一二三四五"),
            *("wang", "example.org", "Li Na", "my name is "),
            *("wang@example.org", "wang＠example.org", "wang (at) example.org"),
            *("张三、李四", "张三,李四", "李四；王五", "王五/张三"),
        ]
    ),
    max_size=14,
).map("".join)


@settings(max_examples=400)
@given(_pieces)
def test_a_list_is_searched_from_where_its_run_starts_with_the_same_matches(text: str) -> None:
    """The look-behind of the list pattern (one try per run of CJK) finds what the pattern
    without it found (one try per character)."""
    plain = re.compile(masking._CHAIN.pattern.removeprefix(f"(?<![{CJK}·])"))
    assert plain.pattern != masking._CHAIN.pattern
    assert [m.span() for m in masking._CHAIN.finditer(text)] == [
        m.span() for m in plain.finditer(text)
    ]


@settings(max_examples=400)
@given(_pieces, st.lists(st.sampled_from(["张三", "Li Na", "wang", "王 五"]), max_size=2))
def test_the_quick_checks_skip_only_texts_the_searches_would_leave_alone(
    text: str, names: list[str]
) -> None:
    """A text without "@" or "(at)" is not searched for addresses, one without a digit not for
    phones, one without a separator not for lists: masked as if every search ran."""
    everything = re.compile("")  # matches any text: every search runs
    with (
        patch.object(masking, "_AT_ANYWHERE", everything),
        patch.object(masking, "_ANY_DIGIT", everything),
        patch.object(masking, "_CHAIN_SEPARATOR", everything),
    ):
        unfiltered = mask_text(text, names=names)
    assert mask_text(text, names=names) == unfiltered


# --- stored encrypted, on every path -------------------------------------------------------------

TEXT = "我声明退出中共的党、团组织。本人王秀兰，电话13812345678，邮箱 wxl@example.com"


def _raw(pk: int) -> tuple[bytes | None, bytes | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, text_masked FROM statements_statement WHERE id = %s", [pk])
        text, masked = cursor.fetchone()
    return (bytes(text) if text is not None else None, bytes(masked) if masked else None)


def _assert_sealed(pk: int) -> None:
    text, masked = _raw(pk)
    assert text is not None and masked is not None
    for clear in ("王秀兰", "13812345678", "wxl@example.com", "退出中共"):
        assert clear.encode() not in text and clear.encode() not in masked


@pytest.mark.django_db
def test_statement_receive_stores_the_text_and_its_masked_copy_encrypted() -> None:
    s = statement_receive(
        channel="web", organizations=["party"], name_kind="real", name="王秀兰", text=TEXT,
        source="web", via="test",
    ).statement  # fmt: skip
    _assert_sealed(s.pk)
    fresh = Statement.objects.get(pk=s.pk)
    assert fresh.text == TEXT
    masked = masked_text(fresh)
    assert "王秀兰" not in masked and "13812345678" not in masked and "wxl@" not in masked
    assert masked.startswith("我声明退出中共的党、团组织。本人")


@pytest.mark.django_db
def test_the_bulk_loader_stores_the_text_and_its_masked_copy_encrypted() -> None:
    row = StatementRow(
        external_id="x1", received_at=dt.datetime(2010, 1, 1, tzinfo=dt.UTC), channel="web",
        text=TEXT, party=True, league=False, pioneers=False, headcount=1, name="王秀兰",
        name_kind="real", region="", sector="", current_party_member=None, publish=False,
        status="accepted",
    )  # fmt: skip
    assert statements_bulk_load(rows=[row], source="import", via="test").inserted == 1
    s = Statement.objects.get(source="import", external_id="x1")
    _assert_sealed(s.pk)
    assert s.text == TEXT and "王秀兰" not in masked_text(s)


@pytest.mark.django_db
def test_an_edit_of_the_text_or_the_name_recomputes_the_masked_copy() -> None:
    staff = User.objects.create_user("ed", is_staff=True)
    s = statement_receive(
        channel="phone", organizations=["party"], name_kind="real", name="王秀兰", text=TEXT,
        source="office", via="test",
    ).statement  # fmt: skip
    statement_edit(
        statement=s, by=staff, changes={"text": "退党。欧阳娜娜 手机 +86 139-0000-1111"}, via="t"
    )
    fresh = Statement.objects.get(pk=s.pk)
    assert "139-0000-1111" not in masked_text(fresh)
    statement_edit(statement=fresh, by=staff, changes={"name": "手机"}, via="t")
    assert "手机" not in masked_text(Statement.objects.get(pk=s.pk))
    # the audit trail says the text changed, never what it says
    edits = [c.changes for c in fresh.changes.order_by("id") if c.changes]
    assert edits == [{"text": ["(changed)", "(changed)"]}, {"name": ["(changed)", "(changed)"]}]


@pytest.mark.django_db
def test_an_empty_text_stores_nothing() -> None:
    s = statement_receive(
        channel="phone", organizations=["party"], name_kind="anonymous", source="office", via="t"
    ).statement
    assert _raw(s.pk) == (None, None)
    assert masked_text(Statement.objects.get(pk=s.pk)) == ""


@pytest.mark.django_db
def test_a_bulk_row_signed_with_another_name_than_its_own_is_masked() -> None:
    """An import row gives an alias; its text is signed with a real name: the masked copy keeps
    neither (the bulk loader reads the text with the parser too)."""
    from santui.statements.bulk import StatementRow, statements_bulk_load
    from santui.statements.masking import masked_text
    from santui.statements.models import Statement

    row = StatementRow(
        external_id="x", received_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC), channel="web",
        text="我声明退出共青团和少先队。王秀兰", party=False, league=True, pioneers=True,
        headcount=1, name="小雨", name_kind="alias", region="", sector="",
        current_party_member=None, publish=False, status="received",
    )  # fmt: skip
    statements_bulk_load(rows=[row], source="test", via="test")
    masked = masked_text(Statement.objects.get(external_id="x"))
    assert "王秀兰" not in masked and "小雨" not in masked
