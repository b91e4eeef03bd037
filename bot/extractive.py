"""Extractive answers: the sentences of the top clauses that answer the question, led by their source."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.answer import Answer, Citation
from bot.caveats import asked_unit, lacking_details, own_words, states_unit
from bot.chunks import Chunk
from bot.cleaning import split_sentences
from bot.profile import CorpusProfile
from bot.question import QuestionInfo, lexical_form, normalize
from bot.retrieval import DURATION, Hit, char_ngrams, cohort_year
from bot.state import Retrieved

_STOP = set("的了吗呢吧啊么是在有和与及或请问一下怎么什么哪些多少如何为啥要会能可以我们你")
ECHO_FLOOR = 0.3
SHORT_SIGN_OFF = 200
LEAD_AFTER = 60  # an answer longer than this leads with the fragment holding the asked detail
OVERVIEW_ITEMS = 4
LIST_ITEMS = 12  # an attachment with more items than this is a document of its own, not a list to quote
_DIGIT = re.compile(r"\d")
_FIGURE = re.compile(r"(?<![（(\d])\d+(?![\d.．、）)])")  # a number that is not a label such as 6. or （2）
_DATE = re.compile(r"\d+\s*[月日]|[上中下]旬|月底|年底|月初|年初")
_PLACE = re.compile(r"(在|于).{1,12}(设|举办|举行)|主会场|分会场|(?<![省市])[\u4e00-\u9fff]{2,3}(市|省)(?![场委政])")
_YEAR = re.compile(r"20\d\d\s*[年届]?")
_YEAR_ONLY = re.compile(r"[\s，,；;。年届]*")


def _keys(text: str) -> set[str]:
    """Content n-grams of a text, without stop characters."""
    return {g for g in char_ngrams(text) if not (len(g) == 1 and g in _STOP)}


def score_sentence(sentence: str, question: set[str], info: QuestionInfo, idf: Mapping[str, float]) -> float:
    """How well one sentence answers the question: shared n-grams weighted by rarity, per length."""
    keys = _keys(sentence)
    if not keys:
        return 0.0
    overlap = sum((2.0 if len(g) > 1 else 1.0) * idf.get(g, 1.0) for g in keys & question)
    score = overlap / (1.0 + 0.02 * len(sentence))
    bigrams = {g for g in keys if len(g) > 1}
    if bigrams:  # a sentence that only echoes the question (its heading, its name) holds no answer
        echo = sum(idf.get(g, 1.0) for g in bigrams & question) / sum(idf.get(g, 1.0) for g in bigrams)
        score *= ECHO_FLOOR + (1.0 - echo)
    if info.wants_date:
        dated = _DATE.search(sentence) or (info.wants_duration and DURATION.search(sentence))
        score *= 1.5 if dated else 0.6
    elif info.wants_number and _DIGIT.search(sentence):
        score *= 1.5
    if info.wants_place and _PLACE.search(sentence):
        score *= 1.5
    return score


def clause_sentences(chunk: Chunk) -> list[str]:
    """The sentences of a clause that can answer something: not the notice's own title or doc number lines."""
    sentences = [s for line in chunk.text.split("\n") for s in split_sentences(line)]
    own = normalize(chunk.title) + "|" + normalize(chunk.doc_number or "")
    kept = [s for s in sentences if normalize(s).rstrip("。") not in own]
    return kept or sentences


def evidence(chunk: Chunk, info: QuestionInfo, qkeys: set[str], idf: Mapping[str, float]) -> float:
    """How well the clause's best sentence answers the question (given as its content n-grams)."""
    return max((score_sentence(s, qkeys, info, idf) for s in clause_sentences(chunk)), default=0.0)


def rerank(hits: list[Hit], info: QuestionInfo, query: str, idf: Mapping[str, float], weight: float) -> list[Hit]:
    """Re-order the fused hits by adding the evidence of their best sentence, relative to the best hit's."""
    qkeys = _keys(lexical_form(query, info))
    scores = [evidence(h.chunk, info, qkeys, idf) for h in hits]
    top = max(scores, default=0.0)
    if top <= 0:
        return hits
    for hit, score in zip(hits, scores, strict=True):
        hit.score += weight * score / top
    return sorted(hits, key=lambda h: -h.score)


