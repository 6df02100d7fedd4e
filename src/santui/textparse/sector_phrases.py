"""Phrases that name a declarant's sector, by key of santui.textparse.sectors.SECTORS.

Simplified Chinese (Traditional text is converted first) or lower-case English; matched in the
compact text by the parser's automaton, leftmost-longest, so 退休教师 is one phrase and 教师
inside it is not read again. A phrase mapped to None hides the shorter phrases inside it (学生时代
is a time, not an occupation). The table is documented in docs/textparse.md.

When a text names several sectors, the parser keeps the one with the highest PRIORITY (the more
specific organ over the general one: 公安局 over 政府, 纪委 over 党委), then the first.
"""

from __future__ import annotations

SECTOR_PHRASES: dict[str, tuple[str, ...]] = {
    "government": (
        "村委会主任", "村委会", "村委", "村官", "大学生村官", "人大机关", "县人大常委会",
        "市人大常委会", "省人大常委会", "乡镇府", "乡镇政府", "在乡镇", "tax bureau",
        "township government", "county government", "city government", "government agency",
        "government office", "city management",
        "公务员", "政府官员", "官员", "干部", "政府机关", "机关干部", "政府部门", "机关单位",
        "党委", "省委", "市委", "县委", "区委", "乡镇干部", "镇干部", "乡干部", "村干部",
        "村支书", "党支部书记", "支部书记", "村主任", "村长", "乡长", "镇长", "县长", "市长",
        "省长", "局长", "处长", "科长", "副科长", "厅长", "副县长", "副市长", "区长",
        "政府工作", "在政府", "政府部门工作", "街道办", "居委会", "税务局", "税务",
        "工商局", "财政局", "民政局", "教育局", "卫生局", "统计局", "计生委", "计生办",
        "610办公室", "六一零办公室", "政法委", "组织部", "宣传部", "统战部", "团委",
        "公务员队伍", "国家机关", "行政机关", "机关工作", "科员", "办事员", "党委书记", "县委书记",
        "市委书记", "省委书记", "海关", "外交官", "外交部",
        "大使馆", "领事馆", "乡政府", "镇政府", "县政府", "市政府", "省政府",
        "government official", "civil servant", "government employee",
        "party secretary", "cadre", "diplomat", ),
    "police": (
        "公安", "警察", "民警", "派出所", "公安局", "公安厅", "国保", "国保大队", "网警",
        "交警", "刑警", "特警", "狱警", "监狱", "劳教所", "看守所", "辅警", "协警", "片警",
        "警官", "公安系统", "公安部", "派出所所长", "户籍警", "巡警",
        "police", "policeman", "policewoman", "police officer", "cop", "public security",
        "prison guard",
    ),
    "discipline_inspection": (
        "纪委", "纪检", "纪检委", "纪律检查委员会", "中纪委", "监察委", "监委", "纪检监察",
        "纪委书记", "纪检干部", "监察局", "discipline inspection", "disciplinary commission",
        "discipline commission",
    ),
    "congress_deputy": (
        "人大代表", "人民代表", "全国人大代表", "省人大代表", "市人大代表", "县人大代表",
        "政协委员", "政协", "deputy to the people's congress", "people's congress",
        "npc deputy", "congress deputy", "cppcc",
    ),
    "judiciary": (
        "法院", "法官", "检察院", "检察官", "法庭", "司法局", "审判员", "书记员",
        "人民法院", "检察", "公诉人", "法警", "司法系统", "judge",
        "procuratorate", "prosecutor", ),
    "state_security": (
        "国安", "国安局", "国家安全局", "国家安全部", "安全部", "国安部", "国安人员",
        "state security", "ministry of state security", "mss",
    ),
    "central_organs": (
        "国务院", "中南海", "人大常委", "人大常委会", "全国人大常委会", "中央办公厅", "中办",
        "国办", "中央机关", "中央部委", "部委", "中央委员", "中央候补委员", "政治局",
        "state council", "zhongnanhai", "standing committee", "central committee",
        "politburo",
    ),
    "military": ("武警", "武警战士", "armed police", "people's armed police",
        "军人", "部队", "解放军", "军官", "士兵", "当兵", "参军", "服役", "军队", "军区", "海军",
        "空军", "陆军", "火箭军", "军医", "现役",
        "战士", "连长", "排长", "营长", "团长", "师长", "军长", "入伍", "军校",
        "army", "soldier", "military", "pla", "navy", "air force",
        "officer in the",
    ),
    "education": (
        "教师", "老师", "教授", "校长", "教员", "讲师", "副教授", "大学老师", "中学老师",
        "小学老师", "中学教师", "小学教师", "大学教师", "幼儿园老师", "教书", "任教", "教育工作者",
        "班主任", "辅导员", "教育局", "学校工作", "teacher", "professor", "lecturer",
        "principal", "teaching", "educator",
    ),
    "student": (
        "我和同学", "我们班", "我们宿舍", "交流学习", "交换学习",
        "念初中", "念高中", "念大学", "念小学", "上初中", "上高中",
        "上大学", "上小学", "读初中", "读高中", "读大学", "读小学", "读书", "读研", "读博", "留学",
        "交换生", "中专生", "技校生", "大专生", "xue sheng", "xuesheng", "study at",
        "学生", "大学生", "中学生", "小学生", "研究生", "博士生", "硕士生", "高中生", "初中生",
        "留学生", "在校生", "在读", "大一", "大二", "大三", "大四", "高一", "高二", "高三",
        "初一", "初二", "初三", "student", "pupil", "undergraduate", "graduate student",
        "phd student", "college student", "high school student",
    ),
    "health": (
        "医生", "护士", "医务", "医务人员", "大夫", "医师", "卫生院", "医院工作", "在医院",
        "卫生局", "药剂师", "护士长", "doctor", "nurse", "physician",
        "surgeon", "pharmacist",
    ),
    "media": ("television station", "tv station", "radio station",
        "记者", "编辑", "电视台", "报社", "主持人", "播音员", "新华社",
        "人民日报", "央视", "电台", "出版社", "journalist", "reporter", "editor", "broadcaster",
    ),
    "state_enterprise": (
        "国企", "国有企业", "央企", "国营", "国营企业", "中石油", "中石化", "中国石油",
        "中国石化", "国家电网", "电力公司", "供电局", "铁路局", "铁路", "中国移动", "中国联通",
        "中国电信", "烟草局", "国有银行", "工商银行", "农业银行", "中国银行", "建设银行",
        "邮政", "油田", "煤矿", "矿务局", "钢铁厂", "国企职工", "国企员工", "国企干部",
        "state-owned", "state owned", "state enterprise", "soe",
    ),
    "business": (
        "卖菜", "卖菜的", "摆地摊", "小商贩", "商贩", "卖水果", "做生意的", "开厂", "开饭馆",
        "开了个", "small shop", "own a", "shop", "private company", "private enterprise",
        "老板", "商人", "个体户", "个体", "经商", "做生意", "生意人", "企业家", "私企", "民企",
        "私营企业", "公司老板", "开公司", "开店", "店主", "总经理", "董事长", "公司职员",
        "白领", "businessman", "businesswoman", "business owner",
        "entrepreneur", "shop owner", "manager", "merchant", "self-employed", "businessperson", ),
    "farmer": (
        "农民", "务农", "种地", "种田", "农夫", "农村人", "农民朋友", "农户", "养殖户",
        "果农", "菜农", "牧民", "渔民", "farmer", "peasant", "villager", "herdsman",
        "fisherman",
    ),
    "worker": ("清洁工", "环卫工", "保洁", "煤矿工人", "钢铁工人", "工地", "在工厂", "cleaner",
        "工人", "打工者", "农民工", "职工", "工厂", "下岗工人", "下岗", "民工",
        "建筑工", "电工", "焊工", "工人阶级", "技术工人", "车间", "矿工", "worker",
        "factory", "laborer", "labourer", "migrant worker", ),
    "retired": ("退休职工",
        "退休", "离休", "离退休", "退休人员",
        "退休老人", "retired", "retiree", "pensioner", "retirement",
    ),
    "other": (
        "律师", "律师事务所", "司机", "出租车司机", "货车司机", "会计", "快递员", "外卖骑手",
        "外卖员",
        "收银员", "服务员", "cashier", "lawyer", "attorney", "driver", "taxi driver",
        "accountant", "courier", "waiter",
        "无业", "失业", "家庭主妇", "待业", "自由职业", "艺术家", "演员", "作家", "画家",
        "厨师", "保安", "保姆", "宗教", "和尚", "牧师", "运动员", "工程师", "程序员", "设计师",
        "housewife", "unemployed", "artist", "writer", "engineer", "programmer", "freelancer",
    ),
}  # fmt: skip

