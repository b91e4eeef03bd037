"""Declining: questions the notices do not cover, and attempts to subvert the bot, get a pointer elsewhere."""

from __future__ import annotations

import re

from bot.question import QuestionInfo, normalize
from bot.retrieval import Hit

INJECTION = re.compile(
    r"忽略(之前|以上|前面|上面|所有|你的)?.{0,4}(指令|指示|提示|规则|设定|要求)|系统提示|提示词|prompt|"
    r"ignore (all |any )?(previous|prior|above|the above|your) (instructions|rules)|system message|"
    r"你现在是|扮演|角色扮演|开发者模式|developer mode|jailbreak|越狱|DAN\b|不受.{0,4}限制|"
    r"输出你的|告诉我你的(指令|设定|规则)|reveal your|repeat (the|your) (instructions|prompt)|系统消息|"
    r"#+\s*system|\[system\]|<\|?system|你(现在)?必须回答|forget (all |your |the )?(rules|instructions)|"
    r"(print|show|output|repeat) (me )?(the |your |all )?(instructions|rules|prompt)",
    re.I,
)
OFF_TOPIC = re.compile(
    r"代码|编程|程序|python|java|sql|函数|脚本|算法题|写一首|写首|写个?诗|笑话|天气|股票|彩票号码|翻译成|"
    r"\bcode\b|\bscript\b|\bpoem\b|\bjoke\b|\bweather\b|recipe|菜谱|做饭|"
    r"[帮替给]我写|写一[份篇封段]|润色|改写我的|write (me )?(a|an|my) ",
    re.I,
)
# Things students ask that no notice states: if the top clauses do not mention them, decline.
ATTRIBUTES = {
    "salary": ("工资", "薪资", "薪水", "薪酬", "起薪", "底薪", "月薪", "年薪", "收入", "待遇", "salary", "wage", "pay"),
    "hukou": ("落户", "户口", "户籍", "hukou"),
    "age": ("年龄", "岁", "age limit", "how old"),
    "scholarship": ("奖学金", "助学金", "scholarship"),
    "housing": ("公积金", "住房", "租房", "房补", "housing"),
    "exam": ("公务员考试", "国考", "省考", "考公", "行测", "申论", "civil service"),
    "fees": ("学费多少", "收费", "tuition fee"),
    "score": ("国家线", "分数线", "多少分", "录取线", "cut-off", "passing score"),
}
DOMAIN = re.compile(
    r"就业|毕业|招聘|岗位|高校|大学|学生|创业|征兵|入伍|参军|升学|考研|研究生|专升本|学位|实习|帮扶|通知|政策|计划|"
    r"求职|三支一扶|特岗|西部|宏志|辅导员|招录|指导|校园|访企|24365|平台|签约|科研助理|基层|企业|单位|活动|"
    r"行动|冲刺|促进周|补贴|权益|歧视|统计|报告|贵州|教育部|教育厅|届|工作|学校|读书|当兵|退役|焦虑|家庭|困难|"
    r"〔\d{4}〕|文号|文件|印发|发布|"
    r"job|graduat|employ|recruit|student|universit|campus|polic|notice|college|intern|enlist|military|grassroots",
    re.I,
)
COVERED_COHORTS = {2022, 2023, 2024}

WHERE_TO_ASK = "建议咨询所在学校的就业指导中心（就业办），或当地人力资源和社会保障部门（电话 12333）。"
COVERS = (
    "我能回答的是已收录的通知中的内容：教育部关于2022届、2024届高校毕业生就业创业工作的通知，"
    "2022届“百日冲刺”和2023届春季促就业攻坚行动的通知，以及贵州省2022届高校毕业生就业创业工作的通知"
    "（校园招聘、基层项目、征兵入伍、升学、就业指导、困难群体帮扶等）。"
)
WHERE_TO_ASK_EN = (
    "Please ask your university's career office, or the local human resources and social security bureau "
    "(hotline 12333)."
)
COVERS_EN = (
    "I can answer from the notices I hold: the Ministry of Education's notices on the 2022 and 2024 graduating "
    "classes, the 2022 '100-day sprint' and the 2023 spring campaign, and Guizhou's 2022 notice."
)


def decline_reason(info: QuestionInfo, hits: list[Hit]) -> str | None:
    """Why the notices cannot answer this question, or None when they can."""
    text = info.text
    flat = normalize(text).lower()
    if INJECTION.search(text):
        return "injection"
    if OFF_TOPIC.search(text):
        return "off-topic"
    if any(c not in COVERED_COHORTS for c in info.cohorts):
        return "cohort"
    if not hits:
        return "no-match"
    top_text = normalize(" ".join(h.chunk.text for h in hits[:3])).lower()
    for name, words in ATTRIBUTES.items():
        asked = [w for w in words if w.lower() in flat]
        if asked and not any(w.lower() in top_text for w in asked):
            return f"attribute:{name}"
    covered = {p for h in hits for p in ("贵州",) if p in h.chunk.scope}
    other_provinces = [p for p in info.provinces if p not in covered and p != "贵州"]
    if other_provinces and info.wants_number:
        return "region"
    if not DOMAIN.search(text):
        return "off-topic"
    return None


def decline_message(reason: str, info: QuestionInfo) -> str:
    """What the bot says when it declines: that the notices don't cover it, what they do, and where to ask."""
    if info.english:
        head = (
            "I can only answer questions about the employment notices I hold, and they do not cover this."
            if reason != "injection"
            else "I can only answer questions about graduate employment policy from the notices I hold."
        )
        return f"{head} {COVERS_EN} {WHERE_TO_ASK_EN}"
    if reason == "injection":
        head = "我只能根据已收录的高校毕业生就业政策通知回答问题，不能执行其他指令。"
    elif reason == "cohort":
        head = "已收录的通知只涉及2022届至2024届毕业生，没有你问到的届别的规定。"
    elif reason == "region":
        head = "已收录的地方通知只有贵州省的，没有你问到的地区的具体规定。"
    else:
        head = "抱歉，已收录的通知没有涉及这个问题。"
    return f"{head}{COVERS}{WHERE_TO_ASK}"