def focus(sentences: list[str], qkeys: set[str], idf: Mapping[str, float]) -> str | None:
    """The question's rarest word pair that some, not all, of a clause's sentences have (必修 in 是必修吗？)."""
    present = [g for g in qkeys if len(g) > 1 and any(g in s for s in sentences)]
    telling = [g for g in present if not all(g in s for s in sentences)]
    return max(telling, key=lambda g: (idf.get(g, 1.0), g), default=None)


def best_sentences(
    chunk: Chunk, info: QuestionInfo, query: str, limit: int = 2, idf: Mapping[str, float] | None = None
) -> list[str]:
    """The sentences of a clause that answer the question, in reading order."""
    sentences = clause_sentences(chunk)
    if len(sentences) <= 1 or (chunk.clause == "落款" and len(chunk.text) <= SHORT_SIGN_OFF):
        return sentences  # a short sign-off is read whole: contacts, issuer and date belong together
    qkeys = _keys(lexical_form(query, info))
    scored = sorted(((score_sentence(s, qkeys, info, idf or {}), i) for i, s in enumerate(sentences)), reverse=True)
    top_score, top = scored[0]
    picked = [top]
    if limit > 1 and len(scored) > 1:
        second_score, second = scored[1]
        if second_score >= 0.6 * top_score or (info.wants_list and second_score >= 0.4 * top_score):
            picked.append(second)
    if top == 0 and len(sentences) > 1 and len(sentences[0]) < 30 and 1 not in picked:
        picked.append(1)  # a heading alone says little: add the sentence after it
    rarest = focus(sentences, qkeys, idf or {})
    if limit > 1 and rarest and not any(rarest in sentences[i] for i in picked):
        picked.append(next(i for i, s in enumerate(sentences) if rarest in s))  # where the question's own word is
    for _ in range(2 if limit > 1 else 0):  # the detail asked (when, how much, how to apply) where the clause has it
        shown = "".join(sentences[i] for i in picked)
        lacking = _lacking(info, shown)
        states = (
            i
            for score, i in scored
            if i not in picked and score >= 0.15 * top_score and _lacking(info, shown + sentences[i]) != lacking
        )
        if not lacking or (fill := next(states, None)) is None:
            break
        picked.append(fill)
    # a figure whose sentence ends in ； goes on in the next part (…的70%；留用率达到50%以上的，提高至80%)
    figured = [i for i in picked if _has_figure(sentences[i]) and sentences[i].endswith(("；", ";"))]
    tiers = [i + 1 for i in figured if i + 1 < len(sentences) and i + 1 not in picked]
    picked += [i for i in tiers if _has_figure(sentences[i])]
    return [sentences[i] for i in sorted(picked)]


def _has_figure(sentence: str) -> bool:
    """Whether a sentence states a figure other than a year (2025年 dates, it does not count)."""
    return bool(_FIGURE.search(_YEAR.sub("", sentence)))


def _lacking(info: QuestionInfo, text: str) -> list[str]:
    """The details asked that the text lacks, but a place or a bare figure (any 部门 reads as a place, any number as
    a figure: a sentence with one need not state what was asked)."""
    return [kind for kind in lacking_details(info, text) if kind not in ("具体地点", "具体数字")]


def _scope_cn(chunk: Chunk) -> str:
    """Where a notice applies, in Chinese."""
    return "全国" if chunk.scope == "national" else chunk.scope


def source_line(chunk: Chunk, english: bool = False) -> str:
    """The lead naming the notice, its number, year, region and clause."""
    number = chunk.doc_number
    if english:
        where = "nationwide" if chunk.scope == "national" else chunk.scope
        ref = f"{number}; " if number else ""
        return (
            f"According to 《{chunk.title}》 ({ref}issued {chunk.issued[:10]} by {chunk.issuer}; "
            f"applies {where}; {chunk.cohort} graduates), clause {chunk.clause}:"
        )
    ref = f"{number}，" if number else ""
    return f"根据{chunk.issuer}《{chunk.title}》（{ref}{chunk.year}年印发，适用于{_scope_cn(chunk)}）{chunk.clause}："


