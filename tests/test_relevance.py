"""A question that names a topic is answered from a clause that names it, or declined (made-up clauses)."""

from __future__ import annotations

import pytest

from bot.chain import standalone_query
from bot.chunks import Chunk
from bot.decline import decline_message, decline_reason
from bot.profile import CorpusProfile
from bot.question import QuestionInfo, correct, read_question
from bot.relevance import asked_topics, on_topic, unstated_topic
from bot.retrieval import Filters, Hit, fitting


def hit(text: str, clause: str = "一、1.", score: float = 0.02, **fields: str) -> Hit:
    """A made-up clause of a made-up national notice, as a retrieved hit."""
    values = dict(title="某部关于做好2031届毕业生就业工作的通知", heading="", context="", section_heading="")
    values |= dict(doc="x-2031", scope="national", cohort="2031届") | fields
    chunk = Chunk(
        doc_number=None, issuer="某部", issued="2030-12-01", year=2030, clause=clause, order=0, text=text, **values
    )
    return Hit(chunk, score)


def asked(question: str) -> QuestionInfo:
    """A question as the chain reads it."""
    return read_question(correct(question))


STAFF = hit("要组织专任教师、辅导员广泛参与，走访用人单位不少于100家。", clause="四、（一）")
QUOTA = hit("2031年全国三支一扶计划招募3200人。", clause="二、3.", score=0.01)


def test_the_clause_that_names_the_asked_programme_answers_before_one_that_only_shares_words():
    info = asked("三只一扶招多少人")  # a typo for 三支一扶
    ranked = on_topic([STAFF, QUOTA], info)
    assert ranked[0] is QUOTA and unstated_topic(info, ranked) is None


def test_a_question_whose_programme_no_retrieved_clause_names_is_declined_with_where_to_ask():
    info = asked("今年选调生招多少人？")
    hits = on_topic([STAFF, QUOTA], info)
    assert unstated_topic(info, hits) == "选调"
    profile = CorpusProfile.from_chunks([STAFF.chunk, QUOTA.chunk])
    reason = decline_reason(info, hits, profile)
    assert reason == "topic:选调"
    message = decline_message(reason, info, profile)
    assert "没有关于“选调”" in message and "12333" in message


def test_a_programme_named_only_in_the_clauses_parent_heading_counts_as_named():
    leaf = hit("服务期满考核合格的，可参加定向考录。", clause="二、（二）2.（3）", context="2.组织实施三支一扶计划。")
    assert unstated_topic(asked("三支一扶服务期满有什么政策"), [leaf]) is None


def test_a_clause_naming_the_topic_the_students_way_counts_too():
    assert unstated_topic(asked("基层项目考研加分能加几分"), [hit("落实考研加分等优惠政策。")]) is None


def test_a_follow_up_is_held_to_its_own_topic_not_the_earlier_questions():
    info = asked("考公有年龄限制吗 那进事业单位能不能直接聘用？")
    info.own = "那进事业单位能不能直接聘用？"
    assert unstated_topic(info, [hit("可通过考核方式直接聘用为事业单位工作人员。")]) is None


def test_questions_naming_no_topic_are_left_alone():
    info = asked("毕业生就业工作要走访多少家单位？")
    assert on_topic([STAFF, QUOTA], info)[0] is STAFF and unstated_topic(info, [STAFF]) is None


def test_a_real_word_one_character_from_a_programme_name_is_not_corrected():
    assert correct("就业实习啥时候去比较好") == "就业实习啥时候去比较好"
    assert correct("就业建习补贴多少") == "就业见习补贴多少"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("专生本几月考", "专升本几月考"),
        ("特刚招多少人", "特岗招多少人"),
        ("选掉生咋报", "选调生咋报"),
        ("宏志助杭是啥", "宏志助航是啥"),
    ],
)
def test_a_name_typed_by_its_sound_is_read_as_the_name(typed, meant):
    assert correct(typed) == meant


def test_a_real_word_that_sounds_like_a_name_is_left_alone():
    assert correct("找工作真是个考验") == "找工作真是个考验"
    assert correct("升国旗") == "升国旗"


