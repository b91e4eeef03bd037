"""What the bot says, in Chinese, besides answers."""

from __future__ import annotations

from html import escape
from typing import Any

HELP = (
    "直接发送你的问题即可，例如“{example}”。\n"
    "可以接着追问，如“那三支一扶呢？”；/reset 清空对话。想改问题，请重新发送（编辑过的消息不会再回答）。\n"
    "每个回答都注明依据的通知和条款，点“原文”可查看条款全文，👍/👎 帮助我们改进。\n"
    "命令：/sources 已收录的通知　/reset 重新开始　/about 关于"
)
ABOUT = (
    "policybot：根据官方发布的高校毕业生就业政策通知回答问题，每个回答都引用条款原文。"
    "通知没有规定的内容，我会如实说明并建议咨询学校就业指导中心或当地人社部门（12333）。"
    "我不是官方机构，具体以学校和主管部门的解释为准。"
)
MEDIA_ONLY_TEXT = "目前只能回答文字提问，请用文字描述你的问题。"
CUT_NOTE = "（你的消息较长，我只读取了前 {n} 个字。）"
RATE_LIMITED = "提问有点快了，请 {seconds} 秒后再试。"
APOLOGY = "抱歉，处理你的问题时出了点问题。请稍后再试一次；如果一直不行，可以先咨询学校就业指导中心。"
RESET = "好的，已清空我们的对话，可以问新问题了。"
THANKS = "谢谢反馈！"
GONE = "这条回答已过期，请重新提问。"
NOT_YOURS = "只有提问的同学可以评价这条回答。"
ADMIN_ONLY = "这个命令仅供管理员使用。"
UNKNOWN_COMMAND = "没有 {command} 这个命令。"


def welcome(sources: list[dict[str, Any]]) -> str:
    """The /start message: what the bot knows, how to ask, that answers cite clauses."""
    known = "\n".join(f"• {escape(_short(s))}" for s in sources)
    return (
        "你好！我是高校毕业生就业政策助手。\n\n"
        f"<b>我知道这些通知</b>\n{known}\n\n"
        "直接用中文或英文提问即可，可以追问。每个回答都会注明依据的通知和条款，点“原文”可看全文。\n"
        "试试下面的问题："
    )


def _short(source: dict[str, Any]) -> str:
    """One line naming a notice: region, cohort, doc number."""
    region = "全国" if source["scope"] == "national" else source["scope"]
    number = f"（{source['doc_number']}）" if source.get("doc_number") else ""
    return f"{source['cohort']} · {region} · {source['title']}{number}"


def sources_text(sources: list[dict[str, Any]]) -> str:
    """The /sources message."""
    lines = ["<b>已收录的通知</b>"]
    for s in sources:
        number = s.get("doc_number") or "无文号"
        lines.append(f"• {escape(s['title'])}\n  {escape(number)}，{escape(s['issued'][:10])}，{escape(s['cohort'])}")
    return "\n".join(lines)


def stats_text(stats: dict[str, Any]) -> str:
    """The /stats message for admins."""
    return (
        "<b>统计</b>\n"
        f"问题数：{stats['questions']}\n"
        f"未能回答的比例：{stats['declined_share']:.1%}\n"
        f"响应时间 p50 / p95：{stats['latency_ms_p50']} / {stats['latency_ms_p95']} ms\n"
        f"反馈：👍 {stats['thumbs_up']}　👎 {stats['thumbs_down']}"
    )
