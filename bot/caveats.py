"""Caveats: what a student must know before the quote, computed the same way in every answer mode.

- `detail_missing`: the question asks for a figure, amount, date, place or procedure the cited clause does not state;
- `year_mismatch`: the asked year or cohort is not the cited notice's;
- `region_mismatch`: the asked region has no notice (or the cited notice is for another region);
- `stale`: the question is about now and the newest cited notice is for an earlier class.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cache

from bot.answer import Caveat, Citation
from bot.figures import figures, unit_of
from bot.lexicon import Detail, lexicon
from bot.profile import CorpusProfile, NoticeInfo, Region
from bot.question import QuestionInfo, asks_as_before, normalize, read_question
from bot.retrieval import MATERIALS as _MATERIALS
from bot.retrieval import names_cohort

_YEAR = re.compile(r"20\d\d\s*[年届级]|[〔\[(（]20\d\d[〕\])）]")
_ASKS_DOC_NUMBER = re.compile(r"文号|发文字号")  # the doc number is in the citation, not in the clause's words
_DOC_YEAR = re.compile(r"[〔\[(（](20\d\d)[〕\])）]")
_FIGURE = re.compile(
    r"(?<![（(\d])\d+(?![\d.．、）)])|[一二两三四五六七八九十百千万]+(个|所|人|万|名|项|家|次|批|倍|季|月|日|期|轮|元|年)|比例|全部|所有|首届|首次|首批"
)
_DATE = re.compile(
    r"\d+\s*[月日号]|[上中下]旬|月底|年底|月初|年初|春季|秋季|春招|秋招|寒假|暑假|寒暑假|每年|全年|前完成|期间|同步|第一时间|立即"
)
_SOURCE_BITS = re.compile(  # [1], 黔教发〔2022〕5号, and a source tag （贵州省 2022届通知（…）二、6.）
    r"\[\d+\]|[\u4e00-\u9fff]{1,8}〔20\d\d〕\s*\d+\s*号|（[^（）]*通知[^（）]*(?:（[^（）]*）[^（）]*)*）"
)
_DURATION = re.compile(r"\d+\s*个?(工作日|天|日|周|星期|个月|月|年)内?")
# how long something takes (not 哪几个月, which asks months; not 多久一次, which asks how often)
_HOW_LONG = re.compile(r"多久(?!.{0,3}一次)|多长时间|how long", re.IGNORECASE)
_SPAN = re.compile(  # how long: a span (3个月, 三年) or at once (第一时间)
    r"[\d一二两三四五六七八九十]+\s*个?(工作日|天|周|星期|个月|年)|(?<![月\d])\d+\s*日|第一时间|立即|即时|当天|当日|同步"
)
_PHONE = re.compile(r"\d{3,4}\s*[-－—]\s*\d{7,8}|(?<!\d)(1\d{10}|12\d{3}|\d{8})(?!\d)")  # 010-…, mobile, 12333
_SPAN_IN = {  # a span of time in the unit asked: 15个工作日 is a number of days
    "天": re.compile(r"\d+\s*个?(工作日|天|日)"),
    "周": re.compile(r"\d+\s*(周|星期)"),
    "个月": re.compile(r"\d+\s*个?月"),
    "年": re.compile(r"\d+\s*年"),
    "分": re.compile(r"\d+\s*分(?!钟|之)"),  # points (加10分); not a figure unit, as 十分 means "very"
}
_ASKED_UNIT = re.compile(
    r"(?<![那这前后头])(?:多少|几)(个月|天|周|小时|岁|家|所|项|场|批|倍|元|块钱|钱|人|名|分(?!钟|之))"
)
_ASKED_ONLY = {"钱": "元", "分": "分"}  # units a question counts in that figures.py does not read
_DAY = re.compile(r"\d+\s*[日号]")
_HOUR = re.compile(r"\d+\s*[:：]\s*\d\d|\d+\s*[点时]")
_AMOUNT = re.compile(r"\d[\d,.]*\s*(万)?元|元/|元每|补贴标准|按.{0,10}标准")
_PLACE = re.compile(
    r"(在|于|到).{1,16}(设|举办|举行|办理|报名|申请|登录)|会场|网站|平台|网址|窗口|部门|银行|热线|机构|中心|地点|\w+[市省](?![、级场民委政])"
)
_PROCEDURE = re.compile(
    r"申请|办理|报名|登录|提交|填写|流程|程序|手续|审核|认定|登记|注册|材料|通过.{1,12}(平台|系统|网站)"
)


def asked_unit(question: str) -> str | None:
    """The unit a 多少/几 question counts in (多少天 → 天, 几个月 → 个月), if it names one."""
    found = _ASKED_UNIT.search(normalize(question))
    return (_ASKED_ONLY.get(found.group(1)) or unit_of(found.group(1))) if found else None


def states_unit(unit: str, text: str) -> bool:
    """Whether the text states a figure in that unit (a year such as 2025年 is not a number of years)."""
    span = _SPAN_IN.get(unit)
    if span is not None and span.search(_YEAR.sub(" ", text)):
        return True
    return any(f.unit == unit and not (unit == "年" and f.value >= 1900) for f in figures(normalize(text)))


def missing_detail(info: QuestionInfo, text: str, named: bool = True) -> str | None:
    """The kind of detail the question asks for that the clause text does not state, if any.

    How to apply is not asked of a clause that gives the figure asked for (补贴多少 怎么申请 is answered by the amount).
    `named=False` leaves out the lexicon's details (网址, 学时), which no notice may state.
    """
    lacking = [k for k in lacking_details(info, text, named) if k != "具体办理流程" or not info.wants_number]
    return lacking[0] if lacking else None


def own_words(info: QuestionInfo) -> str:
    """What a question asks in: a follow-up's own words (报名时间呢？), or the chat's if it asks as before (那…呢？)."""
    return info.own if info.own and _asks_itself(info.own) else info.text


@cache
def _asks_itself(follow_up: str) -> bool:
    """Whether a follow-up asks its own thing (报名时间呢？) rather than what the question before asked (那…呢？).

    Read once per follow-up: the sentence picking asks it of every candidate sentence.
    """
    return not (asks_as_before(follow_up) and not read_question(follow_up).asks_own())


def lacking_details(info: QuestionInfo, text: str, named: bool = True) -> list[str]:
    """Every kind of detail the question asks for that the text does not state: one it names (工资) first."""
    figures = _YEAR.sub(" ", text)  # 2023届, 〔2022〕 name a cohort or a document, not a figure
    if _ASKS_DOC_NUMBER.search(info.text):
        return []
    own = own_words(info)
    unit = asked_unit(own)
    asked = _asked_details(own)
    flat = normalize(text).lower()
    details = [d.name for d in asked if named and not any(re.search(p, flat) for p in d.state)]
    figure_asked = not asked  # 网址是多少 asks an address, not a figure
    event = undated_event(own, text) if info.wants_date or info.wants_day else None
    checks = [
        (event is not None, f"{event}时间"),
        (info.wants_date and not (_DATE.search(figures) or _DURATION.search(figures)), "具体时间"),
        (bool(_HOW_LONG.search(own)) and not _SPAN.search(figures), "具体时长"),
        (info.wants_day and not _DAY.search(figures), "具体日期"),
        (info.wants_phone and not _PHONE.search(text), "联系电话"),
        (info.wants_hour and not _HOUR.search(figures), "具体时刻"),
        (unit is not None and not states_unit(unit, text), "具体金额" if unit == "元" else "具体数字"),
        (info.wants_amount and not _AMOUNT.search(figures), "具体金额"),
        (figure_asked and info.wants_number and not info.wants_date and not _FIGURE.search(figures), "具体数字"),
        (info.wants_place and not _PLACE.search(text), "具体地点"),
        (info.wants_procedure and not _PROCEDURE.search(text), "具体办理流程"),
        (info.wants_materials and not _MATERIALS.search(text), "所需材料"),
    ]
    return list(dict.fromkeys([*details, *(kind for failed, kind in checks if failed)]))  # the one named first


_WHEN = re.compile(r"\d+\s*[月日号]|[上中下]旬|月底|月初|年底|年初|\d+\s*个?工作日")
_NEAR = 30  # how far (in characters, within one sentence) a date may stand from the step it dates
_SENTENCE = re.compile(r"[。；;\n]")


def undated_event(question: str, text: str) -> str | None:
    """A step the question asks the date of (面试, 体检) that the text gives no date for, if any.

    A date belongs to a step when it stands in the same sentence, near the step's name. A text that names the
    step with no date near it, or dates only other steps (笔试定于5月16日 for 面试是哪天), leaves it undated.
    """
    asked = _asked_events(question)
    if not asked:
        return None
    words = lexicon()
    body = normalize(text)
    sentences = _SENTENCE.split(body)
    others = any(words.says(e, body) for e in words.events if e not in asked)
    for event in asked:
        spots = [(s, m.start()) for s in sentences for m in re.finditer(event, s)]
        if any(abs(w.start() - i) <= _NEAR for s, i in spots for w in _WHEN.finditer(s)):
            continue
        if spots or others:
            return event
    return None


@cache
def _asked_events(question: str) -> tuple[str, ...]:
    """The steps (面试, 体检) a question names: read once per question, as for `_asked_details`."""
    words = lexicon()
    flat = normalize(question)
    return tuple(e for e in words.events if words.says(e, flat))


@cache
def _asked_details(own: str) -> tuple[Detail, ...]:
    """The lexicon's details (网址, 学时) a question's own words ask for.

    Read once per question: the sentence picking asks it of every candidate sentence.
    """
    asked = normalize(own).lower()
    return tuple(d for d in lexicon().details if any(normalize(w).lower() in asked for w in d.ask))


def answer_text(shown: str) -> str:
    """An answer's own words: without its citation markers, source tags' doc numbers and clause labels."""
    return _SOURCE_BITS.sub(" ", shown)


def unconfirmed_figures(info: QuestionInfo, cited_text: str) -> list[str]:
    """The figures a question asks to have confirmed (…10万元，请确认) that the cited clauses do not state."""
    if not info.confirm:
        return []
    claimed = [f for f in figures(info.text) if not (f.unit in ("年", "届", "级") and 2000 <= f.value <= 2100)]
    known = figures(cited_text)
    return list(dict.fromkeys(f.text for f in claimed if not any(f.matches(k) for k in known)))


def _year_mismatch(info: QuestionInfo, notice: NoticeInfo, profile: CorpusProfile, today: date) -> bool:
    """Whether the cited notice is not for the cohort or year the question names.

    A doc number's year, and years long before any notice (2010年以后新建的高校), name no cohort.
    """
    earliest = (profile.cohort_years or [today.year])[0] - 2
    years = {y for y in info.years if earliest <= y <= today.year + 1}
    years -= {int(y) for y in _DOC_YEAR.findall(info.text)}
    if info.cohorts:
        return notice.cohort_year not in info.cohorts
    if years:
        return notice.cohort_year not in years and notice.year not in years
    return False


def caveats_for(
    info: QuestionInfo,
    citations: list[Citation],
    texts: Mapping[tuple[str, str], str],
    profile: CorpusProfile,
    today: date,
    shown: str | None = None,
    follow_up: bool = False,
) -> list[Caveat]:
    """The caveats an answer citing these clauses must carry, in the order a reader needs them.

    `shown` is the answer's text: a detail the clause has but the answer leaves out is missing for the student.
    """
    cited = [profile.notices[c.doc] for c in citations if c.doc in profile.notices]
    if not cited:
        return []
    first = cited[0]
    out: list[Caveat] = []
    cited_text = "\n".join(texts.get((c.doc, c.clause), c.quote) for c in citations)
    claimed = unconfirmed_figures(info, cited_text)
    first_text = texts.get((citations[0].doc, citations[0].clause), citations[0].quote)
    detail = missing_detail(info, first_text if shown is None else answer_text(shown))
    if claimed:
        out.append(
            Caveat(kind="detail_missing", text=f"通知中没有“{'、'.join(claimed)}”这一说法，请以下面的条款原文为准。")
        )
    elif detail and not info.overview and not info.compare:
        out.append(Caveat(kind="detail_missing", text=f"所引通知没有写明你问的{detail}，以下是通知中最相关的规定。"))
    elif info.wants_number and not (
        info.regions or info.english or info.overview or follow_up or first.region.national
    ):
        where = first.region.label()
        out.append(
            Caveat(
                kind="detail_missing",
                text=f"你没有说地区：以下数字出自{where}的通知，只适用于{where}，其他地区请以当地通知为准。",
            )
        )
    if not info.compare and _year_mismatch(info, first, profile, today) and not names_cohort(first_text, info):
        asked = "、".join([f"{c}届" for c in info.cohorts] or [f"{y}年" for y in info.years])
        out.append(
            Caveat(
                kind="year_mismatch",
                text=f"已收录的通知中没有{asked}的相关规定，以下依据{first.tag()}（{first.issued[:10]}印发）。",
            )
        )
    for region in info.regions:
        if info.compare:
            break
        own = profile.has_region(region) or (region.city and profile.has_region(Region(region.province)))
        # the region has notices of its own, but the answer is the nation's: they do not say it
        national_instead = bool(own) and first.region.national and not region.national
        if not own or not first.region.contains(region) or national_instead:
            where = "全国性的通知" if first.region.national else f"{first.region.label()}的通知"
            head = f"以下依据{where}，不是{region.name}的通知"
            if not own:
                head = f"已收录的通知中没有{region.name}的，以下依据{where}"
            elif national_instead:  # 深圳: the notices are 广东's
                head = f"已收录的{Region(region.province).label()}通知没有写到这一点，以下依据{where}"
            out.append(Caveat(kind="region_mismatch", text=f"{head}，{region.name}的具体规定请咨询当地。"))
            break
    newest = max(cited, key=lambda n: (n.cohort_year, n.issued))
    later = max(info.cohorts, default=0) > max(profile.cohort_years, default=9999)  # a class after every notice
    ended = ended_on(cited_text, today) if info.now or later else None
    now_year = today.year + 1 if info.next_year else today.year  # 明年: this year's class is older than asked
    if (info.now and newest.cohort_year < now_year) or later or ended:
        over = f"所引条款写明执行至{ended}，已经到期；" if ended else ""
        asked = f"{max(info.cohorts)}届" if later else "现在"
        out.append(
            Caveat(
                kind="stale",
                text=(
                    f"你问的是{asked}的情况；{over}"
                    f"已收录的相关通知是{newest.tag()}（{newest.issued[:10]}印发），"
                    f"{asked if later else f'{today.year}年'}的最新政策请以学校和主管部门的最新通知为准。"
                ),
            )
        )
    return out


_ENDS = re.compile(r"(?:执行|有效|实施|政策)期?(?:限)?(?:为|截)?至\s*(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def ended_on(text: str, today: date) -> str | None:
    """The end date a clause gives its policy (执行期至2025年12月31日), when that day has passed."""
    for found in _ENDS.finditer(normalize(text)):
        year, month, day = (int(g) for g in found.groups())
        try:
            end = date(year, month, day)
        except ValueError:
            continue
        if end < today:
            return f"{year}年{month}月{day}日"
    return None
