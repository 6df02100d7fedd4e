"""Which organizations a statement quits, and whether the declarant is a party member now.

Rules, in the order they apply (docs/textparse.md has examples):

1. A withdrawal that names its object (退党, 退团, 退队; 三退 and 退出中共及其一切组织 for all
   three) counts, unless it is negated.
2. A withdrawal verb (退出, 声明退出, quit) takes the organizations named right after it, as a
   chain (退出中共、共青团和少先队), within its clause.
3. A withdrawal with no object (本人曾加入共青团，现声明退出), or with a general one (退出以上组织,
   退出中共一切组织), takes every organization the text says the declarant belonged to; a general
   object with no membership named means all three.
4. An organization named as the parent of another (中國共產黨的下屬組織「共青團」, 中共的团、队组织)
   is not quit; nor one only renounced (和这个党划清界限), nor one the declarant never joined
   (我从未入党, I was never a member of the party).
5. With no withdrawal word at all (a bare list entry: 团员 张三), the organizations named count.
"""

from __future__ import annotations

import re
from typing import Final

from santui.textparse import lexicon as lx
from santui.textparse.automaton import Token
from santui.textparse.normalize import Normalized, bisect_left

# How far (compact characters) a withdrawal reaches for its first object, and how far apart
# the objects of one chain may be. Latin text is measured in letters, so it gets more room.
_FIRST_GAP: Final = (8, 40)
_NEXT_GAP: Final = (4, 16)
_NEGATION_REACH: Final = (6, 30)
_JOINED_REACH: Final = (6, 24)
_BREAK_REACH: Final = 10
_EN_PARENT: Final = re.compile(r"\s*(?:of|under|led by|affiliated with|belonging to)(?: the)?\s*$")
_EN_THE: Final = re.compile(r"\s*the\s+")
_EN_POSSESSIVE: Final = re.compile(r"['’]s\s*(?:own\s+)?")
_CJK_PARENT_GLUE: Final = frozenset({
    "的", "之", "组织的", "组织下的", "下的", "所属的", "下面的", "底下的", "下边的", "名下的",
    "旗下的", "手下的", "领导下的", "领导的", "控制下的", "操纵的", "掌控的", "操控的", "控制的",
    "建立的", "创建的", "创立的", "成立的", "组建的",  # 共产党建立的少先队: its maker, not quit
})  # fmt: skip
# 中共邪恶团、队组织, 中共附属的团、队组织, 中共邪灵团队: the party's league and pioneers.
# 中共邪党附属组织共青团
_CJK_PARENT_WORDS: Final = re.compile(
    "的?(?:邪恶|邪灵|邪|恶魔|附属|下属|所属|外围|所有|一切|全部)的?(?:组织)?"
)
_OTHER_ONES: Final = re.compile("其他|其它|别的")
_LIST_WORDS: Final = re.compile("及|和|与|以及|还有")


def _closes_list(glue: str, chain: int) -> bool:
    """Whether the words between a list and "all organizations" close the list (等; 其他, "other",
    after the league or the pioneers): they add none (eval/README.md). 中共及其它的一切组织 (the
    party and all of its) still widens."""
    return "等" in glue or (not chain & lx.PARTY and _OTHER_ONES.search(glue) is not None)


_CHAIN_GLUE: Final = re.compile(
    r"^(?:\s|和|及|与|以及|还有|、|,|，|&|and|or|its|the|my|our|also|as well as|并且|并|同时|也|"
    r"其|及其|以及其|它的|他的|all|of|from|的|邪恶|邪|罪恶|万恶|附属|下属|外围|各种"
    r"|积极分子|成员|身份"  # 退出中共邪党积极分子、团、队: a stage of membership
    r"|红卫兵"  # 退出了少先队、红卫兵和共青团组织: the Red Guards quit nothing, the list goes on
    r"|所有|一切|附属于|隶属于|从属于|它|下面|底下|旗下"  # 邪党所有的党、团、队; 以及附属于它的
    # 共青团; 以及它下面的共青团、少先队
    r"|建立|创建|创立|成立|组建)*$"  # 共产党建立的党团队: what it made, the party among them
)
# What follows an organization when the verb's object is something of it (脱离共党魔爪, 摆脱
# 中共的控制) or people who quit it (脱离中共的人才能…, 退出共产党的人越来越多).
_NOT_THE_OBJECT: Final = re.compile(
    "的?(?:魔爪|魔掌|控制|统治|束缚|捆绑|枷锁|奴役|黑手)|的人(?![权民大])"
)
# A membership that lapsed (超龄自动退团了, 到龄就自动退团): not a withdrawal (eval/README.md,
# "Questions settled 2026-12-06, second round": a lapse is not declared).
_LAPSE: Final = re.compile(
    "(?:超龄|到龄|超过年龄|年龄到了?|年纪到了?)(?:后|了|就|也)?(?:自动|自然)?(?:就)?$"
)
_FAILED: Final = re.compile("(?:没有?|未|未能|没能|不能|无法)(?:成功|能够?|办法)?$")
# A withdrawal that did not happen, said after it (当年想退团，但没敢; 申请退团没被批准) or a
# fear before it (还不敢退党): eval/README.md, "a plan of the past", "one that failed".
_FAILED_AFTER: Final = re.compile(
    "(?:申请书?)?[，,]?(?:但是?|可是?|却|结果|最后|也)?"
    "(?:他|她|我|组织|学校|单位|领导|上级|上面|团委|支部|老师|他们)?(?:那时候?|当时|一直|始终|现在|目前)?"
    "(?:还是|还)?(?:没敢|不敢|没成|没退成|退不了|退不成|没被批准|未被批准|没拿定主意|没决定|没想好|在犹豫"
    "|没有被批准|没批准|未获批准|被拒绝|没有成功|未成功|没有退成)"
    "|不了(?!解|了之)"  # 想退也退不了: the second 退
)
_TOPIC_AFTER: Final = (
    "的事",
    "这事",
    "这件事",
    "这个事",
    "这一件事",
    "的想法",
    "的念头",
    "的问题",
    # 退党的人越来越多, 退党大潮: the people who quit, the movement
    "的人",
    "人数",
    "大潮",
    "潮",
    "的浪潮",
    "的洪流",
    "网站",
    "的网站",
)
# ...and what a withdrawal is the attribute of (连退出的权利都没有, 没有退党的程序): a noun, not
# the declarant's act.
_RIGHT_AFTER: Final = (
    "的权利", "的权力", "的自由", "的机会", "的程序", "的程式", "的途径", "的渠道", "的手续",
    "的办法",
)  # fmt: skip
# A 三退声明 the declarant issues in the body (郑重发出自己的三退声明, 发表我的三退声明): all three
# declared; not one not issued (一直没发表三退声明).
_ISSUED: Final = re.compile(
    "(?<![没未不有])(?:发表|发出|做出|作出|提交|递交|写下)了?(?:自己的|我的|本人的|我们的)?$"
)
_AFRAID: Final = re.compile("(?:还|一直|始终)?(?:不敢|没敢)$")
# Someone else's withdrawal (看到大家都在退党, 我的同事上个月都退了党, 已有数亿人退出中共): the
# clause's subject is others, not the declarant (eval/README.md: other people's acts).
_OTHERS_SUBJECT: Final = re.compile(
    "大家|别人|他们|她们|有人|很多人|许多人|不少人|更多人|更多的人|所有人|亿人|万人|人们|网友|群众|同胞"
    "|有一[位个名]|又有"
    "|身边的人"
    "|全世界|全人类|世界各国"  # 盼全世界早日清除中共…那一套: a wish for the world
)
# 身边很多朋友都已经退了团, 同学们早就退团了: the declarant's peers as the subject, unless the
# clause declares for them (我们班38名同学集体声明退出共青团, 同事5人声明退出…: the statement's
# own signers).
_PEERS: Final = re.compile("朋友|同学|同事|亲戚|邻居|老乡|战友|室友")
_FOR_THEM_WORDS: Final = ("声明", "宣布", "宣誓", "聲明")
_FOR_THEM: Final = re.compile("|".join(_FOR_THEM_WORDS))
# A third person as the subject (他, 她, 隔壁老王): another's withdrawal when told as done; a
# proxy (我代他声明退党) or a co-signer who declares (她声明退出共青团) is not.
_THIRD_PERSON: Final = re.compile("(?<!其)[他她](?![们們人])|隔壁")
_SELF_IN: Final = re.compile("我|本人")
# Up to the last clause mark, if any: a greedy match runs to the end and steps back to the mark
# (one pass, where a search for the marks' absence up to the end retries at every character).
_TO_LAST_MARK: Final = re.compile("(?s:.*[，,。！？!?；;\n])?")


def _clause_tail(text: str, start: int, end: int) -> str:
    """The clause that ends at ``end``: ``text[start:end]`` after its last clause mark. At a line
    end, the clause before it (as ``[^，…\\n]*$`` read it, whose ``$`` matches before a final
    line end)."""
    if end > start and text[end - 1] == "\n":
        end -= 1
    m = _TO_LAST_MARK.match(text, start, end)
    return text[start if m is None else m.end() : end]


# Anyone at all as the subject, in the sentence before a withdrawal (谁要是加入过…都应当退出来).
_WHOEVER: Final = re.compile(
    "(?:谁要是|谁若是|谁若|任何人都|每个人都|人人都|每个中国人都|每一个中国人都)[^。！？!?；;]*$"
)
# A declaration made for others just before their withdrawal, in its sentence (替爸妈声明：…).
_PROXY_BEFORE: Final = re.compile(
    "(?:替|代|代替)[^。！？!?；;\n]{0,10}?(?:声明|宣布)[^。！？!?；;\n]*$"
)
_SUPPORT: Final = ("支持三退", "支持退党", "赞成三退", "拥护三退", "支持大家三退", "声援三退")
_IN_ALIAS: Final = re.compile("(?:化名|化明|笔名|署名|网名)(?:为|是|叫)?$")
_WITH_OTHERS: Final = re.compile("我|本人|俺|一起|一同|跟着")
# A character one of the two searches above needs: without any, neither is run.
_NOT_MINE_HINT: Final = re.compile(
    # one character each, not a class: every alternative then starts with a character
    "家|人|们|事|友|众|敢|批|拒|功|学|戚|居|乡|谁|退不了|退不成|退成|没成|没拿定|没决定|没想好|犹豫|世界"
)
_DURATION: Final = re.compile(r"[多几一二三四五六七八九十0-9]+年")
_RELATIVES: Final = re.compile(
    "父母|父亲|母亲|爸爸|妈妈|爸妈|丈夫|妻子|老公|老婆|儿子|女儿|哥哥|姐姐|弟弟|妹妹|爷爷|奶奶|爱人|father"
    "|mother|parents|husband|wife|brother|sister"
)
_WITH_ME: Final = re.compile("我是|我也|我和|和我|我与|本人和")
_COORDINATION: Final = re.compile(r"^(?:\s|和|或|或者|与|及|、|,|and|or|nor|the)*$")


# All three said in general (a heading 三退, 退出一切邪恶组织): a declaration that names fewer
# organizations is the more specific one and wins (三退 / 现在我退出共青团和少先队).
_VAGUE_WORDS: Final = (
    "三退", "三腿", "3退", "3tui", "santui", "san tui", "san-tui", "一切邪恶组织",
    "three withdrawals", "3 withdrawals",
)  # fmt: skip
_VAGUE_ALL: Final = frozenset(_VAGUE_WORDS) | lx.DECLARED_SAYING


_AFFILIATES: Final = ("附属", "下属", "外围", "傀儡")


def _affiliates(n: Normalized, tokens: list[Token], org: int, generic: int) -> bool:
    """中共的一切附属组织: a generic object naming what lies under the party just before it."""
    text = n.compact
    _kind, _mask, _value, start, end = tokens[generic]
    return (
        tokens[org][0] == lx.ORG
        and text[tokens[org][4] : start] in ("", "的")
        and any(word in text[start:end] for word in _AFFILIATES)
    )


def _affiliated_with_party(n: Normalized, tokens: list[Token], generic: int) -> bool:
    """Whether a generic object is followed by "affiliated with the Communist Party" ("all
    organizations affiliated with the Communist Party"): what lies under the party, the league
    and the pioneers (eval/README.md, "The party's affiliates are not the party")."""
    if generic + 2 >= len(tokens):
        return False
    parent, owner = tokens[generic + 1], tokens[generic + 2]
    text = n.compact
    return (
        parent[0] == lx.PARENT
        and text[parent[3] : parent[4]] == "affiliated with"
        and owner[0] == lx.ORG
        and owner[1] == lx.PARTY
        and parent[3] - tokens[generic][4] <= 1
        and owner[3] - parent[4] <= 5
    )


def _owner_only(
    n: Normalized, tokens: list[Token], owner: int, parent: int, skip: set[int]
) -> bool:
    """退出共产党的附属组织 (and nothing named after it): the league and the pioneers."""
    if owner not in skip or tokens[owner][0] != lx.ORG or tokens[owner][1] != lx.PARTY:
        return False
    following = tokens[parent + 1] if parent + 1 < len(tokens) else None
    end = tokens[parent][4]
    return (
        following is None
        or following[0] != lx.ORG
        or following[3] - end > 4
        or n.boundary_between(end, following[3])
    )


def _latin(token: Token, text: str) -> int:
    return 1 if text[token[3]].isascii() else 0


_RELEVANT: Final = frozenset((lx.ORG, lx.QUIT_ORG, lx.ALL_THREE, lx.QUIT, lx.JOINED, lx.GENERIC))
_MENTIONS: Final = frozenset((lx.ORG, lx.QUIT_ORG, lx.JOINED, lx.ALL_THREE))
_PASS1: Final = _MENTIONS | {lx.NEGATION, lx.GENERIC}
# Kinds that need the full rules; without them a text has only 三退/退党-like phrases.
_COMPLEX: Final = frozenset((lx.ORG, lx.JOINED, lx.GENERIC, lx.NEGATION, lx.QUIT))


