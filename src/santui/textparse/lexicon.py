"""The phrases the statement parser looks for, other than places and sectors.

Every phrase is Simplified Chinese (the parser converts Traditional text first) or lower-case
English, and is matched in the compact text (punctuation between CJK characters removed), all
at once by one Aho–Corasick automaton, leftmost-longest: a longer phrase wins over the phrases
inside it (退党 over 党, 共青城 over 共青). docs/textparse.md explains each kind.
"""

from __future__ import annotations

from typing import Final

# Organization masks.
PARTY, LEAGUE, PIONEERS = 1, 2, 4
ALL: Final = PARTY | LEAGUE | PIONEERS
ORG_KEYS: Final = ((PARTY, "party"), (LEAGUE, "league"), (PIONEERS, "pioneers"))

# Kinds of phrase.
MASK: Final = 0  # a phrase that hides the shorter phrases inside it and means nothing itself
ORG: Final = 1  # names an organization (value: MEMBER and/or WEAK flags)
QUIT_ORG: Final = 2  # a withdrawal with its object: 退党
ALL_THREE: Final = 3  # 三退, 退出中共及其一切组织
QUIT: Final = 4  # a withdrawal verb: 退出, quit
NEGATION: Final = 5  # 没有, 从未, never
JOINED: Final = 6  # 加入, 入过 (mask: 入党 names its organization)
PARENT: Final = 7  # 的下属组织: the party named before it is the parent, not quit
GENERIC: Final = 8  # 一切组织, 以上组织: "every organization" as an object of a withdrawal
BREAK: Final = 9  # 划清界限: the party is renounced, not (necessarily) quit
FAMILY: Final = 10  # a relative (value: how many persons: 夫妻 = 2 with the declarant)
GROUP: Final = 11  # a group of known size (value: persons): 我们俩, 一家三口
NAME: Final = 12  # a name marker (value: alias | real | anonymous)
LOCATION: Final = 13  # where the declarant lives (value: now | origin)
SECTOR: Final = 14  # a sector phrase (value: a SECTORS key, or None for a phrase that is not one)
PLACE: Final = 15  # a place name (value: the PlaceName candidates)
FORMER: Final = 17  # 曾经, 以前: membership in the past (not a current party member)
CURRENT: Final = 18  # 现在是党员, 党龄: a current party member

# Organization mention flags.
MEMBER: Final = 1  # a membership noun: 党员, 团员
# a bare character (党, 团, 队) or a vague word: counts only right after a withdrawal
WEAK: Final = 2
DENIED: Final = 4  # a membership denied or lapsed in the phrase itself: 非党员, 早已不交党费

_P, _L, _Y = PARTY, LEAGUE, PIONEERS

# 三退保平安 said as one's own decision (我要三退保平安, 坚决三退保平安): all three, in general.
_DECLARED_SAYING: Final = ("要三退保平安", "坚决三退保平安", "决定三退保平安", "自愿三退保平安")
DECLARED_SAYING: Final = frozenset(_DECLARED_SAYING)

# (phrase, kind, mask, value)
Entry = tuple[str, int, int, object]

# The party's names, and a pejorative said after one of them in apposition (共匪邪党, 共产党恶党:
# one party, an owner in 共匪邪党的少先队 as 中共邪党 is).
_PARTY_NAMES: Final = (
    "中共", "共产党", "中国共产党", "共匪", "共党", "匪共", "土共", "邪党", "恶党", "魔党",
)  # fmt: skip
_PEJORATIVES: Final = ("邪党", "恶党", "魔党", "邪教")
_PARTY_APPOSED: Final = tuple(n + p for n in _PARTY_NAMES for p in _PEJORATIVES if n != p)

