"""report/explorer.html: one self-contained page for reviewers, built from the verdict tables.

Every claim with its date, group, type, places, outlets, verdict and sources; search, filters and
sorting (DataTables, vendored from npm with its licence, inlined: no CDN, works from file://); a
picker over every rule of the sensitivity grid that recomputes the verdict column; a claim's detail
with the candidate incidents considered and, where the ledger groups rows into stories, the
story's other rows. Ledger text is untrusted: it travels as JSON inside a non-executable script
element (with '<', '>' and '&' escaped), and the page writes it with textContent only. A
Content-Security-Policy allows exactly the page's own scripts, by hash.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path

import pandas as pd

from analysis.inputs import paths
from analysis.inputs.load import Ledgers
from analysis.method.match import VERDICTS
from analysis.outputs.export import atomic_write_bytes
from analysis.outputs.report import SAFE_URL, outlet

EXPLORER_FILE = "explorer.html"
ASSETS = paths.TEMPLATES_DIR / "explorer"
TITLE = "Claims explorer: did the warnings come true?"


def _text(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return " ".join(str(value).split())


def _day(value: object) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) and pd.notna(value) else ""


def _date_text(claim: pd.Series) -> str:
    if made := _day(claim["date_made"]):
        return made
    low, high = _day(claim["date_earliest"]), _day(claim["date_latest"])
    return f"≈ {low or '?'} to {high or '?'}"


def rule_label(rule: pd.Series) -> str:
    frame = "claims' own time frames" if rule["stated_frame"] == "replace" else "fixed window"
    shape = "attack by the accused side" if rule["shape"] == "accused_side" else "any incident"
    evidence = str(rule["min_evidence"]).replace("_", " ")
    return f"{rule['window_days']} days · {rule['geography']} · evidence ≥ {evidence} · {shape} · {frame}"


def explorer_data(report_dir: Path, ledgers: Ledgers) -> dict:
    """Everything the page shows, from the verdict tables (report/tables/) and the ledgers."""
    key = json.loads((paths.tables_in(report_dir) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))
    primary = key["rule"]["rule_id"]
    verdicts = pd.read_csv(
        paths.tables_in(report_dir) / paths.VERDICTS_FILE, dtype=str, keep_default_na=False
    ).set_index("claim_id")
    grid = pd.read_csv(paths.tables_in(report_dir) / paths.GRID_VERDICTS_FILE, dtype=str, keep_default_na=False)
    places = ledgers.places.set_index("place_id")
    claims = ledgers.claims
    group_names = key["campaign"]["claimant_groups"]  # display names declared by the data folder
    order = list(claims["claim_id"])
    rows = []
    for _, c in claims.iterrows():
        urls = [u.strip() for u in _text(c["source_urls"]).split(";") if u.strip()]
        row = {
            "id": c["claim_id"],
            "date_text": _date_text(c),
            "date_sort": _day(c["date_made"]) or _day(c["date_earliest"]) or "9999",  # undated last
            "group": c["claimant_group"],
            "group_label": group_names.get(c["claimant_group"], _text(c["claimant_group"])),
            "type": _text(c["claim_type"]),
            "claimant": _text(c["claimant"]),
            "places": [_text(places.loc[p, "name"]) if p in places.index else p for p in c["place_list"]],
            "place_text": _text(c["place_text"]),
            "outlets": _text(c["outlets"]),
            "summary": _text(c["summary"]),
            "key_phrase": _text(c["key_phrase"]),
            "verification": _text(c["verification"]),
            "scored_as": verdicts.loc[c["claim_id"], "scored_as"],
            "sources": [{"label": outlet(u) if SAFE_URL.match(u) else u, "url": u} for u in urls],
        }
        if "story_id" in claims.columns:
            row["story_id"] = _text(c["story_id"])
        rows.append(row)
    rules = grid.drop_duplicates("rule_id")[
        ["rule_id", "window_days", "geography", "min_evidence", "shape", "stated_frame"]
    ]
    # One character per claim and rule (the verdict's index), and the matched incidents where any.
    codes = {name: str(i) for i, name in enumerate(VERDICTS)}
    by_rule = {rule_id: part.set_index("claim_id") for rule_id, part in grid.groupby("rule_id", sort=False)}
    verdict_codes, matched = {}, {}
    for rule_id, part in by_rule.items():
        verdict_codes[rule_id] = "".join(codes[part.loc[claim_id, "verdict"]] for claim_id in order)
        found = part.loc[part["matched_incidents"] != "", "matched_incidents"]
        if not found.empty:
            matched[rule_id] = found.to_dict()
    incidents = {}
    for _, inc in ledgers.incidents.iterrows():
        incidents[inc["incident_id"]] = {
            "date": _day(inc["date_earliest"])
            if inc["date_precision"] == "day"
            else f"{_day(inc['date_earliest'])} to {_day(inc['date_latest'])}",
            "place_text": _text(inc["place_text"]),
            "evidence": _text(inc["evidence_level"]).replace("_", " "),
            "alleged_perpetrator": _text(inc["alleged_perpetrator"]),
        }
    detail = {
        claim_id: {
            "window_start": v["window_start"],
            "window_end": v["window_end"],
            "candidates": _text(v["candidates_considered"]),
            "reason": _text(v["reason"]),
        }
        for claim_id, v in verdicts.iterrows()
    }
    return {
        "verdict_names": VERDICTS,
        "primary": primary,
        "claims": rows,
        "rules": [{"id": r.rule_id, "label": rule_label(r._asdict())} for r in rules.itertuples()],
        "verdicts": verdict_codes,
        "matched": matched,
        "incidents": incidents,
        "primary_detail": detail,
    }


def script_json(value: object) -> str:
    """JSON that cannot end its <script> element or open a comment in it, whatever the text holds."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def render_explorer(data: dict) -> str:
    scripts = [
        (ASSETS / "vendor" / "dataTables.min.js").read_text(encoding="utf-8"),
        (ASSETS / "explorer.js").read_text(encoding="utf-8"),
    ]
    styles = (
        (ASSETS / "vendor" / "dataTables.dataTables.min.css").read_text(encoding="utf-8")
        + "\n"
        + (ASSETS / "explorer.css").read_text(encoding="utf-8")
    )
    csp = (
        "default-src 'none'; script-src "
        + " ".join(_sha256(s) for s in scripts)
        + "; style-src 'unsafe-inline'; img-src data:"
    )
    n = len(data["claims"])
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{html.escape(TITLE)}</title>\n'
        f"<style>\n{styles}\n</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(TITLE)}</h1>\n"
        f'<p class="note">All {n} claims of the ledger. Pick a rule of the sensitivity grid to see the verdicts change; '
        "search and filter the table; click a row for the claim's audit trail. Works offline; nothing is loaded from the network. "
        "The report (report.md, report.html, report.pdf) explains the method.</p>\n"
        '<div class="controls">\n'
        '<label>Rule<select id="rule"></select></label>\n'
        '<label>Verdict<select id="verdict-filter"><option value="">all</option></select></label>\n'
        '<label>Group<select id="group-filter"><option value="">all</option></select></label>\n'
        "</div>\n"
        '<p id="rule-summary"></p>\n'
        '<section id="detail" hidden></section>\n'
        '<table id="claims" class="display compact"></table>\n'
        "</main>\n"
        f'<script type="application/json" id="explorer-data">{script_json(data)}</script>\n'
        + "".join(f"<script>{s}</script>\n" for s in scripts)
        + "</body>\n</html>\n"
    )


def write_explorer(root: Path, ledgers: Ledgers) -> Path:
    """Write root/report/explorer.html from the verdict tables already written there."""
    report_dir = paths.report_dir(root)
    path = report_dir / EXPLORER_FILE
    atomic_write_bytes(path, render_explorer(explorer_data(report_dir, ledgers)).encode("utf-8"))
    return path