# Phrases that name a sector weakly: a past one (退伍军人: now maybe a worker) or a vague one
# (打工). They count only when nothing else is named.
WEAK_PHRASES: dict[str, str] = {
    "退伍": "military", "退伍军人": "military", "转业": "military", "转业军人": "military",
    "复员": "military", "复员军人": "military", "退役军人": "military", "打工": "worker",
    "打工的": "worker", "veteran": "military",
}  # fmt: skip

# Phrases that contain a sector phrase but do not name the declarant's sector.
NOT_SECTOR: tuple[str, ...] = (
    "被城管", "老师让", "老师说", "老师要求", "被老师", "班主任说", "班主任让", "班主任要求",
    "老师点名", "老师告诉", "村民代表",
    "学生时代", "学生时", "当学生时", "上学时", "读书时", "上学的时候", "学生的时候", "学校里",
    "在学校", "新闻网", "新闻媒体报道", "媒体报道", "政府的", "中共政府", "共产党政府", "中共官员",
    "党的官员", "中共干部", "as a student", "when i was a student", "in school", "student days",
    "at school", "the government", "chinese government", "ccp officials", "communist officials",
    "party officials", "media reports", "state media", "official media", "officially",
)  # fmt: skip

# Higher wins when a text names several sectors; equal: the first one in the text.
PRIORITY: dict[str, int] = {
    "central_organs": 90,
    "state_security": 85,
    "discipline_inspection": 85,
    "congress_deputy": 80,
    "judiciary": 70,
    "police": 70,
    "military": 65,
    "government": 60,
    "media": 50,
    "health": 50,
    "education": 50,
    "state_enterprise": 45,
    "business": 40,
    "student": 40,
    "farmer": 35,
    "worker": 30,
    "retired": 20,
    "other": 10,
}