ORGANIZATION_PHRASES: list[Entry] = [
    # --- the party, by name and by pejorative ---
    *[(p, ORG, _P, 0) for p in (
        "中国共产党", "中共", "共产党", "中共党", "中共组织", "党组织", "共党", "共产党组织",
        "邪党", "恶党", "共匪", "中共邪教", "中共邪党", "中共恶党", "共产邪党", "邪恶的党",
        "魔党", "共惨党", "土共", "中国共惨党", "红朝", "中共魔教", "共产邪教", "党的组织",
        "匪共", "匪共组织",
        *_PARTY_APPOSED,
        "chinese communist party", "communist party of china", "communist party", "ccp",
        "cpc", "the party", "evil party", "communist regime", "chinese communist",
        "leninist cult", "communist cult", "c.c.p.", "c.c.p", "evil paty", "this paty",
        # misspellings read as the word meant (eval/README.md, "Variant characters")
        "comunist party", "communist paty", "comunist paty", "chinese comunist party",
    )],
    ("党", ORG, _P, WEAK),
    ("party", ORG, _P, WEAK),
    ("这个党", ORG, _P, WEAK),
    ("该党", ORG, _P, WEAK),
    *[(p, ORG, _P, MEMBER) for p in (
        "党员", "共产党员", "中共党员", "预备党员", "正式党员", "老党员", "党龄", "党费",
        "党证", "党籍", "party member", "member of the party", "party membership",
        "ccp member", "member of the ccp", "member of the communist party", "party members",
        "ccp membership", "communist party membership",
        "communist party member", "cpc member",
    )],
    *[(p, ORG, _P, MEMBER) for p in (
        "still a member", "a member for", "am still a member", "as a party member",
        "member for over", "还是党员", "仍是党员", "仍然是党员", "现在还是党员",
    )],
    *[(p, ORG, _P, MEMBER | DENIED) for p in (
        "非党员", "非中共党员", "不算党员", "早就不算党员", "自动脱党", "早已脱党", "早就脱党",
        "不交党费", "早已不交党费", "早就不交党费", "没交过党费", "什么都不是", "我不是党员",
        "no longer consider myself a member", "have not paid dues", "not paid dues",
        "never joined anything else", "not a party member", "i'm not a party member",
        "没入过别的", "别的都没入过", "其他都没入过",
    )],
    # --- the league ---
    *[(p, ORG, _L, 0) for p in (
        "共青团", "共产主义青年团", "中国共产主义青年团", "共青团组织", "团组织", "青年团",
        "共清团",  # a homophone typed for 共青团 (eval/README.md, "Variant characters")
        "中国共青团", "中国共青团组织", "邪团", "共产青年团",
        "中共青年团", "chinese communist youth league",
        "communist youth league of china", "communist youth league", "youth league", "cyl",
        "the league",
        "young communist league", "communist league",
        "c.y.l.", "c.y.l", "youth leage", "comunist youth league", "communist youth leage",
        "comunist youth leage",
        "communist youth corps", "youth corps",
        # as translators write it (the Youth Group and the Pioneer Group of the CCP)
        "youth group", "communist youth group",
    )],
    ("团", ORG, _L, WEAK),
    ("league", ORG, _L, WEAK),
    *[(p, ORG, _L, MEMBER) for p in (
        "团员", "共青团员", "团籍", "团费", "团徽", "league member", "member of the league",
        "youth league member", "member of the youth league", "youth league membership",
        "league membership", "youth league members", "league members",
    )],
    # --- the pioneers ---
    *[(p, ORG, _Y, 0) for p in (
        "少先队", "少年先锋队", "中国少年先锋队", "少先队组织", "队组织", "红领巾",
        "少仙队", "少先对",  # homophones typed for 少先队
        "中国少先队", "中国少先队组织", "邪队", "少年队", "共产少先队",
        "young pioneers", "pioneers", "young pioneer", "pioneer", "cyp", "red scarf",
        "red scarves", "little red guards", "少年儿童先锋队", "红小兵", "少年儿童队",
        "little red soldiers", "little red soldier", "communist young pioneers",
        "communist young pioneer", "chinese young pioneers", "young pioneers of china",
        "young pioners", "pioners", "young pionneers", "young pioner", "pioner",
        "youth pioneers", "youth pioneer", "communist youth pioneers", "communist youth pioneer",
    )],
    # the organizations under the party, as English translations name them
    *[(p, ORG, _L | _Y, 0) for p in ("peripheral organizations", "peripheral organisations")],
    ("队", ORG, _Y, WEAK),
    *[(p, ORG, _Y, MEMBER) for p in (
        "少先队员", "队员", "戴过红领巾", "带过红领巾", "戴红领巾", "队籍", "pioneer member",
        "戴上了红领巾", "戴上红领巾", "戴了红领巾", "系上了红领巾", "系上红领巾", "系过红领巾",
        "wore the red scarf", "wore a red scarf",
    )],
    # --- several at once ---
    ("党团", ORG, _P | _L, 0),
    ("团队", ORG, _L | _Y, WEAK),
    ("团队组织", ORG, _L | _Y, 0),
    ("团和队", ORG, _L | _Y, 0),
    ("党团队", ORG, ALL, 0),
    ("党团队组织", ORG, ALL, 0),
    ("党和团", ORG, _P | _L, 0),
    ("团队员", ORG, _L | _Y, MEMBER),
    ("league and pioneers", ORG, _L | _Y, 0),
    ("youth organizations", ORG, _L | _Y, 0),
    ("its youth organizations", ORG, _L | _Y, 0),
    ("youth organisations", ORG, _L | _Y, 0),
    # the party's affiliates are the league and the pioneers ("the CCP's affiliated
    # organizations"); "the CCP and its affiliated organizations" stays all three (below)
    ("affiliated organizations", ORG, _L | _Y, 0),
    ("affiliated organisations", ORG, _L | _Y, 0),
    ("affiliated organization", ORG, _L | _Y, 0),  # every affiliated organization of the CCP
    # the party's subordinate organizations (下属组织): the league and the pioneers
    *[(p, ORG, _L | _Y, 0) for p in (
        "subordinate organizations", "subordinate organisations", "subordinate organization",
    )],
    # --- withdrawals naming their organization ---
    *[(p, QUIT_ORG, _P, 0) for p in (
        "退党", "脱党", "退出党", "退出党组织", "退党声明", "退当", "退dang",
        "tuidang", "tui dang", "tui-dang", "tui党", "退d", "quit党",
    )],
    *[(p, QUIT_ORG, _L, 0) for p in (
        "退团", "退团声明", "退出团", "退出团组织", "退tuan", "tuituan", "tui tuan", "tui-tuan",
        "tui团", "退t", "quit团",
    )],
    *[(p, QUIT_ORG, _Y, 0) for p in (
        "退队", "退队声明", "退出队", "退出少先队", "退dui", "tuidui", "tui dui", "tui-dui",
        "tui队", "quit队",
    )],
    ("退团队", QUIT_ORG, _L | _Y, 0),
    # a name ending in 三 before 退党 (张三退党退团): 三退 is not read across the name
    ("三退党", QUIT_ORG, _P, 0),
    ("三退团", QUIT_ORG, _L, 0),
    ("三退队", QUIT_ORG, _Y, 0),
    ("退团退队", QUIT_ORG, _L | _Y, 0),
    ("退团离队", QUIT_ORG, _L | _Y, 0),
    ("退党退团", QUIT_ORG, _P | _L, 0),
    *[(p, ALL_THREE, ALL, 0) for p in (
        "三退", "三腿", "3退", "3tui", "santui", "san tui", "san-tui", "退d退t退d", "退党团队",
        "退党退团退队", "its affiliates", "its affiliated organisations", "退党团队组织",
        "退出党团队", "三个组织", "三个邪恶组织",
        "及其一切组织", "及其所有组织", "及其附属组织", "及其下属组织", "及其外围组织",
        "及其相关组织", "及其所属组织", "及其一切附属组织", "以及一切组织", "及一切附属组织",
        "及其所有附属组织", "及其所有的组织", "及其相关的一切组织", "一切邪恶组织", "所有邪恶组织",
        "所有的邪恶组织", "一切的邪恶组织",
        "及其一切相关组织",
        "all three", "three withdrawals", "3 withdrawals", "all its affiliated organizations",
        "all its peripheral organizations", "its peripheral organizations",
        "and its peripheral organizations",
        "all its affiliates", "and its affiliated organizations", "its affiliated organizations",
        "all of its organizations", "all its organizations", "party, league and pioneers",
        "the party, the league and the pioneers", "all three organizations",
        "all ccp organizations", "all ccp-affiliated organizations",
        "all communist organizations", "all affiliated organizations",
        "and everything attached to it", "and everything connected to it",
        "and everything related to it", "and all that is attached to it",
        "party, youth league and young pioneers",
        # 三退保平安 names the movement's saying; declared, it is a withdrawal (issue 13)
        *_DECLARED_SAYING,
        # 三退 declared in the body (坚定三退, 宣布三退): all three, not a heading's general word
        "宣布三退", "坚定三退", "坚决三退", "决定三退", "决心三退", "决意三退",
        # ... said by the declarant (a title 声明三退 is a heading: general first)
        "我声明三退", "我也声明三退", "本人声明三退", "特此声明三退", "郑重声明三退",
        "在此声明三退", "现声明三退", "现在声明三退", "今天声明三退", "我要三退", "我也要三退",
        "正式声明三退", "严正声明三退", "庄严声明三退", "正式宣布三退",
    )],
    ("三退声明", ALL_THREE, ALL, "title"),
    ("tuidang statement", ALL_THREE, ALL, "title"),
    ("三退声明书", ALL_THREE, ALL, "title"),
    ("三退名单", ALL_THREE, ALL, "title"),
    # --- withdrawal verbs ---
    *[(p, QUIT, 0, 0) for p in (
        "退出", "声明退出", "宣布退出", "郑重声明退出", "严正声明退出", "退掉", "脱离",
        "声明脱离", "退", "退去", "退除", "不再是", "不承认", "解除", "tui",
        "抹去", "摘下", "摘掉", "扔掉", "清除", "撤销", "抹掉", "作废", "声明作废",
        "宣誓作废", "誓言作废", "誓词作废", "退了", "已退出", "退出了", "注销",
        "quit", "quits", "quitting", "withdraw", "withdraws", "withdrawing", "withdrew",
        "withdrawn", "withdrawal", "withdrawal from", "renounce", "renounces", "renouncing",
        "renounced", "resign", "resign from", "resigned", "resigning", "leave", "leaving",
        "left", "no longer", "sever", "disavow", "disavowing", "revoke",
        "revoking", "cancel", "void", "null and void", "annul",
        "take back the vow", "take back the vows", "take back the oath", "take back my oath",
        "take back my vow", "take back the oaths",
    )],
    # --- "I am not" after someone else's membership (我爸爸是党员，我不是) ---
    *[(p, NEGATION, 0, "self") for p in ("我不是", "我自己不是", "but i'm not", "but i am not",
                                        "我却不是", "本人不是")],
    # --- negation after the organizations (团和党都没入过) ---
    *[(p, NEGATION, 0, "after") for p in (
        "都没入过", "都没有入过", "都没加入过", "都没有加入过", "都没入", "都没有加入", "都不是",
    )],
    # --- negation: "I never joined" ---
    *[(p, NEGATION, 0, 0) for p in (
        "没", "没有", "未", "从未", "从没", "从没有", "从来没", "从来没有", "并未", "未曾",
        "不曾", "没有入过", "没入过", "没参加过", "没加入过", "没有加入过", "从未加入",
        "从未加入过", "未加入", "未加入过", "不是", "并非", "也不是", "都不是", "从来不是",
        "没有当过", "没当过", "没戴过", "没带过", "从来没有加入", "未入", "没入",
        "never", "never been", "never was", "never joined", "was never", "have never",
        "not", "wasn't", "was not", "am not", "i'm not", "haven't", "have not", "didn't",
        "did not", "isn't", "never a member", "not a member",
    )],
    # --- membership: joined, was a member ---
    *[(p, JOINED, 0, 0) for p in (
        "加入", "加入过", "入过", "参加过", "参加", "曾加入", "曾经加入", "曾经加入过",
        "被迫加入", "入了", "当过", "曾是", "曾经是",
        "joined", "was a member", "was member", "became a member", "member of",
        "i was a", "was in the", "been a member", "been in the", "were in the",
    )],
    ("入党", JOINED, _P, 0),
    ("入的党", JOINED, _P, 0),
    ("入的团", JOINED, _L, 0),
    ("入的队", JOINED, _Y, 0),
    ("入团", JOINED, _L, 0),
    ("入队", JOINED, _Y, 0),
    ("入党誓词", JOINED, _P, 0),
    ("入团誓词", JOINED, _L, 0),
    ("入队誓词", JOINED, _Y, 0),
    ("入党宣誓", JOINED, _P, 0),
    ("入团宣誓", JOINED, _L, 0),
    # --- the party as a parent, not an object ---
    *[(p, PARENT, 0, 0) for p in (
        "的下属组织", "下属的", "下属组织", "的外围组织", "外围组织", "领导的", "的助手",
        "后备军", "的预备队", "预备队", "的青年组织", "的少年组织", "的附属组织", "附属组织",
        "的傀儡组织", "傀儡组织",
        "affiliated with", "under the", "led by the", "of the party", "youth wing",
        "ccp's", "party's", "cpc's", "communist party's",
    )],
    # --- "every organization" as an object ---
    *[(p, GENERIC, 0, 0) for p in (
        "一切组织", "所有组织", "一切中共组织", "所有中共组织", "一切共产党组织", "所有共产党组织",
        "任何组织", "其组织", "中共一切组织", "中共的一切组织", "邪党的一切组织",
        "一切附属组织", "所有附属组织", "一切相关组织", "中共所有组织", "相关组织",
        "其一切组织", "其所有组织", "中共邪党的一切组织", "共产党的一切组织",
        "各种组织", "各类组织", "各种邪恶组织",
        "all organizations", "every organization", "any organization",
        "all of its organizations", "all related organizations",
    )],
    *[(p, GENERIC, 0, "members") for p in (
        "以上组织", "上述组织", "这些组织", "这两个组织", "这两个", "这三个组织", "全部退出",
        "都退出", "一并退出", "both", "all of them",
        "them all", "the above organizations", "these organizations", "两个组织", "以上两个组织",
    )],
    # --- renouncing without quitting ---
    *[(p, BREAK, 0, 0) for p in (
        "划清界限", "划清界线", "一刀两断", "切割", "彻底切割", "瓜葛", "没有任何瓜葛", "决裂",
        "断绝关系", "彻底决裂", "断绝一切关系",
        "不再相信", "看清", "认清", "识破", "谴责", "反对", "揭露", "痛恨",
        "break with", "broke with", "condemn", "reject the",
        # a dissociation, not a withdrawal verb (I sever all ties with the CCP)
        "sever all ties", "sever all my ties", "sever ties", "severed all ties", "severed ties",
        "cut all ties", "cut off all ties", "cut ties",
        "撇清关系", "撇清", "拉开距离", "划清关系",
        "不共戴天",  # 此后与中国共产党及其一切附属组织不共戴天: enmity, not a withdrawal
    )],
    # --- turning away from what follows (远离中共, 告别共产党): a renouncing, not a withdrawal ---
    *[(p, BREAK, 0, "before") for p in ("远离", "告别", "摆脱", "唾弃", "抛弃")],
    # --- time: membership in the past, or now ---
    *[(p, FORMER, 0, 0) for p in (
        "曾经", "曾", "以前", "过去", "从前", "当年", "小时候", "上学时", "读书时", "学生时",
        "学生时代", "上学的时候", "小学时", "细个", "中学时", "那时", "年轻时", "早年",
        "青年时代", "少年时代", "少年时", "少儿时", "童年时", "儿时", "幼时", "初中时", "高中时",
        "大学时",
        "in school", "as a child", "when i was", "years ago", "former", "formerly", "once",
    )],
    *[(p, CURRENT, 0, 0) for p in (
        "现在是", "目前是", "现为", "现是", "仍是", "至今是", "现任", "作为一名", "身为",
        "作为一个", "i am a", "i'm a", "currently a", "as a party member", "current member",
        "still a member", "currently",
    )],
]  # fmt: skip

