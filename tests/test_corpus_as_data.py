"""The corpus is data: coverage, regions, cohorts and examples follow the indexed notices, never the code."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from bot.answer import Citation
from bot.caveats import answer_text, caveats_for
from bot.chain import AnswerChain
from bot.corpus import Corpus
from bot.lexicon import LexiconError, lexicon, load_lexicon
from bot.notice import load_notice
from bot.profile import CorpusProfile, NoticeInfo, Region, parse_scope
from bot.question import read_question
from bot.resources import lexicon_file
from bot.retrieval import Filters, fitting
from bot.services import Services
from tests.conftest import KNOWLEDGE

BOT = Path(__file__).resolve().parent.parent / "bot"

NINGXIA = """---
doc: ningxia-2031-class
title: 自治区教育厅关于做好2031届普通高校毕业生就业工作的通知
doc_number: 宁教发〔2030〕9号
issuer: 宁夏回族自治区教育厅
issued: 2030-12-01
scope: 宁夏回族自治区
cohort: 2031届
---
各市、县（区）教育局，各高等学校：
现就做好2031届全区高校毕业生就业工作通知如下。
一、拓宽就业渠道
1.实施基层项目。2031年全区“特岗计划”拟招聘1234人，“三支一扶”拟招募321人。
2.开展就业见习。见习补贴按当地最低工资标准的60%发放，见习期最长12个月。
二、加强指导服务
3.办好招聘活动。2031年3月15日在银川举办全区高校毕业生春季双选会。
宁夏回族自治区教育厅
2030年12月1日
"""

NATIONAL = """---
doc: moe-2031-class
title: 教育部关于做好2031届全国普通高校毕业生就业工作的通知
doc_number: 教就业〔2030〕7号
issuer: 教育部
issued: 2030-11-20
scope: national
cohort: 2031届
---
各省、自治区、直辖市教育厅（教委）：
一、稳定政策性岗位
1.扩大基层项目。各地要组织实施好“特岗计划”“三支一扶”等基层就业项目。
2.做好征兵工作。积极配合兵役机关做好大学生征兵工作，落实退役大学生士兵优惠政策。
教育部
2030年11月20日
"""


def corpus_of(folder: Path, settings, fake_embeddings, *notices: tuple[str, str]) -> Corpus:
    """A corpus over made-up notices only (fake embeddings: lexical retrieval carries the answer)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in notices:
        (folder / name).write_text(text, encoding="utf-8")
    corpus = Corpus(Services(settings.model_copy(update={"knowledge_dir": folder}), embeddings=fake_embeddings))
    corpus.ingest()
    return corpus


def test_a_notice_for_a_region_and_cohort_never_seen_is_answered_once_ingested(fake_services, knowledge_copy):
    (knowledge_copy / "ningxia.md").write_text(NINGXIA, encoding="utf-8")
    chain = AnswerChain(fake_services, mode="extractive")
    chain.corpus.ingest()
    answer = chain.answer("宁夏2031届特岗计划招多少人？")
    assert answer.grounded
    assert (answer.citations[0].doc, answer.citations[0].clause) == ("ningxia-2031-class", "一、1.")
    assert "1234" in answer.answer
    assert not {c.kind for c in answer.caveats} & {"region_mismatch", "year_mismatch"}


def test_swapping_the_bundled_notices_moves_coverage_declining_and_region_reading(tmp_path, settings, fake_embeddings):
    corpus = corpus_of(tmp_path / "k", settings, fake_embeddings, ("nx.md", NINGXIA), ("moe.md", NATIONAL))
    profile = corpus.profile
    assert "宁夏" in profile.covers() and "贵州" not in profile.covers()
    assert profile.cohort_years == [2031]
    assert {r.name for r in profile.regions} == {"宁夏", "全国"}
    assert read_question("银川的毕业生见习补贴多少", profile).provinces == ["宁夏"]

    chain = AnswerChain(corpus, mode="extractive")
    earlier = chain.answer("2022届毕业生有什么就业政策？")  # a class before every notice: said to differ
    assert earlier.grounded and any(c.kind == "year_mismatch" and "2022届" in c.text for c in earlier.caveats or [])
    elsewhere = chain.answer("贵州2031届特岗计划招多少人？")
    assert not elsewhere.grounded and "贵州" in elsewhere.answer  # a figure for a region no notice is for
    assert chain.answer("宁夏见习补贴是最低工资的多少？").grounded
    assert corpus.examples() and all("贵州" not in q for q in corpus.examples())