def source_tag(chunk: Chunk, profile: CorpusProfile, english: bool = False) -> str:
    """A short source tag: 贵州省 2022届通知（黔教发〔2022〕5号）二、6."""
    notice = profile.notices.get(chunk.doc)
    if english:
        where = "national" if chunk.scope == "national" else chunk.scope
        ref = f", {chunk.doc_number}" if chunk.doc_number else ""
        return f"{where} notice for {chunk.cohort or chunk.year} graduates{ref}, clause {chunk.clause}"
    tag = notice.tag() if notice else f"{_scope_cn(chunk)} {chunk.cohort}通知"
    ref = f"（{chunk.doc_number}）" if chunk.doc_number else " "  # 全国 2022届通知 二、（八）
    return f"{tag}{ref}{chunk.clause}"


def lead_fragment(sentences: list[str], info: QuestionInfo, qkeys: set[str], idf: Mapping[str, float]) -> str | None:
    """The part of a long answer sentence that holds the asked figure, date or place, to say first."""
    if not (info.wants_number or info.wants_date or info.wants_place):
        return None
    body = "".join(sentences)
    if len(body) <= LEAD_AFTER:
        return None
    wanted = _DATE if info.wants_date else _PLACE if info.wants_place and not info.wants_number else _FIGURE
    unit = asked_unit(own_words(info)) or ("元" if info.wants_amount and not info.wants_date else None)
    pieces = [p for p in re.split(r"(?<=[，,；;。])", body) if p.strip()]
    scored = [
        (score_sentence(p, qkeys, info, idf), i)
        for i, p in enumerate(pieces)
        if (states_unit(unit, p) if unit else wanted.search(p))
        and not _YEAR_ONLY.fullmatch(_YEAR.sub("", p).strip("，,；;。 "))
    ]
    if not scored:
        return None
    _, best = max(scored)
    start = best - 1 if best > 0 and len(pieces[best]) < 14 else best
    fragment = "".join(pieces[start : best + 1]).strip().rstrip("，,；;。")
    return fragment + "。" if fragment and fragment != body.rstrip("。") else None


_ITEM = re.compile(r"^(附件\S*) \d+\.$")  # an attachment's numbered item: 附件1 2., 附件 3.


def _attachment(chunk: Chunk) -> str | None:
    """The attachment a clause is a numbered item of (附件1 for 附件1 2.), None for any other clause."""
    found = _ITEM.match(chunk.clause)
    return found.group(1) if found else None


def asks_for_the_list(info: QuestionInfo) -> bool:
    """Whether a question asks for what to hand in or bring (materials), which an attachment lists item by item."""
    return info.wants_procedure or info.wants_materials


def with_attachment_items(hits: list[Hit], info: QuestionInfo, notice: Sequence[Chunk]) -> list[Hit]:
    """When the best clause is one item of an attachment and the question asks what to hand in: the best item,
    then the attachment's other items in order, then the other hits."""
    attachment = _attachment(hits[0].chunk) if hits and not info.compare else None
    if attachment is None or not asks_for_the_list(info):
        return hits
    items = [c for c in notice if _attachment(c) == attachment]
    if len(items) < 2 or len(items) > LIST_ITEMS:
        return hits
    others = [Hit(c, hits[0].score) for c in items if c.id != hits[0].chunk.id]
    listed = {c.id for c in items}
    return [hits[0], *others, *(h for h in hits[1:] if h.chunk.id not in listed)]


def other_items(hits: list[Hit], info: QuestionInfo) -> list[Chunk]:
    """The attachment's other items that follow the best one in the hits (see with_attachment_items)."""
    attachment = _attachment(hits[0].chunk) if hits else None
    if attachment is None or info.compare or not asks_for_the_list(info):
        return []
    items = []
    for hit in hits[1:]:
        if _attachment(hit.chunk) != attachment or hit.chunk.doc != hits[0].chunk.doc:
            break
        items.append(hit.chunk)
    return items


