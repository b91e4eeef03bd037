"""Every common layout of a Chinese official notice parses into the clause paths a reader cites.

The notices here are made up; each test reads as the rule it checks (CONTRACT.md §2).
"""

from __future__ import annotations

from bot.clauses import parse_clauses, parse_structure
from bot.labels import cn_to_int, int_to_cn, match_article, match_attachment, match_label
from bot.layout import describe_layout, layout_of, preview
from bot.notice import parse_notice


def paths(text: str) -> list[str]:
    return [c.path for c in parse_clauses(text)]


def by_path(text: str) -> dict:
    return {c.path: c for c in parse_clauses(text)}


FOUR_LEVELS = """\
某省教育厅文件
某教函〔2031〕7号
某省教育厅关于做好2032届高校毕业生就业工作的通知
各高等学校：
现就有关事项通知如下。
一、拓宽渠道
（一）开展访企拓岗。各高校走访用人单位不少于50家。
（二）组织基层项目。
1.特岗计划。全省招聘特岗教师3000名。
2.“三支一扶”计划。
（1）招募规模。全省招募1200名。
（2）报名时间。5月20日至29日。
3.西部计划。招募志愿者900名。
（三）做好征兵工作。征集入伍4000名。
二、活动时间
2032年3月—6月。
三、组织保障
（一）压实责任。各高校要落实一把手工程。
联系人：某省教育厅学生处 张三，电话：000-12345678
某省教育厅
2031年11月20日
"""


def test_four_levels_give_paths_down_to_the_fourth_label():
    assert paths(FOUR_LEVELS) == [
        "序言",
        "一、（一）",
        "一、（二）1.",
        "一、（二）2.（1）",
        "一、（二）2.（2）",
        "一、（二）3.",
        "一、（三）",
        "二、",
        "三、（一）",
        "落款",
    ]


def test_a_heading_line_with_units_below_is_their_context_not_a_clause():
    clause = by_path(FOUR_LEVELS)["一、（二）2.（1）"]
    assert clause.section_heading == "拓宽渠道"
    assert clause.context == "组织基层项目 / “三支一扶”计划"
    assert clause.heading == "招募规模"
    assert clause.text == "（1）招募规模。全省招募1200名。"


def test_a_section_without_units_is_one_clause_with_all_its_paragraphs():
    assert by_path(FOUR_LEVELS)["二、"].text == "二、活动时间\n2032年3月—6月。"


ARTICLES = """\
某人社规〔2031〕2号
某市高校毕业生就业创业扶持办法
第一章　总则
第一条　为促进高校毕业生就业创业，制定本办法。
第二条　本办法所称高校毕业生，是指毕业年度内的普通高校毕业生。
第二章　扶持政策
第一节　基层就业
第三条　到基层单位就业的，给予一次性补贴3000元。有下列情形之一的不予补贴：
（一）已享受同类补贴的；
（二）服务期不满1年的。
第二节　创业扶持
第四条　自主创业的，可申请最高20万元创业担保贷款。
第三章　附则
第五条　本办法自2032年1月1日起施行。
某市人力资源和社会保障局　某市财政局
2031年12月1日
"""


def test_articles_are_numbered_across_chapters_and_cited_alone():
    assert paths(ARTICLES) == ["第一条", "第二条", "第三条", "第四条", "第五条", "落款"]


def test_the_chapter_and_part_are_context_kept_with_the_article():
    clauses = by_path(ARTICLES)
    assert clauses["第三条"].section_heading == "第二章 扶持政策"
    assert clauses["第三条"].context == "第一节 基层就业"
    assert clauses["第四条"].context == "第二节 创业扶持"
    assert clauses["第五条"].section_heading == "第三章 附则" and clauses["第五条"].context == ""
    assert all("第二章" not in c.text and "第一节" not in c.text for c in clauses.values())


def test_items_inside_an_article_stay_in_the_article():
    text = by_path(ARTICLES)["第三条"].text
    assert text.endswith("（一）已享受同类补贴的；\n（二）服务期不满1年的。")