def test_the_bundled_lexicon_follows_its_schema_and_a_bad_one_names_the_field(tmp_path):
    words = load_lexicon(lexicon_file())
    assert words.province_of("郑州") == "河南" and words.province_of("贵州省") == "贵州"
    bad = tmp_path / "zh.yaml"
    bad.write_text(lexicon_file().read_text(encoding="utf-8").replace("overview_topic_chars:", "overview_chars:"))
    with pytest.raises(LexiconError, match="overview"):
        load_lexicon(bad)
    bad.write_text(lexicon_file().read_text(encoding="utf-8").replace("\ncities:\n", "\ncities:\n  某市: 某省\n"))
    with pytest.raises(LexiconError, match="某省"):
        load_lexicon(bad)
    bad.write_text(lexicon_file().read_text(encoding="utf-8").replace('\nadvice: ["', '\nadvice: ["(unclosed", "'))
    with pytest.raises(LexiconError, match="advice"):
        load_lexicon(bad)
    bad.write_text(lexicon_file().read_text(encoding="utf-8").replace("state: [医院]", 'state: ["(医院"]'))
    with pytest.raises(LexiconError, match=r"details\.体检医院"):
        load_lexicon(bad)
    bad.write_text(
        lexicon_file()
        .read_text(encoding="utf-8")
        .replace("[salary, age, exam, score, contributions]", "[salary, pension]")
    )
    with pytest.raises(LexiconError, match="pension"):
        load_lexicon(bad)


@pytest.mark.parametrize(
    ("scope", "region"),
    [
        ("national", Region()),
        ("贵州省", Region("贵州")),
        ("四川省成都市", Region("四川", "成都")),
        ("成都市", Region("四川", "成都")),
        ("广西壮族自治区", Region("广西")),
    ],
)
def test_a_notice_scope_reads_as_a_region(scope, region):
    assert parse_scope(scope) == region


def notice(doc: str, scope: str, cohort: str, issued: str) -> NoticeInfo:
    """A made-up notice's profile entry."""
    region = parse_scope(scope)
    return NoticeInfo(doc, f"{doc} 通知", None, "某厅", issued, scope, cohort, region, int(cohort[:4]))


PROFILE = CorpusProfile(
    notices={
        "a": notice("a", "四川省", "2025届", "2024-11-01"),
        "n": notice("n", "national", "2024届", "2023-12-01"),
    }
)


def kinds(question: str, doc: str, text: str = "拟招聘 800 人。", today: date = date(2026, 11, 30)) -> set[str]:
    """The caveat kinds for an answer citing one clause of a made-up notice."""
    info = read_question(question, PROFILE)
    cited = [Citation(doc=doc, title="t", doc_number=None, clause="一、1.", quote=text)]
    return {c.kind for c in caveats_for(info, cited, {(doc, "一、1."): text}, PROFILE, today)}


