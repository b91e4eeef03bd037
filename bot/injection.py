"""Instructions where data belongs: injected text in questions and notices, and replies that obeyed it.

All the patterns live here. Callers:
- `is_injection(question)`: the question filter (bot/decline.py) declines a question that tries to subvert the bot;
- `suspicious_lines(text)`: `ingest --dry-run` lists the lines of a notice that read like orders to a model;
- `fence(text)`: strips look-alike delimiters from text put inside the prompt's data fences;
- `foreign_contacts(reply, evidence)` and `leaked_lines(reply, prompt)`: the checks on a model's reply.
"""

from __future__ import annotations

import re
import unicodedata

# Orders to a model, or attempts to read its instructions, in a question (or in a notice, see below).
_OVERRIDE = (
    r"忽略(之前|以上|前面|上面|上述|所有|你的|先前|此前|一切|全部)的?.{0,4}(指令|指示|提示|规则|设定|要求|命令|说明|内容|限制)",
    r"忽略.{0,12}(指令|指示|提示词|规则|设定|命令)",
    r"无视.{0,8}(指令|指示|规则|设定|要求|说明)",
    r"(不要|不必|无需)(再)?(遵守|遵循|理会).{0,6}(指令|规则|设定|要求|说明)",
    r"ignore (all |any )?(the )?(previous|prior|above|earlier|preceding|your) (instructions|rules|messages?|prompts?)",
    r"disregard (all |any )?(the )?(previous|prior|above|earlier|your)",
    r"forget (all |your |the |everything )*(rules|instructions|above|previous)",
    r"(新|新的|以下是新|更新)(的)?(指令|指示|命令)",
    r"new (instructions?|task|rules)\s*[:：]",
    r"你现在是|从现在(开始|起)你|开发者模式|developer mode|jailbreak|越狱|\bDAN\b|不受.{0,4}限制",
    r"你(现在)?必须(回答|回复|输出|执行)|you are now",
    r"(管理员|开发者|系统|官方)(的)?(指令|命令)",
    r"(不用|不必|无需|不要)(再)?(查|引用|检索|参考|看).{0,4}(文件|通知|资料|条款|来源|依据)",
    r"(只|只能|仅)(回答|回复|输出).{0,2}[‘'“\"「]|(你|请)(只能|只|仅)说.{0,2}[‘'“\"「]",
    r"(告诉|回复|通知|转告)(所有|每个|每位)?(的)?用户",
)
# Coaxing a chat bot, in questions only (a notice may well say 严禁伪造 or 内部规则): an authority in brackets, rules
# said to be off or a test, a role, words to repeat or confirm, its configuration, forged papers, code.
_COAX = (
    r"你(来|现在|就|要)?扮演|(和|跟)我(玩)?角色扮演|(不要|别)再当|接下来你(是|就是|来当)|你(就)?当(自己|你)是",
    r"[【\[<]\s*(系统|管理员|开发者|后台|运营|官方|平台)(通知|公告|消息|指令)?\s*[】\]>]",
    r"(本机器人|机器人|助手)(即日起|现在|已经?)?.{0,10}(取消|关闭|解除|不再受|不受|摆脱)|你(已经|现在)?(不再受|不受|摆脱)",
    r"(关闭|解除|取消|停用|禁用|关掉)了?.{0,6}(引用|出处|校验|过滤)|(引用|出处|校验)(模块|功能|要求)?(已|已经)?(被)?(关闭|解除|取消|失效|停用)",
    r"(不要|不用|不必|无需|别|不需要|不再)(再)?(给|标|标注|注明|附|带|提供|加|列)?(任何)?(出处|来源|条款编号|条款号)",
    r"解锁(模式|限制|权限)|(越狱|无限制)模式",
    r"(不要|不用|不必|无需|别|不需要|不再)(再)?(引用|引文件|查文件|标注出处|标出处)",
    r"别管.{0,4}(文件|通知|规定|规则)|凭(你)?自己的(理解|想法)",
    r"你(就|只)(说|回|回复|回答)(一句|个|一个)?[“\"'「]|回个?[“\"'「]?(对|是|好)[”\"'」]?就(好|行)",
    r"说是就(行|好)|确认就(行|好)|(用|只回答?)[“\"']?是[”\"']?(或|还是)[“\"']?否",
    r"(原样|照着?|一字不改地?)(复制|照抄|念)|(一个字|一字)都?(不要|别|不能)改",
    r"(对|跟|给)(之后|以后)?(每一个|每个|每位|所有|其他)(来问的?)?(的)?(用户|来问的人)",
    r"(哪个|什么)大模型|知识库(里)?(有)?多少|检索(阈值|条数|参数)|你们后台|后台用的",
    r"授权码|密令|暗号|有权限(查看|访问|获取)|内部(说明|指令|设定|提示)",
    r"(帮我|替我|教我|怎么|如何)伪造|红头文件|写得像真的|假装|编(一|个)?(份|条)(文件|条款|出处)|虚构(一|个)?(份|条)",
    r"(规则|限制|设定).{0,6}测试(用)?的|测试(已经)?结束了?[，,]?(现在)?你",
    r"(调试|维护|上帝)\s*模式|debug\s*=\s*(on|true|1)|我是(这个|你的|本)(项目|系统|平台|机器人)的?(开发|工程师|管理员|程序员)",
    r"(没有|去掉|不受|解除)任何(限制|约束)|假设你(没有|不是|是一个)",
    r"从现在(开始|起).{0,4}(你|助手|机器人).{0,8}(可以|必须|只能|要)|(上一条|前面的?|刚才的?)消息是系统(发|说)?的?",
    r"请?以(此|我说的|我给的|下面的?)为准(回答|作答|来回答)|请以(此|我说的|我给的|下面的?)为准",
    r"(所有|每条|每个|每次)(的)?(回答|回复).{0,4}(须|必须|都要|都得|要)(附加|加上|带上|包含|注明)",
    r"print\s*\(|\beval\s*\(|\bexec\s*\(|先执行\s*[:：]",
    r"\b(ignore|igonre|ingore|ignor|disregard)\s+(all\s+|ur\s+|your\s+|the\s+|previ\w*\s+|prior\s+|above\s+)*"
    r"(rules|instructions?|instrucitons|prompts?|guidelines)",
    r"no need (for )?(a |any )?(source|citation)|without (any )?(sources?|citations?)",
    r"\b(system override|answer freely|never cite|don'?t cite|stop citing)\b|\bdeprecated\b",
)

