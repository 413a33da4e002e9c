"""Verdicts as schema.org ClaimReview JSON-LD, one review per scored claim.

The claims are predictions, not true/false statements, so the textual rating says what happened
("No documented chemical incident followed") rather than "False".
"""

from __future__ import annotations

import pandas as pd
import yaml

from analysis import paths

PUBLISHER = "The chemical-warnings project contributors"
RATINGS = {
    ("prediction", "materialized"): (3, "A documented chemical incident followed"),
    ("prediction", "not_materialized"): (1, "No documented chemical incident followed"),
    ("occurrence", "materialized"): (3, "An independently documented incident matches"),
    ("occurrence", "not_materialized"): (1, "No independently documented incident meets the evidence bar"),
}


def release_date() -> str:
    """The publication date is the release date in CITATION.cff, so the file is reproducible."""
    citation = yaml.safe_load((paths.ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    return str(citation["date-released"])


def claim_reviews(verdicts: pd.DataFrame, claims: pd.DataFrame, rule_text: str) -> dict:
    merged = verdicts.merge(claims, on="claim_id", suffixes=("", "_claim"))
    published = release_date()
    reviews = []
    for _, row in merged.iterrows():
        key = (row["scored_as"], row["verdict"])
        if key not in RATINGS:
            continue  # out of scope or not assessable: no verdict to publish
        value, text = RATINGS[key]
        urls = [u for u in str(row["source_urls"]).split(";") if u]
        item = {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": str(row["claimant"])},
            "appearance": [{"@type": "CreativeWork", "url": u} for u in urls],
            "firstAppearance": {"@type": "CreativeWork", "url": urls[0]},
        }
        if pd.notna(row["date_made"]):
            item["datePublished"] = row["date_made"].strftime("%Y-%m-%d")
        reviews.append(
            {
                "@type": "ClaimReview",
                "identifier": str(row["claim_id"]),
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
                "author": {"@type": "Organization", "name": PUBLISHER},
                "datePublished": published,
            }
        )
    return {"@context": "https://schema.org", "@graph": reviews}
