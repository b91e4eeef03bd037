"""Retrieval rules that need no index: what the lexical side searches for, and follow-up rewriting."""

from __future__ import annotations

import pytest

from bot.chain import standalone_query
from bot.profile import CorpusProfile, NoticeInfo, parse_scope
from bot.question import read_question
from bot.retrieval import char_ngrams, topic_query


def test_the_lexical_query_leaves_out_region_and_years():
    assert topic_query("贵州2022届高校毕业生有多少人？").split() == ["高校毕业生有多少人？"]
    assert "贵" not in char_ngrams(topic_query("贵州省今年特岗计划"))


def test_a_follow_up_is_searched_with_the_question_before_it_its_own_programme_replacing_the_earlier():
    query = standalone_query("那三支一扶呢？", ["贵州2022年特岗计划招多少人？"])
    assert query.startswith("贵州2022年") and "招多少人" in query and query.endswith("那三支一扶呢？")
    assert "特岗计划" not in query
    assert standalone_query("报名时间是哪几天？", ["广东2026年三支一扶招多少人？"]).startswith("广东2026年三支一扶")


def test_a_follow_up_with_its_own_region_replaces_the_earlier_one():
    query = standalone_query("那贵州呢？", ["2024届通知对校级就业工作人员配备比例有什么要求？"])
    assert "2024" not in query and query.endswith("那贵州呢？") and "配备比例" in query


def test_a_question_that_is_not_a_follow_up_stands_alone():
    assert (
        standalone_query("2022年就业促进周什么时候举办？", ["贵州2022年特岗计划招多少人？"])
        == "2022年就业促进周什么时候举办？"
    )


def test_a_comparison_is_split_into_one_search_per_side():
    from bot.chain import comparison_sides
    from bot.question import read_question

    cohorts = comparison_sides(read_question("2022届和2024届的教育部通知里，“国聘行动”分别是第几季？"))
    assert [f.cohort for f in cohorts] == ["2022届", "2024届"]
    regions = comparison_sides(read_question("贵州和教育部2022届通知对硕士研究生招录完成时间的要求一样吗？"))
    assert [f.scope for f in regions] == ["贵州", "national"]
    assert comparison_sides(read_question("贵州2022年特岗计划招多少人？")) == []
    which = comparison_sides(read_question("湖南和江苏的见习补贴 哪个给的比例高"))
    assert sorted(f.scope or "" for f in which) == ["江苏", "湖南"]  # asking which of two regions compares them
    assert comparison_sides(read_question("江苏见习补贴哪个部门发")) == []


def test_the_words_of_a_named_notice_title_are_left_out_of_what_the_question_is_about():
    from bot.retrieval import without_title_words

    title = "教育部办公厅关于开展2023届高校毕业生春季促就业攻坚行动的通知"
    assert without_title_words("2023届春季促就业攻坚行动是为了抓住什么时候的关键期？", title).split() == [
        "2023届",
        "是为了抓住什么时候的关键期？",
    ]


@pytest.mark.parametrize(
    ("question", "about_issuing"),
    [
        ("黔教发〔2022〕5号是哪天发的？", True),
        ("2024届通知的印发日期？", True),
        ("这个通知什么时候下发的", True),
        ("教育部2022届通知要求高校就业质量年度报告在什么时间前发布？", False),
        ("就业质量年度报告什么时候发布？", False),
    ],
)
def test_questions_about_when_a_notice_was_issued_are_told_apart(question, about_issuing):
    from bot.retrieval import ISSUE_DATE

    assert bool(ISSUE_DATE.search(question)) is about_issuing


def test_english_questions_name_provinces_and_cohorts_too():
    from bot.question import read_question

    info = read_question("How many Guizhou university graduates were there in the class of 2022?")
    assert info.english and info.provinces == ["贵州"] and info.cohorts == [2022]


def test_a_time_phrase_in_the_question_is_not_a_request_for_a_number():
    from bot.question import read_question

    assert not read_question("百日冲刺期间高校要以哪些活动为契机建立校企合作长效机制？").wants_number
    assert read_question("贵州2022年特岗计划招多少人？").wants_number


def test_a_follow_up_naming_another_region_keeps_the_years_that_region_has_a_notice_for():
    def notice(doc: str, scope: str, cohort: str) -> NoticeInfo:
        return NoticeInfo(doc, doc, None, "某厅", "2030-11-01", scope, cohort, parse_scope(scope), int(cohort[:4]))

    profile = CorpusProfile(
        notices={
            "gd": notice("gd", "广东省", "2031届"),
            "sc": notice("sc", "四川省", "2031届"),
            "gz": notice("gz", "贵州省", "2029届"),
        }
    )
    kept = standalone_query("那四川呢", ["广东31届三支一扶招多少人"], profile=profile)
    assert "31届" in kept and "广东" not in kept and kept.endswith("那四川呢")
    dropped = standalone_query("那贵州呢", ["广东31届三支一扶招多少人"], profile=profile)
    assert "31" not in dropped and "三支一扶" in dropped  # 贵州 has no 2031届 notice: its own one answers


def test_a_place_where_an_event_is_held_is_not_the_askers_region():
    assert read_question("除了郑州主会场 还有哪些分会场").regions == []
    assert read_question("在北京举办的招聘会有哪些").regions == []
    assert [r.city for r in read_question("郑州的毕业生档案放哪").regions] == ["郑州"]


def test_a_prefecture_city_reads_as_its_province_and_a_longer_name_wins():
    assert [(r.province, r.city) for r in read_question("绵阳的三支一扶招多少人").regions] == [("四川", "绵阳")]
    assert [(r.province, r.city) for r in read_question("马鞍山的应届生有啥补贴").regions] == [("安徽", "马鞍山")]
    assert [r.province for r in read_question("河南通知说的见习补贴").regions] == ["河南"]  # not 南通


def test_a_provinces_one_character_form_counts_only_where_a_word_starts():
    assert read_question("国家大学生就业服务平台办了哪些专场招聘").regions == []  # 平台办 is not 台湾
    assert [r.province for r in read_question("川教函里说的专升本").regions] == ["四川"]


def test_asking_which_side_has_more_asks_each_sides_figure():
    assert read_question("四川和广东26年的三支一扶 哪边招得多").wants_number
    assert read_question("22届贵州和23届浙江 哪个多").wants_number
