"""Which sentences of a clause an extractive answer quotes (made-up clauses)."""

from __future__ import annotations

from bot.chunks import Chunk
from bot.extractive import best_sentences
from bot.question import read_question

IDF = {"必修": 1.5, "课程": 1.0, "指导": 1.0, "就业": 0.2, "导课": 1.5}


def clause(text: str) -> Chunk:
    """A made-up clause of a made-up national notice."""
    return Chunk(
        doc="x", title="某通知", doc_number=None, issuer="某部", issued="2030-12-01", year=2030,
        scope="national", cohort="2031届", clause="四、14.", order=0, text=text,
    )  # fmt: skip


def test_the_sentence_holding_the_questions_rarest_word_is_quoted_even_when_others_share_more_words():
    chunk = clause(
        "强化大学生生涯发展与就业指导课程建设，修订完善课程教学要求。"
        "推动各高校以全覆盖、精准化、特色化为目标，将课程建设作为强化就业指导服务的重要内容，"
        "作为必修课列入教学计划，给予学时学分保障。"
        "持续办好就业指导公益直播课，提供丰富优质课程资源。"
        "遴选打造一批优秀就业指导课程和教材。"
    )
    question = "就业指导课是必修还是选修"
    picked = best_sentences(chunk, read_question(question), question, idf=IDF)
    assert any("必修课" in s for s in picked)


def test_a_question_without_a_telling_word_gets_the_best_sentences_only():
    chunk = clause("做好就业指导课程建设。开展就业指导。遴选优秀教材。")
    question = "就业指导怎么做"
    assert len(best_sentences(chunk, read_question(question), question, idf=IDF)) <= 2


def test_a_source_tag_without_a_doc_number_keeps_the_clause_apart():
    from bot.extractive import source_tag
    from bot.profile import CorpusProfile

    chunk = clause("做好就业工作。")
    assert source_tag(chunk, CorpusProfile.from_chunks([chunk])).endswith("通知 四、14.")
    numbered = chunk.model_copy(update={"doc_number": "某发〔2030〕1号"})
    assert source_tag(numbered, CorpusProfile.from_chunks([numbered])).endswith("通知（某发〔2030〕1号）四、14.")


def test_the_sentence_stating_the_detail_asked_is_quoted_with_the_best_one():
    chunk = clause(
        "发放一次性求职创业补贴。对毕业年度内有就业创业意愿的困难家庭高校毕业生，按每人2000元标准发放一次性求职创业补贴。"
        "补贴资金纳入年度预算统筹安排。"
        "每年10月由毕业生本人向所在学校提出申请。"
    )
    question = "求职创业补贴能领多少 几月申请"
    picked = best_sentences(chunk, read_question(question), question, idf={"创业": 3.0})
    assert any("2000元" in s for s in picked) and any("每年10月" in s for s in picked)


def test_a_figure_whose_sentence_ends_in_a_semicolon_is_quoted_with_its_higher_tier():
    chunk = clause(
        "见习单位按当地最低工资标准的70%申领就业见习补贴，所需资金从就业补助资金中列支；期满留用率达到50%以上的，提高至80%。"
    )
    question = "见习补贴按啥标准给"
    picked = "".join(best_sentences(chunk, read_question(question), question, idf={}))
    assert "70%" in picked and "80%" in picked


def test_how_to_apply_is_quoted_even_from_a_sentence_sharing_few_words():
    chunk = clause(
        "发放一次性求职创业补贴。对毕业年度内有就业创业意愿的脱贫家庭、低保家庭、零就业家庭、残疾及获得国家助学贷款的"
        "高校毕业生，按每人1500元标准发放一次性求职创业补贴。"
        "申领时间为2030年10月8日至11月15日，由毕业生本人向所在学校提出申请，学校初审后报当地部门审核发放。"
    )
    question = "一次性求职补贴多少钱 咋申请"
    picked = "".join(best_sentences(chunk, read_question(question), question, idf={}))
    assert "1500元" in picked and "向所在学校提出申请" in picked


def test_the_lead_states_the_amount_asked_not_another_figure():
    from bot.extractive import _keys, lead_fragment

    sentences = [
        "高校毕业生到县以下基层单位就业、服务期在3年以上的，按每人每年最高8000元的标准给予学费补偿或国家助学贷款代偿，"
        "补偿代偿期限为3年。"
    ]
    question = "去县以下基层上班 学费补偿一年给多少"
    info = read_question(question)
    lead = lead_fragment(sentences, info, _keys(question), {})
    assert lead is not None and "8000元" in lead
