"""The clause parser names every unit of every notice the way a reader cites it."""

from __future__ import annotations

import pytest

from bot.clauses import parse_clauses
from bot.labels import cn_to_int, int_to_cn, normalize_path
from bot.notice import load_notice
from tests.conftest import KNOWLEDGE


def paths(doc: str) -> list[str]:
    return [c.path for c in parse_clauses(load_notice(KNOWLEDGE / f"{doc}.md").text)]


def cn(n: int) -> str:
    return int_to_cn(n)


MOE_2022_SECTIONS = {
    1: range(1, 6),
    2: range(6, 10),
    3: range(10, 14),
    4: range(14, 16),
    5: range(16, 18),
    6: range(18, 20),
    7: range(20, 25),
}
MOE_2024_SECTIONS = {
    1: range(1, 4),
    2: range(4, 10),
    3: range(10, 13),
    4: range(13, 18),
    5: range(18, 21),
    6: range(21, 24),
    7: range(24, 27),
}
GUIZHOU_SECTIONS = {1: range(1, 6), 2: range(6, 10), 3: range(10, 14), 4: range(14, 17), 5: range(17, 21)}

EXPECTED = {
    "moe-2022-class": ["序言"]
    + [f"{cn(s)}、（{cn(i)}）" for s, items in MOE_2022_SECTIONS.items() for i in items]
    + ["落款"],
    "moe-2024-class": ["序言"] + [f"{cn(s)}、{i}." for s, items in MOE_2024_SECTIONS.items() for i in items] + ["落款"],
    "guizhou-2022-class": ["序言"]
    + [f"{cn(s)}、{i}." for s, items in GUIZHOU_SECTIONS.items() for i in items]
    + ["落款"],
    "moe-2022-sprint": ["序言", "一、", "二、", "三、", "四、", "五、（一）"]
    + [f"五、（二）{i}." for i in range(1, 6)]
    + ["六、（一）", "六、（二）", "六、（三）", "落款"],
    "moe-2023-spring": ["序言", "一、", "二、", "三、"]
    + [f"四、（{cn(i)}）" for i in range(1, 6)]
    + ["五、（一）", "五、（二）", "五、（三）", "落款"],
}


@pytest.mark.parametrize("doc", sorted(EXPECTED))
def test_clause_lists_match_the_notices(doc):
    assert paths(doc) == EXPECTED[doc]


def test_moe_2022_class_numbers_clauses_one_to_twenty_four_across_sections():
    subs = [p for p in paths("moe-2022-class") if "（" in p]
    assert len(subs) == 24 and subs[0] == "一、（一）" and subs[-1] == "七、（二十四）"


def test_clause_text_starts_with_its_label_and_keeps_every_paragraph():
    clauses = {c.path: c for c in parse_clauses(load_notice(KNOWLEDGE / "moe-2023-spring.md").text)}
    first = clauses["四、（一）"]
    assert first.text.startswith("（一）深入开展“访企拓岗促就业”行动")
    assert "不少于10家" in first.text and "确保行动取得实效" in first.text
    assert clauses["二、"].text == "二、行动时间\n2023年2月—4月"


def test_headings_are_recorded():
    clauses = {c.path: c for c in parse_clauses(load_notice(KNOWLEDGE / "moe-2022-class.md").text)}
    assert clauses["二、（六）"].heading == "健全毕业生基层就业支持体系"
    assert clauses["二、（六）"].section_heading == "充分发挥政策性岗位吸纳作用"
    sprint = {c.path: c for c in parse_clauses(load_notice(KNOWLEDGE / "moe-2022-sprint.md").text)}
    assert sprint["五、（二）3."].context == "实施“百日冲刺”五大专项行动"


def test_footer_holds_contacts_and_date():
    footer = parse_clauses(load_notice(KNOWLEDGE / "moe-2022-sprint.md").text)[-1]
    assert footer.path == "落款"
    assert "010-66097865" in footer.text and "2022年4月24日印发" in footer.text
    assert "6.（三）" not in footer.text


@pytest.mark.parametrize(
    "line",
    [
        "国发〔2022〕2 号文件重大机遇",
        "1:500 比例配齐配强校级专职就业工作人员",
        "2021-2022 年“筑人才·强省会”行动",
        "“两个100”要求",
        "27.3 万人",
        "2.5倍以上",
    ],
)
def test_labels_inside_running_text_never_start_a_clause(line):
    text = "一、总体要求\n1.第一条。内容如下，\n" + line + "。\n2.第二条。"
    assert [c.path for c in parse_clauses(text)] == ["一、1.", "一、2."]


def test_a_label_out_of_sequence_is_running_text():
    text = "一、总体要求\n1.第一条。\n5.这不是第五条，而是续行。\n2.第二条。"
    clauses = parse_clauses(text)
    assert [c.path for c in clauses] == ["一、1.", "一、2."]
    assert "5.这不是第五条" in clauses[0].text


def test_numerals_round_trip():
    for n in range(1, 100):
        assert cn_to_int(int_to_cn(n)) == n
    assert int_to_cn(24) == "二十四"


def test_paths_compare_ignoring_whitespace_and_dot_width():
    assert normalize_path(" 五、(二) 5．") == normalize_path("五、（二）5.")


def test_bundled_clauses_keep_their_paths_headings_contexts_and_texts():
    import json
    from pathlib import Path

    golden = json.loads((Path(__file__).parent / "data" / "bundled_clauses.json").read_text(encoding="utf-8"))
    for doc, expected in golden.items():
        got = [
            dict(path=c.path, heading=c.heading, section_heading=c.section_heading, context=c.context, text=c.text)
            for c in parse_clauses(load_notice(KNOWLEDGE / f"{doc}.md").text)
        ]
        assert got == expected, doc