# 三退是好事, 退党是对的: an opinion about the act, not the act (eval/README.md, the declarant's
# own wish: "an opinion with no act of the declarant's own").
_OPINION_AFTER: Final = (
    "是好事", "是对的", "是正确的", "是明智的", "是最明智的", "是最好的选择", "好处多",
)  # fmt: skip
# ...and of a withdrawal with its object (退出中共和它的附属组织很有必要).
_NEEDED_AFTER: Final = (
    "很有必要", "是必要的", "是有必要的", "非常必要", "十分必要", "是对的", "是正确的", "是明智的",
    "是最明智的", "才是出路", "是唯一的出路",
)  # fmt: skip
# 三退 as a topic (三退的消息, 退党网站) or supported, spread, heard of (我支持三退, 转发三退): a
# mention; only the declarant's own declaration quits (eval/README.md, "Never members").
_TOPIC_OF: Final = (
    "的消息", "的新闻", "的网站", "网站", "的文章", "的视频", "的资料", "的事", "的人", "的义工",
    "义工", "的大潮", "大潮", "运动", "的运动", "的支持",
)  # fmt: skip
_SUPPORTED: Final = re.compile(
    "(?:支持|赞成|赞同|拥护|宣传|转发过?|转发了|听说过?|关注)(?:很多|过)?$"
)


def _mention_only(n: Normalized, start: int, end: int) -> bool:
    """Whether 三退 at compact ``start``-``end`` is talked about, not declared."""
    text = n.compact
    return (
        text.startswith(_OPINION_AFTER, end)
        # 三退是每个中国人得救的机会: 三退 the subject of a remark, in its sentence
        or (
            text.startswith("是", end)
            and not text.startswith("是我", end)
            and not n.boundary_between(end, end + 1)
        )
        or text.startswith(_TOPIC_OF, end)
        or _SUPPORTED.search(text, max(0, start - 6), start) is not None
    )


_TITLE_MAX: Final = 40  # norm characters: a first line this short is a record's title
# ...in English, without a sentence's closing mark (Quitting the CCP and …)
_TITLE_MAX_EN: Final = 100


def _title_line_end(n: Normalized) -> int:
    """Where the title line ends (norm position), or -1 when the first line (after a greeting)
    is not a title."""
    begin = n.title_start()
    first_line = n.norm.find("\n", begin)
    if first_line <= begin:
        return -1
    if first_line - begin <= _TITLE_MAX:
        return first_line
    if n.language == "en" and first_line - begin <= _TITLE_MAX_EN:
        line = n.norm[begin:first_line].rstrip()
        if not line.endswith((".", "!", "?", ";")):
            return first_line
    return -1


def _bare_title(n: Normalized, start: int, end: int) -> bool:
    """Whether a title line of names alone runs from compact ``start`` to ``end`` (or on to
    声明): 党团队\n…"""
    begin = n.title_start()
    if start != n.to_compact(begin):
        return False
    first_line = n.norm.find("\n", begin)
    if not 0 < first_line - begin <= 20 or not n.norm[first_line + 1 :].strip():
        return False
    return n.compact[end : n.to_compact(first_line)] in ("", "声明", "的声明", "声明书")


def _only_withdrawals(n: Normalized, tokens: list[Token]) -> tuple[int, bool | None, float]:
    """The common short statement (三退 李明 辽宁, 退党退团): withdrawals naming their object
    (not those of others, 希望大家都退党, nor those that did not happen, 想退团，但没敢)."""
    mask = 0
    title = every = False
    check = n.language == "en" or _NOT_MINE_HINT.search(n.norm) is not None
    third = n.language == "zh" and _third_person_named(n.norm)
    for kind, bits, value, start, end in tokens:
        if kind == lx.QUIT_ORG:
            if check and (_others_do(n, start) or _not_done(n, start, end)):
                continue
            if third and _third_done(n, start, end):
                continue  # 他去年就退党了: another's
            if _IN_ALIAS.search(n.compact, max(0, start - 4), start) is not None:
                continue  # 化名：退党光荣: a name, not a withdrawal
            if n.compact.startswith(_TOPIC_AFTER, end):
                continue  # 退党的人越来越多了, 退党的事: a topic, not a withdrawal
            mask |= bits
        elif kind == lx.ALL_THREE:
            if value == "title":
                title = True
            elif (
                _mention_only(n, start, end)
                or (check and _others_do(n, start))
                or _IN_ALIAS.search(n.compact, max(0, start - 4), start) is not None
            ):
                continue  # 三退是好事, 希望更多人三退: an opinion, others' act, a mention; an alias
            else:
                every = True
    if every or (title and not mask):
        return lx.ALL, None, (0.95 if every or mask else 0.8)
    return mask, None, 0.95


