"""How many persons a statement speaks for: 1, a family, or a group.

In order of trust: a stated number of persons (等114人, 我们全家五口人, 共140人, 两人声明, "3 of
us"); a known group phrase (我们夫妻, 一家三口, my wife and I); relatives named with the declarant
(本人及妻子女儿, 我和我的丈夫); the signers listed after 声明人: (声明人: 青山 明月 → 2) or by
name in English (Lin Hua, Zhou Bo and two others → 4) come before the group phrases; a list of
names (张三、李四、王五). Otherwise 1.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from santui.textparse import lexicon as lx
from santui.textparse.automaton import Token
from santui.textparse.normalize import CJK, Normalized, bisect_left, bisect_right
from santui.textparse.regions import province_start

MAX_HEADCOUNT: Final = 100_000

_DIGITS: Final = {c: i for i, c in enumerate("零一二三四五六七八九")}
_DIGITS.update({"〇": 0, "两": 2, "俩": 2, "幺": 1})
_UNITS: Final = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
_CN_NUM: Final = "零〇一二两三四五六七八九十百千万"
_EN_NUM: Final = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
}  # fmt: skip

_NUMERAL: Final = re.compile(rf"[0-9{_CN_NUM}]\s*[个口人位名]")
_EN_NOUNS: Final = (
    "people", "persons", "of us", "family", "members", "employees", "staff", "friends",
    "students", "classmates", "colleagues", "workers", "villagers", "teachers",
    "officers", "relatives", "individuals", "signatories", "names",
)  # fmt: skip
# A number: its first character, then the rest of the same kind (not [0-9]{1,6}|[一二…]{1,6}): a
# pattern that starts with a class lets the engine skip to the characters it holds.
_NUMBER: Final = rf"[0-9{_CN_NUM}](?:(?<=[0-9])[0-9]{{0,5}}|(?<=[{_CN_NUM}])[{_CN_NUM}]{{0,5}})"
_CORE: Final = re.compile(rf"({_NUMBER})\s*(口人|个人|口|人|位|名)")
_PREFIX: Final = re.compile(
    r"(?:等|共|共计|计|合计|总共|一共|全家|全家人|一家|我们|我们全家|我们一家|家里|家中|以上|以下|全体"
    r"|这|我家|全家共|连我|包括我|包括本人|其中|全村|全村共"
    rf"|[0-9{_CN_NUM}]{{1,6}}户[、，,]?)\s*$"  # 全村一共51户、136人: persons, not households
)
_SUFFIX: Final = re.compile(
    r"声明|一起|同时|都|均|集体|联名|签名|三退|退|参加|共同|全部|郑重|在此|一同|决定|家庭"
)
# A number of persons named by what they are: 六个同学, 38名同学, 七位老师, 五個留學生.
_PEOPLE: Final = re.compile(
    rf"({_NUMBER})\s*(?:个|名|位)\s*(?:[{CJK}]{{0,3}}?)"
    r"(同学|同事|民警|辅警|警察|工人|农民工|老师|教师|留学生|学生|朋友|家人|兄弟|姐妹|职工|员工"
    r"|战友|村民|干部|党员|团员|人|成员|亲人|孩子|医生|护士|军人|士兵|老乡|工友|室友)"
    r"(?:兄弟|姐妹|们)?"  # 17个农民工兄弟
)
_TOTAL_WORDS: Final = ("共", "共计", "合计", "总共", "一共", "全村共")
# Others who join the declarant, counted apart from them: 另有57人, 还有三人, 以及其他12位.
_OTHERS_TOO: Final = re.compile(
    rf"(?:另有|另外还有|还有|以及其他|及其他|其他还有)([0-9]{{1,6}}|[{_CN_NUM}]{{1,6}})\s*(?:个人|人|位|名)"
)
_AFTER_PEOPLE: Final = re.compile(
    r"[，,]?(?:今天|现在|在此|特此)?(?:一起|一同|集体|共同|都|声明|三退|退|联名)"
)
# The declarant with a number of others (我和三个朋友一起退党 -> 4), who withdraw with them.
_ME_WITH: Final = re.compile("(?:我|本人)(?:和|与|跟|同|带着|带领|携)$")
_ME_WITH_WORDS: Final = (
    "我和", "我与", "我跟", "我同", "我带", "我携", "本人和", "本人与", "本人携",
)  # fmt: skip
_WITH_ME_AFTER: Final = re.compile(
    "(?:一起|一同|共同|集体|都)(?:声明|宣布|决定|三退|退)|(?:一起|一同|共同)|声明|宣布|三退|退|联名"
    # 我和两个同学都戴过红领巾、入过团，今天一起声明退出: together, later in the sentence
    "|.{0,20}?(?:一起|一同|共同|集体)(?:声明|宣布|决定|三退|退)"
)
_WE: Final = ("我们", "我們", "一起", "集体", "一同", "共同", "联名")
_GROUP_BEFORE: Final = re.compile("我们|我們|全家|一家|全体|大家")
_EN_COUNT: Final = re.compile(
    r"\b(?:(family of|group of|total of|a total of)\s+)?([0-9]{1,6}|" + "|".join(_EN_NUM) + r")"
    r"\s+(people|persons|of us|family members|members of (?:my|our) family|individuals"
    r"|signatories|members|names|employees|staff members|staff|friends|students|classmates"
    r"|colleagues|workers|villagers|teachers|officers|police officers|relatives)\b"
)
_EN_FAMILY_OF: Final = re.compile(r"\bfamily of (" + "|".join(_EN_NUM) + r"|[0-9]{1,2})\b")
_SELF_BEFORE: Final = re.compile(
    r"(?:我|本人)(?:和|及|与|同|跟|以及|携|带着|带|还有|连同)(?:我的|我|的)*$"
)
# 也替我妻子孙桂英一并声明退出, 代我父亲声明退党: the declarant declares for the relative too
# (替妻子感到难过 is no declaration)
_FOR_BEFORE: Final = re.compile(r"(?:替|代|代替)(?:我的|我|的)*$")
_FOR_AFTER: Final = re.compile(r".{0,3}?(?:一并|一起|一同|也|都)?(?:声明|宣布|退出|退党|退团|退队)")
_TOGETHER: Final = re.compile(r"^(?:一起|一同|共同|都)")
_SELF_AFTER: Final = re.compile(r"^(?:和|及|与|以及|还有)(?:我|本人)")
_EN_SELF_BEFORE: Final = re.compile(
    r"\b(?:i|me|myself)\s*(?:,|and|together with|with)\s*(?:my\s*)?"
    r"(?:(?:two|three|four|five|[2-9])\s*)?$"
)
_EN_SELF_AFTER: Final = re.compile(r"^\s*(?:and|&)\s*(?:i|me|myself)\b")
_EN_ME_WITH: Final = re.compile(r"\b(?:i|me|myself)\s*(?:and|together with|with|,)\s*$")
_EN_SMALL: Final = "two|three|four|five|six|seven|eight|nine|ten|[2-9]"  # my three children
_CHAIN_GLUE: Final = re.compile(
    rf"^(?:和|及|与|、|,|，|以及|还有|我的|我|的|跟|\s|and|my|our|,)*"
    rf"(?:([0-9]|[{_CN_NUM}])个|(?:{_EN_SMALL})\s*)?$"
)
_NUM_BEFORE: Final = re.compile(rf"([0-9]|[{_CN_NUM}]{{1,2}})个$")
_EN_NUM_BEFORE: Final = re.compile(rf"\b({_EN_SMALL})\s*$")
# Lists of names: two to four CJK characters, separated by 、 or by commas and spaces.
_NAME_ITEM: Final = f"[{CJK}]{{2,4}}"
# Each starts with the character before the list, which is not a CJK one (group 1 is the list):
# the engine then skips over the Chinese text to the marks and spaces, where a look-behind at
# the start would be tried at every character. Searched in the text after one space, for a list
# at its very start.
_NAME_LIST: Final = re.compile(rf"[^{CJK}]((?:{_NAME_ITEM}\s*[、,，;；]\s*){{1,}}{_NAME_ITEM})")
_SPACE_LIST: Final = re.compile(
    rf"[^{CJK}]((?:(?<![{CJK}]){_NAME_ITEM}[ \t\u3000]+){{2,}}{_NAME_ITEM}(?![{CJK}]))"
)
# A space after two Chinese characters: a list of three names separated by spaces has two, and
# begins at most four characters before the first.
_SPACE_AFTER_WORD: Final = re.compile(f"[ \t\u3000](?<=[{CJK}][{CJK}][ \t\u3000])")
_GLOSS: Final = re.compile(r"\s*[(（][^)）]{0,40}[)）]")
# Common surnames: a list item must start with one (the first 200 or so by frequency).
SURNAMES: Final = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘"
    "祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾"
    "尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬"
    "师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_NOT_NAMES: Final = frozenset(
    {"共产党", "共青团", "少先队", "中共", "党员", "团员", "队员", "组织", "声明", "退出",
     "我们", "全家", "妻子", "丈夫", "儿子", "女儿", "父亲", "母亲", "孩子", "家人"}
)  # fmt: skip


def chinese_number(text: str) -> int | None:
    """两 -> 2, 十四 -> 14, 一百四十 -> 140, 114 -> 114; None if it is not a number."""
    if text.isdigit():
        return int(text)
    total = 0
    section = 0
    digit = None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit == 10_000:
                total += (section + (digit or 0)) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def read_headcount(
    n: Normalized, tokens: list[Token], kinds: frozenset[int] | set[int] | None = None
) -> tuple[int, float]:
    """(persons, confidence)."""
    if kinds is None:
        kinds = {t[0] for t in tokens}
    text = n.compact
    found = _stated_number(n) if n.language == "zh" and _NUMERAL.search(text) else 0
    latin = n.script != "simplified" and n.script != "traditional"
    if not found and latin and any(noun in text for noun in _EN_NOUNS):
        found = _stated_number_en(text)
    if found:
        return found, 0.9
    if latin and (", " in n.original or " and " in n.original):
        listed = _english_names(n.original)
        if listed > 1:
            return listed, 0.7
    signers = _signer_line(n.norm) if "声明人" in n.norm else 0
    if signers > 1:
        return signers, 0.8
    if lx.GROUP in kinds:
        # kin named as a pair or a set (父子俩, 三兄弟) are a group where they declare (not 我们
        # 父子俩为这些事吵过很多次); 我们夫妻, 一家三口 name the statement's signers wherever they
        # are said
        groups = [
            int(str(t[2]))
            for t in tokens
            if t[0] == lx.GROUP
            and (n.compact[t[3] : t[4]] not in lx.KIN_GROUPS or _declared_here(n, t[3], t[4]))
        ]
        if groups:
            return max(groups), 0.85
    if lx.FAMILY in kinds:
        family = _family(n, [t for t in tokens if t[0] == lx.FAMILY])
        if family > 1:
            return family, 0.75
    names = _name_list(n, tokens)
    if names > 1:
        return names, 0.6
    if _plural_declares(n):
        return 2, 0.55  # 我们…退出, "we withdraw", 我和家人一起: at least two, no number given
    return 1, 0.7


# A plural subject that declares, with no number or names: two persons, the least the text
# guarantees (我们在此声明退出, "we hereby quit", 我和我的家人一起退出). Not a class the
# signer belongs to (我们这些小公务员, 我们中国人, "we Chinese"), not others urged
# (希望我们都退出), not a possessive, not a passive (我们就永远被这样谗害下去).
_WE_ZH: Final = re.compile(
    "我(?<![让使叫劝望召给把被对跟和与带诉帮教]我)[们們]"
    "(?!这些|這些|这一代|这代|中国人|中國人|国家|的|之|每|大家|普通|老百姓|百姓|都是中国"
    "|(?:就|都|也|还|一直|永远)*被"
    # 我们单位有几个人已经退党了: a possessive before a place or an institution
    "|单位|村|学校|公司|工厂|厂|班|这里|那里|这儿|那儿|家乡|老家|当地|小区|县|市|省|地方|部门|医院|镇|乡)"
)
_WITH_FAMILY: Final = re.compile(
    "(?:我|本人)(?:和|与|同|跟|携|连同)(?:我的)?(?:家人|家里人|全家|家属)"
)
_WE_EN: Final = re.compile(
    r"(?<!let )(?<!help )\bwe\b(?! chinese| the chinese| all know| know)(?:\s+[\w’']+){0,5}?\s+"
    r"(?:withdraw|quit|renounce|declare|announce|hereby|solemnly|make a statement)",
    re.IGNORECASE,
)
_SENTENCE_END: Final = "。！？!?\n"
_SINGULAR: Final = re.compile("(?<![我])我(?![们們])|本人")


def _plural_declares(n: Normalized) -> bool:
    norm = n.norm
    latin = n.language != "zh" or n.script not in ("simplified", "traditional")
    if latin and "we" in n.compact and _WE_EN.search(norm) is not None:
        return True
    if "我们" not in norm and "我們" not in norm and "家" not in norm:
        return False
    for pattern in (_WITH_FAMILY, _WE_ZH):
        for m in pattern.finditer(norm):
            stops = [i for i in (norm.find(c, m.end()) for c in _SENTENCE_END) if i >= 0]
            end = min(stops) if stops else len(norm)
            # 我和家人一起: the whole sentence (申明，我和我的家人一起); 我们: what follows it
            start = m.end()
            if pattern is _WITH_FAMILY:
                start = max(norm.rfind(c, 0, m.start()) for c in _SENTENCE_END) + 1
            declared = _DECLARING.search(norm, start, end)
            if declared is None:
                continue
            if pattern is _WE_ZH and _SINGULAR.search(norm, m.end(), declared.start()):
                continue  # 我们都入过团，我今天退团: the singular declares
            return True
    return False


# A number of persons counts only where the text declares something (李文亮等8位医生是造谣吗,
# 告诉这两位老师: people of the story): a withdrawal or declaration word in its clause or the
# next, or the number on the closing lines (the signature).
_DECLARING: Final = re.compile(
    "退(?!休|伍|役|学|款|货|还|步|下|职|党网|党服务)|声明|脱离|宣布|宣告|宣誓(?!过)|签名|联名|割席"
    "|划清|断绝|一刀两断"
    r"|\b(?:quit|withdr[ae]w|renounce|declare|resign|sever|tuidang)",
    re.IGNORECASE,
)
_CLAUSE_MARKS: Final = "。！？!?；;，,：:\n"
_SENTENCE: Final = re.compile("[。！？!?；;]")
# Editors' notes inside a record are not the declarant's words (此声明不计人数).
_EDITOR_NOTE: Final = re.compile(r"[(（]\s*编[注按][^)）]*[)）]")


def _declared_here(n: Normalized, start: int, end: int, ahead: int = 2) -> bool:
    """Whether the compact span [start, end) lies in a declaring clause (see _DECLARING)."""
    return _declared_at(n.norm, n.to_norm(start), n.to_norm_end(end), ahead=ahead)


def _declared_at(norm: str, a: int, b: int, *, back: bool = True, ahead: int = 2) -> bool:
    """Whether the norm span [a, b) lies in a declaring clause (this one, the one before or the
    ``ahead - 1`` after it in its sentence) or on the closing lines."""
    left = max(norm.rfind(c, 0, a) for c in _CLAUSE_MARKS)
    if left > 0 and (norm[left] in ":：" or (back and norm[left] in "，,；;")):
        # the clause before in the same sentence: 我退党，妻子和女儿退团退队，共三人; 三退：王平
        left = max(norm.rfind(c, 0, left) for c in _CLAUSE_MARKS)
    left += 1
    right = b
    for _ in range(ahead):  # this clause and the next ones of the same sentence
        stops = [i for i in (norm.find(c, right) for c in _CLAUSE_MARKS) if i >= 0]
        right = min(stops) + 1 if stops else len(norm)
        if right >= len(norm) or norm[right - 1] not in "，,：:":
            break
    if _DECLARING.search(norm, left, right) is not None:
        return True
    # the signature lines: near the end, no sentence after the number
    return norm.count("\n", b) <= 2 and len(norm) - b <= 40 and _SENTENCE.search(norm, b) is None


def _stated_number(n: Normalized) -> int:
    text = n.compact
    if (
        "人" not in text
        and "口" not in text
        and "位" not in text
        and "名" not in text
        and ("个" not in text)
    ):
        return 0
    best = 0
    for m in _OTHERS_TOO.finditer(text):  # 王某某领衔，共同声明的另有57人: the lead and 57 more
        value = chinese_number(m.group(1))
        if value is not None and 0 < value < MAX_HEADCOUNT and _declared_here(n, *m.span()):
            best = max(best, value + 1)
    for m in _CORE.finditer(text):
        number, unit = m.groups()
        start = m.start()
        ahead = text[max(0, start - 8) : start]
        found = _PREFIX.search(ahead)
        before = found.group(0) if found else None
        if not before and _GROUP_BEFORE.search(ahead) is not None:
            before = "我们"
        found = _SUFFIX.match(text, m.end())
        after = found.group(0) if found else None
        if not (before or after or unit == "口人"):
            continue
        value = chinese_number(number)
        if value is None or value < 1 or value > MAX_HEADCOUNT:
            continue
        if unit == "名" and not before and after not in ("声明", "联名", "签名", "三退"):
            continue
        if before == "其中":  # 其中三人是党员: part of the group, not its size
            continue
        family = unit == "口人" or (before is not None and ("家" in before or "我们" in before))
        # a total said with 共, 一共…: the declaration may come two clauses later (我和同事共4人，
        # 都在国企上班，今天一起声明退党)
        total = before is not None and before.strip().endswith(_TOTAL_WORDS)
        reach = 3 if total or after == "都" else 2  # 三个人都没入过党，只入过团，今天一起声明
        if not family and not _declared_here(n, start, m.end(), reach):
            continue
        if _in_editor_note(n, start):
            continue
        best = max(best, value)
    if not best and any(w in text for w in _ME_WITH_WORDS):
        for m in _PEOPLE.finditer(text):  # 我和三个朋友一起退党: the declarant and three more
            start = m.start()
            if _ME_WITH.search(text, max(0, start - 4), start) is None:
                continue
            joins = _WITH_ME_AFTER.match(text, m.end())
            if (
                joins is None
                or n.boundary_between(m.end(), joins.end() - 1)  # in the same sentence
                or not _declared_here(n, start, m.end())
            ):
                continue
            value = chinese_number(m.group(1))
            if value is not None and 0 < value < MAX_HEADCOUNT:
                best = max(best, value + 1)
    if not best and any(w in text for w in _WE):
        for m in _PEOPLE.finditer(text):
            start = m.start()
            if start and text[start - 1] in "几多上数近约":
                continue  # 几十个工友: a guess, not a count of signers
            if "我们" not in text[max(0, start - 12) : start] or not _AFTER_PEOPLE.match(
                text, m.end()
            ):
                continue
            value = chinese_number(m.group(1))
            if value is not None and 1 < value <= MAX_HEADCOUNT:
                best = max(best, value)
    return best if best > 1 else 0


def _in_editor_note(n: Normalized, start: int) -> bool:
    if "编" not in n.norm:
        return False
    a = n.to_norm(start)
    return any(m.start() <= a < m.end() for m in _EDITOR_NOTE.finditer(n.norm))


def _stated_number_en(text: str) -> int:
    best = 0
    for m in _EN_FAMILY_OF.finditer(text):
        number = m.group(1)
        value = _EN_NUM.get(number) or (int(number) if number.isdigit() else 0)
        if 1 < value <= MAX_HEADCOUNT:
            best = max(best, value)
    for m in _EN_COUNT.finditer(text):
        _before, number, _noun = m.groups()
        if text[max(0, m.start() - 4) : m.start()] in ("my ", " my ", "our ", "his ", "her "):
            continue  # my two friends: some of the persons, counted with the declarant below
        value = _EN_NUM.get(number) or (int(number) if number.isdigit() else 0)
        if _EN_ME_WITH.search(text, max(0, m.start() - 20), m.start()) or _EN_SELF_AFTER.match(
            text[m.end() : m.end() + 12]
        ):
            value += 1  # I and two friends, three colleagues and I: the declarant too
        if 1 < value <= MAX_HEADCOUNT:
            best = max(best, value)
    return best


def _family(n: Normalized, relatives: list[Token]) -> int:
    """1 + the relatives named together with the declarant (我和妻子、两个女儿 -> 4)."""
    if not relatives:
        return 1
    text = n.compact
    best = 1
    i = 0
    while i < len(relatives):
        # A chain of relatives joined by 和/及/、/的 ...
        j = i
        persons = _persons(text, relatives[i])
        while j + 1 < len(relatives):
            glue = text[relatives[j][4] : relatives[j + 1][3]]
            if len(glue) > (16 if glue.isascii() else 6) or not _CHAIN_GLUE.match(glue):
                break
            j += 1
            persons += _persons(text, relatives[j])
        start, end = relatives[i][3], relatives[j][4]
        before = text[max(0, start - 8) : start]
        after = text[end : end + 6]
        latin = text[start].isascii()
        if latin:
            joined = bool(
                _EN_SELF_BEFORE.search(text[max(0, start - 24) : start])
                or _EN_SELF_AFTER.match(text[end : end + 12])
            )
        else:
            proxy = bool(_FOR_BEFORE.search(before) and _for_relative(n, end))
            joined = bool(_SELF_BEFORE.search(before) or _SELF_AFTER.match(after) or proxy)
            if proxy and not _SELF_BEFORE.search(before) and not _own_too(n, before):
                # 我代我父亲声明退党: the statement counts the person it is made for, not its
                # writer (eval/README.md: 代表妈妈声明… → 1), unless the writer quits too
                # (也替我妻子…一并声明退党; 我自己也退团退队)
                if _declared_here(n, start, end):
                    best = max(best, persons)
                i = j + 1
                continue
        if (
            not joined
            and not latin
            and _TOGETHER.match(after)
            and before.endswith(("和", "与", "跟", "同"))
        ):
            joined = True  # ……，和老伴一起声明
        # 我跟父母都极力反对: not a withdrawal; 我和我先生大学时都入了团，小时候都戴过红领巾，
        # 今天一起退出: relatives joined with the declarant, the declaration two clauses on
        if joined and _declared_here(n, start, end, 3):
            best = max(best, 1 + persons)
        i = j + 1
    return best


# The writer of a statement made for another quits too: 也替…, 我自己也退…, 本人也声明….
_ALSO_FOR: Final = re.compile("(?:也|还|同时|一并|一起)(?:替|代|代替)(?:我的|我|的)*$")
_OWN_TOO: Final = re.compile(
    "(?:我自己|我本人|本人也|我也)[^。！？!?；;\n]{0,16}?(?<![没不未])(?:声明(?!人)|宣布|三退|退)"
)


def _own_too(n: Normalized, before: str) -> bool:
    return _ALSO_FOR.search(before) is not None or _OWN_TOO.search(n.norm) is not None


def _for_relative(n: Normalized, end: int) -> bool:
    """After 替/代 + a relative: the relative's name at most, then the declaration, in one
    breath (替我妻子孙桂英一并声明退出; not 替妻子感到难过，声明退党)."""
    m = _FOR_AFTER.match(n.compact, end, end + 12)
    if m is None:
        return False
    gaps = n.gap_at
    return bisect_left(gaps, end) == bisect_right(gaps, m.end() - 1)


def _persons(text: str, token: Token) -> int:
    value = int(str(token[2]))
    start = token[3]
    before = text[max(0, start - 4) : start]
    m = _NUM_BEFORE.search(before) if not text[start].isascii() else None
    if m:
        number = chinese_number(m.group(1))
        if number and number > 1 and value == 1:
            return number
    if text[start].isascii():
        m2 = _EN_NUM_BEFORE.search(text[max(0, start - 8) : start])
        if m2:
            return _EN_NUM.get(m2.group(1)) or int(m2.group(1))
    return value


# The signature line of the service center's records: 声明人: 秋实 如初 / 声明人：春雨、如初、望舒
# / 声明人: Fang Shao，Lei Shao. Each item is a signer (a name or an alias).
_SIGNER_LINE: Final = re.compile(r"声明人\s*[:：]\s*([^\n\r]{1,200})")
_SIGNER_END: Final = re.compile(r"\s*(?:[0-9]{4}\s*[-/年.]|等|[0-9]{1,2}:[0-9]{2})")
_SIGNER_SPLIT: Final = re.compile(r"[\s、，,;；。/]+")
_SIGNER_SPLIT_LATIN: Final = re.compile(r"\s*[、，,;；。/]\s*")
_SIGNER_NOT: Final = re.compile("退|加入|声明|党|团|队|曾经|曾在|曾是|曾加入|现在|我")
_SIGNER_ITEM: Final = re.compile(rf"[{CJK}]{{1,12}}|[A-Za-z][A-Za-z .'\-_0-9]{{0,30}}")


@cache
def _signer_place() -> re.Pattern[str]:
    """The place typed after the name on the signature line (声明人: 王明 河北石家庄), which parse
    reads as the declarant's place: not a second signer."""
    return re.compile(rf"(\S)[ \t\u3000]+{province_start()}\S*[ \t\u3000]*$")