def test_caveats_say_what_a_student_must_know_before_the_quote():
    assert kinds("四川2025届三支一扶招多少人？", "a") == set()
    assert kinds("四川2023届三支一扶招多少人？", "a") == {"year_mismatch"}
    assert kinds("河南2024届三支一扶招多少人？", "n") == {"region_mismatch"}
    assert kinds("今年三支一扶招多少人？", "n") == {"stale"}
    assert kinds("四川今年三支一扶招多少人？", "a", today=date(2025, 3, 1)) == set()
    assert kinds("三支一扶招多少人？", "a") == {"detail_missing"}  # no region asked: the figure is one province's
    assert kinds("四川2025届三支一扶招多少人？", "a", text="做好三支一扶招募工作。") == {"detail_missing"}
    assert kinds("四川2025届三支一扶哪天报名？", "a", text="2025年4月报名。") == {"detail_missing"}
    assert kinds("四川2025届三支一扶哪天报名？", "a", text="4月10日至20日报名。") == set()
    # students' ways of asking how (咋申请, 要带啥材料) ask for a procedure the clause must state
    assert kinds("四川2025届社保补贴咋申请 要带啥材料", "a", text="落实社会保险补贴政策。") == {"detail_missing"}
    assert kinds("四川2025届社保补贴咋申请 要带啥材料", "a", text="凭以下材料向人社部门申请。") == set()
    # a phone number asked for is stated only by a phone number, not by any figure (教学厅函〔2021〕19号)
    assert kinds("四川2025届就业统计造假的举报电话是多少", "a", text="落实（教学厅函〔2021〕19号）要求。") == {
        "detail_missing"
    }
    assert kinds("四川2025届就业服务热线是多少", "a", text="可拨打12333咨询。") == set()
    # a figure asked in a unit (多少天) is stated only in that unit: 3个月 of training is not a number of days
    assert kinds("四川2025届宏志助航培训要上多少天课", "a", text="开展为期3个月的培训。") == {"detail_missing"}
    assert kinds("四川2025届宏志助航培训要上多少天课", "a", text="集中培训15个工作日。") == set()
    # a clause that names the class asked is about that class, whatever its notice's class
    assert "year_mismatch" not in kinds("四川2026届储备多少个见习岗位", "a", text="为2026届毕业生储备岗位20万个。")
    assert "year_mismatch" in kinds("四川2026届储备多少个见习岗位", "a", text="储备岗位20万个。")
    # a clause whose policy has run out says so when the question is about now
    ran_out = "四川2025届扩岗补助现在还能申请吗"
    info = read_question(ran_out, PROFILE)
    cited = [Citation(doc="a", title="t", doc_number=None, clause="一、1.", quote="政策执行期至2025年12月31日。")]
    later = caveats_for(info, cited, {("a", "一、1."): cited[0].quote}, PROFILE, date(2026, 11, 30))
    assert any("执行至2025年12月31日，已经到期" in c.text for c in later if c.kind == "stale")
    sooner = caveats_for(info, cited, {("a", "一、1."): cited[0].quote}, PROFILE, date(2025, 6, 1))
    assert not any("已经到期" in c.text for c in sooner)
    # a follow-up asking its own thing (报名时间呢？) is not held to the unit the question before it asked (招多少人)
    follow = read_question("四川2025届三支一扶招多少人 报名时间呢", PROFILE)
    follow.own = "报名时间呢"
    dated = [Citation(doc="a", title="t", doc_number=None, clause="一、1.", quote="报名时间为2025年4月10日至20日。")]
    assert not caveats_for(follow, dated, {("a", "一、1."): dated[0].quote}, PROFILE, date(2025, 6, 1))
    # 明年 asks a year on: this year's class is already older than asked
    this_year = CorpusProfile(notices={"c": notice("c", "四川省", "2026届", "2025-11-01")})
    info = read_question("明年四川特岗招多少人", this_year)
    cited = [Citation(doc="c", title="t", doc_number=None, clause="一、1.", quote="拟招聘 800 人。")]
    texts = {("c", "一、1."): "拟招聘 800 人。"}
    assert "stale" in {c.kind for c in caveats_for(info, cited, texts, this_year, date(2026, 11, 30))}
    now = read_question("今年四川特岗招多少人", this_year)
    assert "stale" not in {c.kind for c in caveats_for(now, cited, texts, this_year, date(2026, 11, 30))}
    # what to hand in is stated by a list of materials, not by how to apply
    assert kinds("四川2025届求职补贴申请要准备哪些材料", "a", text="由毕业生本人通过小程序在线申请。") == {
        "detail_missing"
    }
    assert kinds("四川2025届求职补贴申请要准备哪些材料", "a", text="提交申请表和身份证复印件。") == set()
    # "as early as possible" is no date; "at once" answers how soon
    assert kinds("四川2025届公务员考试啥时候报名", "a", text="尽早安排招考。") == {"detail_missing"}
    assert kinds("四川2025届开学后多久开展工作", "a", text="开学后第一时间全面推进。") == set()
    # 多少钱 asks for yuan (a share of the minimum wage is not one); 加几分 asks for points
    assert kinds("四川2025届见习补贴一个月多少钱", "a", text="按当地最低工资标准的60%发放。") == {"detail_missing"}
    assert kinds("四川2025届见习补贴一个月多少钱", "a", text="每人每月发放1800元。") == set()
    assert kinds("四川2025届服务期满考研能加几分", "a", text="服务期满的享受考研加分政策。") == {"detail_missing"}
    assert kinds("四川2025届服务期满考研能加几分", "a", text="考研初试总分加10分。") == set()
    assert kinds("四川2025届见习补贴剩下那几个月怎么算", "a", text="剩余期限的补贴一次性拨付给单位。") == set()