_PROBE = (
    r"系统提示(词|语|内容|原文)|你的(系统)?提示|提示词|\bprompt\b|系统消息|system message",
    r"隐藏(的)?(指令|提示|规则|设定)|(你|助手|模型)的?(配置|参数|temperature)|(你|助手)(回答问题时)?(遵守|遵循)的(规则|指令|原则)",
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

INJECTION = re.compile("|".join(_OVERRIDE + _COAX + _PROBE + _ROLE), re.I | re.M)
_SEND_LINK = r"(回复|回答|告诉|发送|提供).{0,10}(链接|网址)"
_NOTICE = re.compile("|".join((*_OVERRIDE, *_ROLE, _PAYMENT, _SEND_LINK)), re.I | re.M)
_PAYMENT_RE = re.compile(_PAYMENT, re.I)
_DELIMITER = re.compile("|".join(_ROLE[1:]), re.I)


def is_injection(question: str) -> bool:
    """True when a question tries to change the bot's rules, read its instructions or fake a turn.

    Read as typed, and with full-width letters folded and spaces or separators between Chinese characters closed
    (忽 略 规 则, 忽/略).
    """
    folded = unicodedata.normalize("NFKC", question)
    squeezed = _SPACED.sub("", folded)
    return any(INJECTION.search(text) for text in dict.fromkeys((question, folded, squeezed)))


_SPACED = re.compile(r"(?<=[\u4e00-\u9fff，。、])[\s/|*_·.-]+(?=[\u4e00-\u9fff，。、])")  # 忽/略, 忽 略


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