def test_a_title_block_alone_before_the_first_label_is_not_a_clause():
    parsed = parse_structure(ARTICLES)
    assert parsed.title == ["某人社规〔2031〕2号", "某市高校毕业生就业创业扶持办法"]
    assert parsed.clauses[0].path == "第一条"


def test_the_sign_off_of_several_issuers_is_the_footer():
    assert by_path(ARTICLES)["落款"].text == "某市人力资源和社会保障局 某市财政局\n2031年12月1日".replace(" ", "　")


ATTACHMENTS = """\
某省人力资源和社会保障厅关于做好就业见习工作的通知
各市人力资源社会保障局：
现就有关事项通知如下。
一、见习对象
离校2年内未就业高校毕业生。
二、补贴标准
按当地最低工资标准的60%给予见习补贴，申领材料见附件1。
附件：1.申领材料清单
2.各市联系方式
某省人力资源和社会保障厅
2031年3月1日
附件1
申领材料清单
1.见习补贴申请表。
2.见习协议书。
附件2
各市联系方式
甲市就业服务中心，电话：000-1111111；乙市就业服务中心，电话：000-2222222。
"""


def test_attachments_are_clauses_of_their_own_never_part_of_the_sign_off():
    assert paths(ATTACHMENTS) == ["序言", "一、", "二、", "落款", "附件1 1.", "附件1 2.", "附件2"]
    clauses = by_path(ATTACHMENTS)
    assert clauses["落款"].text.startswith("附件：1.申领材料清单\n2.各市联系方式")
    assert "附件1" not in clauses["落款"].text and "见习协议书" not in clauses["落款"].text
    assert clauses["附件1 2."].section_heading == "申领材料清单"
    assert clauses["附件2"].heading == "各市联系方式"
    assert clauses["附件2"].text.startswith("附件2\n各市联系方式\n甲市")


def test_an_unnumbered_attachment_names_its_items_after_附件():
    text = "通知如下。\n一、总体要求\n内容。\n某省教育厅\n2031年1月5日\n附件\n活动安排\n1.2031年5月，开展招聘月。\n2.2031年6月，开展宣传月。\n"
    assert paths(text) == ["序言", "一、", "落款", "附件 1.", "附件 2."]


INLINE = """\
各高校：
一、帮扶困难群体
（一）落实帮扶。一是建立帮扶台账；二是开展一对一指导；三是发放求职补贴。
（二）跟踪服务。
一是每月联系一次。
二是推荐3个岗位。
"""


def test_inline_enumerations_stay_inside_their_clause():
    clauses = by_path(INLINE)
    assert list(clauses) == ["序言", "一、（一）", "一、（二）"]
    assert "三是发放求职补贴" in clauses["一、（一）"].text
    assert clauses["一、（二）"].text == "（二）跟踪服务。\n一是每月联系一次。\n二是推荐3个岗位。"


PARAGRAPHS = """\
某市人力资源和社会保障局关于做好毕业生档案转递工作的通知
某人社函〔2031〕9号
各县（市、区）人力资源和社会保障局，各高校：
为方便毕业生办理档案转递，现将有关事项通知如下。
在本市就业的毕业生，其档案由学校转递至就业单位。
离校未就业的毕业生，其档案可免费存放在市人才交流中心。
联系人：市人才交流中心 李四，电话：000-7654321
市人力资源和社会保障局就业促进处 王五，电话：000-7654322
某市人力资源和社会保障局
2031年5月28日
"""


def test_a_notice_without_labels_is_one_clause_per_paragraph():
    parsed = parse_structure(PARAGRAPHS)
    assert parsed.layout == "paragraphs"
    assert [c.path for c in parsed.clauses] == ["第1段", "第2段", "第3段", "第4段", "落款"]
    clauses = {c.path: c for c in parsed.clauses}
    assert clauses["第1段"].text.startswith("各县（市、区）")  # the addressee line counts
    assert clauses["第4段"].text == "离校未就业的毕业生，其档案可免费存放在市人才交流中心。"
    assert clauses["落款"].text.startswith("联系人：") and clauses["落款"].text.endswith("2031年5月28日")


