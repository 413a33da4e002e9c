"""The human codebook (data/README.md): prose written by hand, tables generated from the data.

Column tables come from data/datapackage.json and counts come from the ledgers, so the codebook
cannot drift from either. Generated blocks sit between BEGIN/END markers. The build never writes
into the data folder: `python -m analysis codebook` checks the tables (exit 1 when stale) and a
test does the same; a maintainer refreshes them with `python -m analysis codebook --write`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.inputs import paths
from analysis.inputs.campaign import in_campaign, load_declaration
from analysis.inputs.load import enum_labels, resources
from analysis.method import completeness
from analysis.outputs import textblocks
from analysis.outputs.export import atomic_write_text
from analysis.outputs.results import ledger_counts, reconciliation
from analysis.pipeline import session

CODEBOOK = "README.md"


def markdown_table(frame: pd.DataFrame) -> str:
    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def columns_table(resource: dict) -> str:
    rows = []
    for field in resource["schema"]["fields"]:
        constraints = field.get("constraints", {})
        allowed = ", ".join(f"`{v}`" for v in constraints.get("enum", []))
        rows.append(
            {
                "column": f"`{field['name']}`",
                "type": field["type"],
                "required": "yes" if constraints.get("required") else "",
                "allowed values": allowed,
                "meaning": field.get("description", ""),
            }
        )
    return markdown_table(pd.DataFrame(rows))


def unconfirmed_rows(ledgers) -> str:
    """Every row not fully verified, and every place without coordinates, listed from the data."""
    lines = []
    for file, frame, key in (
        ("claims.csv", ledgers.claims, "claim_id"),
        ("incidents.csv", ledgers.incidents, "incident_id"),
        ("aggregate_counts.csv", ledgers.aggregates, "count_id"),
    ):
        pending = frame[frame["verification"] != "verified"]
        listed = ", ".join(f"{row[key]} ({row['verification'].replace('_', ' ')})" for _, row in pending.iterrows())
        lines.append(f"- `{file}`: {listed or 'none'}")
    places = ledgers.places
    missing = places.loc[places["latitude"].isna(), "place_id"].tolist()
    lines.append(
        f"- `places.csv`: {len(missing)} of {len(places)} places have no coordinates (no public source showing them "
        f"could be read): {', '.join(missing) or 'none'}"
    )
    return "\n".join(lines)


def reconciliation_block(ledgers, data_dir: Path) -> str:
    """Our counts beside each published count the campaign declares (none: says so)."""
    campaign = load_declaration(data_dir, ledgers.claims).main
    names = enum_labels("claims", "claimant_group", data_dir)
    parts = []
    for count in campaign.published_counts:
        rec = reconciliation(in_campaign(ledgers.claims, campaign), count)  # the campaign's own rows
        source = rec["source"]
        rows = [
            {"count": "all accusations in the campaign's period", "ours": rec["ledger_total"], source: ""},
            {"count": f"accusations {rec['criteria']}", "ours": rec["ours_total"], source: rec["total"]},
        ]
        for group, published in rec["by_group"].items():
            name = names.get(group, group)
            rows.append({"count": f"of which from {name}", "ours": rec["ours_by_group"][group], source: published})
            rows.append(
                {
                    "count": f"{name} statements in the campaign's period",
                    "ours": rec["ledger_by_group"][group],
                    source: published,
                }
            )
        failing = "".join(
            f"\n\n{names.get(g, g)} statements that fail the criteria other than the period: {', '.join(ids) or 'none'}."
            for g, ids in rec["failing_filters_by_group"].items()
        )
        parts.append(
            markdown_table(pd.DataFrame(rows))
            + f"\n\n{source}'s count was read in {rec['read_via']}; mapping: {rec['mapping']} ({rec['mapping_text']})."
            + "\n\nClaims in the subset: "
            + (", ".join(rec["ours_ids"]) or "none")
            + "."
            + failing
        )
    return "\n\n".join(parts) or "This folder declares no published count (campaign.toml)."


def generated_blocks(data_dir: Path) -> dict[str, str]:
    ledgers = session.ledgers(data_dir)  # the build's: validated once per process
    session.rules(data_dir)  # a broken rules file stops the codebook too
    blocks = {f"columns-{name}": columns_table(res) for name, res in resources(data_dir).items()}
    blocks["counts-by-month"] = markdown_table(ledger_counts(ledgers.claims))
    blocks["reconciliation"] = reconciliation_block(ledgers, data_dir)
    statuses = ["verified", "partly_verified", "unverified"]
    rows = []
    for file, frame in (
        ("claims.csv", ledgers.claims),
        ("incidents.csv", ledgers.incidents),
        ("places.csv", ledgers.places),
        ("aggregate_counts.csv", ledgers.aggregates),
        *((f"{name}.csv", frame) for name, frame in ledgers.extras.items()),
    ):
        counts = frame["verification"].value_counts() if "verification" in frame else pd.Series(dtype=int)
        rows.append(
            {"file": file, "rows": len(frame)} | {s: int(counts.get(s, 0)) if len(counts) else "" for s in statuses}
        )
    blocks["row-counts"] = markdown_table(pd.DataFrame(rows))
    blocks["unconfirmed"] = unconfirmed_rows(ledgers)
    blocks["counts-by-year"] = markdown_table(completeness.counts_by_year(ledgers))
    blocks["completeness"] = markdown_table(completeness.completeness_table(ledgers, paths.rules_path(data_dir)))
    return blocks


def render(text: str, blocks: dict[str, str]) -> str:
    return textblocks.fill(text, blocks, CODEBOOK)


def stale_blocks(data_dir: Path | None = None) -> list[str]:
    """Names of the generated blocks whose text in the codebook differs from the data's."""
    data_dir = Path(data_dir or paths.DEFAULT_DATA_DIR)
    text = (data_dir / CODEBOOK).read_text(encoding="utf-8")
    fresh = render(text, generated_blocks(data_dir))
    current = {m.group("name"): m.group(0) for m in textblocks.BLOCK.finditer(text)}
    return [m.group("name") for m in textblocks.BLOCK.finditer(fresh) if current.get(m.group("name")) != m.group(0)]


def write_codebook(data_dir: Path | None = None) -> Path:
    data_dir = Path(data_dir or paths.DEFAULT_DATA_DIR)
    path = data_dir / CODEBOOK
    text = path.read_text(encoding="utf-8")
    atomic_write_text(path, render(text, generated_blocks(data_dir)))
    return path