def _signer_line(text: str) -> int:
    """Signers listed after 声明人: (0 if there is no such line)."""
    m = _SIGNER_LINE.search(text)
    if m is None:
        return 0
    line = m.group(1)
    end = _SIGNER_END.search(line)
    if end is not None:
        line = line[: end.start()]
    line = _GLOSS.sub(" ", line)  # 戴蕾（化名）白翔（化名）
    place = _signer_place().search(line)
    if place is not None:
        line = line[: place.end(1)]
    split = _SIGNER_SPLIT_LATIN if re.search("[A-Za-z]{2}", line) else _SIGNER_SPLIT
    items = [i.strip() for i in split.split(line) if i.strip()]
    if not items or not all(
        _SIGNER_ITEM.fullmatch(i) and _SIGNER_NOT.search(i) is None for i in items
    ):
        return 0  # 声明人：周丽萍，辽宁大连人，曾经加入少先队: a sentence, not a list
    return len(items)


# Signers in English: "Qian Lifeng, Qian Yumin, Zhao Ping", "He Li, Deng Ming and three others".
_PINYIN_SURNAMES: Final = frozenset({
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun",
    "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song", "tang",
    "han", "feng", "deng", "cao", "peng", "zeng", "xiao", "tian", "dong", "yuan", "pan", "yu",
    "jiang", "cai", "du", "ye", "cheng", "su", "wei", "lu", "ding", "ren", "shen", "yao", "cui",
    "zhong", "tan", "fan", "jin", "shi", "liao", "jia", "xia", "fu", "fang", "bai", "zou", "meng",
    "xiong", "qin", "qiu", "yin", "xue", "yan", "duan", "lei", "hou", "long", "tao", "mao", "hao",
    "gong", "shao", "wan", "qian", "qiao", "kong", "niu", "ge", "xing", "an", "qi", "yi", "pang",
    "zhuang", "nie", "zhan", "lan", "jiao", "gu", "mo", "ou", "kang",
})  # fmt: skip
_EN_NAME: Final = r"[A-Z][a-z]+ [A-Z][a-z]+(?:-[a-z]+)?"
_EN_NAME_LIST: Final = re.compile(
    rf"\b({_EN_NAME}(?:, {_EN_NAME})*,? and {_EN_NAME}|{_EN_NAME}(?:, {_EN_NAME})+)"
    r"(?:,? and (?:(\w+) others\b|others\W{0,3}(?:a total of|altogether|in all|in total)\s+(\w+)))?"
)