def read_organizations(
    n: Normalized, tokens: list[Token], kinds: frozenset[int] | set[int] | None = None
) -> tuple[int, bool | None, float]:
    """(organization mask, current party member, confidence).

    ``kinds``: the kinds of phrase present (lets the rules that cannot apply be skipped).
    """
    if kinds is None:
        kinds = {t[0] for t in tokens}
    if kinds.isdisjoint(_RELEVANT):
        return 0, None, 0.0
    if kinds.isdisjoint(_COMPLEX):
        return _only_withdrawals(n, tokens)
    has_negation = lx.NEGATION in kinds
    has_break = lx.BREAK in kinds
    has_joined = lx.JOINED in kinds
    has_former = lx.FORMER in kinds
    has_quit = lx.QUIT in kinds or lx.QUIT_ORG in kinds
    text = n.compact
    count = len(tokens)
    quit_mask = 0
    negated_mask = 0
    member_mask = 0  # memberships the text states (党员, 入过团, 加入了少先队)
    mention_mask = 0  # every organization named and not excluded
    explicit = False
    generic_all = False
    generic_members = False
    bare_quit = False
    former_party = False
    current_party = False
    all_three = False
    vague_all = False  # 三退, 退出一切组织: all three unless a specific withdrawal names fewer
    vague_last = -1  # where the last such general words are (compact position)
    specific_last = -1  # where the last withdrawal that names organizations is
    title_all = False
    referred_any = False  # a withdrawal's object was a vague one (这个组织, 退出来)
    vague_title = False  # 三退 in the title line
    general_seen = False  # a withdrawal whose object is "all" (see Pass 2)
    named_after = 0  # what the withdrawals after the last general one name one by one
    general_at = -1  # where the last withdrawal whose object is "all" is (compact position)
    named_at: list[tuple[int, int]] = []  # (where, what) of each withdrawal that names some
    quit_org_at: list[tuple[int, int]] = []  # (where, what) of each 退党, 退团…
    skip: set[int] = set()  # negated, parent or renounced mentions
    voided_mask = 0  # what oaths declared void were sworn to (入团的誓言作废)
    said_all = -1  # where the last 三退 declared in the body (决定三退) ends
    other_all = False  # all three said in other words (退党退团退队, 退出中共及其一切组织)
    renounced_mask = 0  # what a dissociation governs (与共产党断绝一切关系)
    # a withdrawal by others was skipped (大家都在退党), or the text supports the withdrawals
    # (我支持三退: a masked phrase), so that the mentions do not stand in for a withdrawal
    others_quit = any(word in n.compact for word in _SUPPORT)
    # whether a withdrawal here may be another's or not done at all (a character or word the
    # two searches need; most texts have none, and neither search is run)
    not_mine = n.language == "en" or _NOT_MINE_HINT.search(n.norm) is not None
    third = n.language == "zh" and _third_person_named(n.norm)

    # Pass 1: mark each organization mention as negated / parent / renounced.
    for i in [i for i, t in enumerate(tokens) if t[0] in _PASS1]:
        kind, mask, value, start, end = tokens[i]
        if kind == lx.NEGATION:
            if value:
                negated_mask |= _negation_behind(n, tokens, i, skip)
            continue
        if kind == lx.GENERIC:
            if value == "members":
                topic = _topicalized(n, tokens, i, skip) if text.endswith("退出", start, end) else 0
                if topic:  # 少先队和共青团，我也一并退出: the object said first (not all the
                    quit_mask |= topic  # memberships the text tells of: 当过入党积极分子)
                    explicit = True
                    specific_last = max(specific_last, start)
                    named_at.append((start, topic))
                    continue
                # English "both", "all of them" are objects only right after a withdrawal verb
                # (My parents are both Party members: no withdrawal)
                generic_members = (
                    generic_members
                    or not text[start].isascii()
                    or (
                        i > 0
                        and tokens[i - 1][0] in (lx.QUIT, lx.QUIT_ORG)
                        and start - tokens[i - 1][4] <= 12
                    )
                )
            elif (
                i
                and tokens[i - 1][0] in (lx.QUIT, lx.QUIT_ORG)
                and not (has_negation and _negated(n, tokens, i))
                and not _affiliated_with_party(n, tokens, i)
            ):
                vague_all = True
                vague_last = max(vague_last, start)
            continue
        if kind not in _MENTIONS or (kind == lx.JOINED and not mask):
            continue
        latin = 1 if text[start].isascii() else 0
        flags = value if isinstance(value, int) else 0
        if kind == lx.ORG and flags & lx.DENIED:
            skip.add(i)
            negated_mask |= mask
            continue
        if kind == lx.QUIT_ORG and (
            _FAILED.search(text, max(0, start - 6), start)
            or _LAPSE.search(text, max(0, start - 6), start)
            or (not_mine and _not_done(n, start, end))
        ):
            others_quit = True  # a withdrawal word, not done: no mention stands in for it
            skip.add(i)  # 终究没有成功退党, 我没能退党, 申请退团没被批准: it did not happen
            continue
        if kind == lx.QUIT_ORG and text.startswith((*_TOPIC_AFTER, *_RIGHT_AFTER), end):
            skip.add(i)  # 退党的事我还没想好, 早有退党的想法: a topic, not a withdrawal
            continue
        if kind in (lx.QUIT_ORG, lx.ALL_THREE) and _IN_ALIAS.search(text, max(0, start - 4), start):
            skip.add(i)  # 化名：退党光荣, 化名：三退得福: a name that contains a keyword quits
            continue  # nothing by itself
            continue
        if kind == lx.QUIT_ORG and (
            (not_mine and _others_do(n, start)) or (third and _third_done(n, start, end))
        ):
            skip.add(i)  # 看到大家都在退党: another's act
            others_quit = True
            continue
        if has_negation and kind != lx.QUIT_ORG and kind != lx.ALL_THREE and _negated(n, tokens, i):
            skip.add(i)
            negated_mask |= mask
            continue
        if (
            kind == lx.ORG
            and mask & lx.PARTY
            and (i + 1 < count or latin)
            and _is_parent(n, tokens, i, latin)
        ):
            skip.add(i)
            continue
        if kind == lx.ORG and i + 1 < count and _restated(n, tokens, i):
            skip.add(i)  # 邪恶共匪组织，即共青团: what follows 即 is the organization meant
            continue
        if kind == lx.ORG and has_break and _renounced(n, tokens, i):
            skip.add(i)
            if _renounced(n, tokens, i, _DISSOCIATIONS):
                renounced_mask |= mask  # counted only when the text has no withdrawal verb
            continue
        if kind == lx.ORG and mask & (mask - 1) and _bare_title(n, start, end):
            quit_mask |= mask  # a title line of names alone (党团队, 团队): quits them
            explicit = True
            specific_last = max(specific_last, start)
            quit_org_at.append((start, mask))
            continue
        if kind == lx.ORG:
            if not flags & lx.WEAK:
                mention_mask |= mask
            if (flags & lx.MEMBER or (has_joined and _joined_before(n, tokens, i, latin))) and (
                not _relative_before(n, start)
            ):
                member_mask |= mask
                if mask & lx.PARTY:
                    if has_former and _before(tokens, i, lx.FORMER, 10 + 20 * latin, n):
                        former_party = True
                    elif flags & lx.MEMBER:
                        current_party = True
        elif kind == lx.JOINED:  # 入党, 入团, 入队
            if _NOT_JOINING.search(text, max(0, start - 3), start) is not None:
                continue  # 永不入党, 拒绝入党, 我不会…入党: a membership refused, not held
            if text.startswith(_APPLYING, end):
                continue  # 收回了入党申请书: an application, not a membership
            member_mask |= mask
            mention_mask |= mask
            if mask & lx.PARTY and _DURATION.match(text, end):
                current_party = True  # 入党多年, 入党十年: a member all along
        elif kind == lx.QUIT_ORG:
            quit_mask |= mask
            explicit = True
            specific_last = max(specific_last, start)
            quit_org_at.append((start, mask))
        elif value == "title":
            if _mention_only(n, start, end):
                others_quit = True  # 我只是想说一句：我支持三退 (then 声明人…): a mention
            elif _ISSUED.search(text, max(0, start - 8), start) is not None:
                all_three = explicit = True  # 郑重发出自己的三退声明: declared, as 宣布三退
            else:
                title_all = True
        elif text[start:end] in _VAGUE_ALL and (
            _mention_only(n, start, end) or (not_mine and _others_do(n, start))
        ):
            others_quit = True  # 希望大家都能三退, 我支持三退: a mention, not one's own act
        elif text[start:end] in _VAGUE_ALL:
            vague_all = explicit = True  # 三退 alone (a heading, or a mention): never widens
            first_line = _title_line_end(n)
            if first_line > 0 and start < n.to_compact(first_line):
                vague_title = True  # a title 声明三退: general words over the record
        elif _youth_owns(n, tokens, i):
            pass  # 脱离中共少先队及其所有邪恶组织: its = the pioneers', which widens none
        elif text.startswith(("及", "以及"), start) and (
            (has_quit and not _governed(n, tokens, i)) or _youth_ends_at(n, tokens, -1, start)
        ):
            # 誓言作废，与中共及其附属组织不共戴天: no withdrawal verb governs it, a mention (a
            # text without any withdrawal verb reads its dissociation: the rule on 划清界限)
            pass
        elif not (has_break and has_quit and _dissociated(n, tokens, i)):
            all_three = explicit = True
            if _ONE_BY_ONE.fullmatch(text, start, end):
                quit_org_at.append((start, lx.ALL))  # 退党退团退队, 党团队: named one by one
            elif text.endswith("三退", start, end):
                said_all = max(said_all, end)  # 决定三退: a later solemn declaration may narrow
            else:
                other_all = True

    # Pass 2: withdrawal verbs and their objects.
    for i in [i for i, t in enumerate(tokens) if t[0] == lx.QUIT or t[0] == lx.QUIT_ORG]:
        kind = tokens[i][0]
        if kind == lx.QUIT and has_negation and _negated(n, tokens, i):  # 没有退出 / never quit
            continue
        if kind == lx.QUIT_ORG and i in skip:  # 终究没有成功退党: a withdrawal that failed
            continue
        if kind == lx.QUIT and text.startswith(_RIGHT_AFTER, tokens[i][4]):
            continue  # 连退出的权利都没有: what the withdrawal is the attribute of
        start_i = tokens[i][3]
        if n.language == "zh" and (
            _relative_done(n, start_i, tokens[i][4])
            or (kind == lx.QUIT and _not_quitting(n, start_i))
        ):
            others_quit = True  # 我老婆昨天刚退了团, 这次先不退: not the declarant's withdrawal
            continue
        if kind == lx.QUIT and third and _third_done(n, tokens[i][3], tokens[i][4]):
            others_quit = True  # 他早就退出了: another's
            continue
        if kind == lx.QUIT and not_mine:
            others = _others_do(n, tokens[i][3])
            if others or _not_done(n, tokens[i][3], tokens[i][4]):
                others_quit = True  # neither is a text without any withdrawal word
                continue  # 已有数亿人退出中共, 想退出，但没敢: not the declarant's withdrawal
        if kind == lx.QUIT and text[tokens[i][3] : tokens[i][4]] in _VOIDED:
            voided = _voided(n, tokens, i, skip, member_mask)
            if voided:  # 儿时入少先队的一切誓言作废: what the oaths were sworn to, before it
                voided_mask |= voided  # added to what the text quits, never narrowing it
                explicit = True
                continue
        last = i
        latin = 1 if text[tokens[i][3]].isascii() else 0
        reach = _FIRST_GAP[latin] if kind == lx.QUIT else _NEXT_GAP[latin]
        took = kind == lx.QUIT_ORG
        chain = 0  # what this withdrawal takes
        general = False  # it takes "all" (and its affiliates, 一切组织), not organizations by name
        pointed = False  # its object is pointed at (这个…党), not named
        # English: "I withdraw from it", "quit them both": the object points back
        en_ref = _referent_en(n, tokens, i, skip) if latin and kind == lx.QUIT else None
        for j in range(i + 1, count if en_ref is None else i + 1):
            kind2, mask, value, start, end = tokens[j]
            last_end = tokens[last][4]
            if took and text.startswith("组织", last_end) and start >= last_end + 2:
                last_end += 2  # 退出少先队组织、共青团: 组织 is the object's own word
            latin2 = 1 if latin or text[start].isascii() else 0
            glue = text[last_end:start]
            if took and kind2 == lx.ORG and not _CHAIN_GLUE.match(glue):
                break  # after the first object, only 和/及/、/and join more
            limit = max(reach, _NEXT_GAP[latin2] if took else _FIRST_GAP[latin2])
            if took and _CHAIN_GLUE.match(glue):
                limit = max(limit, 16)
            if start - last_end > limit and not (
                kind2 == lx.ORG
                and not took
                and _LONG_DESCRIPTION.fullmatch(text, last_end, start) is not None
            ):
                break  # (退出一个给世界带来罪恶暴力欺骗的中共邪教组织: a description, then it)
            # A clause ends between them, unless only punctuation, or 和/及/、 and punctuation,
            # stand between (退出!共青团, 共青团和!少先队: a keyword broken up, not two clauses).
            joined = (not glue and not took and not _hard_end(n, last_end, start)) or bool(
                took
                and glue
                and kind2 == lx.ORG
                and _CHAIN_GLUE.match(glue)
                # 退团退队。与中共势不两立: 与 after a sentence's end begins a new one (not 和,
                # as in a keyword broken up by marks: 共青团。和少先队)
                and not (glue.startswith(("与", "跟")) and _hard_end(n, last_end, last_end))
            )
            if not joined and n.boundary_between(last_end, start):
                break
            if not took and kind == lx.QUIT and glue and _comma_after(n, last_end, start):
                break  # 党、团、队，我统统退出，与中共彻底决裂: 中共 is 决裂's, in the next clause
            if kind2 == lx.QUIT or kind2 == lx.QUIT_ORG:
                break
            if took and kind2 == lx.ORG and not glue and not _list_item(n, tokens, j):
                break  # 退出共青团少先队，共产党没了才有干净的世界: a new clause
            if kind2 == lx.ORG and took and _own_verb(n, tokens, j, glue):
                break  # 退出少先队，和中共恶党脱离关系: the object of 脱离, not of 退出
            if kind2 == lx.ORG and not took and kind == lx.QUIT and _described(n, last_end, start):
                break  # 退出这个邪恶的组织了，中共恶党对…: the description is the object
            if kind2 == lx.ORG and _NOT_THE_OBJECT.match(text, end) is not None:
                break  # 脱离中共魔爪, 退出中共的人越来越多: the clutches, the people, not the party
            if kind2 == lx.ORG:
                if j not in skip:
                    if (
                        not took
                        and j == i + 1
                        and _DEMONSTRATIVE.match(text, tokens[i][4])
                        and not _colon_between(n, tokens[i][4], start)
                    ):
                        pointed = True  # 退出这个忽悠人的骗子党: a vague object, as 这个组织
                    chain |= mask
                    took = True
                last = j
                reach = _NEXT_GAP[latin]
            elif (
                kind2 == lx.ALL_THREE
                and took
                and _closes_list(glue, chain)
                and text.startswith(("一切", "所有", "任何"), start)
            ):
                last = j  # 退出共青团、少先队等一切邪恶组织: 等 closes the list, it adds none
                reach = _NEXT_GAP[latin]
            elif (
                kind2 == lx.ALL_THREE
                and chain
                and not chain & lx.PARTY
                and (
                    text.startswith(("及其", "以及其", "和其"), start)
                    or glue.endswith(("及其", "以及其", "和其"))
                    or _YOUTH_OWN_GLUE.fullmatch(glue) is not None
                )
            ):
                last = j  # 退出中共少先队及其一切组织: its = the pioneers', which widens none
                reach = _NEXT_GAP[latin]
            elif kind2 == lx.ALL_THREE:
                all_three = took = general = True
                break
            elif kind2 == lx.GENERIC:
                if value == "members":
                    generic_members = True
                elif chain == lx.PARTY and _affiliates(n, tokens, last, j):
                    chain = lx.LEAGUE | lx.PIONEERS  # 中共的一切附属组织: what is under it
                elif not took and _affiliated_with_party(n, tokens, j):
                    chain |= lx.LEAGUE | lx.PIONEERS  # all organizations affiliated with the CCP
                elif took and _closes_list(glue, chain):
                    # 退出共青团、少先队等一切组织, 以及其他一切相关组织: 等 and "others" close
                    # the list, they add none (eval/README.md)
                    pass
                elif chain and not chain & lx.PARTY and glue.endswith(("及其", "和其", "以及其")):
                    pass  # 退出恶党少先队及其一切相关组织: its = the pioneers', which widens none
                elif took:
                    generic_all = general = True  # 退出中共的一切组织: the party and all under it
                else:
                    vague_all = general = True  # 退出一切组织
                    vague_last = max(vague_last, tokens[i][3])
                took = True
                last = j
                reach = _NEXT_GAP[latin]
            elif kind2 in (lx.JOINED, lx.FORMER, lx.NEGATION, lx.PARENT):
                if kind2 == lx.JOINED and _NOT_JOINING.search(text, max(0, start - 2), start):
                    break  # 退出少先队、共青团，决不加入共产党的相关组织: a refusal, not an object
                if kind2 == lx.PARENT and _owner_only(n, tokens, last, j, skip):
                    chain |= lx.LEAGUE | lx.PIONEERS  # 退出共产党的附属组织
                    took = True
                last = j  # 退出我曾经加入过的少先队: the chain runs through them
        referred = pointed
        if chain and text.startswith(_NEEDED_AFTER, tokens[last][4]):
            continue  # 因此退出中共和它的附属组织很有必要: an opinion, not the declarant's act
        if en_ref is not None:
            # a list taken by "them" names its organizations; "it" is a vague object
            chain, took, referred = en_ref[0], True, not en_ref[1]
        if not took and kind == lx.QUIT and _ITS_AFFILIATES.match(text, tokens[i][4]):
            chain, took = lx.LEAGUE | lx.PIONEERS, True  # 退出它的外围组织: what is under it
        if not took and kind == lx.QUIT and _said_first(n, tokens[i][3], tokens[i][4]):
            topic = _topicalized(n, tokens, i, skip)
            if topic:  # 曾经入过的少先队和共青团，我今天声明退出。: the object said first
                chain, took = topic, True
        if not took and kind == lx.QUIT:
            done = _done_topic(n, tokens, i, skip)
            if done:  # 团我在大学时已经主动退了: the object said first
                chain, took = done, True
        if not took and kind == lx.QUIT:
            referent = _referent(n, tokens, i, skip)
            if referent:
                # 我们声明退出这个邪恶组织 (named before: 共产党); it names nothing one by one
                chain, took, referred = referent, True, True
        referred_any = referred_any or (referred and bool(chain))
        quit_mask |= chain
        if chain and not general and not referred:
            specific_last = max(specific_last, tokens[i][3])
            named_at.append((tokens[i][3], chain))
        if general:
            named_after = 0  # what later withdrawals name refines this general one
            general_seen = True
            general_at = tokens[i][3]
        elif general_seen and not referred:
            named_after |= chain | (tokens[i][1] if kind == lx.QUIT_ORG else 0)
        if took:
            explicit = True
        else:
            bare_quit = True

    if (
        (explicit or bare_quit)
        and quit_mask != lx.ALL
        # general words read already; but a later withdrawal that seems to name the party may
        # be more general words (退出中国共产党，和全部与其有关的所有组织)
        and (not (all_three or generic_all) or named_after)
        and (lx.QUIT in kinds or lx.QUIT_ORG in kinds or explicit)  # 一切组织，我全部退出
    ):
        at = _indirect_all(n, tokens)  # 退出中共及其相关邪恶组织, 退出与共产党有关的一切
        if at >= 0:
            later = 0  # what withdrawals after it name one by one: they say what it meant
            for where, named in named_at:
                if where > at:
                    later |= named
            # 退党, 退出少先队 after them, solemnly (经过深思，特此声明：我退出少先队)
            later |= _solemn_after(n, at, [(w, m) for w, m in quit_org_at if w > at])
            if at > general_at:
                # the last general words: what withdrawals after them name says what they
                # meant; the party inside them (退出一切跟共产党有关的组织) names nothing
                named_after = later
                generic_all = generic_all or not later
            else:
                generic_all = True
    if (
        referred_any
        and specific_last < 0
        and (title_all or vague_title or vague_last >= 0 or general_seen)
    ):
        # 三退声明 / 我们声明退出这个邪教组织: a vague object under general words names nothing
        # one by one; it is read with them (eval/README.md, "A vague object does not narrow")
        all_three = True
    if named_after:
        # a general withdrawal, then one that names the organizations (Withdraw from All
        # Organizations Related to the CCP / I have withdrawn from the League and the Pioneers):
        # the later, specific one says which the general words meant (eval/README.md)
        quit_mask = named_after
    elif (
        said_all >= 0
        and not (other_all or generic_all)
        and (solemn := _solemn_after(n, said_all, named_at + quit_org_at))
    ):
        # 于是决定三退。…我在这里郑重声明，退出中国共产党: an early general sentence, then a solemn
        # declaration that names the organizations (eval/README.md, "The same holds inside the
        # body between two declarations"): the specific one wins
        quit_mask = solemn
    elif all_three or generic_all or (vague_all and (not quit_mask or vague_last > specific_last)):
        # general words after the last withdrawal that names organizations widen it to all
        # three; before it, the later, specific one decides (eval/README.md, "A title line and
        # the body")
        quit_mask = lx.ALL
    if quit_org_at or named_at:
        quit_mask &= ~_never_joined_in_title(n, tokens, quit_org_at + named_at)
    if generic_members or bare_quit:
        quit_mask |= member_mask
    quit_mask |= voided_mask
    if renounced_mask and not quit_mask and not has_quit:
        # 与共产党断绝一切关系 and no withdrawal verb anywhere: the dissociation is the
        # declaration (eval/README.md, "Dissociation verbs")
        quit_mask = renounced_mask
        explicit = True
    confidence = 0.95 if explicit else 0.8
    if not quit_mask and title_all:
        quit_mask = lx.ALL
    if not quit_mask and (not others_quit or bare_quit):
        quit_mask = mention_mask & ~negated_mask
        confidence = 0.6
    if not quit_mask:
        confidence = 0.0

    current: bool | None = None
    if negated_mask & lx.PARTY:
        current = False
    elif current_party:
        current = True
    elif former_party:
        current = None
    return quit_mask, current, confidence