# Kin named as a pair or a set: a group where they declare (今天兄弟俩声明退出少先队), not where
# the story tells of them (我们父子俩为这些事吵过很多次): headcount.read_headcount.
KIN_PAIRS: Final = (
    "兄弟俩", "姐妹俩", "父子俩", "父女俩", "母子俩", "母女俩", "兄弟二人", "姐妹二人",
    "父子二人", "父女二人", "母子二人", "母女二人", "兄弟两人", "姐妹两人",
)  # fmt: skip
KIN_THREES: Final = (
    "三兄弟", "三姐妹", "三兄妹", "三姐弟", "兄弟三人", "姐妹三人", "兄妹三人", "姐弟三人",
)  # fmt: skip
KIN_GROUPS: Final = frozenset(KIN_PAIRS + KIN_THREES)

# Relatives who sign with the declarant. Value: persons the phrase adds.
FAMILY_PHRASES: list[Entry] = [
    *[(p, FAMILY, 0, 1) for p in (
        "妻子", "丈夫", "老公", "老婆", "爱人", "太太", "先生", "老伴", "媳妇", "儿子", "女儿",
        "孩子", "小孩", "父亲", "母亲", "爸爸", "妈妈", "父母亲", "哥哥", "姐姐", "弟弟",
        "妹妹", "爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷", "儿媳", "女婿", "孙子",
        "孙女", "外孙", "外孙女", "公公", "婆婆", "岳父", "岳母", "姐夫", "嫂子", "弟媳",
        "妹夫", "侄子", "侄女", "外甥", "外甥女", "叔叔", "阿姨", "舅舅", "姑姑", "女友",
        "男友", "女朋友", "男朋友", "未婚妻", "未婚夫", "老头子", "老太婆", "同事", "朋友", "同学",
        "儿女", "子女", "兄弟", "姐妹", "闺女", "儿媳妇",
        "wife", "husband", "son", "daughter", "father", "mother", "brother", "sister",
        "mom", "dad", "child", "spouse", "grandson", "granddaughter", "friend", "friends",
        "colleague", "colleagues", "classmate", "classmates", "children", "kids", "sons",
        "daughters", "brothers", "sisters",
    )],
    *[(p, FAMILY, 0, 2) for p in (
        "父母", "爸妈", "双亲", "两个孩子", "二老", "parents", "two children", "两个儿子",
        "两个女儿", "一儿一女", "儿子和女儿", "儿子女儿", "兄妹俩", "姐弟俩",
    )],
    *[(p, GROUP, 0, 2) for p in (
        "我们俩", "我俩", "夫妻俩", "夫妻二人", "夫妻两人", "我们夫妻", "我们夫妇", "夫妇俩",
        "夫妇二人", "两口子", "我们两口子", "我们两个", "我们二人", "我们两人", "我和我爱人",
        "both of us", "the two of us", "my wife and i", "my husband and i", "we two",
        "i and my wife", "i and my husband", "me and my wife", "me and my husband",
        "我们夫妻二人", "我们夫妻两人", "我们夫妻俩",
        # siblings, a parent and a child, together (今天兄弟俩声明退出少先队)
        *KIN_PAIRS,
    )],
    *[(p, GROUP, 0, 3) for p in KIN_THREES],
    *[(p, GROUP, 0, 3) for p in ("一家三口", "我们一家三口", "全家三口", "三口之家")],
    *[(p, GROUP, 0, 4) for p in ("一家四口", "我们一家四口", "全家四口", "四口之家")],
    *[(p, GROUP, 0, 5) for p in ("一家五口", "我们一家五口", "全家五口", "五口之家")],
    *[(p, GROUP, 0, 6) for p in ("一家六口", "全家六口", "六口之家")],
    *[(p, GROUP, 0, 7) for p in ("一家七口", "全家七口")],
    *[(p, GROUP, 0, 8) for p in ("一家八口", "全家八口")],
]  # fmt: skip

