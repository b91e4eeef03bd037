"""The cleaned notices are the seeds with only their layout repaired."""

from __future__ import annotations

import pytest

from bot.cleaning import EXTRACTION_FIXES, clean_text, keep_paragraphs, squash
from bot.notice import load_notice
from tests.conftest import KNOWLEDGE, SEEDS

NOTICES = sorted(KNOWLEDGE.glob("*.md"))


def test_five_notices_are_bundled():
    assert {p.stem for p in NOTICES} == {
        "moe-2022-class",
        "moe-2024-class",
        "guizhou-2022-class",
        "moe-2022-sprint",
        "moe-2023-spring",
    }


@pytest.mark.parametrize("path", NOTICES, ids=lambda p: p.stem)
def test_cleaned_text_equals_seed_but_for_whitespace_and_listed_fixes(path):
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    notice = load_notice(path)
    seed = (SEEDS / str(notice.meta.source)).read_text(encoding="utf-8")
    expected = squash(seed)
    for wrong, right, _why in EXTRACTION_FIXES:
        expected = expected.replace(squash(wrong), squash(right))
    assert squash(notice.text) == expected


def test_every_listed_fix_occurs_in_some_seed():
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    seeds = "".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    for wrong, _right, why in EXTRACTION_FIXES:
        assert wrong in seeds, why


def test_lines_broken_mid_sentence_are_joined():
    raw = "（一）加强校园招聘市场建设。各地各高校要进一步发挥校\n\n园招聘主渠道作用，切实加强校园招聘市场建设，建立完\n善就业资源开发机制。\n"
    assert (
        clean_text(raw)
        == "（一）加强校园招聘市场建设。各地各高校要进一步发挥校园招聘主渠道作用，切实加强校园招聘市场建设，建立完善就业资源开发机制。\n"
    )


def test_leading_spaces_and_page_numbers_are_dropped():
    raw = " 一、活动主题\n- 3 -\n  千方百计拓岗位 攻坚克难促就业\n"
    assert clean_text(raw) == "一、活动主题\n千方百计拓岗位 攻坚克难促就业\n"


def test_labels_start_new_paragraphs():
    raw = "现就有关事项通知如下。\n一、完善市场化社会化就业促进机制\n（一）加强校园招聘市场建设。\n"
    assert clean_text(raw).splitlines() == [
        "现就有关事项通知如下。",
        "一、完善市场化社会化就业促进机制",
        "（一）加强校园招聘市场建设。",
    ]


def test_no_content_character_changes_except_whitespace():
    raw = "2022 年全省“特岗计划”\n拟招聘 6000 人，\n“三支一扶”拟招聘 800 人。"
    assert squash(clean_text(raw)) == squash(raw)
    assert "2022 年全省“特岗计划”拟招聘 6000 人" in clean_text(raw)


def test_table_rows_and_contact_lines_are_never_joined_to_their_neighbours():
    raw = (
        "（二）组织实施基层服务项目。各项目报名工作由牵头部门另行发布公告，计划见下表。各高校\n"
        "要及时转发。\n"
        "项目｜招募人数\n"
        "特岗计划｜4200名\n"
        "三支一扶｜1500名\n"
        "联系人：某省教育厅学生处 张三，电话：000-86113052\n"
        "电子邮箱：someone@example.org\n"
    )
    assert clean_text(raw).splitlines() == [
        "（二）组织实施基层服务项目。各项目报名工作由牵头部门另行发布公告，计划见下表。各高校要及时转发。",
        "项目｜招募人数",
        "特岗计划｜4200名",
        "三支一扶｜1500名",
        "联系人：某省教育厅学生处 张三，电话：000-86113052",
        "电子邮箱：someone@example.org",
    ]


def test_sources_that_mark_their_paragraphs_keep_every_one():
    raw = "第一章　总则\n第一条　为促进就业，制定本办法。\n\n某市人社局\n- 2 -\n2031年1月1日\n"
    assert keep_paragraphs(raw).splitlines() == [
        "第一章 总则",
        "第一条 为促进就业，制定本办法。",
        "某市人社局",
        "2031年1月1日",
    ]


def test_re_cleaning_the_seeds_gives_the_bundled_texts():
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for path in NOTICES:
        notice = load_notice(path)
        assert clean_text((SEEDS / str(notice.meta.source)).read_text(encoding="utf-8")) == notice.text, path.stem