def test_a_detail_the_lexicon_names_is_stated_only_in_its_own_words():
    assert kinds("四川2025届就业平台网址是多少", "a", text="登录省就业服务平台报名。") == {"detail_missing"}
    assert kinds("四川2025届就业平台网址是多少", "a", text="登录 www.scjy.example.cn 报名。") == set()
    assert kinds("四川2025届就业指导课要上多少学时", "a", text="开设就业指导必修课。") == {"detail_missing"}
    assert kinds("四川2025届就业指导课要上多少学时", "a", text="总学时不少于38学时。") == set()
    assert kinds("四川2025届档案存满2年还能续存吗", "a", text="存档时间原则上不超过2年。") == {"detail_missing"}
    assert kinds("四川2025届三支一扶一个月工资多少", "a", text="按规定参加社会保险。") == {"detail_missing"}
    assert kinds("四川2025届三支一扶一个月工资多少", "a", text="发放工作生活补贴每月3000元。") == set()
    # a word that only looks like the detail (挂链接: to link up) asks no address
    assert kinds("四川2025届就业网几号前要跟国家平台挂链接", "a", text="5月10日前建立链接。") == set()
    missing = caveats_for(
        read_question("四川2025届就业平台网址是多少", PROFILE),
        [Citation(doc="a", title="t", doc_number=None, clause="一、1.", quote="登录省就业服务平台报名。")],
        {("a", "一、1."): "登录省就业服务平台报名。"},
        PROFILE,
        date(2026, 11, 30),
    )
    assert "网址" in missing[0].text


def test_the_date_of_a_step_is_stated_only_by_a_date_near_that_step():
    written = "笔试定于5月16日举行。根据笔试成绩确定面试人选。"
    assert kinds("四川2025届三支一扶笔试是哪天", "a", text=written) == set()
    assert kinds("四川2025届三支一扶面试是哪天", "a", text=written) == {"detail_missing"}
    # a clause dating only other steps leaves the one asked undated; 报到证 is a paper, not a step
    assert kinds("四川2025届三支一扶啥时候去报到", "a", text="报名时间为4月10日至20日。") == {"detail_missing"}
    assert kinds("四川2025届报到证什么时候取消的", "a", text="自2023年起不再发放，5月起停办。") == set()
    missing = caveats_for(
        read_question("四川2025届三支一扶面试是哪天", PROFILE),
        [Citation(doc="a", title="t", doc_number=None, clause="一、1.", quote=written)],
        {("a", "一、1."): written},
        PROFILE,
        date(2026, 11, 30),
    )
    assert "面试时间" in missing[0].text


def test_how_long_is_stated_only_by_a_span_of_time():
    window = "申领时间为2025年10月10日至11月20日，通过小程序在线申请。"
    assert kinds("四川2025届求职补贴申请完多久能到账", "a", text=window) == {"detail_missing"}
    assert kinds("四川2025届档案丢了多久能补好", "a", text="补建工作应在发现之日起60日内完成。") == set()
    assert kinds("四川2025届见习最长能见习多久", "a", text="见习期限一般为3至12个月。") == set()
    assert kinds("四川2025届校招集中在哪几个月", "a", text="每年3-5月、9-11月集中开展校园招聘。") == set()


def test_a_place_is_not_stated_by_a_source_tag_or_by_a_level_of_government():
    assert kinds("四川2025届特岗在哪考", "a", text="特岗计划｜4200名｜2026年5月｜省教育厅") == {"detail_missing"}
    assert kinds("四川2025届大赛总决赛在哪个城市办", "a", text="各高校要办好省、校两级赛事。") == {"detail_missing"}
    assert kinds("四川2025届大赛总决赛在哪个城市办", "a", text="总决赛在成都市举办。") == set()
    loan = "贷款利率不超过贷款市场报价利率加50个基点。"
    assert kinds("四川2025届创业担保贷款要去哪个银行办", "a", text=loan) == {"detail_missing"}
    assert kinds("四川2025届专升本统考考哪几门", "a", text="统一考试于4月中旬举行。") == {"detail_missing"}
    assert kinds("四川2025届专升本统考考哪几门", "a", text="考试科目为英语和高等数学。") == set()
    shown = "特岗计划｜4200名｜2026年5月｜省教育厅（四川省 2026届通知（川教函〔2025〕296号）二、（二））[1]"
    assert answer_text(shown).strip() == "特岗计划｜4200名｜2026年5月｜省教育厅"


