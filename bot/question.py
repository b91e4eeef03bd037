"""What a question asks for, read by rules: years, region, intent, language, follow-up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_FULL_WIDTH = str.maketrans("０１２３４５６７８９：", "0123456789:")
_CN_YEAR = {"二二": "2022", "二三": "2023", "二四": "2024", "二五": "2025", "二六": "2026"}

NUMBER_WORDS = (
    "多少",
    "几",
    "什么时候",
    "何时",
    "哪天",
    "时间",
    "日期",
    "截止",
    "比例",
    "多久",
    "数量",
    "规模",
)
DATE_WORDS = ("什么时候", "何时", "哪天", "日期", "截止", "几月", "几号", "时间")
LIST_WORDS = ("哪些", "有什么", "包括", "哪几", "什么活动", "什么项目", "措施", "内容")
PLACE_WORDS = ("哪里", "在哪儿", "在哪个", "在哪举", "在哪开", "地点", "主会场", "分会场", "哪个城市")
COMPARE_WORDS = ("对比", "比较", "区别", "不同", "变化", "相比", "异同", "差别", "一样", "各有", "分别")
FOLLOW_UP = re.compile(r"^(那|那么|还有|另外|再问|同样|这个|它|他们|该)|呢[？?]?$|^(and|what about|how about)\b", re.I)
PROVINCES = (
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
)


PROVINCES_EN = {
    "beijing": "北京", "tianjin": "天津", "shanghai": "上海", "chongqing": "重庆", "hebei": "河北", "shanxi": "山西",
    "liaoning": "辽宁", "jilin": "吉林", "heilongjiang": "黑龙江", "jiangsu": "江苏", "zhejiang": "浙江",
    "anhui": "安徽", "fujian": "福建", "jiangxi": "江西", "shandong": "山东", "henan": "河南", "hubei": "湖北",
    "hunan": "湖南", "guangdong": "广东", "hainan": "海南", "sichuan": "四川", "guizhou": "贵州", "yunnan": "云南",
    "shaanxi": "陕西", "gansu": "甘肃", "qinghai": "青海", "inner mongolia": "内蒙古", "guangxi": "广西",
    "tibet": "西藏", "ningxia": "宁夏", "xinjiang": "新疆", "hong kong": "香港", "macau": "澳门", "taiwan": "台湾",
}  # fmt: skip

EN_GLOSSARY = {
    "special post": "特岗计划",
    "three supports": "三支一扶",
    "western": "西部计划",
    "guizhou": "贵州",
    "promotion week": "就业促进周",
    "100-day": "百日冲刺",
    "hundred-day": "百日冲刺",
    "sprint": "百日冲刺",
    "ratio": "比例",
    "staff": "就业工作人员",
    "enlist": "征兵入伍",
    "military": "征兵入伍",
    "army": "征兵入伍",
    "master": "硕士研究生",
    "postgraduate": "硕士研究生",
    "spring": "春季攻坚行动",
    "career": "就业指导",
    "recruit": "招聘",
    "when": "时间",
    "how many": "多少",
    "theme": "主题",
    "venue": "会场",
    "start a business": "创业",
    "entrepreneur": "创业",
    "internship": "实习",
    "discrimination": "歧视",
    "poor famil": "困难群体帮扶",
    "disab": "残疾",
    "platform": "平台",
    "24365": "24365",
    "deadline": "前完成",
    "vocational": "高职",
    "secretar": "书记校长",
    "visit": "走访",
    "employer": "用人单位",
    "research assistant": "科研助理",
    "order class": "订单班",
    "main venue": "主会场",
    "email": "电子信箱",
    "e-mail": "电子信箱",
    "contact": "联系人",
    "phone": "电话",
    "graduates": "毕业生",
    "vacation": "寒暑假",
    "winter": "寒暑假",
    "summer": "寒暑假",
    "issued": "印发",
    "guidance": "就业指导",
    "course": "课程",
}


def expand_english(text: str) -> str:
    """Add the Chinese terms an English question's keywords stand for (for lexical search)."""
    lower = text.lower()
    return " ".join([text, *[cn for en, cn in EN_GLOSSARY.items() if en in lower]])


def lexical_form(text: str, info: QuestionInfo) -> str:
    """The question as matched against clause text: an English one with the Chinese terms it stands for."""
    return expand_english(text) if info.english else text


def normalize(text: str) -> str:
    """Map full-width digits and colons to ASCII and drop whitespace."""
    return re.sub(r"\s+", "", text.translate(_FULL_WIDTH))


@dataclass
class QuestionInfo:
    """Rule-based reading of a question."""

    text: str
    years: list[int] = field(default_factory=list)
    cohorts: list[int] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    english: bool = False
    wants_number: bool = False
    wants_date: bool = False
    wants_list: bool = False
    wants_place: bool = False
    compare: bool = False
    follow_up: bool = False


def read_question(text: str) -> QuestionInfo:
    """Read a question's years, cohorts, provinces and intent."""
    flat = normalize(text)
    for cn, year in _CN_YEAR.items():
        flat = flat.replace(f"{cn}届", f"{year}届").replace(f"{cn}年", f"{year}年")
    cohorts = [int(y) for y in re.findall(r"(20\d\d)届", flat)]
    cohorts += [int("20" + y) for y in re.findall(r"(?<!\d)(\d\d)届", flat)]
    cohorts += [int(y) for y in re.findall(r"(?:class of|graduates of) (20\d\d)", text.lower())]
    years = [int(y) for y in re.findall(r"(20\d\d)", flat)]
    letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    english = letters > 3 * max(cjk, 1) and letters >= 6
    lower = text.lower()
    return QuestionInfo(
        text=text,
        years=sorted(set(years)),
        cohorts=sorted(set(cohorts)),
        provinces=list(
            dict.fromkeys(
                [p for p in PROVINCES if p in flat]
                + (["贵州"] if "黔" in flat else [])
                + [cn for en, cn in PROVINCES_EN.items() if re.search(rf"\b{en}\b", lower)]
            )
        ),
        english=english,
        wants_number=any(w in flat for w in NUMBER_WORDS)
        or bool(re.search(r"\b(how many|how much|when|what date|deadline|ratio)\b", lower)),
        wants_date=any(w in flat for w in DATE_WORDS) or bool(re.search(r"\b(when|what date|deadline)\b", lower)),
        wants_list=any(w in flat for w in LIST_WORDS) or bool(re.search(r"\b(which|what are|list)\b", lower)),
        wants_place=any(w in flat for w in PLACE_WORDS) or bool(re.search(r"\bwhere\b", lower)),
        compare=(any(w in flat for w in COMPARE_WORDS) and len(set(years)) + len(set(cohorts)) >= 1)
        or len(set(years) | set(cohorts)) >= 2
        or bool(re.search(r"\b(compare|difference|differ)\b", lower)),
        follow_up=bool(FOLLOW_UP.search(text.strip())) or len(flat) <= 6,
    )