def test_the_title_block_of_a_paragraph_notice_is_not_a_paragraph():
    parsed = parse_structure(PARAGRAPHS)
    assert parsed.title == ["某市人力资源和社会保障局关于做好毕业生档案转递工作的通知", "某人社函〔2031〕9号"]
    assert all("某人社函" not in c.text for c in parsed.clauses)


def test_an_item_label_may_be_followed_by_a_year_but_not_by_a_decimal():
    assert match_label("1.2031年5月，开展招聘月。").number == 1  # type: ignore[union-attr]
    assert match_label("2.5倍以上") is None and match_label("27.3 万人") is None


def test_a_short_organisation_line_in_the_body_is_not_a_sign_off():
    text = "各高校：\n一、主办单位\n某省教育厅\n二、承办单位\n某大学\n联系人：张三\n某省教育厅\n2031年1月1日\n"
    assert paths(text) == ["序言", "一、", "二、", "落款"]
    assert by_path(text)["一、"].text == "一、主办单位\n某省教育厅"


def test_contacts_inside_a_section_do_not_swallow_the_next_section():
    text = "各高校：\n一、咨询方式\n联系人：张三，电话：000-1234567\n二、工作要求\n各高校要认真落实。\n某省教育厅\n2031年1月1日\n"
    clauses = by_path(text)
    assert list(clauses) == ["序言", "一、", "二、", "落款"]
    assert "联系人：张三" in clauses["一、"].text


def test_markdown_heading_marks_do_not_hide_a_label():
    text = "各高校：\n## 一、总体要求\n要求如下。\n## 二、工作安排\n安排如下。\n"
    assert paths(text) == ["序言", "一、", "二、"]


def test_numerals_and_labels_beyond_ninety_nine():
    for n in (1, 10, 19, 20, 99, 100, 101, 110, 123, 999):
        assert cn_to_int(int_to_cn(n)) == n
    assert int_to_cn(101) == "一百零一"
    assert match_article("第一百零一条　附则。") == (101, "第一百零一条")
    assert match_attachment("附件2") == "附件2" and match_attachment("附件") == "附件"
    assert match_attachment("附件：1.申领材料清单") is None


def test_the_layout_is_described_for_staff():
    assert str(describe_layout(FOUR_LEVELS)) == "numbered 一、/（一）/1./（1）"
    assert str(describe_layout(ARTICLES)) == "articles 第N章/第N节/第N条"
    assert str(describe_layout(ATTACHMENTS)) == "numbered 一、; 附件1, 附件2"
    assert str(describe_layout(PARAGRAPHS)) == "paragraphs 第N段 (no printed labels)"


def test_the_layout_can_be_read_back_from_stored_clause_paths():
    stored = [("序言", "", ""), ("一、1.", "总体要求", ""), ("二、5.", "政策", ""), ("落款", "", "")]
    assert str(layout_of(stored)) == "numbered 一、/1."


def test_preview_lists_layout_title_block_and_each_clause():
    raw = "---\ndoc: made-up-rules\ntitle: 某市扶持办法\ndoc_number: null\nissuer: 某市人社局\nissued: '2031-12-01'\n"
    notice = parse_notice(raw + "scope: 某省某市\ncohort: 2032届\n---\n" + ARTICLES, "rules.md")
    text = preview(notice)
    assert "layout: articles 第N章/第N节/第N条" in text
    assert "title block (not a clause): 某人社规〔2031〕2号 / 某市高校毕业生就业创业扶持办法" in text
    line = next(row for row in text.splitlines() if row.strip().startswith("第三条"))
    assert "第二章 扶持政策 › 第一节 基层就业" in line and "第三条　到基层单位就业的" in line