def test_a_region_with_notices_of_its_own_answered_from_the_nations_is_told_so():
    assert kinds("四川2024届困难毕业生求职补贴多少钱", "n", text="原则上不低于每人1000元。") == {"region_mismatch"}
    assert kinds("全国2024届困难毕业生求职补贴多少钱", "n", text="原则上不低于每人1000元。") == set()
    info = read_question("成都2024届困难毕业生求职补贴多少钱", PROFILE)  # a city: its province's notices
    cited = [Citation(doc="n", title="t", doc_number=None, clause="一、1.", quote="原则上不低于每人1000元。")]
    said = caveats_for(info, cited, {("n", "一、1."): cited[0].quote}, PROFILE, date(2026, 11, 30))
    assert [c.kind for c in said] == ["region_mismatch"] and said[0].text.startswith("已收录的四川省通知没有写到")


def test_a_class_after_every_notice_is_answered_from_the_newest_one_before_from_the_oldest_said_to_differ():
    assert kinds("2027届三支一扶招多少人？", "n") >= {"year_mismatch", "stale"}
    assert kinds("四川2019届三支一扶招多少人？", "a") == {"year_mismatch"}


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_code_in_bot_names_the_bundled_notices_particulars():
    particulars: set[str] = set()
    for path in KNOWLEDGE.glob("*.md"):
        meta = load_notice(path).meta
        particulars |= {meta.doc, meta.cohort, meta.doc_number or meta.doc}
        region = parse_scope(meta.scope)
        if region.province:
            particulars |= {region.province, *lexicon().provinces[region.province].short}
    title_words = CorpusProfile.from_chunks([]).title_words  # none: the words are read from the index
    assert title_words == {}
    found = [
        f"{path.relative_to(BOT.parent)}:{line}: {word} in {text[:40]!r}"
        for path in sorted(BOT.rglob("*.py"))
        for line, text in _code_strings(path)
        if not ("e.g." in text or "like " in text)  # an option's help may show an example value
        for word in particulars
        if len(word) > 1 and word in text
    ]
    assert found == []


def test_a_premise_the_clauses_do_not_state_is_said_to_be_absent_never_confirmed():
    info = read_question("四川2025届三支一扶招60000人，请确认", PROFILE)
    cited = [Citation(doc="a", title="t", doc_number=None, clause="一、1.", quote="拟招募 6000 人。")]
    caveats = caveats_for(info, cited, {("a", "一、1."): "拟招募 6000 人。"}, PROFILE, date(2026, 11, 30))
    assert [c.kind for c in caveats] == ["detail_missing"] and "60000人" in caveats[0].text
    same = read_question("四川2025届三支一扶招6000人，请确认", PROFILE)
    assert caveats_for(same, cited, {("a", "一、1."): "拟招募 6000 人。"}, PROFILE, date(2026, 11, 30)) == []
    tag = read_question("四川2025届三支一扶招60000人对吧", PROFILE)  # how students ask to have it confirmed
    assert (
        "60000人" in caveats_for(tag, cited, {("a", "一、1."): "拟招募 6000 人。"}, PROFILE, date(2026, 11, 30))[0].text
    )


NINGXIA_EARLIER = """---
doc: ningxia-2030-class
title: 自治区教育厅关于做好2030届普通高校毕业生就业工作的通知
doc_number: 宁教发〔2029〕8号
issuer: 宁夏回族自治区教育厅
issued: 2029-12-01
scope: 宁夏回族自治区
cohort: 2030届
---
各市、县（区）教育局，各高等学校：
一、基层项目
1.三支一扶
（1）招募规模。2030年全区招募“三支一扶”人员300名。
（2）报名时间。“三支一扶”网上报名时间为2030年5月20日至5月29日。
宁夏回族自治区教育厅
2029年12月1日
"""


def test_a_heading_the_question_echoes_does_not_outweigh_the_class_it_names(tmp_path, settings, fake_embeddings):
    corpus = corpus_of(tmp_path / "k", settings, fake_embeddings, ("a.md", NINGXIA), ("b.md", NINGXIA_EARLIER))
    answer = AnswerChain(corpus, mode="extractive").answer("宁夏31届三支一扶几月报名 招几个人")
    assert (answer.citations[0].doc, answer.citations[0].clause) == ("ningxia-2031-class", "一、1.")
    assert "year_mismatch" not in {c.kind for c in answer.caveats}


