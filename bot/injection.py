"""Instructions where data belongs: injected text in questions and notices, and replies that obeyed it.

All the patterns live here. Callers:
- `is_injection(question)`: the question filter (bot/decline.py) declines a question that tries to subvert the bot;
- `suspicious_lines(text)`: `ingest --dry-run` lists the lines of a notice that read like orders to a model;
- `fence(text)`: strips look-alike delimiters from text put inside the prompt's data fences;
- `foreign_contacts(reply, evidence)` and `leaked_lines(reply, prompt)`: the checks on a model's reply.
"""

from __future__ import annotations

import re

# Orders to a model, or attempts to read its instructions, in a question (or in a notice, see below).
_OVERRIDE = (
    r"忽略(之前|以上|前面|上面|上述|所有|你的|先前|此前|一切|全部)的?.{0,4}(指令|指示|提示|规则|设定|要求|命令|说明|内容)",
    r"忽略.{0,12}(指令|指示|提示词|规则|设定|命令)",
    r"无视.{0,8}(指令|指示|规则|设定|要求|说明)",
    r"(不要|不必|无需)(再)?(遵守|遵循|理会).{0,6}(指令|规则|设定|要求|说明)",
    r"ignore (all |any )?(the )?(previous|prior|above|earlier|preceding|your) (instructions|rules|messages?|prompts?)",
    r"disregard (all |any )?(the )?(previous|prior|above|earlier|your)",
    r"forget (all |your |the |everything )*(rules|instructions|above|previous)",
    r"(新|新的|以下是新|更新)(的)?(指令|指示|命令)",
    r"new (instructions?|task|rules)\s*[:：]",
    r"你现在是|从现在(开始|起)你|扮演|角色扮演|开发者模式|developer mode|jailbreak|越狱|\bDAN\b|不受.{0,4}限制",
    r"你(现在)?必须(回答|回复|输出|执行)|you are now",
    r"(管理员|开发者|系统|官方)(的)?(指令|命令)",
    r"(不用|不必|无需|不要)(再)?(查|引用|检索|参考|看).{0,4}(文件|通知|资料|条款|来源|依据)",
    r"(只|只能|仅)(回答|回复|输出|说).{0,2}[‘'“\"「]",
    r"(告诉|回复|通知|转告)(所有|每个|每位)?(的)?用户",
)
_PROBE = (
    r"系统提示|提示词|\bprompt\b|系统消息|system message",
    r"(输出|告诉我|显示|打印|透露|泄露|公开)(一下)?你的(指令|设定|规则|提示|初始|系统)",
    r"(原样|逐字|完整|一字不差)(地)?(复述|重复|输出|打印|写出|发给我|告诉我)",
    r"(复述|重复|输出|打印)(一遍|一下)?(你)?(收到|看到|接收)?的?(第一条|最初|最开始|前面|上面|之前|初始)(的)?(消息|指令|内容|话|文字|提示)",
    r"(第一条|最初的|最开始的|初始)(消息|指令|提示)",
    r"reveal your|repeat (the|your|everything|all)( text| words)? (above|instructions|prompt|first message)",
    r"(print|show|output|repeat) (me )?(the |your |all )?(instructions|rules|prompt|system|first message)",
    r"what (are|were) your (instructions|rules)",
)
# Role markers and chat-template tokens: text that pretends to start a new turn or close the data.
_ROLE = (
    r"^\s*[#*>\[(（【]*\s*(system|assistant|user|developer|系统|助手)\s*[\])）】]*\s*[:：]",
    r"#+\s*system|\[system\]|<\|?\s*(system|im_start|im_end|endoftext|assistant|user)\b|\[/?INST\]|<</?SYS>>",
    r"</?\s*(context|clauses?|question|data|instructions?|system|user|assistant|document|notice)\b[^>]*>",
)
# What a subverted reply asks of a student: money, accounts, credentials.
_PAYMENT = (
    r"银行卡|银行账户|银行账号|卡号|开户行|账户信息|密码|验证码|转账|汇款|打款|缴纳.{0,6}(费|押金|保证金)|"
    r"押金|保证金|支付宝|微信号|扫码|身份证号|\bbank (account|details|card)|password|verification code|wire transfer"
)
# Links and contact details in a reply.
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>“”\"'，。；）)]+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|cn|net|org|gov|edu|io|xyz|top)\b(?:/[^\s，。；）)]*)?",
    re.I | re.A,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.A)  # ASCII: 信箱xssjyc@… starts at x
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|400-?\d{3}-?\d{4}|\d{3,4}-\d{7,8})(?!\d)")

INJECTION = re.compile("|".join(_OVERRIDE + _PROBE + _ROLE), re.I | re.M)
_SEND_LINK = r"(回复|回答|告诉|发送|提供).{0,10}(链接|网址)"
_NOTICE = re.compile("|".join((*_OVERRIDE, *_ROLE, _PAYMENT, _SEND_LINK)), re.I | re.M)
_PAYMENT_RE = re.compile(_PAYMENT, re.I)
_DELIMITER = re.compile("|".join(_ROLE[1:]), re.I)


def is_injection(question: str) -> bool:
    """True when a question tries to change the bot's rules, read its instructions or fake a turn."""
    return bool(INJECTION.search(question))


def suspicious_lines(text: str) -> list[str]:
    """The lines of a notice that read like orders to a model (or ask for money or credentials), in order."""
    return [line.strip() for line in text.splitlines() if line.strip() and _NOTICE.search(line)]


def fence(text: str) -> str:
    """Text made safe to put inside the prompt's data fences: look-alike delimiters and role tokens removed."""
    return _DELIMITER.sub("", text)


def _flat(text: str) -> str:
    """Lower case without whitespace, for comparing a reply with its evidence."""
    return re.sub(r"\s+", "", text).lower()


def foreign_contacts(reply: str, evidence: str) -> list[str]:
    """Links, e-mail addresses, phone numbers and asks for money or credentials in a reply, absent from the evidence."""
    known = _flat(evidence)
    found = [m.group(0).rstrip(".") for pattern in (_URL, _EMAIL, _PHONE) for m in pattern.finditer(reply)]
    found = [item for item in found if not any(item != other and item in other for other in found)]  # a URL's host
    found += [m.group(0) for m in _PAYMENT_RE.finditer(reply)]
    return list(dict.fromkeys(item for item in found if _flat(item) not in known))


def _fragments(prompt: str, shortest: int) -> list[str]:
    """The prompt's lines and sentences long enough to be recognised in a reply."""
    pieces = re.split(r"[\n。；;！!？?，,：:]", prompt)
    cleaned = (re.sub(r"^\s*(\d+[.、．]|[-*#>]+)\s*", "", p).strip() for p in pieces)
    return [p for p in cleaned if len(p) >= shortest]


def leaked_lines(reply: str, prompt: str, evidence: str = "", shortest: int = 10) -> list[str]:
    """The lines and sentences of a prompt that a reply repeats (and the evidence does not contain)."""
    flat_reply, flat_evidence = _flat(reply), _flat(evidence)
    return [p for p in _fragments(prompt, shortest) if _flat(p) in flat_reply and _flat(p) not in flat_evidence]
