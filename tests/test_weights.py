"""What each ranking weight does, shown on made-up clauses (bot/weights.py documents them)."""

from __future__ import annotations

import pytest

from bot.chunks import Chunk
from bot.extractive import rerank
from bot.profile import CorpusProfile
from bot.question import read_question
from bot.retrieval import Hit, _context_bonus, _heading_bonus
from bot.text import char_ngrams
from bot.weights import WEIGHTS as W


def clause(doc: str = "a", scope: str = "national", cohort: str = "2031届", clause: str = "一、1.", **fields) -> Chunk:
    """A made-up clause."""
    issued = fields.pop("issued", f"{int(cohort[:4]) - 1}-12-01")
    values = dict(title="某通知", doc_number=None, issuer="某部门", text="做好毕业生就业工作。", heading="")
    values |= fields
    return Chunk(
        doc=doc, issued=issued, year=int(issued[:4]), scope=scope, cohort=cohort, clause=clause, order=0, **values
    )


def bonus(chunk: Chunk, question: str, newest: int = 2031) -> float:
    """The context adjustment a clause gets for a question."""
    return _context_bonus(chunk, read_question(question), newest)


def test_the_cohort_the_question_names_wins_over_the_issue_year_and_other_cohorts():
    asked = "2031届毕业生就业工作怎么做？"
    assert bonus(clause(cohort="2031届"), asked) == pytest.approx(W.cohort_match)
    assert bonus(clause(cohort="2032届", issued="2031-12-01"), "2031年毕业生就业工作怎么做？") == pytest.approx(
        W.issue_year_match
    )
    assert bonus(clause(cohort="2029届"), asked) == 0
    # a clause of an earlier class's notice that names the class asked (…为2031届毕业生储备岗位) counts as that class's
    assert bonus(clause(cohort="2029届", text="为2031届毕业生储备岗位。"), asked) == pytest.approx(W.cohort_match)


def test_with_no_year_asked_newer_notices_come_first_by_the_recency_step():
    newer, older = (
        bonus(clause(cohort="2031届"), "就业工作怎么做？"),
        bonus(clause(cohort="2029届"), "就业工作怎么做？"),
    )
    assert newer - older == pytest.approx(2 * W.recency)


def test_a_question_about_now_prefers_the_newest_notice_by_the_larger_now_step():
    newer, older = (
        bonus(clause(cohort="2031届"), "今年就业工作怎么做？"),
        bonus(clause(cohort="2030届"), "今年就业工作怎么做？"),
    )
    assert newer - older == pytest.approx(W.now_recency)


def test_one_citys_notice_does_not_answer_for_another_city_of_its_province():
    zhengzhou = clause(scope="河南省郑州市")
    assert bonus(zhengzhou, "郑州毕业生档案放哪？") == pytest.approx(W.region_match)
    assert bonus(zhengzhou, "河南毕业生档案放哪？") == pytest.approx(W.region_match)
    assert bonus(zhengzhou, "洛阳毕业生档案放哪？") == pytest.approx(-W.other_region)


def test_a_named_province_lifts_its_notice_and_sinks_other_provinces_but_not_the_national_one():
    asked = "四川毕业生就业工作怎么做？"
    assert bonus(clause(scope="四川省"), asked) == pytest.approx(W.region_match)
    assert bonus(clause(scope="江苏省"), asked) == pytest.approx(-W.other_region)
    assert bonus(clause(scope="national"), asked) == 0


def test_with_no_region_asked_national_notices_lead_and_more_so_when_the_question_says_national():
    assert bonus(clause(scope="江苏省"), "就业工作怎么做？") == pytest.approx(-W.regional_unasked)
    assert bonus(clause(scope="江苏省"), "全国的就业工作怎么做？") == pytest.approx(-W.other_region)


def test_a_clause_with_no_figure_yields_to_how_many_questions():
    assert bonus(clause(text="做好招聘工作。"), "招聘多少人？") == pytest.approx(-W.no_figure)
    assert bonus(clause(text="拟招聘 600 人。"), "招聘多少人？") == 0
    assert bonus(clause(text="2031年做好招聘工作。"), "招聘多少人？") == pytest.approx(
        -W.no_figure
    )  # a year is no figure
    # a duration answers how long, not when
    assert bonus(clause(text="见习期限最长12个月。"), "见习最长能见习多久？") == 0
    assert bonus(clause(text="存档时间不超过2年。"), "几点下班？") == pytest.approx(-W.no_figure)
    # an amount asked is a sum of money (or a share of one), not a month
    assert bonus(clause(text="6月开展补贴政策宣传。"), "求职补贴有多少钱？") == pytest.approx(-W.no_figure)
    assert bonus(clause(text="原则上不低于每人1000元。"), "求职补贴有多少钱？") == 0
    assert bonus(clause(text="按最低工资标准的70%发放。"), "见习补贴给多少？") == 0
    # what to hand in: a clause naming no material sinks
    assert bonus(clause(text="按最低工资标准的70%发放。"), "见习补贴要交啥材料？") == pytest.approx(-W.no_figure)
    assert bonus(clause(text="提交申请表和身份证复印件。"), "见习补贴要交啥材料？") == 0