NAME_PHRASES: list[Entry] = [
    *[(p, NAME, 0, "alias") for p in (
        "化名", "化明", "化名为", "署名", "笔名", "网名", "别名", "假名", "代号", "昵称",
        "化名是", "化名叫", "用名", "alias", "pen name", "pseudonym", "online name",
        "screen name", "nickname", "under the name", "signed",
    )],
    *[(p, NAME, 0, "real") for p in (
        "真名", "真实姓名", "姓名", "实名", "本名", "我叫", "我的名字是", "我的名字叫",
        "名叫", "本人叫", "声明人", "签名", "落款", "代表人", "联系人", "我的名字",
        "real name", "my name is", "full name", "i am called", "name", "my chinese name is",
        "signed by",
    )],
    *[(p, NAME, 0, "self") for p in ("本人", "我是", "i am", "i'm")],
    *[(p, NAME, 0, "anonymous") for p in (
        "匿名", "无名氏", "不留名", "不署名", "不具名", "佚名", "不便留名", "名字不便公开",
        "不便公开姓名", "不留姓名", "不愿透露姓名", "姓名保密", "隐去姓名", "不写名字",
        "anonymous", "anonymously", "no name", "unnamed", "name withheld",
    )],
]  # fmt: skip

LOCATION_PHRASES: list[Entry] = [
    *[(p, LOCATION, 0, "now") for p in (
        "现居", "现住", "现居住", "现在住", "家住", "住在", "居住在", "居住于", "现居住在",
        "现在在", "目前在", "现在居住", "定居", "现居于", "现住在", "身在", "人在", "生活在",
        "在", "喺", "现在", "移民", "移民到", "回到", "来", "来到", "到了", "搬到", "留在", "嫁到",
        "在外", "写于", "搬回", "搬回了", "搬回到", "移居", "移居到", "移居了", "回老家",
        "回到老家", "回了老家", "现在住在", "现在生活在", "现在居住在", "目前住在", "目前生活在",
        "如今住在", "如今生活在", "现在还住在", "一直住在", "一直生活在",
        "came to", "came to the", "moved to the", "arrived in", "arrived in the",
        "coming to", "have lived in", "have been living in", "i've lived in", "has lived in",
        "moved to", "work in", "working in", "study in", "studying in", "in", "at",
        "now living in", "now live in", "live in", "living in", "lives in", "reside in",
        "residing in", "based in",
        "currently in", "now in", "i am in", "i'm in",
        "settled in", "moved back to", "back to my hometown", "home is in", "home has been",
        "emigrated to", "emigrating to", "immigrated to", "relocated to", "stayed on in",
        "here in", "moving to", "moving back to", "went home to", "gone home to", "going home to",
        "lived and worked in", "have lived and worked in", "came back to", "returned to",
        "near", "live near", "living near",
    )],
    *[(p, LOCATION, 0, "from") for p in (
        "来自", "地址", "地区", "from", "location", "native of",
    )],
    *[(p, LOCATION, 0, "origin") for p in (
        "籍贯", "老家", "原籍", "出生在", "出生于", "生于", "祖籍", "老家在", "出生地",
        "原是", "原来是", "原来在", "从", "originally from", "born in", "hometown", "grew up in",
        "born and raised in",
    )],
]  # fmt: skip