# A solemn declaration (特此声明, 郑重声明): after general words, the one that decides.
_SOLEMN: Final = re.compile("郑重|特此|严正|庄严|正式")


def _solemn_after(n: Normalized, at: int, named: list[tuple[int, int]]) -> int:
    """What the solemn declarations after compact position ``at`` name (0 if there is none, or
    if a withdrawal after ``at`` names organizations without one)."""
    mask = 0
    for where, what in named:
        if where < at:
            continue
        k = bisect_left(n.strong, where)  # its sentence: from the clause end before it
        begin = max(at, n.strong[k - 1] if k else 0)
        if _SOLEMN.search(n.compact, begin, where + 2) is None:  # (or 郑重声明退出 itself)
            return 0
        mask |= what
    return mask


# All three said indirectly after a withdrawal verb (issue 13): the party "and everything
# attached to it", "everything to do with the party".
_PARTY_WORDS: Final = (
    "中国共产党", "中共", "共产党", "共党", "共产邪党", "邪党", "恶党", "共匪", "共惨党", "ccp",
    "它", "其", "之", "该邪恶组织", "这个邪恶组织", "该组织", "这个组织",
)  # fmt: skip
_PARTY_WORD: Final = f"(?:{'|'.join(_PARTY_WORDS)})"  # 宣誓脱离与该邪恶组织有关的一切 (= the party)
_NO_STOP: Final = "[^。！？；;.!?]"
_INDIRECT_ALL: Final = re.compile(
    "|".join((  # every alternative starts with a character (lx.heads)
        # 及其它组织 is "and other organizations", which adds none, as 等 (eval/README.md)
        *lx.heads(
            ("及其", "和其", "以及其", "及它", "和它", "与其", "以及它", "及与之", "以及与之",
             "以及与其", "和与其", "与之", "及所有", "及一切"),
            f"(?!附属|下属|外围|它|他){_NO_STOP}{{0,10}}?(?:组织|团体|党团)",
        ),
        *lx.heads(
            ("及其", "以及其", "和其", "及它的", "以及它的", "和它的"),
            "(?:外围|附属|下属|所属|下面|底下|傀儡组织)?的?(?:团|共青团)(?:[、和及与]|以及)?(?:队|少先队)",
        ),
        *lx.heads(  # 有 typed for 与 (yǒu, yǔ): 退出有共产党有关的一切
            ("与", "跟", "和", "有"),
            f"{_PARTY_WORD}{_NO_STOP}{{0,6}}?(?:有关|相关|有关联|有联系|关联|沾边|挂钩)",
        ),
        *lx.heads(("一切", "所有", "任何", "全部"), f"的?(?:与|跟|和){_PARTY_WORD}"),
        *lx.heads(
            ("中国共产党", "中共", "共产党", "共党", "邪党", "恶党", "共匪", "共产邪党"),
            f"(?:邪恶)?(?:的|之)?(?:一切|所有|任何|全部)(?!附属|下属|外围){_NO_STOP}{{0,4}}?(?:组织|团体)",
        ),
        *lx.heads(_PARTY_WORDS, "的?(?:其它|其他|别的)的?(?:附属)?(?:组织|团体)"),
        r"t(?<!\wt)hree (?:ccp |communist |evil )?(?:party )?organi[sz]ations",
        r"a(?<!\wa)ll (?:of )?(?:the )?(?:ccp|party)['’]s",
        r"e(?<!\we)very organi[sz]ation (?:attached|related)",
        r"a(?<!\wa)nd its (?:evil )?organi[sz]ations",
    ))
)  # fmt: skip
_INDIRECT_REACH: Final = 40
# ...not the traces of it one wipes out (清除一切与中共有关的痕迹): no organization
_TRACES: Final = re.compile(
    f"{_NO_STOP}{{0,4}}?(?:有关|相关|有关联)的?(?:痕迹|印记|烙印|记号|标记|记忆)"
)
# A word every alternative of _INDIRECT_ALL holds: without one, the search is skipped.
_INDIRECT_WORDS: Final = (
    "及", "其", "它", "之", "有关", "相关", "关联", "联系", "沾边", "挂钩", "一切", "所有", "任何",
    "全部", "three", "all", "every", "its",
)  # fmt: skip


# "Every organization" as the verb's first object, with words inside it: 退出与他有关的一切组织,
# 退出任何中国大陆任何政治组织, 退出关于中国独裁政权一切的相关组织, 退出共产邪魔的一切邪恶团体;
# not the party's own units (断绝一切党组织关系: the party), nor a list of them (退出所有参加过的
# 少先队、共青团组织: those two, checked by their tokens).
_ALL_OBJECTS: Final = re.compile(
    "(?:一切|所有|任何|全部)[^。！？；;.!?]{0,12}?(?<!党)(?:组织|机构|团体)"
)
_ALL_OBJECTS_REACH: Final = 16  # compact characters from the verb to 一切
# ...and in English, right after the verb: withdraw from all the evil organizations of the
# Communist Party, quit all the CCP organizations I joined, every communist organization; not
# "all party organizations" (the party's own units, as 一切党组织), nor the party's affiliates
# (every affiliated organization of the CCP, all organizations affiliated with it: the league
# and the pioneers, read as such elsewhere).
_ALL_OBJECTS_EN: Final = re.compile(
    r" (?:from )?(?:all|every)(?: of)?(?: the| its| their)?"
    r"(?: (?!affiliated|attached|peripheral|subordinate)[a-z'’-]+){0,3}?"
    r"(?<! party) organi[sz]ations?\b(?! (?:affiliated|attached|linked|subordinate|belonging))"
)
# 退出邪党的一切 (its everything, and no noun after it): the party and all under it.
_PARTY_EVERYTHING: Final = re.compile(
    "(?:中国共产党|中共|共产党|共党|邪党|恶党|共匪|共产邪党)(?:邪恶)?(?:的|之)(?:一切|所有|全部)"
)
_OBJECT_KINDS: Final = frozenset((lx.ORG, lx.QUIT_ORG, lx.ALL_THREE, lx.GENERIC))


# A general object said first, its verb after it in the sentence (凡是和共产党有关或相类似的
# 团体，我一概退出; 凡是共产党名下的一切组织，我也全部退出).
_ALL_SAID_FIRST: Final = re.compile(
    "凡是[^。！？!?；;]{0,24}?(?:组织|团体)[^。！？!?；;]{0,6}?(?:一概|全部|统统|都|一律)"
    "(?:退出|脱离)"
    # 曾经加入过的共产党的一切组织，我全部彻底退出
    # (not the party's affiliates: 中共所有的附属组织，我统统退出 is the league and the pioneers)
    "|(?:一切|所有|全部)(?:(?!附属|下属|外围|傀儡)[^。！？!?；;，,]){0,8}?(?:组织|团体)[，,]\\s*"
    "(?:我|我们|本人)(?:也|都|就|今天)*(?:一概|全部|全都|统统|都|一律)(?:彻底|坚决)?(?:退出|脱离)"
)


_SAID_FIRST_WORDS: Final = ("一概", "全部退", "全部彻底", "统统", "一律", "都退", "全都")


def _indirect_all(n: Normalized, tokens: list[Token]) -> int:
    """Where (the compact start of its verb) the last withdrawal verb is that is followed, in
    its sentence, by the party "and all attached to it", or by "every organization" before it
    names any; -1 when none is. Also a general object said first (凡是…组织，我一概退出)."""
    first = -1
    if "凡是" in n.norm or any(word in n.norm for word in _SAID_FIRST_WORDS):
        m = _ALL_SAID_FIRST.search(n.norm)
        if m is not None:
            first = n.to_compact(m.end() - 2)  # the verb
    found = _indirect_all_after(n, tokens)
    return max(first, found)


def _indirect_all_after(n: Normalized, tokens: list[Token]) -> int:
    """The last withdrawal verb with the party "and all attached to it" or "every organization"
    after it (see _indirect_all); -1 when none is."""
    text = n.compact
    if not any(word in text for word in _INDIRECT_WORDS):
        return -1
    for i in range(len(tokens) - 1, -1, -1):  # from the last: the first found is the last
        kind, _mask, _value, start, end = tokens[i]
        if kind != lx.QUIT and not (kind == lx.QUIT_ORG and text.startswith("退出", start)):
            continue  # a withdrawal verb, or 退出 with its object (退出少先队和共青团…)
        if text[start:end] in _VOIDED:
            continue  # …的誓言作废，与中共及其附属组织不共戴天: its object is before it
        m = _INDIRECT_ALL.search(text, end, end + _INDIRECT_REACH)
        if (
            m is not None
            and not n.boundary_between(end, m.start())
            and not _youth_ends_at(n, tokens, i, m.start())
            and _TRACES.match(text, m.end()) is None
            and not _joining_between(tokens, i + 1, end, m.start())
            and not _broken_with(n, tokens, i + 1, n.compact[end : m.start()], m.end())
        ):
            return start
        if kind != lx.QUIT:
            continue  # 退党 has its object: 退党和一切组织 is read above
        if _ALL_OBJECTS_EN.match(text, end) is not None:
            return start
        m = _PARTY_EVERYTHING.match(text, end)
        if m is not None and (m.end() == len(text) or n.gap_at_position(m.end())):
            return start
        m = _ALL_OBJECTS.search(text, end, end + _ALL_OBJECTS_REACH + 20)
        if (
            m is not None
            and m.start() - end <= _ALL_OBJECTS_REACH
            and not n.boundary_between(end, m.start())
            and not _names_within(tokens, i + 1, end, m.start(), m.end())
        ):
            return start
    return -1


def _youth_owns(n: Normalized, tokens: list[Token], i: int) -> bool:
    """Whether "all organizations" at ``tokens[i]`` are the league's or the pioneers' own
    (中共少先队及其所有邪恶组织), not the party's: the organization before it, 及其 between."""
    if i == 0:
        return False
    kind, mask, _value, _start, end = tokens[i - 1]
    return (
        kind == lx.ORG
        and not mask & lx.PARTY
        and _YOUTH_OWN_GLUE.fullmatch(n.compact, end, tokens[i][3]) is not None
    )


# 中共少先队及其所有…, 邪党少先队及与它有关的一切…: "its" is the youth organization's
_YOUTH_OWN_GLUE: Final = re.compile(
    "(?:及|以及|和)(?:其|其的|与(?:它|其)(?:有关|相关)的|跟它(?:有关|相关)的)"
)


def _joining_between(tokens: list[Token], j: int, end: int, start: int) -> bool:
    """Whether a joining (加入, 入) stands between compact positions ``end`` and ``start``, from
    ``tokens[j]`` on: what follows it is what one joins or refuses to join (退出少先队和共青团，绝不
    加入共产党的任何相关组织), not the withdrawal's object."""
    for t in tokens[j:]:
        if t[3] >= start:
            return False
        if t[0] == lx.JOINED and t[3] >= end:
            return True
    return False


def _broken_with(n: Normalized, tokens: list[Token], j: int, before: str, stop: int) -> bool:
    """Whether "and all attached to it", ending at compact ``stop``, is what a dissociation
    right after it breaks with, after 与/和/跟 (退出共青团，与中共及其一切附属组织划清界限):
    renounced, not quit (eval/README.md, 划清界限). ``before``: the text from the withdrawal
    verb to it."""
    if not any(word in before for word in _WITH_WORDS):
        return False
    for t in tokens[j:]:
        if t[3] >= stop:
            return t[0] == lx.BREAK and t[3] - stop <= 2 and not n.gap_at_position(t[3])
    return False


def _names_within(tokens: list[Token], j: int, end: int, start: int, stop: int) -> bool:
    """Whether an object is named from ``tokens[j]`` on, between compact positions ``end`` and
    ``stop``: before ``start`` any, inside the words of "all" the league or the pioneers."""
    for t in tokens[j:]:
        if t[3] >= stop:
            return False
        if t[0] in _OBJECT_KINDS and end <= t[3] and (t[3] < start or t[1] & _YOUTH):
            return True
    return False


_YOUTH: Final = lx.LEAGUE | lx.PIONEERS
# 永不入党, 拒绝入党; a wish or a plan (也想入党, 好像要入党了): not a membership
_NOT_JOINING: Final = re.compile("不|没|未|拒绝|拒|决不|绝不|想|要(?!求)|希望|打算|准备")
# 入党申请书, 入党程序, 入党这事: an application, a procedure, a topic, not a membership
_APPLYING: Final = ("申请", "志愿书", "程序", "这事", "这件事")
_LIST_GAP: Final = re.compile("[、/&+]")
# What a list of organizations is said to be, after its last item (…，少先队邪恶组织, …，共产党这个
# 邪恶的政党): a pejorative or a pointer, then an organization's noun; not 少先队(邪党的组织), where
# the party owns what the item is.
_LIST_TAIL: Final = re.compile(
    "(?:(?:等|这个|这些|这三个|这两个)(?:一切|所有)?(?:邪恶|罪恶|万恶|流氓|魔鬼|骗子)?"
    "|(?:一切|所有)(?:邪恶|罪恶|万恶)?|邪恶|罪恶|万恶|流氓|魔鬼|骗子)的?"
    "(?:组织|政党|团体|邪教组织|邪教)"
)
_PIECE_END: Final = "。！？!?；;.．，,"
_LIST_GOES_ON: Final = ("等", "组织", "和", "及", "以及", "与", "还有")
# The last item, then the declaration it names: 退出共产党，共青团，少先队组织的声明
_LIST_NOUN: Final = re.compile("(?:组织|团体)?的声明")  # 申明 is read as 声明 (normalize)


_WITH_WORDS: Final = ("和", "与", "跟", "同")
_OWN_VERBS: Final = frozenset(("脱离", "声明脱离"))