def test_the_sign_off_answers_when_a_notice_was_issued_and_its_contacts():
    sign_off = clause(clause="落款", text="联系人：张三 010-12345678\n2030年12月1日")
    assert bonus(sign_off, "这个通知是哪天印发的？") == pytest.approx(W.issue_date)
    assert bonus(sign_off, "联系电话是多少？") == pytest.approx(W.sign_off)
    assert bonus(sign_off, "见习补贴怎么领？") == pytest.approx(-W.sign_off_unasked)


def test_a_named_citys_contact_is_not_pulled_to_a_sign_off_that_does_not_name_the_city():
    sign_off = clause(clause="落款", text="联系人：省就业处 张三，电话：010-12345678\n2030年12月1日")
    assert bonus(sign_off, "南通市的见习联系电话是多少？") == pytest.approx(-W.sign_off_unasked)
    assert bonus(sign_off, "苏州的见习联系电话是多少？") == pytest.approx(-W.sign_off_unasked)
    listed = clause(clause="落款", text="联系人：南通市就业中心 李四，电话：0513-1234567")
    assert bonus(listed, "南通市的见习联系电话是多少？") == pytest.approx(W.sign_off)


def test_a_service_line_asked_for_is_not_the_sign_offs_contact():
    sign_off = clause(clause="落款", text="联系人：张三，电话：010-12345678\n2030年12月1日")
    assert bonus(sign_off, "遇到就业歧视可以打哪个电话投诉？") == pytest.approx(-W.sign_off_unasked)
    assert bonus(sign_off, "就业统计造假的举报电话是多少") == pytest.approx(-W.sign_off_unasked)


def test_the_preamble_answers_questions_about_the_notices_purpose():
    preamble = clause(clause="序言", text="为做好毕业生就业工作，现通知如下。")
    assert bonus(preamble, "这个通知的目的是什么？") == pytest.approx(W.preamble)
    assert bonus(preamble, "见习补贴怎么领？") == pytest.approx(-W.preamble_unasked)


def test_a_heading_the_question_echoes_lifts_its_clause_in_proportion():
    titled = clause(heading="活动主题")
    assert _heading_bonus(titled, set(char_ngrams("活动主题是什么"))) == pytest.approx(W.heading)
    assert _heading_bonus(titled, set(char_ngrams("活动在哪"))) == 0  # one of three heading bigrams: under half


def test_rerank_adds_at_most_the_rerank_weight_for_the_best_sentence():
    hits = [
        Hit(clause(doc="a", text="做好宣传工作。"), 0.02),
        Hit(clause(doc="b", text="见习补贴每月 2000 元。"), 0.02),
    ]
    question = read_question("见习补贴每月多少？")
    ranked = rerank(hits, question, "见习补贴每月多少？", {}, W.rerank)
    assert ranked[0].chunk.doc == "b" and ranked[0].score == pytest.approx(0.02 + W.rerank)


def test_fusion_weights_sum_reciprocal_ranks():
    assert W.dense / (W.rrf_k + 1) > W.lexical / (W.rrf_k + 1) > W.dense / (W.rrf_k + 2) - W.dense / (W.rrf_k + 3)


def test_a_notice_named_by_its_doc_number_or_its_own_title_words_is_recognised():
    chunks = [
        clause(doc="a", title="关于开展高校毕业生就业促进周活动的通知", doc_number="某函〔2031〕3号"),
        clause(doc="b", title="关于做好高校毕业生就业创业工作的通知"),
    ]
    profile = CorpusProfile.from_chunks(chunks)
    assert profile.docs_named("某函〔2031〕3号说了什么") == {"a"}
    assert profile.docs_named("促进周活动什么时候") == {"a"}
    assert profile.docs_named("毕业生就业工作") == set()


def test_fitting_notices_crowded_out_by_look_alikes_follow_the_overall_ranking():
    from bot.retrieval import _crowded, _ranks

    look_alikes = [clause(doc=f"other-{n}", scope="四川省") for n in range(W.depth)]
    fitting = [clause(doc="gz", scope="贵州省", clause=f"二、{n}.") for n in range(2)]
    assert _crowded({"gz"}, look_alikes), f"fewer than {W.reserve} of the candidates fit"
    ranks = {c.doc + c.clause: rank for c, rank in _ranks(look_alikes, fitting, lambda c: c.doc + c.clause)}
    assert ranks["gz二、0."] == W.depth and ranks["gz二、1."] == W.depth + 1, "candidates, after the look-alikes"
    copy = clause(doc="gz", scope="贵州省")  # the same clause path as the look-alikes' (一、1.)
    copies = {c.doc: rank for c, rank in _ranks(look_alikes, [copy], lambda c: c.clause)}
    assert copies["gz"] == copies["other-7"] == 0, "copies of one clause share the rank of the first"
    enough = fitting * (W.reserve // 2) + look_alikes
    assert not _crowded({"gz"}, enough)


def test_a_clause_defining_the_name_asked_about_is_recognised():
    from bot.retrieval import defines

    asked = set(char_ngrams("1131服务具体指的啥"))
    assert defines("配合落实“1131”服务，即至少提供1次政策宣介、3个岗位信息。", asked)
    assert not defines("配合生源地部门落实“1131”服务，确保服务不断线。", asked)
    assert not defines("其他事项，即日起执行。", asked)  # 即 after words the question does not use
    assert read_question("1131服务是啥意思").wants_definition and not read_question("1131服务找谁").wants_definition