def test_a_question_about_now_or_a_later_class_is_fitted_by_the_regions_newest_notice(
    tmp_path, settings, fake_embeddings
):
    profile = corpus_of(tmp_path / "k", settings, fake_embeddings, ("a.md", NINGXIA), ("b.md", NINGXIA_EARLIER)).profile
    for question in ("宁夏今年三支一扶几月报名", "宁夏32届三支一扶几月报名"):
        assert fitting(profile, read_question(question, profile), Filters()) == (None, {"ningxia-2031-class"})
    both = fitting(profile, read_question("宁夏三支一扶几月报名", profile), Filters())
    assert both == (None, None)  # no year asked: every notice fits


def test_asking_what_to_hand_in_lists_every_item_of_the_attachment_the_best_one_first(
    tmp_path, settings, fake_embeddings
):
    from bot.extractive import compose, with_attachment_items
    from bot.retrieval import Hit

    with_materials = NINGXIA.replace(
        "宁夏回族自治区教育厅\n2030年12月1日\n",
        "宁夏回族自治区教育厅\n2030年12月1日\n附件1\n见习补贴申领材料\n1.就业见习补贴申请表（加盖单位公章）。\n"
        "2.见习人员身份证复印件；尚未取得毕业证书的，提供学校出具的在读证明。\n3.见习协议书。\n",
    )
    corpus = corpus_of(tmp_path / "k", settings, fake_embeddings, ("nx.md", with_materials))
    notice = corpus.retriever().notice_chunks("ningxia-2031-class")
    item = {c.clause: c for c in notice}
    best = [Hit(item["附件1 2."], 0.05), Hit(item["一、2."], 0.04)]

    question = read_question("宁夏见习补贴没毕业证的要交啥材料", corpus.profile)
    text, citations = compose(with_attachment_items(best, question, notice), question, question.text)
    assert [c.clause for c in citations] == ["附件1 2.", "附件1 1.", "附件1 3."]
    assert "附件1还列有" in text and "见习协议书" in text

    one = read_question("宁夏见习补贴申请表上写哪些内容", corpus.profile)  # about one item: that item alone
    _, citations = compose(with_attachment_items(best, one, notice), one, one.text)
    assert [c.clause for c in citations] == ["附件1 2."]


XIZANG_SANZHIYIFU = """---
doc: xizang-2031-sanzhiyifu
title: 自治区人力资源和社会保障厅关于做好2031年“三支一扶”计划招募工作的通知
doc_number: 藏人社发〔2031〕2号
issuer: 西藏自治区人力资源和社会保障厅
issued: 2031-03-01
scope: 西藏自治区
cohort: 2031届
---
各地（市）人力资源社会保障局：
一、招募计划
（一）招募人数。2031年全区计划招募“三支一扶”人员700名。
西藏自治区人力资源和社会保障厅
2031年3月1日
"""


def test_a_programme_in_one_provinces_title_does_not_name_that_notice_for_another_province(
    tmp_path, settings, fake_embeddings
):
    notices = (("a.md", NINGXIA), ("n.md", NATIONAL), ("x.md", XIZANG_SANZHIYIFU))
    retriever = corpus_of(tmp_path / "k", settings, fake_embeddings, *notices).retriever()
    assert retriever.docs_named("三支一扶计划招募多少人") == {"xizang-2031-sanzhiyifu"}  # only its title says it
    assert retriever.docs_named("宁夏31届三支一扶计划招募多少人") == set()
    assert "三支一扶" in retriever.about("宁夏31届三支一扶计划招募多少人")


def test_a_comparison_is_searched_side_by_side_when_the_asker_restricts_nothing(
    tmp_path, settings, fake_embeddings, monkeypatch
):
    import bot.chain

    notices = (("a.md", NINGXIA), ("n.md", NATIONAL), ("x.md", XIZANG_SANZHIYIFU))
    chain = AnswerChain(corpus_of(tmp_path / "k", settings, fake_embeddings, *notices), mode="extractive")
    searched: list[str | None] = []
    search = bot.chain._search

    def spy(retriever, query, k, filters, **kwargs):
        searched.append(filters.scope if filters else None)
        return search(retriever, query, k, filters, **kwargs)

    monkeypatch.setattr(bot.chain, "_search", spy)
    for filters in (None, Filters()):  # `policybot ask` and the web API pass an empty Filters
        searched.clear()
        answer = chain.answer("宁夏和西藏31年的三支一扶 哪边招得多", filters=filters)
        assert sorted(s for s in searched if s) == ["宁夏", "西藏"], filters
        assert {c.doc for c in answer.citations} == {"ningxia-2031-class", "xizang-2031-sanzhiyifu"}