def test_a_chain_of_follow_ups_keeps_what_each_one_changed():
    history = ["贵州22年三支一扶招多少", "西部计划呢"]
    query = standalone_query("那23年的呢", history)
    assert "西部计划" in query and "三支一扶" not in query
    assert "贵州" in query and "22年" not in query and query.endswith("那23年的呢")
    contact = standalone_query("他的电话是多少？", ["浙江2023届的通知是谁发的？", "通知里的联系人是谁？"])
    assert contact.startswith("浙江2023届") and "联系人" in contact


def test_a_new_question_in_a_chat_that_names_no_region_or_year_keeps_the_chats():
    history = ["江苏2025年就业见习岗位计划募集多少个？", "省级示范见习基地岗位有多少？"]
    query = standalone_query("离校未就业毕业生专项见习岗位在什么时间募集？", history)
    assert query == "江苏 2025年 离校未就业毕业生专项见习岗位在什么时间募集？"
    later = standalone_query("离校未就业的毕业生可以参加就业见习并领取补贴吗？", ["今年江苏见习岗位多吗"])
    assert later == "江苏 离校未就业的毕业生可以参加就业见习并领取补贴吗？"  # 今年 is not carried: it is read as now


def test_the_regions_own_notice_of_another_year_still_fits_a_question_naming_region_and_year():
    kinds = (("national", "2031届"), ("national", "2032届"), ("四川省", "2031届"), ("江苏省", "2032届"))
    chunks = [hit("做好就业工作。", doc=f"d{n}", scope=s, cohort=c).chunk for n, (s, c) in enumerate(kinds)]
    profile = CorpusProfile.from_chunks(chunks)
    _, fit = fitting(profile, read_question("四川2032届招多少人", profile), Filters())
    assert fit == {"d1", "d2"}  # the nation's 2032 notice, and the province's own (2031) one
    _, fit = fitting(profile, read_question("四川2031届招多少人", profile), Filters())
    assert fit == {"d0", "d2"}


def test_a_question_quoting_a_numbered_programme_is_on_topic():
    profile = CorpusProfile.from_chunks([QUOTA.chunk])
    top = [hit("配合落实“1131”服务，即1次政策宣讲、1次职业指导、3个岗位推荐、1次培训。")]
    assert decline_reason(asked("1131服务具体指的啥"), top, profile) is None
    assert decline_reason(asked("2031年的天气怎么样"), [STAFF], profile) is not None


def test_an_attribute_is_covered_by_any_word_of_its_group():
    profile = CorpusProfile.from_chunks([QUOTA.chunk])
    top = [hit("离校未就业且户籍在本市的毕业生，档案免费保管。")]
    assert decline_reason(asked("本市户口的毕业生档案放哪"), top, profile) is None
    assert decline_reason(asked("毕业生落户要什么条件"), [STAFF], profile) == "attribute:hukou"


def test_a_place_of_registration_does_not_cover_settling_a_hukou():
    profile = CorpusProfile.from_chunks([QUOTA.chunk])
    top = [hit("离校未就业毕业生可到户籍所在地公共就业服务机构办理失业登记。")]
    assert decline_reason(asked("毕业想落户本市 要啥条件"), top, profile) == "attribute:hukou"
    assert decline_reason(asked("毕业回老家 户口迁回去要办什么手续"), top, profile) == "attribute:hukou"


def test_reissuing_another_paper_does_not_cover_a_lost_diploma():
    profile = CorpusProfile.from_chunks([QUOTA.chunk])
    top = [hit("不再办理报到证补办、改派手续。")]
    assert decline_reason(asked("毕业证丢了怎么补办啊"), top, profile) == "attribute:certificate"
    assert decline_reason(asked("报到证丢了还能补办吗"), top, profile) is None


def test_a_programmes_salary_is_a_missing_detail_anything_elses_is_not_covered():
    profile = CorpusProfile.from_chunks([QUOTA.chunk])
    assert decline_reason(asked("三支一扶一个月工资多少钱"), [QUOTA, STAFF], profile) is None
    assert decline_reason(asked("国企应届生工资一般多少"), [QUOTA, STAFF], profile) == "attribute:salary"
    # the programme must be the best clause's: another clause naming it does not answer
    assert decline_reason(asked("三支一扶一个月工资多少钱"), [STAFF, QUOTA], profile) is not None
    # its pass mark too (三支一扶笔试分数线); the pass mark of what no programme is (考研国家线) is not covered
    assert decline_reason(asked("三支一扶笔试分数线多少"), [QUOTA, STAFF], profile) is None
    assert decline_reason(asked("考研国家线大概多少"), [QUOTA, STAFF], profile) == "attribute:score"
    assert decline_reason(asked("三支一扶给买社保吗"), [QUOTA, STAFF], profile) is None


