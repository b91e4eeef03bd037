"""The web front end's small parts: reply text, marker renumbering, keys, clients and the rate limit."""

from __future__ import annotations

from pydantic import SecretStr

from bot.answer import Answer, Caveat
from bot.ratelimit import RateLimiter
from bot.web.guard import Client, key_matches, parse_keys
from bot.web.render import CORRECTION, FALLBACK_NOTE, MarkerRenumber, reply_text, source_tag, stream_tail
from tests.conftest import CITATION


def answer(text: str = "特岗计划拟招聘6000人。[1]", **fields: object) -> Answer:
    data: dict[str, object] = {
        "question": "q",
        "answer": text,
        "grounded": True,
        "citations": [CITATION],
        "mode": "llm",
    }
    return Answer.model_validate({**data, **fields})


def test_reply_text_puts_caveats_first_and_sources_with_quotes_last():
    caveat = Caveat(kind="year_mismatch", text="没有2025届的通知，以下依据2022届通知。")
    text = reply_text(answer("特岗计划招人。[1]", caveats=[caveat]))
    assert text.startswith("⚠️ 请注意：没有2025届的通知")
    assert text.index("请注意") < text.index("特岗计划招人") < text.index("来源：") < text.index("“2022 年全省")
    assert (
        "[1] 贵州 2022届通知 二、6. · 黔教发〔2022〕5号\n《省教育厅关于做好2022届全省普通高校毕业生就业创业工作的通知》（贵州省教育厅，2022-02-24）"
        in text
    )


def test_a_quote_already_in_the_answer_is_not_repeated():
    text = reply_text(answer("根据……二、6.：2022 年全省“特岗计划”拟招聘 6000 人。[1]"))
    assert text.count("拟招聘 6000 人") == 1 and "来源：\n[1] 贵州 2022届通知 二、6." in text


def test_source_tags_name_region_cohort_and_clause_and_a_fallback_says_so():
    cited = CITATION.model_copy(
        update={
            "doc_number": None,
            "scope": "national",
            "issuer": "教育部",
            "title": "教育部关于做好2022届全国普通高校毕业生就业创业工作的通知",
        }
    )
    text = reply_text(answer("x[1]", citations=[cited], fallback="language model unavailable"))
    assert f"[1] 全国 2022届通知 二、6.\n《{cited.title}》（教育部，2022-02-24）" in text and FALLBACK_NOTE in text
    spring = CITATION.model_copy(
        update={"title": "关于开展春季促就业攻坚行动的函", "scope": "广西壮族自治区", "clause": "四、（五）"}
    )
    assert source_tag(spring) == "广西 2022年函 四、（五）"


def test_a_declined_answer_has_no_sources():
    declined = answer("已收录的通知没有这方面的规定。", grounded=False, citations=[], mode="extractive")
    assert reply_text(declined) == "已收录的通知没有这方面的规定。"


def test_stream_tail_adds_sources_or_corrects_the_draft():
    final = answer()
    assert stream_tail(final, "") == reply_text(final)
    tail = stream_tail(final, "特岗计划拟招聘6000人。[1]")
    assert tail.startswith("\n\n来源：") and CORRECTION not in tail
    corrected = stream_tail(final, "特岗计划招9999人。[1]")
    assert CORRECTION in corrected and corrected.endswith(reply_text(final))


def test_markers_are_renumbered_in_order_of_use_even_when_split_across_pieces():
    renumber = MarkerRenumber()
    pieces = ["见", "[", "3]和[", "1", "]，又见[3", "]。"]
    out = "".join(renumber.feed(p) for p in pieces) + renumber.flush()
    assert out == "见[1]和[2]，又见[1]。"


def test_a_short_new_line_is_held_until_it_can_be_told_from_the_quotes_header():
    renumber = MarkerRenumber()
    assert renumber.feed("拟招聘6000人。[1]\n引") == "拟招聘6000人。[1]"
    assert renumber.flush() == "\n引"
    assert renumber.feed("第一段。\n第二") == "第一段。"
    assert renumber.feed("段写得比较长，已经不像标题了") == "\n第二段写得比较长，已经不像标题了"


def test_keys_are_parsed_and_compared():
    assert parse_keys(None) == [] and parse_keys(SecretStr(" a, b ;c,, ")) == ["a", "b", "c"]
    assert key_matches("b", ["a", "b"]) and not key_matches("bb", ["a", "b"])


def test_clients_keep_no_key_or_user_id_as_given():
    by_key = Client.of("10.0.0.1", key="secret-key", user="wx-openid-1")
    assert "secret-key" not in by_key.id and "wx-openid-1" not in by_key.id
    assert by_key != Client.of("10.0.0.2", key="secret-key", user="wx-openid-2")
    assert Client.of("10.0.0.1", key="secret-key") == Client.of("10.0.0.9", key="secret-key")  # a key, not an address
    assert Client.of("10.0.0.1") != Client.of("10.0.0.2")
    assert Client.of("10.0.0.1").number == Client.of("10.0.0.1").number


def test_the_rate_limit_slides_per_client_and_forgets_quiet_ones():
    now = [0.0]
    limiter = RateLimiter(limit=2, window=60.0, clock=lambda: now[0])
    a, b = Client.of("a").id, Client.of("b").id
    assert [limiter.wait(a), limiter.wait(a)] == [0.0, 0.0]
    assert limiter.wait(a) == 60.0 and limiter.wait(b) == 0.0
    now[0] = 30.0
    assert limiter.wait(a) == 30.0
    now[0] = 60.0
    assert limiter.wait(a) == 0.0
    now[0] = 500.0
    limiter.wait(b)
    assert set(limiter._seen) == {b}  # a went quiet and was forgotten
    assert RateLimiter(limit=0).wait(a) == 0.0
