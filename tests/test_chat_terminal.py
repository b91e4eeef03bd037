"""`policybot chat` in a real pseudo-terminal, typed into as a person would (pexpect)."""

from __future__ import annotations

import os
import shutil
import sys

import pexpect
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_a_person_asks_follows_up_resets_and_quits_in_a_terminal(real_index_dir):
    beside = os.path.join(os.path.dirname(sys.executable), "policybot")  # the one installed with this interpreter
    exe = beside if os.path.exists(beside) else shutil.which("policybot")
    assert exe, "policybot is not installed"
    env = {**os.environ, "POLICYBOT_DATA_DIR": str(real_index_dir), "COLUMNS": "120", "TERM": "xterm", "NO_COLOR": "1"}
    child = pexpect.spawn(exe, ["chat", "--mode", "extractive"], env=env, encoding="utf-8", timeout=60)
    try:
        child.expect("/quit 退出")
        child.expect("问> ")
        child.sendline("贵州2022年特岗计划招多少人？")
        child.expect("6000")
        child.expect("问> ")
        child.sendline("那三支一扶呢？")
        child.expect("800")
        child.expect("问> ")
        child.sendline("/reset")
        child.expect("对话已清空")
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
