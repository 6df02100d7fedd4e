"""The masked copy of a statement's text: what staff without the personal-data permission read,
and what search and screening use (issue 12; docs/retention.md#what-is-kept).

``mask_text`` replaces, in this order:

1. e-mail addresses (``@`` or full-width ``＠``, also "name (at) host.com") -> 〔电邮〕 / [email];
2. phone-like numbers: a run of at least 7 digits (ASCII or full-width, with spaces, dots,
   dashes, brackets or a leading ``+`` between them), or of 7 Chinese numerals
   (一三八一二三四…), dates excepted (2024-05-01, 2024年5月1日) -> 〔电话〕 / [phone];
3. names: the statement's own name(s), the signature the parser reads
   (``santui.textparse.parse.read_signature``: the name ``parse_statement`` gives, read
   alone), the names of lists (张三、李四、王五; the items after 声明人: / 签名: / 姓名:),
   and a name given after a marker (我叫…, 化名…, "my name is …") -> 〔姓名〕 / [name].
   A given name is found whatever spacing or case it is written in.

Chinese text gets the Chinese placeholders, Latin text the English ones. The masker is a
heuristic: a name the parser cannot see (an unusual signature, a name inside a sentence) stays.
That is why the masked copy is stored encrypted too (``Statement.text_masked``), not in clear:
a copy of the public host's database must reveal no text that was not published with consent.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from santui.textparse.headcount import SURNAMES
from santui.textparse.normalize import CJK, HAS_CJK
from santui.textparse.parse import read_signature

NAME_ZH, EMAIL_ZH, PHONE_ZH = "〔姓名〕", "〔电邮〕", "〔电话〕"
NAME_EN, EMAIL_EN, PHONE_EN = "[name]", "[email]", "[phone]"
PLACEHOLDERS = frozenset({NAME_ZH, EMAIL_ZH, PHONE_ZH, NAME_EN, EMAIL_EN, PHONE_EN})

# RFC 5322 dot-atom local part and a host of dot-separated labels; "@" also full-width, and
# the spelled-out forms people use to dodge filters: "zhang (at) mail.com", "zhang[at]mail.com".
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+)*"
_AT = r"(?:\s*[@＠]\s*|\s*[(\[（【]\s*(?:at|AT|At)\s*[)\]）】]\s*)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_HOST = rf"{_LABEL}(?:\s*(?:\.|。|\(dot\)|\[dot\])\s*{_LABEL})*"
_EMAIL = re.compile(_LOCAL + _AT + _HOST)
# Every address holds an "@" or an "(at)": a text without one is not searched for addresses.
_AT_ANYWHERE = re.compile(r"[@＠]|[(\[（【]\s*(?:at|AT|At)\s*[)\]）】]")

# Digits (ASCII and full-width) joined by what people put between them in a phone number.
_DIGIT = "0-9０-９"
_PHONE = re.compile(
    rf"(?:[+＋]\s*)?[(（]?[{_DIGIT}](?:[\s\-.‐–—()（）/]{{0,3}}[{_DIGIT}]){{6,}}[)）]?"
)
_CN_DIGITS = re.compile("[零〇一二三四五六七八九幺两]{7,}")
_ANY_DIGIT = re.compile(f"[{_DIGIT}]")
# A date at the start of a run (kept): 2024-05-01, 2024.5.1, 2024/05/01.
_DATE = re.compile(
    r"(?:19|20|１９|２０)[0-9０-９]{2}\s*[-/.]\s*[0-9０-９]{1,2}\s*[-/.]\s*[0-9０-９]{1,2}"
)

# A list of names: CJK runs separated by 、，,;；/ (or spaces between short runs); its first and
# last items may be glued to the words around them (我们全家赵丽、赵刚、赵小红声明三退).
# A chain starts where a run of CJK starts (the look-behind): the same matches as without it,
# since no separator is inside a run, but one try per run rather than one per character of it
# (a run of n characters cost n(n+1)/2 steps; half of the list search on real statements).
_CHAIN = re.compile(rf"(?<![{CJK}·])[{CJK}·]+(?:\s*[、，,;；/]\s*[{CJK}·]+)+")
_CHAIN_SEPARATOR = re.compile("[、，,;；/]")
_SPACED = re.compile(
    rf"(?<![{CJK}])[{CJK}·]{{2,4}}(?:[ \t\u3000]+[{CJK}·]{{2,4}}){{2,}}(?![{CJK}])"
)
_SPLIT = re.compile(r"\s*[、，,;；/ \t\u3000]\s*")
_LEAD_WORDS = re.compile("全家|我们|本人|声明人|签名|和|及|与|有|是|：|:")
_TAIL_WORDS = re.compile("声明|退出|退党|退团|退队|三退|等|一起|一同|共同|都|和|及|与|在|是")
_NOT_NAMES = frozenset({
    "共产党", "共青团", "少先队", "中共", "党员", "团员", "队员", "组织", "声明", "退出", "我们",
    "全家", "妻子", "丈夫", "儿子", "女儿", "父亲", "母亲", "孩子", "家人", "三退", "退党", "退团",
    "退队", "党团队", "团队",
})  # fmt: skip
# A marker, then the name it gives (up to the next punctuation).
_MARKED_ZH = re.compile(
    rf"(?:声明人|签名|署名|姓名|真名|化名|笔名|网名|别名|我叫|我的名字叫|我的名字是|本人名叫)"
    rf"\s*[:：=]?\s*([{CJK}·A-Za-z][{CJK}·A-Za-z .'\-]{{0,30}})"
)
_MARKED_EN = re.compile(
    r"\b(?:my name is|i am called|signed|alias|pseudonym|pen name)\s*[:：]?\s*"
    r"([A-Z][a-z]+(?:[ \-][A-Z][a-z]+){0,3})",
    re.IGNORECASE,
)
_MARKED_STOP = re.compile(
    "来自|家住|现住|现居|住在|声明|宣布|郑重|退出|三退|籍贯|老家|是|于|在|今|男|女|年|岁|出生|地址"
    "|电话|职业|工作|人士|我|本人|和|及|与| from| in| and| who| living| born"
)


_ORG_WORD = re.compile("党|团|队|退|声明")


def _is_name(item: str) -> bool:
    item = item.strip("·")
    return (
        2 <= len(item) <= 4
        and (item[0] in SURNAMES or item[0] in "小老阿")
        and item not in _NOT_NAMES
        and _ORG_WORD.search(item) is None
    )


def _list_names(text: str) -> list[str]:
    """Items of lists of names (张三、李四、王五): at least two items that look like names, and
    at most one item of the list that does not."""
    found: list[str] = []
    chains = _CHAIN.finditer(text) if _CHAIN_SEPARATOR.search(text) else ()
    for m in chains:
        items = [i for i in _SPLIT.split(m.group(0)) if i]
        if len(items) < 2:
            continue
        first, last = items[0], items[-1]
        lead = list(_LEAD_WORDS.finditer(first))
        if lead:
            first = first[lead[-1].end() :]
        if len(first) > 4:
            first = first[-3:] if first[-3] in SURNAMES else first[-2:]
        tail = _TAIL_WORDS.search(last)
        if tail is not None:
            last = last[: tail.start()]
        if len(last) > 4:
            last = last[:3]
        items = [first, *items[1:-1], last]
        names = [i for i in items if _is_name(i)]
        if len(names) >= 2 and len(names) >= len(items) - 1:
            found += names
    for m in _SPACED.finditer(text):
        items = [i for i in _SPLIT.split(m.group(0)) if i]
        names = [i for i in items if _is_name(i)]
        if len(names) >= 3 and len(names) >= len(items) - 1:
            found += names
    return found


def _marked_names(text: str) -> list[str]:
    """Names given after a marker (声明人：张三; 化名 小雨; "my name is Li Na")."""
    found: list[str] = []
    for pattern in (_MARKED_ZH, _MARKED_EN):
        for m in pattern.finditer(text):
            value = m.group(1)
            stop = _MARKED_STOP.search(value)
            if stop is not None:
                value = value[: stop.start()]
            for piece in re.split(r"[、，,;；/]", value):
                piece = piece.strip(" .'-·")
                if len(piece.replace(" ", "")) >= 2:
                    found.append(piece)
    return found


_SPACES = re.compile(r"\s+")


def _fold(ch: str) -> str:
    """One character case-folded, when that keeps it one character (ß stays ß)."""
    folded = ch.casefold()
    return folded if len(folded) == 1 else ch


def _fold_name(name: str) -> str:
    """A name as ``_mask_names`` looks for it: without spaces, each character case-folded."""
    joined = "".join(name.split())
    folded = joined.casefold()
    # one character folding to two (ß -> ss): fold one at a time, keeping such a one as it is
    return folded if len(folded) == len(joined) else "".join(_fold(ch) for ch in joined)


def _mask_names(text: str, names: Iterable[str], mark: str) -> str:
    """``text`` with each name (of two characters or more) replaced by ``mark``, whatever
    spacing or case it is written in: the names are found in the text without its spaces
    (plain ``str.find``, no regular expression to compile per name), then mapped back."""
    keys = {_fold_name(name) for name in names}
    keys = {k for k in keys if len(k) >= 2}  # one character: masking each would mask half
    if not keys:
        return text
    folded = text.casefold()
    if len(folded) != len(text):  # a character that folds to two (ß): one at a time
        folded = "".join(_fold(ch) for ch in text)
    # The text without its runs of spaces; a position in it maps back to the text by adding
    # the length of the runs before it (``runs_at``: where each run was, in ``compact``).
    runs_at: list[int] = []
    removed: list[int] = []
    gone = 0
    for run in _SPACES.finditer(folded):
        runs_at.append(run.start() - gone)
        gone += run.end() - run.start()
        removed.append(gone)
    compact = _SPACES.sub("", folded) if runs_at else folded

    def back(at: int) -> int:
        i = bisect_right(runs_at, at)
        return at + (removed[i - 1] if i else 0)

    spans: list[tuple[int, int]] = []
    for key in keys:
        at = compact.find(key)
        while at != -1:
            spans.append((back(at), back(at + len(key) - 1) + 1))
            at = compact.find(key, at + len(key))
    if not spans:
        return text
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    out, last = [], 0
    for start, end in merged:
        out += [text[last:start], mark]
        last = end
    out.append(text[last:])
    return "".join(out)


_GIVEN_SPLIT = re.compile(r"[\r\n、，,;；]+")  # the names of a group, joined in one field


def names_in(text: str, names: Iterable[str] = (), *, parse: bool = True) -> list[str]:
    """Every name to mask in ``text``: the given ones (a statement's name, joined names of a
    group split apart), the parser's signature, list items and marked names."""
    wanted: list[str] = []
    for given in names:
        wanted += [p.strip() for p in _GIVEN_SPLIT.split(given or "") if p.strip()]
    if parse and text.strip():
        signed = read_signature(text)
        if signed:
            wanted.append(signed)
    wanted += _list_names(text)
    wanted += _marked_names(text)
    return wanted


