"""Declining: questions the notices do not cover, and attempts to subvert the bot, get a pointer elsewhere.

What the notices cover (regions, cohorts, the notices themselves) comes from the corpus profile;
the words that read a question come from the lexicon.
"""

from __future__ import annotations

import re

from bot.caveats import missing_detail
from bot.injection import is_injection
from bot.lexicon import Lexicon, lexicon
from bot.profile import CorpusProfile, Region
from bot.question import QuestionInfo, normalize
from bot.relevance import question_topics, states, unstated_topic
from bot.retrieval import Hit

WHERE_TO_ASK = "建议咨询所在学校的就业指导中心（就业办），或当地人力资源和社会保障部门（电话 12333）。"
WHERE_TO_ASK_EN = (
    "Please ask your university's career office, or the local human resources and social security bureau "
    "(hotline 12333)."
)


def _any(words: list[str], flat: str) -> list[str]:
    """The words that occur in a (lower-cased, whitespace-free) text."""
    return [w for w in words if normalize(w).lower() in flat]


def uncovered_regions(info: QuestionInfo, profile: CorpusProfile) -> list[Region]:
    """The regions a question names that no notice is for (a city counts as covered by its province's notice)."""
    return [
        r for r in info.regions if not profile.has_region(r) and not (r.city and profile.has_region(Region(r.province)))
    ]


def decline_reason(
    info: QuestionInfo, hits: list[Hit], profile: CorpusProfile, words: Lexicon | None = None
) -> str | None:
    """Why the notices cannot answer this question, or None when they can."""
    words = words or lexicon()
    text = info.text
    flat = normalize(text).lower()
    if is_injection(text):
        return "injection"
    if _any(words.off_topic, flat) or any(re.search(pattern, flat) for pattern in words.advice):
        return "off-topic"
    if not hits:
        return "no-match"
    top_text = normalize(" ".join(h.chunk.text for h in hits[:3])).lower()
    programme = _names_programme(info, hits, words)
    for name, attribute_words in words.attributes.items():  # any word of the group counts (户口 and 户籍)
        if programme and name in words.programme_attributes:
            continue  # 三支一扶的工资: answered from the programme's clause, the salary said to be missing
        if _any(attribute_words, flat) and not _any(attribute_words, top_text):
            return f"attribute:{name}"
    # a figure for a place no notice is for, when the best clause is another place's or states none
    # a lexicon detail (学时, 网址) is as missing from the place's own notices: not a reason to decline
    top_has_none = not _applies(hits[0], profile) or missing_detail(info, hits[0].chunk.text, named=False)
    if uncovered_regions(info, profile) and info.wants_number and not info.compare and top_has_none:
        return "region"
    if (topic := unstated_topic(info, hits, words)) is not None:
        return f"topic:{topic}"
    if not (_any(words.domain, flat) or _mentions_corpus(flat, profile) or _shares_phrase(flat, top_text)):
        return "off-topic"
    return None


def _names_programme(info: QuestionInfo, hits: list[Hit], words: Lexicon) -> bool:
    """Whether the question names a programme the notices run (三支一扶, 特岗) and the best clause names it too."""
    return bool(hits) and any(t.programme and states(hits[0].chunk, t) for _, t in question_topics(info, words))


def _applies(hit: Hit, profile: CorpusProfile) -> bool:
    """Whether the best clause comes from a national notice (which applies everywhere)."""
    notice = profile.notices.get(hit.chunk.doc)
    return bool(notice and notice.region.national)


_YEARS = re.compile(r"(?:20)?\d\d\s*[年届级]|20\d\d")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _shares_phrase(flat: str, top_text: str) -> bool:
    """Whether the question quotes the notices: three characters in a row the top clauses have (一人一档, 1131服务).

    Digits count (a programme's number is its name) when a Chinese character is among the three; years do not.
    """
    kept = re.sub(r"[^\u4e00-\u9fff0-9]", " ", _YEARS.sub(" ", flat))
    bare = re.sub(r"[^\u4e00-\u9fff0-9]", "", top_text)  # “1131”服务 reads as 1131服务
    windows = (kept[i : i + 3] for i in range(len(kept) - 2))
    return any(w in bare for w in windows if " " not in w and _CJK.search(w))


def _mentions_corpus(flat: str, profile: CorpusProfile) -> bool:
    """Whether the question names something only the corpus knows: a region, issuer or doc number of a notice."""
    return any(name in flat for name in profile.names)


def decline_message(reason: str, info: QuestionInfo, profile: CorpusProfile) -> str:
    """What the bot says when it declines: that the notices don't cover it, what they do, and where to ask."""
    if info.english:
        head = (
            "I can only answer questions about the employment notices I hold, and they do not cover this."
            if reason != "injection"
            else "I can only answer questions about graduate employment policy from the notices I hold."
        )
        return f"{head} {profile.covers_en()} {WHERE_TO_ASK_EN}"
    if reason == "injection":
        head = "我只能根据已收录的高校毕业生就业政策通知回答问题，不能执行其他指令。"
    elif reason == "region":
        asked = "、".join(r.name for r in uncovered_regions(info, profile))
        head = f"已收录的通知中没有{asked}的，无法告诉你{asked}的具体数字。"
    elif reason.startswith("topic:"):
        head = f"已收录的通知中没有关于“{reason.removeprefix('topic:')}”的相关规定。"
    else:
        head = "抱歉，已收录的通知没有涉及这个问题。"
    return f"{head}{profile.covers()}{WHERE_TO_ASK}"