def test_a_question_in_recruiting_words_is_about_employment():
    profile = CorpusProfile.from_chunks([QUOTA.chunk])
    fair = hit("在各类校园招聘活动中，不得设置限定院校、性别等歧视性条件。")
    assert decline_reason(asked("有的公司校招写只要985 211的 这种合规吗"), [fair], profile) is None
    assert decline_reason(asked("有的公司写只要985 211的 这种合规吗"), [fair], profile) == "off-topic"


def test_a_short_word_inside_a_longer_one_is_not_said():
    assert [w for w, _ in asked_topics("22届全国考研招录几月份搞完")] == ["考研"]
    assert [w for w, _ in asked_topics("今年国考啥时候报名")] == ["国考"]


def test_asking_the_bot_to_choose_for_you_is_not_covered():
    profile = CorpusProfile.from_chunks([QUOTA.chunk])
    assert decline_reason(asked("考公还是去大厂啊 你帮我选一个"), [QUOTA], profile) == "off-topic"
    assert decline_reason(asked("毕业去西部还是留在省城 该不该去啊"), [QUOTA], profile) == "off-topic"
    assert decline_reason(asked("国企和私企哪个更稳 求建议"), [QUOTA], profile) == "off-topic"
    assert decline_reason(asked("考公还是考编好啊"), [QUOTA], profile) == "off-topic"
    assert decline_reason(asked("纠结去大厂还是回老家 你帮我拿个主意"), [QUOTA], profile) == "off-topic"
    assert decline_reason(asked("二本计算机 该先考研还是直接上班 说说你的看法"), [QUOTA], profile) == "off-topic"
    assert decline_reason(asked("三支一扶这个项目你怎么看"), [QUOTA], profile) == "off-topic"
    assert decline_reason(asked("谢谢你啊 今天投了20份简历 累死了"), [QUOTA], profile) == "off-topic"


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("挂科了还能按时毕业吗", "attribute:discipline"),
        ("推免名额一般怎么分", "attribute:admission"),
        ("试用期能直接辞职吗", "attribute:labour"),
        ("引进人才的安置补贴怎么领", "attribute:talent"),
        ("征兵体检近视多少度能过", "attribute:fitness"),
        ("灵活就业自己交社保每月多少", "attribute:contributions"),
        ("党员组织关系毕业怎么转", "attribute:party"),
        ("国家助学贷款还不上 能延期吗", "attribute:repayment"),
        ("留学回国的人毕业手续咋办", "attribute:abroad"),
        ("英语四六级没过还能毕业吗", "attribute:degree"),
        ("今年一本线多少", "attribute:gaokao"),
        ("买新能源车有补贴吗", "attribute:consumer"),
        ("招聘会附近有便宜的住宿吗", "attribute:lodging"),
        ("实习公司不给买社保 合法吗", "attribute:contributions"),
        ("有网贷逾期记录 政审会被刷吗", "attribute:credit"),
        ("西部大开发对企业的税收优惠是多少", "attribute:tax"),
        ("公司欠薪两个月了怎么办", "attribute:labour"),
        ("西部大开发的企业所得税优惠还有吗", "attribute:tax"),
    ],
)
def test_what_employment_notices_do_not_govern_is_declined_when_the_clauses_do_not_say_it(question, reason):
    profile = CorpusProfile.from_chunks([QUOTA.chunk])
    assert decline_reason(asked(question), [QUOTA, STAFF], profile) == reason


def test_a_topic_word_that_says_who_the_asker_is_is_not_the_topic_asked():
    assert [w for w, _ in asked_topics("校招能卡非全日制吗 我非全研究生")] == []
    assert [w for w, _ in asked_topics("我是一名应届研究生 有啥补贴")] == []
    assert [w for w, _ in asked_topics("我想考研 几月报名")] == ["考研"]
    assert [w for w, _ in asked_topics("在成都读研 双选会在哪开")] == []  # where the asker studies
    assert [w for w, _ in asked_topics("在成都考研能加分吗")] == ["考研"]
    assert [w for w, _ in asked_topics("研究生招录几月完成")] == ["研究生"]