def mask_text(text: str, *, names: Iterable[str] = (), parse: bool = True) -> str:
    """``text`` without e-mail addresses, phone numbers and names (module docstring).

    ``names`` are names known to be the statement's (its name field, a group's list);
    ``parse=False`` skips the parser's signature (for a caller that passes it in ``names``).
    """
    if not text:
        return ""
    zh = HAS_CJK.search(text) is not None
    name_mark, email_mark, phone_mark = (
        (NAME_ZH, EMAIL_ZH, PHONE_ZH) if zh else (NAME_EN, EMAIL_EN, PHONE_EN)
    )
    found = names_in(text, names, parse=parse)  # read before anything is replaced
    if _AT_ANYWHERE.search(text):
        text = _EMAIL.sub(email_mark, text)
    if _ANY_DIGIT.search(text):
        text = _phones(text, phone_mark)
    text = _CN_DIGITS.sub(phone_mark, text)
    return _mask_names(text, found, name_mark)


def _phones(text: str, mark: str) -> str:
    """Phone-like digit runs replaced by ``mark``, dates kept."""

    def replace(m: re.Match[str]) -> str:
        run = m.group(0)
        date = _DATE.match(run)
        if date is not None:
            rest = run[date.end() :]
            if sum(ch.isdigit() for ch in rest) < 7:
                return run  # a date (and perhaps an hour): no phone number in it
            return run[: date.end()] + _phones(rest, mark)
        return mark

    return _PHONE.sub(replace, text)


def statement_masked(
    *, text: str, name: str = "", suggested_name: str | None = None, bulk: bool = False
) -> str:
    """The masked copy a statement stores (``Statement.text_masked``): ``text`` masked with the
    statement's own name(s) and the parser's signature. Every path that stores a text calls it
    (statement_receive, statement_edit, the bulk loader, the 0008 migration).

    The parser always reads the signature, the bulk loader's rows too (``bulk`` is kept for its
    callers): a row's name is not always the name signed in its text (an alias given, a real
    name signed), and a copy that kept the signed one would show it to staff who may not see
    names. It reads the signature alone (``read_signature``), not the whole statement: about
    a quarter of the masking, where the full reading was more than half
    (``bench/bench_masking.py``, docs/benchmarks.md).
    """
    names = [n for n in (name, suggested_name or "") if n]
    return mask_text(text, names=names, parse=True)


def masked_text(statement: Any) -> str:
    """What staff without ``statements.view_personal_data``, search and the screener read of a
    statement's text: its stored masked copy (decrypted). Empty once shredded."""
    return str(statement.text_masked or "")