# Phrases that contain a keyword but are not one. MASK hides what is inside them.
MASK_PHRASES: list[Entry] = [
    (p, MASK, 0, None)
    for p in (
        "部队", "乐队", "车队", "球队", "排队", "团队合作", "集团", "团结", "团体", "团聚",
        "剧团", "旅游团", "社团", "代表团", "兵团", "军团", "社会团体", "退休", "退伍",
        "退役", "退学", "退货", "退步", "退款", "退还", "后退", "倒退", "退职", "退下",
        "党中央", "党委", "党支部", "党校", "党政", "党报", "党魁", "党媒", "党文化", "政党",
        "党和国家", "多党", "反党", "党徒", "党羽", "死党", "党性", "党章", "党史",
        "中国人", "中华民族", "中华人民共和国", "孙中山", "中山装",
        "共和国", "人民共和国", "团长", "连队", "大队", "中队", "小队", "生产队", "插队",
        "队伍", "队长", "车队", "消防队", "不是说", "是否", "是的", "就是", "还是", "也是",
        "都是", "只是", "而是", "于是", "总是", "可是", "但是", "要是", "凡是", "若是",
        "天灭中共", "天灭中共邪党", "天灭中共恶党", "天灭共匪", "天灭共产党", "天灭中共邪教",
        "看到三退", "听说三退", "知道三退", "了解三退", "三退网站", "三退中心", "三退服务中心",
        "三退大潮", "三退网", "heaven will eliminate the ccp", "heaven eliminates the ccp",
        "不论", "不管", "没想到", "没办法", "未来", "不退党", "暂不退党", "不退团", "不退队",
        "东方", "东方红", "西方",
        # the party leaving the stage (中共即将退出历史舞台), not anyone's withdrawal
        "退出历史舞台", "退出舞台", "退出世界", "退出群聊", "退出微信群",
        "partying", "third party", "league of", "not only", "cannot", "notice",
        "party newspaper", "party newspapers", "party paper", "party papers",
        "nothing", "note", "party line", "one-party", "communist china",
        "在此", "在这里", "在内", "正在", "存在", "在于", "在线", "实在", "自在",
        "所在", "在乎", "好在", "不在", "在一起", "在校", "在职", "在任",
        "所在地", "leftist", "from now on",
        # the mark of the beast erased: 抹去 governs 兽印, not an organization after it
        "抹去兽印", "抹去兽的印记", "抹去兽记", "抹去邪恶的兽记", "抹去邪恶的兽印",
        "抹去邪恶的印记", "抹去红魔印记", "抹去印记", "抹掉兽印", "抹掉兽的印记", "抹掉兽记",
        # the movement or the service named, not a withdrawal (issue 13)
        "支持三退", "支持退党", "赞成三退", "拥护三退", "支持大家三退", "三退保平安",
        "退党服务中心", "全球退党服务中心", "退党网站", "退党中心",
        "tuidang site", "tuidang website", "tuidang center", "tuidang centre",
        "tuidang service", "tuidang movement", "tuidang.org", "tuidang.epochtimes",
        "tuidang网站", "tuidang网", "tuidang中心", "tuidang服务中心", "tuidang平台",
    )
]  # fmt: skip


def heads(starts: tuple[str, ...], rest: str) -> tuple[str, ...]:
    """``(?:h1|h2…)rest`` as the alternatives ``h1rest``, ``h2rest``…: when every alternative of
    a pattern starts with a character, the regular-expression engine skips ahead to the
    characters that can start a match (a search several times faster on a long text); the same
    matches."""
    return tuple(start + rest for start in starts)
