"""Stories (echo clusters): claim rows that relay the same alleged plot, and reactive statements.

The declared rule ([stories] in rules.toml): two rows are echoes when they name a common place
(or one names only a region and the other a place in the same governorate), their accused groups
overlap (or either names none), and their first possible dates lie at most max_gap_days apart.
A story is a connected component of that relation. The ledger's reviewed `story_id` column is
checked against the rule; every disagreement must be a documented decision in the codebook.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from analysis.inputs.places import COARSE_TYPES
from analysis.inputs.rules import Rule
from analysis.method.match import Prepared, candidate_pairs, qualifying


def _accused(cell: object) -> frozenset[str]:
    if not isinstance(cell, str):
        return frozenset()
    return frozenset(part.strip().lower() for part in cell.split(";") if part.strip())


def echo_links(prep: Prepared, max_gap_days: int) -> np.ndarray:
    """Symmetric boolean matrix over prep.claims rows: which pairs of rows are echoes."""
    claims = prep.claims
    n = len(claims)
    cp = prep.claim_places
    places = [set() for _ in range(n)]
    governorates = [set() for _ in range(n)]
    region_only = np.zeros(n, bool)
    for row, group in cp.groupby("row"):
        places[row] = set(group["place_id"])
        governorates[row] = set(group["governorate"].dropna())
        region_only[row] = group["place_type"].isin(COARSE_TYPES).all()
    accused = [_accused(v) for v in claims["groups_accused"]]
    first = claims["day_first"].to_numpy()

    linked = np.zeros((n, n), bool)
    for i in range(n):
        for j in range(i + 1, n):
            if np.isnan(first[i]) or np.isnan(first[j]) or abs(first[i] - first[j]) > max_gap_days:
                continue
            same_place = bool(places[i] & places[j]) or (
                (region_only[i] or region_only[j]) and bool(governorates[i] & governorates[j])
            )
            same_agent = not accused[i] or not accused[j] or bool(accused[i] & accused[j])
            linked[i, j] = linked[j, i] = same_place and same_agent
    return linked


def propose_stories(prep: Prepared, max_gap_days: int) -> pd.Series:
    """The rule's story for every claim: S01, S02, ... numbered by the story's earliest row."""
    claims = prep.claims
    _, component = connected_components(csr_matrix(echo_links(prep, max_gap_days)), directed=False)
    order = (
        pd.DataFrame({"component": component, "first": claims["day_first"], "claim_id": claims["claim_id"]})
        .sort_values(["first", "claim_id"], na_position="last")
        .drop_duplicates("component")["component"]
    )
    number = {c: i + 1 for i, c in enumerate(order)}
    width = max(2, len(str(len(number))))
    labels = [f"S{number[c]:0{width}d}" for c in component]
    return pd.Series(labels, index=claims["claim_id"].to_numpy(), name="proposed_story")


def reviewed_stories(claims: pd.DataFrame) -> pd.Series:
    """The ledger's story_id; a row left empty is a story of its own (its claim id)."""
    story = claims["story_id"].astype("string")
    return pd.Series(story.fillna(claims["claim_id"]).to_numpy(), index=claims["claim_id"].to_numpy(), name="story")


def disagreements(reviewed: pd.Series, proposed: pd.Series) -> list[tuple[str, str]]:
    """Pairs of claims that one partition puts together and the other apart (labels are arbitrary)."""
    ids = list(reviewed.index)
    rev, pro = reviewed.reindex(ids).to_numpy(), proposed.reindex(ids).to_numpy()
    out = []
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            if (rev[i] == rev[j]) != (pro[i] == pro[j]):
                out.append((ids[i], ids[j]))
    return out


DECISIONS_HEADING = "## Story decisions"


def documented_decisions(codebook_text: str) -> dict[str, str]:
    """Claim id -> the reason given in the codebook's 'Story decisions' table."""
    section = codebook_text.split(DECISIONS_HEADING, 1)
    if len(section) < 2:
        return {}
    body = section[1].split("\n## ", 1)[0]
    out = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"`?C[0-9]{2,}`?", cells[0]):
            out[cells[0].strip("`")] = cells[-1]
    return out


def undocumented(reviewed: pd.Series, proposed: pd.Series, decisions: dict[str, str]) -> list[tuple[str, str]]:
    """Disagreements where neither claim is listed as a documented decision."""
    return [(a, b) for a, b in disagreements(reviewed, proposed) if a not in decisions and b not in decisions]


def reactive(prep: Prepared, lookback_days: int, min_evidence: str) -> pd.Series:
    """True for a claim made within lookback_days after (or on the day of) a documented chemical
    incident, of any attribution, in a governorate it names: a reaction, not a prediction.

    Derived for every claim row with a known first possible date, whatever its claim type,
    claimant group or period (not only the scored predictions)."""
    claims = prep.claims.copy()
    # The matcher looks only at assessable rows; here every dated row is looked at.
    claims["assessable"] = claims["day_first"].notna()
    # Reuse the matcher: a window [first - lookback, first] at governorate level, any shape.
    claims["day_last"] = claims["day_first"]
    claims["day_first"] = claims["day_first"] - lookback_days
    claims["is_occurrence"] = False
    looking_back = Prepared(claims, prep.claim_places, prep.incidents, prep.incident_places)
    rule = Rule(window_days=0, geography="governorate", radius_km=0.0, min_evidence=min_evidence, shape="any")
    pairs = candidate_pairs(looking_back, rule)
    pairs = pairs.loc[qualifying(pairs, looking_back, rule)]
    flag = np.zeros(len(claims), bool)
    flag[pairs["claim_row"].to_numpy(dtype=np.int64)] = True
    flag &= ~np.isnan(prep.claims["day_first"].to_numpy())
    return pd.Series(flag, index=claims["claim_id"].to_numpy(), name="reactive")