def _own_verb(n: Normalized, tokens: list[Token], j: int, glue: str) -> bool:
    """和中共恶党脱离关系, 与共产党划清界限: an organization after 和/与/跟 that a dissociation
    verb right after it governs (X 和 Y 脱离 reads "break with Y", not "quit X and Y")."""
    if not glue.endswith(_WITH_WORDS) or j + 1 >= len(tokens):
        return False
    k = j + 1
    if (
        tokens[k][0] in (lx.ALL_THREE, lx.GENERIC)
        and tokens[k][3] - tokens[j][4] <= 1
        and k + 1 < len(tokens)
    ):
        k += 1  # 与这个党及其附属组织划清界限: the party and all under it, renounced
    kind, _mask, value, start, end = tokens[k]
    if start - tokens[k - 1][4] > 2 or n.gap_at_position(start):
        return False  # 退出共青团和共产党，脱离关系: a comma ends the list first
    if kind == lx.BREAK:
        return value != "before"
    return kind == lx.QUIT and n.compact[start:end] in _OWN_VERBS


# A description in place of the organization's name, right after a withdrawal verb: 这个邪恶组织,
# 这个流氓本性的骗子党, 该组织, 此邪党 (eval/README.md: a description takes its referent).
_POINTING: Final = "这个|这一|该|此|那个"  # a demonstrative: the object is pointed at, not named
_DESCRIPTION: Final = re.compile(
    f"(?:{_POINTING})[^的]{{0,8}}?的?[^的]{{0,4}}?(?:组织|党|团体|集团|邪教)"
)
# 就想快快退出来, 我们声明退出来，…: the verb without an object (a clause ends, or 以后 follows)
# takes the one named before it; not 退出来上学时候加入的组织, which names its object.
_NO_OBJECT: Final = re.compile("[来去](?:了|吧|啦)?")
_DEMONSTRATIVE: Final = re.compile(_POINTING)
# The verb's first object after a long description that ends in 的 (退出一个给世界带来罪恶暴力欺骗
# 的中共邪教组织): the organization after it is the object, however far.
_LONG_DESCRIPTION: Final = re.compile(f"(?:一个|{_POINTING})[^的]{{0,24}}的")
# 我声明退出它。: a pronoun alone as the object (a clause ends after it) takes the one named before
_PRONOUN: Final = re.compile("它(?:了|吧)?")
_ALONG: Final = re.compile(
    "(?:也|都|一起|一并|同时)$"
)  # 共青团我也一起退出: the object before the verb
# 中共我早就退了, 我以前入过少先队，已经退了: a withdrawal told as done (declared, eval/README.md)
# with no object after it takes the one named before it; not 前一个我已经退了, which points.
_DONE_TOPIC: Final = re.compile("(?:(?:我|本人)(?:也|都)?)?(?:早就|早已|已经|早)$")
_WHICH_ONE: Final = re.compile("前一个|后一个|前者|后者|第一个|第二个|头一个")
_EMPTY: Final = re.compile("(?:了|吧)?")
_ALONG_VERBS: Final = frozenset(("退出", "退", "退掉", "退了", "退出了", "脱离", "声明退出"))
# 退出它的外围组织: the organizations under the one "it" is (eval/README.md, the party's affiliates)
_ITS_AFFILIATES: Final = re.compile("(?:它|其)的?(?:一切|所有|全部)?的?(?:外围|附属|下属|傀儡)组织")
_DESCRIPTION_REACH: Final = 60  # compact characters back to the organization it refers to
# A withdrawal told as done, its object said first in the sentence and the verb with nothing
# after it (eval/README.md, "A withdrawal told as done is declared"): 团我在大学时已经主动退了,
# 少先队那个早在初中就退了, 团和队我都退过了, 共青团和少先队这两个，我前年已经在网上退掉了.
_DONE_VERBS: Final = frozenset(("退", "退了", "退掉", "退出", "退出了"))
_DONE_TAIL: Final = re.compile("(?:过|掉)?(?:了|的)?")
_DONE_WORDS: Final = re.compile("已经|早就|早已|早在|早|都|也")
# what follows the object said first: the declarant, or a word that points back at it
_TOPIC_THEN: Final = ("我", "本人", "那个", "这个", "那两个", "这两个", "这三个", "这些", "那些")
_DONE_REACH: Final = 24  # compact characters from the object said first to the verb
# what may stand between them (团我是入过的，早在大学时就主动退了; 团我和老伴都退了)
_DONE_BETWEEN: Final = frozenset(
    (lx.ORG, lx.LOCATION, lx.FORMER, lx.GENERIC, lx.SECTOR, lx.PLACE, lx.JOINED, lx.NAME, lx.FAMILY)
)


def _done_topic(n: Normalized, tokens: list[Token], i: int, skip: set[int]) -> int:
    """What a withdrawal told as done takes when its object was said first in its sentence,
    followed by the declarant or a pointing word (see _DONE_VERBS); 0 when it is not one."""
    text = n.compact
    verb, end = tokens[i][3], tokens[i][4]
    if text[verb:end] not in _DONE_VERBS:
        return 0
    after = _DONE_TAIL.match(text, end)
    at = end if after is None else after.end()
    if not (at == len(text) or n.gap_at_position(at) or text[at] in "。！!？?；;\n"):
        return 0  # an object after the verb, or more of the sentence
    k = bisect_left(n.strong, verb)
    begin = max(n.strong[k - 1] if k else 0, verb - _DONE_REACH)
    mask = 0
    topic_end = -1
    for j in range(i - 1, -1, -1):
        kind, bits, _value, s, e = tokens[j]
        if s < begin or kind not in _DONE_BETWEEN:
            break
        if kind != lx.ORG:
            if mask:
                break
            continue
        if j in skip:
            return 0
        if mask:
            if not _COORDINATION.match(text[e : tokens[j + 1][3]]):
                break  # the list said first ends
        elif not text.startswith(_TOPIC_THEN, e):
            return 0  # 他们早就退了, 党员早就退了: no object said first by the declarant
        else:
            topic_end = e
        mask |= bits
    if not mask or _DONE_WORDS.search(text, topic_end, verb) is None:
        return 0
    return mask


def _referent(n: Normalized, tokens: list[Token], i: int, skip: set[int]) -> int:
    """The organization a description after the withdrawal verb ``tokens[i]`` refers to (or the
    verb without an object, 退出来): the last one named before it, within reach and outside the
    title line; 0 if none."""
    text = n.compact
    end = tokens[i][4]
    m = _DESCRIPTION.match(text, end)
    pronoun = None
    if m is None:
        pronoun = _PRONOUN.match(text, end)
        m = _NO_OBJECT.match(text, end) or pronoun
        if m is None and text[tokens[i][3] : end] in _ALONG_VERBS:
            verb = tokens[i][3]
            if _ALONG.search(text, max(0, verb - 3), verb):
                m = _EMPTY.match(text, end)  # 共青团我也一起退出。: the object said first
            elif (
                done := _DONE_TOPIC.search(text, max(0, verb - 5), verb)
            ) is not None and _WHICH_ONE.search(text, max(0, done.start() - 6), verb) is None:
                m = _EMPTY.match(text, end)  # 中共我早就退了; 入过少先队，已经退了
        if m is None or not (
            m.end() == len(text)
            or n.gap_at_position(m.end())
            or text[m.end()] in "。！!.？?；;\n"
            or text.startswith(("以后", "之后"), m.end())
        ):
            return 0
    first_line = _title_line_end(n)
    title_end = n.to_compact(first_line) if first_line > 0 else -1
    start = tokens[i][3]
    for j in range(i - 1, -1, -1):
        kind, mask, value, s, e = tokens[j]
        if start - e > _DESCRIPTION_REACH or s < title_end:
            return 0
        weak = isinstance(value, int) and value & lx.WEAK
        if weak and j and tokens[j - 1][0] == lx.JOINED and tokens[j - 1][4] == s:
            weak = False  # 入了党…我对它彻底失望了…退出它: the bare 党 of 入了党 is named
        if kind == lx.ORG and j not in skip and not weak:
            if pronoun and text[s - 1 : s] == "是":
                continue  # 它是邪党一伙的…退掉它: what "it" is said to be is not "it"
            return mask
    return 0


# English objects that point back (eval/README.md, "A vague object takes the nearest organization
# named before it" and "A plural object names what was just listed"): "it", "this evil
# organization" take the nearest; "them", "both of them", "these organizations" the list.
_EN_POINTER: Final = re.compile(
    r"\s*(?:from |out of )?(?:(?P<one>it|this (?:[a-z\-]+ ){0,3}?(?:organi[sz]ation|party|group"
    r"|cult))|(?P<many>them(?: both| all)?|both of them|all of them|both|these (?:[a-z\-]+ ){0,2}?"
    r"organi[sz]ations|the above(?: organi[sz]ations)?|those (?:two |three )?organi[sz]ations))"
    r"(?![a-z'’])"
)
_EN_POINTER_REACH: Final = 400  # compact characters back to the organization pointed at


_TOPIC_REACH: Final = 16  # compact characters from an organization said first to 一并退出


def along_with_object(n: Normalized, tokens: list[Token]) -> list[Token]:
    """The tokens, with 都退出 / 一并退出 / 全部退出 read as a withdrawal verb where an organization
    follows it (我和妻子都退出共青团: the verb and its object, not "all of those" said before)."""
    text = n.compact
    out = tokens
    for i, (kind, _mask, value, start, end) in enumerate(tokens):
        if (
            kind == lx.GENERIC
            and value == "members"
            and text.endswith("退出", start, end)
            and i + 1 < len(tokens)
            and tokens[i + 1][0] in (lx.ORG, lx.ALL_THREE, lx.GENERIC)
            and text[end : tokens[i + 1][3]] in ("", "了")
        ):
            if out is tokens:
                out = list(tokens)
            out[i] = (lx.QUIT, 0, 0, start, end)
    return out


_HARD_END: Final = re.compile("[。；;！？\n]")
# The declarant, then only adverbs and a declaring word, before a verb at its clause's end: the
# object was said first (少先队、共青团等组织，我坚决退出; 少先队这个邪恶的组织，我们早就该退了).
_SUBJECT_FIRST: Final = re.compile(
    "(?:我|我们|本人|我俩)(?:也|都|就|今天|现在|在此|坚决|郑重|正式|彻底|早就该|早该|早就|该|决定|要"
    "|一起|一同|统统|全部|全都|一并|从此|一概|一律|永远|如今)*(?:声明|宣布)?$"
)


def _between(n: Normalized, a: int, b: int) -> str:
    """The norm text (punctuation kept) between compact positions ``a`` and ``b``."""
    return n.norm[n.to_norm_end(a) : n.to_norm(b)]


def _comma_after(n: Normalized, a: int, b: int) -> bool:
    """Whether a comma stands between compact positions ``a`` and ``b``."""
    between = _between(n, a, b)
    return "，" in between or "," in between


def _hard_end(n: Normalized, a: int, b: int) -> bool:
    """Whether a sentence's or a line's end stands between compact positions ``a`` and ``b``
    (退出。中共是窃国大盗: not a keyword broken up, as 退出!共青团 is)."""
    return _HARD_END.search(_between(n, a, b)) is not None


def _said_first(n: Normalized, start: int, end: int) -> bool:
    """Whether a bare verb (compact ``start``..``end``) ends its clause with only the declarant
    and adverbs before it in the clause: its object is the list said before the clause."""
    text = n.compact
    tail = _EMPTY.match(text, end)
    stop = end if tail is None else tail.end()
    if not (stop == len(text) or n.gap_at_position(stop) or text[stop] in "。！!？?；;\n"):
        return False
    clause = _clause_tail(n.norm, max(0, n.to_norm(start) - 16), n.to_norm(start))
    return _SUBJECT_FIRST.search(clause.strip()) is not None


def _topicalized(n: Normalized, tokens: list[Token], i: int, skip: set[int]) -> int:
    """The organizations named right before 一并退出 / 都退出 in its sentence, with no withdrawal
    verb between (少先队和共青团，我也一并退出); 0 if none."""
    mask = 0
    end = tokens[i][3]
    owner = -1  # where the affiliates' owner may end (中共的一切附属组织: 中共 is not quit)
    text = n.compact
    for j in range(i - 1, -1, -1):
        kind, bits, value, s, e = tokens[j]
        if end - e > _TOPIC_REACH or n.boundary_between(e, tokens[i][3]):
            break
        if kind == lx.GENERIC and value == "members":
            end = s  # 团和队这两个邪恶组织，我坚决退出: 这两个 points at the list
            continue
        if kind in (lx.ALL_THREE, lx.GENERIC):
            # general words inside the list said first: the affiliates are the league and the
            # pioneers (党、团、队，连同中共的一切附属组织，全部退出); other general words are read
            # by _indirect_all (中国共产党以及它下面的一切组织，我全部退出)
            if _AFFILIATE_WORDS.search(text, s, e) is not None:
                mask |= lx.LEAGUE | lx.PIONEERS
                owner = s
            end = s
            continue
        if kind in (lx.QUIT, lx.QUIT_ORG, lx.ALL_THREE, lx.GENERIC, lx.BREAK) or (
            kind == lx.JOINED and mask
        ):
            break  # 与中共一刀两断，我当年入过的少先队和共青团，从此一并退出: not 中共
        weak = (
            isinstance(value, int)
            and value & lx.WEAK
            and "、" not in n.norm[n.to_norm(s) : n.to_norm_end(e)]
        )  # 团、队，我都退出: the list written out is no bare 团
        if kind == lx.ORG and j not in skip and not weak:
            if owner >= 0 and bits == lx.PARTY and owner - e <= 4:
                end = s  # 中共所有的附属组织: the owner of the affiliates
                owner = -1
                continue
            mask |= bits
            end = s
    return mask