def _english_names(text: str) -> int:
    """Signers listed by name in English (0 if no list of two or more)."""
    best = 0
    for m in _EN_NAME_LIST.finditer(text):
        names = re.split(r",? and |, ", m.group(1))
        if not all(name.split()[0].lower() in _PINYIN_SURNAMES for name in names):
            continue
        count = len(names)
        more = m.group(2)
        total = m.group(3)
        if total is not None:  # "… and others–altogether eight people": the stated total
            value = _EN_NUM.get(total.lower()) or _ascii_number(total)
            if value >= count:
                count = value
        elif more is not None:
            value = _EN_NUM.get(more.lower()) or _ascii_number(more)
            count += value
        best = max(best, count)
    return min(best, MAX_HEADCOUNT)


def _ascii_number(word: str) -> int:
    """A number in ASCII digits, capped; 0 for anything else (a superscript ² passes
    ``isdigit`` but not ``int``; a number of thousands of digits would not convert either)."""
    if word.isascii() and word.isdigit() and len(word) <= 7:
        return min(int(word), MAX_HEADCOUNT)
    return 0


def _name_list(n: Normalized, tokens: list[Token]) -> int:
    """The length of the longest list of personal names in the text (0 if none)."""
    text = n.norm
    if "(" in text or "（" in text:  # 孙丽 (Sun Li), 王强 (Wang Qiang): drop the glosses
        text = _GLOSS.sub(lambda m: " " * len(m.group(0)), text)
    best = 0
    places: set[str] | None = None
    padded = " " + text  # the lists' patterns start with the character before them
    if "、" in text or "," in text:
        for m in _NAME_LIST.finditer(padded):
            if places is None:
                places = _place_words(n, tokens)
            found = m.group(1)
            start = m.start(1) - 1  # in text
            items = re.split(r"\s*[、,，;；]\s*", found)
            count = _count_names(items, places)
            if count <= best:
                continue
            end = start + len(found)
            if items[-1] and not _name_like(items[-1]):  # 周恩来，一个个罪…: the list ends before
                head = found[: found.rfind(items[-1])]
                end = start + len(head.rstrip("、,，;； \t"))
            # not 毛泽东、周恩来 in the story: the list itself declares, or follows 三退：
            if _declared_at(text, start, end, back=False):
                best = count
    for m in _space_lists(text, padded):
        if places is None:
            places = _place_words(n, tokens)
        count = _count_names(m.group(1).split(), places)
        start = m.start(1) - 1
        if count >= 3 and count > best and _declared_at(text, start, m.end(1) - 1, back=False):
            best = max(best, count)
    return best


