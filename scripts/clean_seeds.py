"""Turn the seed notices (../shared/seeds) into the cleaned knowledge files under knowledge/.

Run once when seeds arrive: `python scripts/clean_seeds.py [SEEDS_DIR]`. The metadata is
CONTRACT.md §1; the cleaning is bot.cleaning.clean_text.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.cleaning import clean_text
from bot.notice import Notice, NoticeMeta, dump_notice

ROOT = Path(__file__).resolve().parent.parent

METADATA = [
    dict(
        source="000_0e1ecf61fa9bccb0.txt",
        doc="moe-2022-class",
        title="教育部关于做好2022届全国普通高校毕业生就业创业工作的通知",
        doc_number=None,
        issuer="教育部",
        issued="2021-11-15",
        scope="national",
        cohort="2022届",
    ),
    dict(
        source="001_2c27e2823561ded6.txt",
        doc="moe-2024-class",
        title="教育部关于做好2024届全国普通高校毕业生就业创业工作的通知",
        doc_number="教就业〔2023〕4号",
        issuer="教育部",
        issued="2023-12-01",
        scope="national",
        cohort="2024届",
    ),
    dict(
        source="002_9f0d68693a96bef2.txt",
        doc="guizhou-2022-class",
        title="省教育厅关于做好2022届全省普通高校毕业生就业创业工作的通知",
        doc_number="黔教发〔2022〕5号",
        issuer="贵州省教育厅",
        issued="2022-02-24",
        scope="贵州省",
        cohort="2022届",
    ),
    dict(
        source="003_d7e9717a532421cb.txt",
        doc="moe-2022-sprint",
        title="教育部办公厅关于举办2022届高校毕业生就业促进周 开展“百日冲刺”系列活动的通知",
        doc_number="教学厅函〔2022〕11号",
        issuer="教育部办公厅",
        issued="2022-04-24 (印发)",
        scope="national",
        cohort="2022届",
    ),
    dict(
        source="004_6cd25379806cd21f.txt",
        doc="moe-2023-spring",
        title="教育部办公厅关于开展2023届高校毕业生春季促就业攻坚行动的通知",
        doc_number="教学厅函〔2023〕3号",
        issuer="教育部办公厅",
        issued="2023-02-23",
        scope="national",
        cohort="2023届",
    ),
]


def main() -> None:
    """Write one cleaned knowledge file per seed."""
    seeds = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "seeds"
    for fields in METADATA:
        raw = (seeds / str(fields["source"])).read_text(encoding="utf-8")
        notice = Notice(meta=NoticeMeta.model_validate(fields), text=clean_text(raw))
        out = ROOT / "knowledge" / f"{fields['doc']}.md"
        out.write_text(dump_notice(notice), encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
