"""Verdicts as schema.org ClaimReview JSON-LD, one review per scored claim.

The claims are predictions, not true/false statements, so the textual rating says what happened
("No documented chemical incident followed") rather than "False".
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pandas as pd

from analysis.inputs import paths
from analysis.inputs.load import schema_field
from analysis.outputs import citation

STATE_OUTLETS_FILE = "state_outlets.csv"
DATE_IN_URL = re.compile(r"(?<!\d)(20\d\d)[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?!\d)")
EXPLORER_ANCHOR = "explorer.html#claim={claim_id}"  # relative to report/, where this file is written
RATINGS = {
    ("prediction", "materialized"): (3, "A documented chemical incident followed"),
    ("prediction", "not_materialized"): (1, "No documented chemical incident followed"),
    ("occurrence", "materialized"): (3, "An independently documented incident matches"),
    ("occurrence", "not_materialized"): (1, "No independently documented incident meets the evidence bar"),
}


def release_date() -> str:
    """The publication date is the release date in CITATION.cff, so the file is reproducible."""
    return citation.release_date()


def state_outlets(data_dir: Path | None = None) -> pd.DataFrame:
    """Known government and state-media domains (data/state_outlets.csv): domain, outlet, kind, state."""
    path = (data_dir or paths.data_dir()) / STATE_OUTLETS_FILE
    if not path.exists():  # a folder without the list: every source ranks alike
        return pd.DataFrame(columns=["domain", "outlet", "kind", "state"])
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def claimant_states(data_dir: Path | None = None) -> dict[str, str]:
    """Which state each claimant group speaks for (the claimant_group field's `enumStates` in the
    folder's datapackage.json): a claim's own government is its best first appearance."""
    return dict(schema_field("claims", "claimant_group", data_dir).get("enumStates", {}))


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".").removeprefix("www.")


def _outlet_of(url: str, outlets: pd.DataFrame) -> dict | None:
    host = _host(url)
    for row in outlets.itertuples():
        if host == row.domain or host.endswith("." + row.domain):
            return row._asdict()
    return None


def first_appearance(
    urls: list[str], claimant_group: str, outlets: pd.DataFrame, states: dict[str, str] | None = None
) -> tuple[str, str]:
    """The URL that best stands for where the claim first appeared, and its outlet's name.

    Preference: the claimant's own government; then its state's media; then any state outlet; then
    any source. Within a rank, the earliest date written in the URL (when there is one), then the
    ledger's order.
    """
    state = (states or {}).get(claimant_group)

    def rank(item: tuple[int, str]) -> tuple:
        order, url = item
        found = _outlet_of(url, outlets)
        if found is None:
            tier = 3
        elif found["state"] == state:
            tier = 0 if found["kind"] == "government" else 1
        else:
            tier = 2
        dated = DATE_IN_URL.search(urlsplit(url).path)
        return (tier, "".join(dated.groups()) if dated else "99999999", order)

    best = min(enumerate(urls), key=rank)[1]
    found = _outlet_of(best, outlets)
    return best, found["outlet"] if found else _host(best)


def review_url(claim_id: str) -> str:
    """The claim's entry in the explorer: absolute when CITATION.cff names the project's URL,
    else relative to report/ (a valid JSON-LD IRI reference, resolved against this file)."""
    anchor = EXPLORER_ANCHOR.format(claim_id=claim_id)
    base = citation.citation().get("url")
    return urljoin(str(base).rstrip("/") + "/report/", anchor) if base else anchor


def claim_reviews(verdicts: pd.DataFrame, claims: pd.DataFrame, rule_text: str, data_dir: Path | None = None) -> dict:
    merged = verdicts.merge(claims, on="claim_id", suffixes=("", "_claim"))
    published = release_date()
    outlets, states = state_outlets(data_dir), claimant_states(data_dir)
    authors = [{"@type": "Organization", "name": name} for name in citation.authors()]
    reviews = []
    for _, row in merged.iterrows():
        key = (row["scored_as"], row["verdict"])
        if key not in RATINGS:
            continue  # out of scope or not assessable: no verdict to publish
        value, text = RATINGS[key]
        urls = [u.strip() for u in str(row["source_urls"]).split(";") if u.strip()]
        first, first_outlet = first_appearance(urls, str(row["claimant_group"]), outlets, states)
        item = {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": str(row["claimant"])},
            "appearance": [{"@type": "CreativeWork", "url": u} for u in urls],
            "firstAppearance": {
                "@type": "CreativeWork",
                "url": first,
                "publisher": {"@type": "Organization", "name": first_outlet},
            },
        }
        if pd.notna(row["date_made"]):
            item["datePublished"] = row["date_made"].strftime("%Y-%m-%d")
        reviews.append(
            {
                "@type": "ClaimReview",
                "identifier": str(row["claim_id"]),
                "url": review_url(str(row["claim_id"])),
                "claimReviewed": str(row["summary"]),
                "itemReviewed": item,
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": value,
                    "bestRating": 3,
                    "worstRating": 1,
                    "alternateName": text,
                    "ratingExplanation": f"Rule: {rule_text}.",
                },
                "author": authors[0] if len(authors) == 1 else authors,
                "datePublished": published,
            }
        )
    return {"@context": "https://schema.org", "@graph": reviews}