def _space_lists(text: str, padded: str) -> list[re.Match[str]]:
    """The lists of names separated by spaces (``_SPACE_LIST`` in ``padded``, the text after one
    space), searched only where they can be: from four characters before the first space after
    two Chinese characters, when there is a second one."""
    if text.count(" ") + text.count("\u3000") < 2:
        return []
    first = _SPACE_AFTER_WORD.search(text)
    if first is None or _SPACE_AFTER_WORD.search(text, first.end()) is None:
        return []
    return list(_SPACE_LIST.finditer(padded, max(0, first.start() - 4)))


def _place_words(n: Normalized, tokens: list[Token]) -> set[str]:
    return {n.norm[n.to_norm(t[3]) : n.to_norm_end(t[4])] for t in tokens if t[0] == lx.PLACE}


def _name_like(item: str) -> bool:
    return (item[0] in SURNAMES or item[0] in "小老阿") and item not in _NOT_NAMES


def _count_names(items: list[str], places: set[str]) -> int:
    names = [
        i
        for i in items
        if i
        and (i[0] in SURNAMES or i[0] in "小老阿")
        and i not in _NOT_NAMES
        and i not in places
        and not any(p in i for p in places if len(p) >= 2 and i.endswith(p) and len(i) > 3)
    ]
    if len(names) < 2 or len(names) < len(items) - 1:
        return 0
    return len(names)
