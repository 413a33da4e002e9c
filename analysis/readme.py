"""The README's headline block, generated from key_numbers.json so it is never retyped."""

from __future__ import annotations

import json
from pathlib import Path

from analysis import paths, textblocks
from analysis.export import atomic_write_text
from analysis.report import pct

README = paths.ROOT / "README.md"


def headline(key: dict) -> str:
    null, rec, sens = key["null_model"], key["reconciliation"], key["sensitivity"]
    return (
        f"**{key['hits']} of {key['claims_assessable']}** dated predictions of a staged or imminent chemical attack "
        f"were followed by a documented chemical incident (95% CI {pct(key['ci_low'])}–{pct(key['ci_high'])}, "
        f"Clopper–Pearson), under the primary rule: {key['rule']['text']}.\n"
        f"Chance alone would give about {null['expected_hits']:.1f} hits; {null['verdict_text']}.\n"
        f"{sens['rules_with_hits']} of {sens['rules']} alternative rules give any hit (at most "
        f"{sens['max_hits']} of {sens['max_hits_n']}). Ledger: {key['claims_total']} accusations "
        f"({rec['ours_total']} meet our reading of Bellingcat's criteria; Bellingcat counted {rec['published_total']})."
    )


def write_readme(report_dir: Path, readme: Path = README) -> Path:
    key = json.loads((report_dir / "key_numbers.json").read_text(encoding="utf-8"))
    text = readme.read_text(encoding="utf-8")
    atomic_write_text(readme, textblocks.fill(text, {"headline": headline(key)}, readme.name))
    return readme
