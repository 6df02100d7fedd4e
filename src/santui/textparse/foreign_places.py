"""Cities and areas outside the mainland that statements name, by ISO 3166-1 alpha-2 code.

Countries themselves come from regions.place_names() (CLDR names); this table adds the cities
overseas Chinese write instead of, or next to, the country (多伦多, 悉尼, Flushing), and the
cities and districts of Taiwan, Hong Kong and Macau. Simplified Chinese or lower-case English.
"""

from __future__ import annotations

FOREIGN_PLACES: dict[str, tuple[str, ...]] = {
    "US": (
        "纽约", "法拉盛", "曼哈顿", "布鲁克林", "皇后区", "洛杉矶", "旧金山", "三藩市", "圣地亚哥",
        "芝加哥", "波士顿", "西雅图", "休斯顿", "达拉斯", "华盛顿", "费城", "亚特兰大", "迈阿密",
        "拉斯维加斯", "硅谷", "圣何塞", "夏威夷", "檀香山", "新泽西", "加州", "德州", "纽约州",
        "new york", "flushing", "manhattan", "brooklyn", "los angeles", "san francisco",
        "san diego", "chicago", "boston", "seattle", "houston", "dallas", "washington",
        "philadelphia", "atlanta", "miami", "las vegas", "silicon valley", "san jose", "hawaii",
        "honolulu", "new jersey", "california", "texas", "u.s.a", "the u.s.", "the us",
        "佛州", "佛罗里达", "美东", "美西", "马里兰", "维州", "弗吉尼亚", "麻州", "麻省", "宾州",
        "伊利诺伊", "密歇根", "俄亥俄", "亚利桑那", "科罗拉多", "内华达", "俄勒冈", "北卡",
        "florida", "maryland", "virginia", "massachusetts", "pennsylvania", "illinois",
        "michigan", "ohio", "arizona", "colorado", "nevada", "oregon", "north carolina",
    ),
    "CA": (
        "多伦多", "温哥华", "蒙特利尔", "渥太华", "卡尔加里", "埃德蒙顿", "列治文", "本拿比",
        "toronto", "vancouver", "montreal", "ottawa", "calgary", "edmonton", "burnaby", "markham",
        "安大略", "卑诗", "不列颠哥伦比亚", "阿尔伯塔", "魁北克", "密西沙加", "温尼伯", "ontario",
        "british columbia", "alberta", "quebec", "mississauga", "winnipeg",
    ),
    "AU": (
        "悉尼", "雪梨", "墨尔本", "布里斯班", "珀斯", "阿德莱德", "堪培拉", "sydney",
        "melbourne", "brisbane", "perth", "adelaide", "canberra",
        "新南威尔士", "昆士兰", "塔斯马尼亚", "new south wales", "queensland", "tasmania",
    ),
    "NZ": ("奥克兰", "惠灵顿", "基督城", "auckland", "wellington", "christchurch"),
    "GB": (
        "伦敦", "曼彻斯特", "伯明翰", "爱丁堡", "格拉斯哥", "利物浦", "london", "manchester",
        "birmingham", "edinburgh", "glasgow", "liverpool",
        "苏格兰", "英格兰", "威尔士", "北爱尔兰", "scotland", "england", "wales",
    ),
    # 都柏林 before 柏林 (leftmost-longest): Dublin, not Berlin
    "IE": ("都柏林", "dublin"),
    "CZ": ("布拉格", "prague"),
    "PL": ("华沙", "warsaw"),
    "HU": ("布达佩斯", "budapest"),
    "GR": ("雅典", "athens"),
    "PT": ("里斯本", "lisbon"),
    "BE": ("布鲁塞尔", "brussels"),
    "DK": ("哥本哈根", "copenhagen"),
    "NO": ("奥斯陆", "oslo"),
    "FI": ("赫尔辛基", "helsinki"),
    "UA": ("基辅", "kyiv", "kiev"),
    "KH": ("金边", "phnom penh"),
    "MM": ("仰光", "yangon"),
    "MN": ("乌兰巴托", "ulaanbaatar"),
    "MX": ("墨西哥城", "mexico city"),
    "FR": ("巴黎", "马赛", "里昂", "paris", "marseille", "lyon"),
    "DE": (
        "柏林", "慕尼黑", "法兰克福", "科隆", "berlin", "munich", "frankfurt", "hamburg",
        "cologne",
    ),
    "IT": ("罗马", "米兰", "rome", "milan"),
    "ES": ("马德里", "巴塞罗那", "madrid", "barcelona"),
    "NL": ("阿姆斯特丹", "鹿特丹", "amsterdam", "rotterdam"),
    "SE": ("斯德哥尔摩", "stockholm"),
    "CH": ("苏黎世", "日内瓦", "zurich", "geneva"),
    "AT": ("维也纳", "vienna"),
    "JP": ("东京", "大阪", "京都", "横滨", "名古屋", "tokyo", "osaka", "kyoto", "yokohama"),
    "KR": ("首尔", "汉城", "釜山", "seoul", "busan"),
    "SG": ("狮城", "singapore"),
    "MY": ("吉隆坡", "槟城", "kuala lumpur", "penang"),
    "TH": ("曼谷", "清迈", "bangkok", "chiang mai"),
    "VN": ("河内", "胡志明市", "hanoi", "ho chi minh city", "saigon"),
    "PH": ("马尼拉", "manila"),
    "ID": ("雅加达", "jakarta"),
    "IN": ("新德里", "孟买", "new delhi", "mumbai"),
    "TR": ("伊斯坦布尔", "安卡拉", "istanbul", "ankara"),
    "RU": ("莫斯科", "圣彼得堡", "moscow", "saint petersburg"),
    "AE": ("迪拜", "dubai"),
    "IL": ("耶路撒冷", "特拉维夫", "jerusalem", "tel aviv"),
    "BR": ("圣保罗", "里约", "sao paulo", "rio de janeiro"),
    "AR": ("布宜诺斯艾利斯", "buenos aires"),
    "ZA": ("约翰内斯堡", "开普敦", "johannesburg", "cape town"),
    "TW": (
        "台北", "新北", "台中", "台南", "高雄", "桃园", "新竹", "基隆", "嘉义", "花莲", "宜兰",
        "屏东", "台东", "彰化", "苗栗", "南投", "云林", "澎湖", "金门", "马祖", "台北市", "新北市",
        "台中市", "台南市", "高雄市", "桃园市", "taipei", "new taipei", "taichung", "tainan",
        "kaohsiung", "taoyuan", "hsinchu", "keelung", "chiayi", "hualien", "yilan", "pingtung",
        "formosa",
    ),
    "HK": (
        "九龙", "新界", "香港岛", "港岛", "铜锣湾", "旺角", "沙田", "荃湾", "尖沙咀", "中环",
        "元朗", "屯门", "将军澳", "观塘", "kowloon", "new territories", "hong kong island",
        "causeway bay", "mong kok", "sha tin", "tsuen wan", "tsim sha tsui", "hong konger",
        "hongkonger", "sham shui po",
    ),
    "MO": ("氹仔", "路环", "taipa", "coloane"),
}  # fmt: skip

# The one-character names of a country written after a verb of going or staying, as overseas
# Chinese write them (我来美多年, 大陆来美的移民, 本人留日): a place with its own location word.
# Only the verbs that leave no other reading (来日 is "days to come", 赴法 "to court").
GONE_TO: dict[str, tuple[str, ...]] = {
    "US": ("来美", "赴美", "旅美", "留美", "抵美", "移民美"),
    "CA": ("赴加", "旅加", "移民加"),
    "AU": ("赴澳", "旅澳", "留澳"),
    "GB": ("赴英", "旅英", "留英"),
    "JP": ("赴日", "旅日", "留日"),
    "DE": ("赴德", "旅德", "留德"),
    "FR": ("旅法", "留法"),
    "TW": ("来台", "赴台", "旅台"),
    "HK": ("来港", "赴港", "旅港"),
}  # fmt: skip