_AFFILIATE_WORDS: Final = re.compile("附属|下属|外围|傀儡")


def _referent_en(
    n: Normalized, tokens: list[Token], i: int, skip: set[int]
) -> tuple[int, bool] | None:
    """What an English object after the withdrawal verb ``tokens[i]`` points back to: (mask,
    whether it is a list that "them" takes); None when the object is not a pointer, or points
    at one organization through a plural (the memberships the text states decide that)."""
    text = n.compact
    m = _EN_POINTER.match(text, tokens[i][4])
    if m is None:
        return None
    start = tokens[i][3]
    nearest = -1
    for j in range(i - 1, -1, -1):
        kind, _mask, value, _s, e = tokens[j]
        if start - e > _EN_POINTER_REACH:
            return None
        if kind == lx.ORG and j not in skip and not (isinstance(value, int) and value & lx.DENIED):
            nearest = j
            break
    if nearest < 0:
        return None
    if m.group("one"):
        return tokens[nearest][1], False
    # the list: the organizations named in the nearest one's sentence
    mask = tokens[nearest][1]
    for j in range(nearest - 1, -1, -1):
        kind, bits, value, _s, e = tokens[j]
        if n.boundary_between(e, tokens[nearest][3]):
            break
        if kind == lx.ORG and j not in skip and not (isinstance(value, int) and value & lx.DENIED):
            mask |= bits
    if mask & (mask - 1) == 0:
        return None  # one organization: "both" of what the text says were joined
    return mask, True


# Voiding verbs come after their object (入团时的誓言作废, 党、团档案…全部作废): eval/README.md,
# "Oaths declared void quit what they were sworn to".
_VOIDED: Final = frozenset((
    "作废", "声明作废", "宣誓作废", "誓言作废", "誓词作废", "null and void", "take back the vow",
    "take back the vows", "take back the oath", "take back my oath", "take back my vow",
    "take back the oaths",
))  # fmt: skip
_VOIDED_REACH: Final = 48  # compact characters back from the verb, inside its sentence
_VOID_FIRST: Final = 24  # from the verb back to the object's last organization
_VOID_NEXT: Final = 8  # between two organizations of the object (入党/团，少先队的申请书)
_POINTED_BACK: Final = re.compile("(?:这些|这|那些|它们|以上|上述)[^。！？]{0,4}$")
_OATHS: Final = re.compile("誓")
_VOID_WISH: Final = re.compile("希望|但愿|大家|他们|别人|他人")


def _voided(n: Normalized, tokens: list[Token], i: int, skip: set[int], members: int) -> int:
    """What a voiding verb after its object voids: the organizations named or joined before it
    in its sentence (back to the previous withdrawal); 这些东西全部作废, the previous sentence's;
    oaths with no owner, every organization the text says the declarant joined. 0: none."""
    text = n.compact
    verb = tokens[i][3]
    a = max(0, verb - _VOIDED_REACH)
    clause_start = a
    for end in _strong_ends(n, a, verb):
        clause_start = end
    found = _voided_between(tokens, i, clause_start, verb, skip)
    before = text[clause_start:verb]
    if _VOID_WISH.search(before) is not None:
        return 0  # 希望大家的誓言作废: a wish, another's oaths
    if not found and _POINTED_BACK.search(before) is not None and clause_start > 0:
        previous = max(0, clause_start - _VOIDED_REACH)
        for end in _strong_ends(n, previous, clause_start - 1):
            previous = end
        found = _voided_between(tokens, i, previous, clause_start, skip)
    if not found and _OATHS.search(text, max(0, verb - 8), tokens[i][4]) is not None:
        found = members  # 声明当年发的毒誓作废: the oaths of what the text says was joined
    return found


def _strong_ends(n: Normalized, a: int, b: int) -> list[int]:
    """Where sentences start after the sentence ends between compact positions a and b,
    ascending (removed 。！？ and line ends, and those kept in the compact text)."""
    ends = [p for p in n.strong if a < p <= b]
    ends += [m.end() for m in _SENTENCE_END.finditer(n.compact, a, b)]
    return sorted(ends)


def _voided_between(tokens: list[Token], i: int, a: int, b: int, skip: set[int]) -> int:
    """The organizations of the object phrase that ends before compact position ``b`` (入团和
    入队时所发的毒誓): named or joined, the first within _VOID_FIRST of it, each next within
    _VOID_NEXT of the one after it, none before ``a`` or before another withdrawal."""
    found = 0
    edge, reach = b, _VOID_FIRST
    for j in range(i - 1, -1, -1):
        kind, mask, _value, start, end = tokens[j]
        if start >= b:
            continue
        if start < a or kind in (lx.QUIT, lx.QUIT_ORG, lx.ALL_THREE) or edge - end > reach:
            break
        if j in skip or not mask or (kind != lx.ORG and kind != lx.JOINED):
            continue
        found |= mask
        edge, reach = start, _VOID_NEXT
    return found


_ITS: Final = ("及其", "以及其", "和其", "及它", "以及它", "和它")
_LIST_GLUE: Final = frozenset(("、", "和", "与", "及", "以及", ""))


def _youth_ends_at(n: Normalized, tokens: list[Token], i: int, at: int) -> bool:
    """Whether "its" at compact position ``at`` (及其一切组织) is the league's or the pioneers':
    the list right before it names no party but as an owner (中共少先队及其一切…组织; only
    general words that own the party widen a withdrawal, eval/README.md)."""
    text = n.compact
    if text.startswith(("与它", "与其", "跟它"), at) and text.endswith(("及", "和"), 0, at):
        at -= 2 if text.endswith("以及", 0, at) else 1  # 少先队及与它有关的一切组织: its = theirs
    elif not text.startswith(_ITS, at):
        return False
    last = -1
    for j in range(i + 1, len(tokens)):
        if tokens[j][3] >= at:
            break
        if tokens[j][4] == at:
            last = j
    if last < 0 or tokens[last][0] not in (lx.ORG, lx.QUIT_ORG):
        return False
    j = last
    while j > i:
        kind, mask, _value, _start, end = tokens[j]
        if kind not in (lx.ORG, lx.QUIT_ORG):
            break
        following = tokens[j + 1][3] if j < last else -1
        owner = j < last and text[end:following] in ("", "的") and not n.gap_at_position(following)
        if mask & lx.PARTY and not owner:
            return False
        if j - 1 <= i or text[tokens[j - 1][4] : tokens[j][3]] not in _LIST_GLUE:
            break
        j -= 1
    return True


def _governed(n: Normalized, tokens: list[Token], i: int) -> bool:
    """Whether a withdrawal verb comes before token ``i`` in its sentence (退出中共及其附属组织;
    a mark inside a keyword or next to 及 ends no sentence: _sentences), or right before it
    with only marks between the phrases (声明退出!中共!及其一切组织: a keyword broken up)."""
    start = tokens[i][3]
    text = n.compact
    for j in range(i - 1, -1, -1):
        kind, _mask, _value, s, end = tokens[j]
        if start - end > 40:
            return False
        if kind in (lx.QUIT, lx.QUIT_ORG, lx.ALL_THREE) and text[s:end] not in _VOIDED:
            if all(not text[tokens[k][4] : tokens[k + 1][3]] for k in range(j, i)):
                return True
            return any(a <= s and start < b for a, b in _sentences(n, tokens))
    return False


# English: others as the subject of a withdrawal (I support everyone who quits the CCP;
# Everyone should quit…; "Have you quit the League yet?"), or a quotation of someone else's
# words (My colleague said to me: "I quit the Party last night"). Relatives are left out: a
# family statement quits what each of its persons quits (my wife quits the League).
_EN_OTHERS: Final = re.compile(
    r"\b(?:everyone|everybody|others|other people|people|persons?|millions|many|compatriots|you"
    r"|they"
    r"|colleagues?|friends?|classmates?)\b"
)
_EN_SELF: Final = re.compile(r"\b(?:i|we|me|myself)\b")
# A declaration made for others (I declare on behalf of my two children that they withdraw; on my
# father's behalf), as 我替他声明退党, in its sentence.
_EN_PROXY: Final = re.compile(
    r"\b(?:on behalf of|on (?:my|our) [a-z]+(?:['’]s)? behalf)\b[^.!?;]*$"
)
_EN_CLAUSE_START: Final = re.compile(r"[.!?;:,\"“”\n](?![^.!?;:,\"“”\n]*[.!?;:,\"“”\n])")
_EN_QUOTED_BY: Final = re.compile(
    r"\b(?!i\b)[a-z]+ (?:said|says|asked|asks|told me|wrote|writes)\b[^.!?\"“]{0,24}[\"“]"
    r"[^\"”]*$"
)
_EN_NOT_DONE: Final = re.compile(
    r"\b(?:tried to|wanted to|attempted to|was going to|were going to|dared not|did not dare to"
    r"|didn't dare to|not yet|thinking about|think about|considering)\s*$"
)
_EN_OPINION_AFTER: Final = re.compile(r"[^.!?,;\n]{0,40}? (?:is|was|would be|will be|are) ")


def _others_do_en(n: Normalized, start: int) -> bool:
    text = n.compact
    before = text[max(0, start - 120) : start]
    if _EN_QUOTED_BY.search(before) is not None:
        return True  # another's words in quotation marks
    if _EN_PROXY.search(before, max(0, len(before) - 80)) is not None:
        return False  # I declare on behalf of my children that they withdraw: a proxy declares
    m = _EN_CLAUSE_START.search(before)
    clause = before[m.end() :] if m else before
    others = [o.end() for o in _EN_OTHERS.finditer(clause)]
    return bool(others) and _EN_SELF.search(clause, others[-1]) is None


# A relative's own withdrawal told as done (我丈夫早几年就退了党, 我老婆昨天刚退了团): theirs, not
# declared by this statement (eval/README.md: the declarant's withdrawal told as done counts, not
# another's); not a family declaring together (妻子和女儿退团退队) nor one with the declarant
# (我和父亲都退了党).
_DONE_BEFORE: Final = re.compile(
    "已经|早已|早就|早在|早年|刚刚?|昨天|去年|前年|前几年|以前|之前|当年|早"
)
_WITH_BEFORE: Final = ("和", "与", "跟", "同", "及", "、")
# The declarant refusing for now (这次先不退, 我们俩都不退): no withdrawal.
_NOT_QUITTING: Final = re.compile(
    "(?:(?<![得能])不|不能|不肯|不愿意?|不想|不会|不打算|不准备)$"
)  # 党暂时还不能退, 他不肯退


def _not_quitting(n: Normalized, start: int) -> bool:
    """这次先不退, 党暂时还不能退, 他不肯退: the verb at compact ``start`` refused, in its clause
    (not 没人问我愿不愿意。声明退出…)."""
    m = _NOT_QUITTING.search(n.compact, max(0, start - 3), start)
    return m is not None and not n.boundary_between(m.start(), start)


def _clause_before(n: Normalized, start: int) -> str:
    """The clause (norm text, at most 16 characters) that ends at compact position ``start``."""
    pos = n.to_norm(start)
    return _clause_tail(n.norm, max(0, pos - 16), pos)


def _told_done(n: Normalized, start: int, end: int, clause: str, subject_end: int) -> bool:
    """Whether the withdrawal at compact ``start``-``end`` is told as done (已经, 去年, 早就… after
    its subject; 了 or 过 after the verb)."""
    return (
        _DONE_BEFORE.search(clause, subject_end) is not None
        or n.norm.startswith(("了", "过"), n.to_norm_end(end))
        or n.compact[start:end].endswith(("了", "过"))
    )


def _relative_done(n: Normalized, start: int, end: int) -> bool:
    clause = _clause_before(n, start)
    relatives = list(_RELATIVES.finditer(clause))
    if not relatives:
        return False
    last = relatives[-1]
    if clause[: last.start()].endswith(_WITH_BEFORE) or _WITH_OTHERS.search(clause, last.end()):
        return False
    return _told_done(n, start, end, clause, last.end())


def _others_do(n: Normalized, start: int) -> bool:
    """Whether the clause before compact position ``start`` (a withdrawal) has others as its
    subject and not the declarant: 看到大家都在退党, 我的同事上个月都退了党, 已有数亿人退出中共."""
    if n.language == "en":
        return _others_do_en(n, start)
    if n.language != "zh":
        return False
    pos = n.to_norm(start)
    whoever = _WHOEVER.search(n.norm, max(0, pos - 40), pos)
    if whoever is not None and _SELF_IN.search(n.norm, whoever.end(), pos) is None:
        return True  # 谁要是加入过它的任何组织，都应当赶紧退出来: anyone urged, not the declarant
    clause = _clause_before(n, start)
    starts = [m.start() for m in _OTHERS_SUBJECT.finditer(clause)]
    if starts and _WITH_OTHERS.search(clause, starts[-1]) is None:
        # 我替爸妈声明：他们两人退出中共: the declaration made for them, not others' act
        pos = n.to_norm(start)
        return _PROXY_BEFORE.search(n.norm, max(0, pos - 30), pos) is None
    peers = list(_PEERS.finditer(clause))
    if not peers:
        return False
    last = peers[-1]
    return not (
        clause[: last.start()].endswith(_WITH_BEFORE)  # 我和朋友郑重退出共产党
        or _WITH_OTHERS.search(clause, last.end()) is not None
        or _FOR_THEM.search(clause, last.end()) is not None
        or n.norm.startswith(_FOR_THEM_WORDS, n.to_norm(start))
    )


def _third_person_named(norm: str) -> bool:
    """What _third_done needs (three substring tests: a pattern over the whole text cost a few
    per cent of a real statement's parse, docs/benchmarks.md)."""
    return "他" in norm or "她" in norm or "隔壁" in norm


