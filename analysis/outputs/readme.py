"""The README's headline block, generated from key_numbers.json so it is never retyped."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from analysis.inputs import paths
from analysis.outputs import textblocks, wording
from analysis.outputs.export import atomic_write_text
from analysis.outputs.report import pct

README = paths.ROOT / "README.md"


def headline(key: dict) -> str:
    null, sens = key["null_model"], key["sensitivity"]
    names = key["campaign"]["claimant_groups"]
    counts = "".join(f" {published_count_clause(c, names)}" for c in key["published_counts"])
    accusations = wording.plural(key["claims_total"], "accusation")
    return (
        f"**{key['hits']} of {key['claims_assessable']}** dated predictions of a staged or imminent chemical attack "
        f"were followed by a documented chemical incident (95% CI {pct(key['ci_low'])}–{pct(key['ci_high'])}, "
        f"Clopper–Pearson), under the primary rule: {key['rule']['text']}.\n"
        f"Chance alone would give about {null['expected_hits']:.1f} hits; {null['verdict_text']}.\n"
        f"{wording.alternative_rules_sentence(sens['rules'], sens['rules_with_hits'], sens['max_hits'], sens['max_hits_n'])}"
        f" Ledger: {accusations}.{counts}"
        f"{widest_campaign_line(key)}"
    )


def widest_campaign_line(key: dict) -> str:
    """Both questions for the declared campaign with the longest period after the described one
    (in the shipped folder, the whole record), so the headline does not stop at the first campaign;
    nothing when the folder declares one campaign only."""
    others = key.get("by_campaign", [])[1:]
    if not others:
        return ""
    widest = max(others, key=lambda c: date.fromisoformat(c["period_to"]) - date.fromisoformat(c["period_from"]))
    method = key["dependence"]["method"]
    return f"\n{wording.campaign_paragraph(widest, method['primary_delta_days'], method['alpha'])}"


def published_count_clause(count: dict, names: dict[str, str]) -> str:
    """A published count beside ours, never without where it was read and how rows were mapped."""
    ours = f"{count['ours_total']} of our rows meet our reading of {count['source']}'s criteria"
    if count["total"] is None:
        return f"{ours}."
    mapped = "an inference, not a row-by-row match" if count["mapping"] == "inference" else "matched row by row"
    return f"{ours}; {count['source']} counted {count['total']}, read in {count['read_via']} ({mapped})."


def write_readme(report_dir: Path, readme: Path = README) -> Path:
    key = json.loads((paths.tables_in(report_dir) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))
    text = readme.read_text(encoding="utf-8")
    atomic_write_text(readme, textblocks.fill(text, {"headline": headline(key)}, readme.name))
    return readme


# What the headline states, as (label, path into key_numbers.json); compared between builds.
HEADLINE_FIELDS = [
    ("hits", ("hits",)),
    ("dated predictions scored", ("claims_assessable",)),
    ("accusations in the ledger", ("claims_total",)),
    ("claims out of scope", ("claims_out_of_scope",)),
    ("CI upper bound", ("ci_high",)),
    ("expected hits by chance", ("null_model", "expected_hits")),
    ("alternative rules with a hit", ("sensitivity", "rules_with_hits")),
    ("most hits under any rule", ("sensitivity", "max_hits")),
]


def _get(key: dict, path: tuple[str, ...]):
    for part in path:
        key = key.get(part) if isinstance(key, dict) else None
    return key


def headline_changes(previous: dict | None, current: dict) -> list[str]:
    """Lines saying what changed in the headline's numbers since the last build (none: nothing)."""
    if previous is None:
        return []
    lines = []
    for label, path in HEADLINE_FIELDS:
        old, new = _get(previous, path), _get(current, path)
        if old != new:
            shown = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in (old, new)]
            lines.append(f"headline changed: {label} {shown[0]} -> {shown[1]}")
    return lines


def build_messages(ledgers, previous_key_file: Path, current: dict) -> list[str]:
    """What a build should print after computing the key numbers: claims outside the declared
    period (usually date typos) and the headline numbers that changed since the previous build.

    build.py calls this in its key-numbers step with the key_numbers.json of the outputs it is
    about to replace, and prints each line.
    """
    from analysis.inputs.campaign import scope_warnings

    previous = json.loads(previous_key_file.read_text(encoding="utf-8")) if Path(previous_key_file).exists() else None
    return [f"warning: {line}" for line in scope_warnings(ledgers)] + headline_changes(previous, current)