def pick_hits(hits: list[Hit], info: QuestionInfo) -> list[Hit]:
    """The clauses to answer from: the best, plus the best of another notice when comparing."""
    if not hits:
        return []
    chosen = [hits[0]]
    if info.compare:
        others = [h for h in hits[1:] if h.chunk.doc != hits[0].chunk.doc]
        wanted = (set(info.cohorts) | set(info.years)) - {cohort_year(hits[0].chunk)}
        other = next((h for h in others if cohort_year(h.chunk) in wanted), others[0] if others else None)
        if other is not None:
            chosen.append(other)
    return chosen


def overview(
    hits: list[Hit], info: QuestionInfo, query: str, idf: Mapping[str, float], profile: CorpusProfile
) -> tuple[str, list[Citation]]:
    """A broad question's answer: the most relevant clauses, each as its heading with its source."""
    lines: list[str] = ["相关的主要规定有："]
    citations: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for hit in hits:
        chunk = hit.chunk
        if (chunk.doc, chunk.clause) in seen or chunk.clause in ("序言", "落款"):
            continue
        sentences = best_sentences(chunk, info, query, limit=1, idf=idf)
        if not sentences:
            continue
        seen.add((chunk.doc, chunk.clause))
        citations.append(Citation.from_chunk(chunk, sentences[0]))
        heading = chunk.heading if chunk.heading and len(chunk.heading) <= 40 else sentences[0]
        lines.append(f"{len(citations)}. {heading}（{source_tag(chunk, profile)}）[{len(citations)}]")
        if len(citations) == OVERVIEW_ITEMS:
            break
    return "\n".join(lines), citations


def compose(
    hits: list[Hit],
    info: QuestionInfo,
    query: str,
    idf: Mapping[str, float] | None = None,
    profile: CorpusProfile | None = None,
) -> tuple[str, list[Citation]]:
    """The answer text and its citations: the asked detail first, then the clause's sentences and a short source."""
    profile = profile or CorpusProfile.from_chunks(h.chunk for h in hits)
    if info.overview and not info.compare and not info.english and len(hits) > 1:
        return overview(hits, info, query, idf or {}, profile)
    parts: list[str] = []
    citations: list[Citation] = []
    qkeys = _keys(lexical_form(query, info))
    for n, hit in enumerate(pick_hits(hits, info), start=1):
        chunk = hit.chunk
        sentences = best_sentences(chunk, info, query, idf=idf)
        if not sentences:
            continue
        quote = max(sentences, key=len) if len(sentences) > 1 else sentences[0]
        body = "".join(sentences)
        if info.english:
            parts.append(f"According to the {source_tag(chunk, profile, english=True)}: “{body}” [{n}]")
        else:
            tag = source_tag(chunk, profile)
            if n == 1:
                lead = lead_fragment(sentences, info, qkeys, idf or {})
                parts.append(f"{lead}\n" * bool(lead) + f"{body}（{tag}）[{n}]")
            else:
                parts.append(f"另据{tag}：{body}[{n}]")
        citations.append(Citation.from_chunk(chunk, quote))
    if citations and (items := other_items(hits, info)):  # what else to hand in, as the attachment lists it
        parts.append(f"{hits[0].chunk.clause.split()[0]}还列有：")
        for item in items:
            citations.append(Citation.from_chunk(item, item.text.strip()))
            parts.append(f"{item.text.strip()}[{len(citations)}]")
    return "\n".join(parts), citations


def extractive_answer(state: Retrieved, fallback: str | None = None) -> Answer:
    """The answer from the retrieved clauses' own sentences (also what llm mode falls back to, saying why)."""
    text, citations = compose(state.hits, state.info, state.query, state.idf, state.profile)
    return Answer(
        question=state.question,
        answer=text,
        grounded=bool(citations),
        citations=citations,
        mode="extractive",
        fallback=fallback,
    )