def _third_done(n: Normalized, start: int, end: int) -> bool:
    """Whether the withdrawal at compact ``start``-``end`` is a third person's, told as done:
    他去年就退党了, 隔壁老王早就退了团 (not 我代他声明退党, nor 她声明退出共青团)."""
    if n.language != "zh":
        return False
    clause = _clause_before(n, start)
    third = list(_THIRD_PERSON.finditer(clause))
    if not third:
        return False
    who = third[-1]
    return (
        _SELF_IN.search(clause, 0, who.start()) is None  # not 我代他声明退党
        and _FOR_THEM.search(clause, who.end()) is None  # not 她声明退出共青团
        and not n.norm.startswith(_FOR_THEM_WORDS, n.to_norm(start))
        and _told_done(n, start, end, clause, who.end())
    )


def _not_done(n: Normalized, start: int, end: int) -> bool:
    """Whether a withdrawal is said not to have happened: 想退团，但没敢; 申请退团没被批准;
    还不敢退党."""
    if n.language == "en":
        text = n.compact
        if _EN_NOT_DONE.search(text, max(0, start - 24), start) is not None:
            return True  # I tried to quit the Youth League…: an attempt, a past plan
        # Quitting the Party is the wisest choice: an opinion, not an act
        return text.startswith(("quitting", "withdrawing"), start) and (
            _EN_OPINION_AFTER.match(text, end) is not None
        )
    if n.language != "zh":
        return False
    if _AFRAID.search(n.compact, max(0, start - 4), start) is not None:
        return True
    b = n.to_norm_end(end)
    return _FAILED_AFTER.match(n.norm, b) is not None


_RESTATED: Final = re.compile("(?:即|亦即|也就是|就是|即是)(?:说)?$")


def _restated(n: Normalized, tokens: list[Token], i: int) -> bool:
    """An organization another one restates right after it (X，即Y; X, namely Y)."""
    kind, _mask, _value, start, _end = tokens[i + 1]
    end = tokens[i][4]
    return (
        kind == lx.ORG
        and start - end <= 7  # 共匪组织，也就是说共青团
        and _RESTATED.search(n.compact, end, start) is not None
        and not n.boundary_between(end, start)
    )


def _colon_between(n: Normalized, a: int, b: int) -> bool:
    """Whether only a colon (or a dash) stands between compact positions ``a`` and ``b``: what
    follows names what came before it."""
    return _between(n, a, b).strip() in ("：", ":", "——", "—")


def _described(n: Normalized, verb_end: int, start: int) -> bool:
    """A description right after the verb (这个邪恶的组织), then a clause break before the
    organization at compact position ``start``: the organization begins another clause."""
    m = _DESCRIPTION.match(n.compact, verb_end)
    if m is None or m.end() > start or _colon_between(n, m.end(), start):
        return False  # 退出这个邪恶组织：团、队: the list after the colon is what it is
    i = bisect_left(n.gap_at, m.end())
    return i < len(n.gap_at) and n.gap_at[i] <= start


def _dissociated(n: Normalized, tokens: list[Token], i: int) -> bool:
    """与这个党及其附属组织划清界限: "all three" that a dissociation verb right after it governs
    (a renouncing, which counts only in a text with no withdrawal: see _renounced)."""
    end = tokens[i][4]
    if i + 1 >= len(tokens):
        return False
    kind, _mask, value, start, _end = tokens[i + 1]
    return (
        kind == lx.BREAK
        and value != "before"
        and start - end <= 2
        and not n.boundary_between(end, start)
    )


def _list_item(n: Normalized, tokens: list[Token], j: int) -> bool:
    """After a comma or a space, an organization continues a list (退出中共，共青团，少先队)
    only if it stands alone in its piece, or the piece goes on listing; 共青团少先队，共产党没了
    starts a new clause."""
    start, end = tokens[j][3], tokens[j][4]
    if not n.gap_at_position(start):
        return True  # written together: 共青团少先队
    a, b = n.to_norm_end(start), n.to_norm(start)
    if _LIST_GAP.search(n.norm, a, b) is not None:
        return True
    k = bisect_left(n.gap_at, end)
    next_gap = n.gap_at[k] if k < len(n.gap_at) else len(n.compact)
    if next_gap - end <= 2 or n.compact.startswith(_LIST_GOES_ON, end):  # 共青团，少先队等
        return True
    stop = next_gap
    while stop > end and n.compact[stop - 1] in _PIECE_END:
        stop -= 1
    if _LIST_TAIL.fullmatch(n.compact, end, stop) is not None:
        return True  # 退出共产党，共青团，少先队邪恶组织: the list, then what it is
    if _LIST_NOUN.match(n.compact, end, stop) is not None:
        return True
    following = tokens[j + 1] if j + 1 < len(tokens) else None
    return (
        following is not None
        and following[0] in (lx.ORG, lx.GENERIC, lx.PARENT)
        and (following[3] - end <= 2)
    )


def _negation_behind(n: Normalized, tokens: list[Token], i: int, skip: set[int]) -> int:
    """团和党都没入过 (the organizations before the negation); 我爸爸是党员，我不是."""
    text = n.compact
    _kind, _mask, value, start, _end = tokens[i]
    found = 0
    nearest = start
    for j in range(i - 1, max(-1, i - 4), -1):
        kind2, mask, _value, s, e = tokens[j]
        if kind2 != lx.ORG or nearest - e > 12:
            break
        if value == "after" and not _COORDINATION.match(text[e:nearest]) and j != i - 1:
            break
        found |= mask
        skip.add(j)
        nearest = s
        if value == "self":
            break
    if value == "self":
        found &= lx.PARTY
    return found


def _before(tokens: list[Token], i: int, kind: int, reach: int, n: Normalized) -> bool:
    start = tokens[i][3]
    for j in range(i - 1, max(-1, i - 4), -1):
        if start - tokens[j][4] > reach or n.boundary_between(tokens[j][4], start):
            return False
        if tokens[j][0] == kind:
            return True
    return False


def _negated(n: Normalized, tokens: list[Token], i: int) -> bool:
    """A negation shortly before, in the same clause, with no withdrawal in between.

    The negation may reach over other organizations joined by 和/或/and/or (never joined the
    League or the Party) but not over one named apart (我没入过党，只入过少先队).
    """
    text = n.compact
    start = tokens[i][3]
    nearest = start
    for j in range(i - 1, max(-1, i - 6), -1):
        kind, _mask, _value, _s, end = tokens[j]
        latin = _latin(tokens[j], text)
        if start - end > _NEGATION_REACH[latin] or n.boundary_between(end, start):
            return False
        if kind == lx.NEGATION:
            # 共产党不是个好东西，我们声明退出来: a verb's negation does not reach over a comma
            return tokens[i][0] != lx.QUIT or not _comma_after(n, end, tokens[i][3])
        if kind in (lx.QUIT, lx.QUIT_ORG, lx.ALL_THREE, lx.CURRENT, lx.GENERIC):
            return False
        if kind == lx.ORG and not _COORDINATION.match(text[end:nearest]):
            return False
        nearest = _s
        start = start if kind != lx.ORG else _s
    return False


def _joined_before(n: Normalized, tokens: list[Token], i: int, latin: int) -> bool:
    """加入/入过/joined shortly before (over other organizations joined by 和/and)."""
    text = n.compact
    start = tokens[i][3]
    reach = _JOINED_REACH[latin]
    for j in range(i - 1, max(-1, i - 6), -1):
        kind, mask, _value, s, end = tokens[j]
        if start - end > reach or n.boundary_between(end, start):
            return False
        if kind == lx.JOINED and not mask:
            return True
        if kind in (lx.QUIT, lx.QUIT_ORG, lx.NEGATION):
            return False
        if kind == lx.ORG:
            if not _COORDINATION.match(text[end:start]):
                return False
            start = s
    return False


def _relative_before(n: Normalized, start: int) -> bool:
    """我的父母都是党员, 我身边的党员: the membership of a relative or of others, not the
    declarant's."""
    before = n.compact[max(0, start - 8) : start]
    if _OTHER_MEMBERS.search(before) is not None:
        return True
    if _RELATIVES.search(before) is None:
        return False
    return _WITH_ME.search(before) is None


# 我身边的党员, 那些党员, 很多党员: members the text speaks of, not the declarant
_OTHER_MEMBERS: Final = re.compile(
    "(?:身边的|周围的|那些|这些|很多|许多|不少|好多|大多数|一些|其他|其它|别的)$"
)


def _is_parent(n: Normalized, tokens: list[Token], i: int, latin: int) -> bool:
    """The party named as the parent of the league or the pioneers."""
    text = n.compact
    _kind, mask, _value, start, end = tokens[i]
    if mask != lx.PARTY:
        return False
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if (
        after is not None
        and after[0] == lx.ORG
        and not after[1] & lx.PARTY
        and 4 < after[3] - end <= 6
        and not n.boundary_between(end, after[3])
        and _CJK_PARENT_WORDS.fullmatch(text, end, after[3])
    ):
        return True  # 共匪的邪恶组织共青团: the owner, a description between
    if (
        after is not None
        and after[0] == lx.ORG
        and after[1] == lx.PARTY
        and after[3] == end
        and i + 2 < len(tokens)
    ):
        return _is_parent(n, tokens, i + 1, latin)  # 邪党中共的少先队: two names of the owner
    if after is not None and after[3] - end <= 4 and not n.boundary_between(end, after[3]):
        if after[0] == lx.PARENT:
            # 中共下属的共青团 (not 中国共产党，以及它下属的共青团, 共产党、预备队少先队: a list,
            # the party quit too)
            return _LIST_WORDS.search(text, end, after[3]) is None and not any(
                mark in _between(n, end, after[3]) for mark in "、，,"
            )
        # 中共的共青团, 中共的团队组织 (but not 中共的党团队组织: that is all three)
        glue = text[end : after[3]]
        if after[0] == lx.ORG and not after[1] & lx.PARTY:
            if glue in _CJK_PARENT_GLUE or (glue and _CJK_PARENT_WORDS.fullmatch(glue)):
                return True
            if latin and (_EN_POSSESSIVE.fullmatch(glue) or glue == " "):
                return True  # the Chinese Communist Party's Young Pioneers; the CCP Youth League
            # 中共少年先锋队 (written together) is the CCP's pioneers; 中共、共青团 is two;
            # 中共党团队 is 中共 + 党团队: all three (issue 13, real statements); so is
            # 邪恶的党团队 (the one character 党 heads the list 党团队).
            if (
                not glue
                and not latin
                and not n.gap_at_position(end)
                and not (text[start:end] == "中共党" and text.startswith("团", end))
                and not (text[start:end].endswith("的党") and text.startswith("团", end))
            ):
                return True
    before = tokens[i - 1] if i else None
    if before is not None and before[0] == lx.ORG and not before[1] & lx.PARTY:
        glue = text[before[4] : start]
        if latin and _EN_PARENT.match(glue):
            return True  # the youth league of the communist party
    if (
        before is not None
        and before[0] == lx.PARENT
        and (start - before[4] <= 1 or (latin and _EN_THE.fullmatch(text, before[4], start)))
    ):
        return latin == 1  # affiliated with the ccp / under the ccp
    return False


# The dissociation verbs of the rules (eval/README.md, "Dissociation verbs"): a text with no
# withdrawal verb at all quits what they govern. The other BREAK words (看清, 谴责, 反对) turn
# against an organization without leaving it.
_DISSOCIATIONS: Final = frozenset((
    "划清界限", "划清界线", "划清关系", "一刀两断", "决裂", "彻底决裂", "断绝关系", "断绝一切关系",
    "撇清关系", "撇清", "切割", "彻底切割", "break with", "broke with", "sever all ties",
    "sever all my ties", "sever ties", "severed all ties", "severed ties", "cut all ties",
    "cut off all ties", "cut ties",
))  # fmt: skip


def _renounced(
    n: Normalized, tokens: list[Token], i: int, words: frozenset[str] | None = None
) -> bool:
    """和这个党划清界限: a break with the organization named just before, not a withdrawal
    (with ``words``: only a break by one of them). Not an organization a withdrawal verb
    governs right before it (退出中共，与它一刀两断: the break is with 它, and adds nothing)."""
    end = tokens[i][4]
    text = n.compact
    if text[tokens[i][3]].isascii():  # I sever all ties with the CCP: the break comes first
        for j in range(i - 1, max(-1, i - 3), -1):
            kind, _mask, value, start, stop = tokens[j]
            if tokens[i][3] - stop > 16 or n.boundary_between(stop, tokens[i][3]):
                break
            if kind == lx.BREAK and value != "before":
                return words is None or text[start:stop] in words
            if kind in (lx.QUIT, lx.QUIT_ORG, lx.ORG):
                break
    if i and tokens[i - 1][0] == lx.QUIT:
        verb_end, start = tokens[i - 1][4], tokens[i][3]
        k = bisect_left(n.gap_at, verb_end)
        if start - verb_end <= 4 and not (k < len(n.gap_at) and n.gap_at[k] <= start):
            return False
    for j in range(i + 1, min(len(tokens), i + 3)):
        kind, _mask, value, start, stop = tokens[j]
        if start - end > _BREAK_REACH or n.boundary_between(end, start):
            return False
        if kind == lx.BREAK and value != "before":
            k = bisect_left(n.gap_at, end)
            if k < len(n.gap_at) and n.gap_at[k] <= start:
                return False  # 加入了共青团，如今看清了真相: a comma between, another clause
            return words is None or n.compact[start:stop] in words
        if kind in (lx.QUIT, lx.QUIT_ORG, lx.ORG):
            return False
    return False


def _turned_from(n: Normalized, tokens: list[Token], i: int) -> bool:
    """远离邪恶共党, 告别共产党: the organization a renouncing verb right before it governs."""
    if not i:
        return False
    kind, _mask, value, _start, end = tokens[i - 1]
    start = tokens[i][3]
    return (
        kind == lx.BREAK
        and value == "before"
        and start - end <= 4
        and not n.boundary_between(end, start)
    )


# The declarant's own word that they never joined (eval/README.md, "A title line and the body":
# a body that says the declarant never joined one the title names takes it out): 我从没入过党,
# 本人从来没有入过党, 我不是党员, 没能入队, 从没戴过红领巾. Compact text.
_NEVER_VERBS: Final = ("没有?", "未曾?", "不曾", "并未", "从未", "从没有?", "没能")
_NEVER_JOINED: Final = re.compile(
    "|".join((
        # every alternative starts with a character (lx.heads): 从来没入过党, 从未加入共青团…
        *(f"{before}{verb}(?:正式)?(?:入|加入|参加|进)过?(?:任何)?(?:中国)?"
          "(共产党|中共|共青团|少年先锋队|少先队|党|团|队)(?!员|费|支部|委|校|的)"
          for before in ("从来", "从", "") for verb in _NEVER_VERBS),
        *(f"{me}(?:从来|也|并|根本|从来就)?(?:不是|并非|没当过|没做过)(?:中共|共产党|共青团|少先队)?"
          "(党员|团员|队员)" for me in ("我", "本人")),
        *(f"{before}没(?:有)?戴过(红领巾)" for before in ("从", "从来", "")),
        r"i(?<!\wi) (?:have |had )?never (?:joined|been in|been a member of|was a member of"
        r"|was in) (?:the )?"
        r"(communist party|party|ccp|cpc|communist youth league|youth league|league|young pioneers"
        r"|pioneers)\b",
        r"i(?<!\wi) was never (?:in the |a member of the |a )(party|league|pioneer)s?\b",
    ))
)  # fmt: skip
_ONE_BY_ONE: Final = re.compile("(?:退出?)?党、?(?:退出?)?团、?(?:退出?)?队(?:声明)?")
_NEVER_GROUPS: Final = {
    "共产党": lx.PARTY, "中共": lx.PARTY, "党": lx.PARTY, "党员": lx.PARTY,
    "共青团": lx.LEAGUE, "团": lx.LEAGUE, "团员": lx.LEAGUE,
    "少年先锋队": lx.PIONEERS, "少先队": lx.PIONEERS, "队": lx.PIONEERS,
    "队员": lx.PIONEERS, "红领巾": lx.PIONEERS,
    "communist party": lx.PARTY, "party": lx.PARTY, "ccp": lx.PARTY, "cpc": lx.PARTY,
    "communist youth league": lx.LEAGUE, "youth league": lx.LEAGUE,
    "league": lx.LEAGUE, "young pioneers": lx.PIONEERS, "pioneers": lx.PIONEERS,
    "pioneer": lx.PIONEERS,
}  # fmt: skip
_NEVER_OTHER: Final = re.compile(
    "父|母|爸|妈|丈夫|妻子|老公|老婆|儿子|女儿|孩子|他|她|们|家人|朋友|同事"
    # 我外婆当年退了党 (whole words: 弟 alone would be 大法弟子's, 奶 牛奶's)
    "|外婆|外公|奶奶|爷爷|姥姥|姥爷|婆婆|公公|哥哥|姐姐|弟弟|妹妹|叔叔|阿姨|舅舅|伯伯|亲戚|同学|邻居"
)


def _never_joined_in_title(
    n: Normalized, tokens: list[Token], named_at: list[tuple[int, int]]
) -> int:
    """What a record's title line quits, one by one, that its body says the declarant never
    joined and does not quit itself: 退党声明 / 我从来没有入过党，只是上学时入过团。声明退出共青团.
    Not under general words in the body (三退 is all three, joined or not)."""
    first_line = _title_line_end(n)
    if first_line <= 0:
        return 0
    title_end = n.to_compact(first_line)
    if any(
        (t[0] == lx.ALL_THREE or (t[0] == lx.GENERIC and t[2] != "members")) and t[3] >= title_end
        for t in tokens
    ):
        return 0  # general words in the body (not 这两个组织, 一并退出: the memberships told)
    title = body = 0
    for where, named in named_at:
        if where < title_end:
            title |= named
        else:
            body |= named
    if not title & ~body:
        return 0
    text = n.compact
    never = 0
    for m in _NEVER_JOINED.finditer(text, title_end):
        clause = text[max(title_end, m.start() - 8) : m.start()]
        if _NEVER_OTHER.search(clause) is not None:
            continue  # 我父亲从未入党: another's
        never |= _NEVER_GROUPS[next(g for g in m.groups() if g)]
    return never & title & ~body


# --- the declaration itself (issue 13): mentions elsewhere in the text are not quit --------

# A sentence that declares (声明, 宣布, 特此, "I hereby declare", 本人…退出), as against one
# that tells a story, names the movement (三退保平安, 看到大家都在退党) or exhorts others.
_DECLARES: Final = re.compile(
    "声明|宣布|宣誓|特此|郑重|严正|决定|自愿|立誓|发誓|在此|在这里|借此|今天|今日|即日|从此|从今"
    "|现在我|我要|我还要|我还想|本人|我们|我俩|我也|我就|我和|我与|我正式|我坚决|我彻底"
    "|一并|就一起|也一起"  # 要是入过，就一起退出共青团: the declaration going on
    "|作废"  # 入党、入团、入少先队的申请书、誓词…一律作废: oaths declared void
    # the English words start with their letter, the word boundary looked for behind it (h(?<!\wh)
    # for \bh): every alternative then starts with a character the engine can skip to
    r"|h(?<!\wh)ereby\b|d(?<!\wd)eclare|s(?<!\ws)olemnly|i(?<!\wi) (?:now |hereby |also |therefore "
    r"|voluntarily |officially |myself |too )?(?:quit|withdraw|renounce|resign|sever|leave)"
    r"|w(?<!\ww)e (?:now |hereby |all |also )?(?:quit|withdraw|renounce|resign|sever|leave)"
    r"|m(?<!\wm)y (?:withdrawal|renunciation)"
)
_SENTENCE_END: Final = re.compile("[。！？!?；;\n\r]")
# English pages break lines inside sentences: there a sentence ends at . ! ? ; or a blank line.
_SENTENCE_END_EN: Final = re.compile(r"[.!?;](?=\s|$)|\n\s*\n")
# A withdrawal this close to the start of its sentence is the sentence's point (袁思退党，贺薇退团;
# 退出中国共青团！), whatever declaration word there is or not.
_LEAD: Final = 4
_GLUE_CHARS: Final = frozenset("和及与、")
_LONE_MAX: Final = 40  # compact characters
_SHORT: Final = 60
# A withdrawal that others urge, that one hears of or sees: 劝我们退党, 听说三退, 看到大家都在退党.
_OTHERS_ACT: Final = re.compile(
    "劝|听说|听到|看到|看见|知道|了解|号召|呼吁|希望|大家都|别人|他们|朋友也|都在|做过|有人"
    "|他说|她说|们说|员说"  # 法轮功学员说：“退出共产党才是…”: another's words
)
_DECLARING: Final = frozenset((lx.QUIT, lx.QUIT_ORG, lx.ALL_THREE))
# The declarant's own withdrawal told as done, in a sentence of its own, is declared too
# (eval/README.md: 团我在大学时已经主动退了。今天声明退出少先队 quits both), not another's
# (我丈夫早几年就退了党: _NEVER_OTHER before it in its sentence).
_DONE: Final = re.compile(r"已经|早已|早就|\balready\b")


def _sentences(n: Normalized, tokens: list[Token]) -> list[tuple[int, int]]:
    """The text's sentences as compact spans (a removed 。 ends one where the next begins).

    A mark inside a phrase or next to 和/及 breaks a keyword up (退出共。青团和!少先队), it
    does not end a sentence."""
    text = n.compact
    cuts = {p: p for p in n.strong}  # end -> where the next sentence starts
    ends = _SENTENCE_END_EN if n.language == "en" else _SENTENCE_END
    for m in ends.finditer(text):
        cuts[m.start()] = m.start() + 1
    starts = [t[3] for t in tokens]
    spans = []
    start = 0
    for end in sorted(cuts):
        k = bisect_left(starts, end) - 1  # the last phrase starting before the cut
        if k >= 0 and tokens[k][4] > end:
            continue  # inside a phrase: 退出共。青团
        if text[end - 1 : end] in _GLUE_CHARS or text[end : end + 1] in _GLUE_CHARS:
            continue
        if start < end:
            spans.append((start, end))
        start = max(start, cuts[end])
    if start < len(text):
        spans.append((start, len(text)))
    return spans


# 中共组织, 中共邪恶组织, 邪党的组织 (the whole phrase): in a title line, the organizations of
# the record in general, not the party by name (eval/README.md, "A title line and the body").
_PARTY_ORGANIZATIONS: Final = re.compile(
    "的?(?:邪恶|邪教|邪|恶|罪恶)?的?(?:组织|團體|团体)(?:声明)?$"
)
_GENERIC_ALL_WORDS: Final = ("及", "以及", "一切", "所有", "all", "its", "and its")


def _named(n: Normalized, tokens: list[Token], line_end: int) -> int:
    """The organizations named one by one among ``tokens`` (not "all of them", and not the
    party named as the owner of "all its organizations")."""
    named = 0
    text = n.compact
    for i, (kind, mask, value, start, end) in enumerate(tokens):
        if kind == lx.QUIT_ORG:
            named |= mask
        elif kind == lx.ORG and not (isinstance(value, int) and value & lx.WEAK):
            if _turned_from(n, tokens, i):
                continue  # a title 远离邪恶共党 turns away from the party, it names no withdrawal
            if mask == lx.PARTY and (
                _PARTY_ORGANIZATIONS.match(text, end, line_end) is not None
                or (text.endswith("组织", start, end) and text[end:line_end] in ("", "声明"))
            ):
                continue  # a title 退出中共邪恶组织, 退出中共组织: the record's, in general
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            if after is None or after[0] != lx.GENERIC or text[end : after[3]] not in ("", "的"):
                named |= mask
        elif kind == lx.ALL_THREE and not text[start:end].startswith(_GENERIC_ALL_WORDS):
            named |= mask
    return named


def read_declared(
    n: Normalized, tokens: list[Token], kinds: frozenset[int] | set[int], whole: int
) -> tuple[int, bool]:
    """What the text's declaration sentences quit, read apart from the rest (the story around
    them, the movement named, others exhorted); with a title line: the more specific of the
    title and the declaration. (mask, whether this reading differs from ``whole``)."""
    if kinds.isdisjoint(_COMPLEX) or len(tokens) < 3:
        return whole, False
    declaring = 0
    for t in tokens:
        if t[0] in _DECLARING:
            declaring += 1
    if declaring < 2 and (declaring == 0 or lx.ORG not in kinds or len(n.compact) <= _LONE_MAX):
        return whole, False  # one withdrawal in a short text: its reading is the text's
    if len(n.compact) <= _SHORT and _OTHERS_ACT.search(n.compact) is None and "\n" not in n.norm:
        return whole, False  # a short statement, one line, nobody else's act: nothing to set apart
    sentences = _sentences(n, tokens)
    text = n.compact
    title_end = -1
    first_line = _title_line_end(n)
    if first_line > 0 and n.norm[first_line + 1 :].strip():
        title_end = n.to_compact(first_line)
    # Which sentences declare. Each is read again on its own, even when it names everything
    # the whole text quits: a story told in the declaration's sentence names organizations it
    # does not quit (印刷社被中共纵火，…在此声明退出曾经加入过的中共邪恶团、队组织).
    chosen: list[tuple[int, int]] = []
    k = 0
    count = len(sentences)
    for kind, _bits, _value, start, end in tokens:
        if kind not in _DECLARING or start < title_end:
            continue
        while k < count and sentences[k][1] <= start:
            k += 1
        if k == count:
            break
        a, b = sentences[k]
        if _OTHERS_ACT.search(text, max(a, start - 4), start) is not None:
            continue  # 看到大家都在退党: another's act
        if (kind == lx.QUIT_ORG and text.startswith(_TOPIC_AFTER, end)) or (
            text.startswith(_RIGHT_AFTER, end)
        ):
            continue  # 退党的人越来越多了, 连退出的权利都没有: a topic, not a withdrawal
        if (not chosen or chosen[-1] != (a, b)) and (
            start - a <= _LEAD
            or _DECLARES.search(text, a, end) is not None
            or (
                (
                    _DONE.search(text, a, end) is not None
                    or text.startswith(("了", "过"), end)
                    or text.endswith("了", start, end)  # 还坚决退出了共青团: told as done
                )
                and _NEVER_OTHER.search(text, a, start) is None
            )
        ):
            chosen.append((a, b))
    if not chosen:
        return whole, False
    mask = 0
    starts = [t[3] for t in tokens]
    for a, b in chosen:
        inside = [
            t
            for t in tokens[bisect_left(starts, a) : bisect_left(starts, b)]
            if not (
                t[0] in _DECLARING and _OTHERS_ACT.search(text, max(a, t[3] - 4), t[3]) is not None
            )
        ]
        if not inside:
            continue
        got, _current, conf = read_organizations(n, inside, {t[0] for t in inside})
        if conf >= 0.9:
            mask |= got
    if not mask:
        return whole, False
    if title_end > 0:
        head = [t for t in tokens if t[3] < title_end]
        if head and _named(n, head, title_end):
            # a title naming what it quits adds to a vaguer body
            mask |= read_organizations(n, head, {t[0] for t in head})[0]
    mask &= whole  # what the rest of the text names is a mention, not a withdrawal
    if not mask:
        return whole, False
    return mask, mask != whole
