"""Claims x incidents -> verdicts, under a declared rule.

Matching is an interval join on sorted arrays: incidents are sorted once by (geography key, first
possible day) and every claim place finds its candidates with two binary searches, so the cost
grows as (n + m) log m plus the number of true candidates, never n x m.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.inputs.load import Ledgers
from analysis.inputs.places import COARSE_TYPES, grid_cells, haversine_km
from analysis.inputs.rules import Rule, Rules

DAY = np.timedelta64(1, "D")
KEY_STRIDE = np.int64(10_000_000)  # > any day number we meet, so key*stride + day sorts by key then day
NO_CELL = np.int64(-1)  # key of incident places without coordinates (real cells are >= 0 in Syria)
NEIGHBOURS = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]

VERDICTS = ["materialized", "not_materialized", "not_assessable", "out_of_scope"]
# The verdicts that score a claim (a hit or a miss); the other two leave it out of every rate.
SCORED_VERDICTS = VERDICTS[:2]
# Streaming (candidate_chunks): candidate pairs held at once, and the bounds of a slice of claims.
PAIR_BUDGET = 2_000_000
FIRST_CHUNK_CLAIMS = 2_000
MAX_CHUNK_CLAIMS = 500_000


def is_scored(verdicts: pd.Series) -> pd.Series:
    """Per row: does the verdict score the claim (materialized or not), rather than set it aside?"""
    return verdicts.isin(SCORED_VERDICTS)


def scored_mask(table: pd.DataFrame, kind: str = "prediction") -> pd.Series:
    """Per row of a verdict table (same index): is it scored, as a `kind` ('prediction' or 'occurrence')?"""
    return table["scored_as"].eq(kind) & is_scored(table["verdict"])


def scored_by_claim(table: pd.DataFrame) -> pd.Series:
    """The same mask indexed by claim id, to select per-claim values (p0, stories) of scored predictions."""
    return scored_mask(table.set_index("claim_id"))


def scored_predictions(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a verdict table that count towards the hit rate: scored predictions."""
    return table[scored_mask(table)]


def _days(values: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 (float so that missing dates stay NaN)."""
    out = values.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    days = out.astype("datetime64[D]").astype("int64").astype(float)
    days[np.isnat(out)] = np.nan
    return days


def _place_table(frame: pd.DataFrame, id_column: str, places: pd.DataFrame) -> pd.DataFrame:
    """One row per (record, place) with the place's coordinates and administrative units."""
    exploded = frame[[id_column, "place_list"]].explode("place_list", ignore_index=False)
    exploded = exploded.rename(columns={"place_list": "place_id"}).dropna(subset=["place_id"])
    exploded["row"] = exploded.index.to_numpy()
    gaz = places.set_index("place_id")[["latitude", "longitude", "district", "governorate", "place_type"]]
    return exploded.join(gaz, on="place_id").reset_index(drop=True)


def drop_redundant_regions(table: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """A region named beside a more specific place inside it ("Azaz, Aleppo province") only
    locates that place; matching it as a whole governorate would make the claim vaguer than it is."""
    coarse = table["place_type"].isin(COARSE_TYPES)
    fine_govs = set(zip(table.loc[~coarse, id_column], table.loc[~coarse, "governorate"], strict=True))
    redundant = coarse & pd.Series(
        [(i, g) in fine_govs for i, g in zip(table[id_column], table["governorate"], strict=True)], index=table.index
    )
    return table.loc[~redundant].reset_index(drop=True)


@dataclass
class Prepared:
    """Ledgers in the array form the join needs; built once, reused for every rule."""

    claims: pd.DataFrame  # one row per claim, with scope flags and day bounds
    claim_places: pd.DataFrame  # one row per (claim, place)
    incidents: pd.DataFrame  # one row per incident
    incident_places: pd.DataFrame  # one row per (incident, place)


def prepare(ledgers: Ledgers, rules: Rules) -> Prepared:
    claims = ledgers.claims.reset_index(drop=True).copy()
    scope = rules.scope
    claims["day_first"] = _days(claims["date_earliest"])
    claims["day_last"] = _days(claims["date_latest"])
    claims["is_prediction"] = claims["claim_type"].isin(scope.prediction_types)
    claims["is_occurrence"] = claims["claim_type"].isin(scope.occurrence_types)
    first, last = claims["date_earliest"], claims["date_latest"]
    # A claim whose possible dates touch the scope period is in scope; unknown bounds do not exclude.
    date_ok = ~((last.notna() & (last < scope.date_from)) | (first.notna() & (first > scope.date_to)))
    claims["in_scope"] = (
        date_ok
        & claims["claimant_group"].isin(scope.claimant_groups)
        & (claims["is_prediction"] | claims["is_occurrence"])
    )
    claims["assessable"] = claims["in_scope"] & claims["date_earliest"].notna() & claims["date_latest"].notna()

    incidents = ledgers.incidents.reset_index(drop=True).copy()
    incidents["day_first"] = _days(incidents["date_earliest"])
    incidents["day_last"] = _days(incidents["date_latest"])
    incidents["accused_side"] = incidents["perpetrator_side"].isin(rules.accused_sides)
    return Prepared(
        claims=claims,
        claim_places=drop_redundant_regions(_place_table(claims, "claim_id", ledgers.places), "claim_id"),
        incidents=incidents,
        incident_places=_place_table(incidents, "incident_id", ledgers.places),
    )


def claim_windows(claims: pd.DataFrame, rule: Rule) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (inclusive) in which an incident would fulfil each claim."""
    window = np.full(len(claims), float(rule.window_days))
    if rule.stated_frame == "replace":
        stated = claims["stated_window_days"].to_numpy(dtype=float, na_value=np.nan)
        window = np.where(np.isnan(stated), window, stated)
    occurrence = claims["is_occurrence"].to_numpy()
    start = np.where(occurrence, claims["day_first"] - rule.occurrence_lookback_days, claims["day_first"])
    end = np.where(occurrence, claims["day_last"], claims["day_last"] + window)
    return start, end


def _interval_join(c_key, c_start, c_end, i_key, i_first, i_last):
    """Pairs (c, i) with equal keys and overlapping day intervals, by binary search."""
    if len(c_key) == 0 or len(i_key) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    max_span = float(np.max(i_last - i_first))
    order = np.lexsort((i_first, i_key))
    sorted_code = i_key[order] * KEY_STRIDE + i_first[order]
    lo = np.searchsorted(sorted_code, c_key * KEY_STRIDE + (c_start - max_span), side="left")
    hi = np.searchsorted(sorted_code, c_key * KEY_STRIDE + c_end, side="right")
    counts = hi - lo
    c_idx = np.repeat(np.arange(len(c_key)), counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    i_idx = order[np.repeat(lo, counts) + within]
    keep = (i_last[i_idx] >= c_start[c_idx]) & (i_first[i_idx] <= c_end[c_idx])
    return c_idx[keep], i_idx[keep]


def effective_level(table: pd.DataFrame, level: str) -> np.ndarray:
    """A claim is never made more precise than its place: a region matches at its governorate, a
    place without coordinates at its district (or governorate when the district is unknown)."""
    coarse = table["place_type"].isin(COARSE_TYPES).to_numpy()
    no_district = table["district"].isna().to_numpy()
    no_point = table["latitude"].isna().to_numpy() | table["longitude"].isna().to_numpy()
    out = np.full(len(table), level, dtype=object)
    if level == "radius":
        out[(table["place_type"] == "district").to_numpy() | no_point] = "district"
    if level in ("radius", "district"):
        out[coarse | (no_district & (out == "district"))] = "governorate"
    return out


def _codes(*columns: pd.Series) -> list[np.ndarray]:
    """Shared integer codes for string columns, so equal names get equal keys."""
    values = pd.concat(columns, ignore_index=True).astype("string")
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    out, start = [], 0
    for column in columns:
        out.append(codes[start : start + len(column)].astype(np.int64))
        start += len(column)
    return out


def candidate_pairs(prep: Prepared, rule: Rule) -> pd.DataFrame:
    """Every (claim place, incident place) pair in time and in place, before evidence and shape."""
    start, end = claim_windows(prep.claims, rule)
    return _pairs(prep, rule, prep.claim_places, prep.incident_places, start, end)


def candidate_chunks(
    prep: Prepared, rule: Rule, budget: int = PAIR_BUDGET, qualifying_only: bool = False
) -> Iterator[pd.DataFrame]:
    """candidate_pairs in consecutive slices of claims, each of about `budget` pairs: together the
    same rows in the same order, but never all in memory at once.

    The slice size follows the pairs per claim of the slice before (the first slice is small), so
    a geography that gives hundreds of candidates per claim ('anywhere') takes fewer claims at a time.
    qualifying_only: only the pairs that pass the rule's evidence bar and shape, as (claim_row,
    incident_row) alone -- what a verdict needs, found by joining the qualifying incidents only.
    """
    start, end = claim_windows(prep.claims, rule)
    ip = prep.incident_places
    if qualifying_only:
        ip = ip[_qualifying_incidents(prep, rule)[ip["row"].to_numpy()]]
    cp = prep.claim_places
    rows = cp["row"].to_numpy()
    if len(rows) and np.any(rows[1:] < rows[:-1]):  # prepare() keeps claim order; a caller may not
        cp = cp.iloc[np.argsort(rows, kind="stable")]
        rows = cp["row"].to_numpy()
    n_claims, first, size = len(prep.claims), 0, FIRST_CHUNK_CLAIMS
    while first < n_claims:
        last = min(n_claims, first + size)
        lo, hi = np.searchsorted(rows, [first, last])
        pairs = _pairs(prep, rule, cp.iloc[lo:hi], ip, start, end, light=qualifying_only)
        yield pairs
        per_claim = max(len(pairs), 1) / (last - first)
        size = int(min(max(budget / per_claim, FIRST_CHUNK_CLAIMS), MAX_CHUNK_CLAIMS))
        first = last


def _pairs(
    prep: Prepared,
    rule: Rule,
    cp: pd.DataFrame,
    ip: pd.DataFrame,
    start: np.ndarray,
    end: np.ndarray,
    light: bool = False,
) -> pd.DataFrame:
    """candidate_pairs of the claim places `cp` and incident places `ip` (slices of prep's);
    windows precomputed. light: only claim_row and incident_row, one row per pair, sorted."""
    claims = prep.claims
    c_start = start[cp["row"].to_numpy()]
    c_end = end[cp["row"].to_numpy()]
    usable = ~np.isnan(c_start) & ~np.isnan(c_end) & claims["assessable"].to_numpy()[cp["row"].to_numpy()]
    i_first = prep.incidents["day_first"].to_numpy()[ip["row"].to_numpy()]
    i_last = prep.incidents["day_last"].to_numpy()[ip["row"].to_numpy()]
    levels = effective_level(cp, rule.geography)

    found_c, found_i, found_level = [], [], []
    for level in ("radius", "district", "governorate", "anywhere"):
        mask = usable & (levels == level)
        if not mask.any():
            continue
        c_rows = np.flatnonzero(mask)
        if level == "radius":
            cx, cy = grid_cells(cp["latitude"].to_numpy()[c_rows], cp["longitude"].to_numpy()[c_rows], rule.radius_km)
            i_point = ip["latitude"].notna().to_numpy() & ip["longitude"].notna().to_numpy()
            ix, iy = grid_cells(ip["latitude"].fillna(0), ip["longitude"].fillna(0), rule.radius_km)
            span = np.int64(1 << 20)  # cell coordinates are small; pack (x, y) into one key
            i_key = np.where(i_point, ix * span + iy, NO_CELL)
            c_key = np.concatenate([(cx + dx) * span + (cy + dy) for dx, dy in NEIGHBOURS])
            c_rows = np.tile(c_rows, len(NEIGHBOURS))
        elif level == "anywhere":
            c_key = np.zeros(len(c_rows), np.int64)
            i_key = np.zeros(len(ip), np.int64)
        else:
            column = "district" if level == "district" else "governorate"
            c_codes, i_codes = _codes(cp[column], ip[column])
            c_key, i_key = c_codes[c_rows], i_codes
            valid = c_key >= 0
            c_key, c_rows = c_key[valid], c_rows[valid]
        ci, ii = _interval_join(c_key, c_start[c_rows], c_end[c_rows], i_key, i_first, i_last)
        ci = c_rows[ci]
        if level == "radius":
            dist = haversine_km(
                cp["latitude"].to_numpy()[ci],
                cp["longitude"].to_numpy()[ci],
                ip["latitude"].to_numpy()[ii],
                ip["longitude"].to_numpy()[ii],
            )
            keep = dist <= rule.radius_km + 1e-9
            ci, ii = ci[keep], ii[keep]
        found_c.append(ci)
        found_i.append(ii)
        found_level.append(None if light else np.full(len(ci), level, dtype=object))
        if level == "radius" and (~i_point).any():
            # An incident place without coordinates cannot be measured: compare it by district.
            rows = np.flatnonzero(mask)
            c_codes, i_codes = _codes(cp["district"], ip["district"])
            i_key = np.where(i_point, -1, i_codes)
            rows = rows[c_codes[rows] >= 0]
            c_key = c_codes[rows]
            ci, ii = _interval_join(c_key, c_start[rows], c_end[rows], i_key, i_first, i_last)
            found_c.append(rows[ci])
            found_i.append(ii)
            found_level.append(None if light else np.full(len(ci), "district", dtype=object))

    if not found_c:
        columns = ["claim_row", "incident_row"] + ([] if light else ["distance_km", "days_after", "level"])
        return pd.DataFrame({c: np.empty(0, np.int64) for c in columns} if light else None, columns=columns)
    ci, ii = np.concatenate(found_c), np.concatenate(found_i)
    claim_row = cp["row"].to_numpy()[ci]
    incident_row = ip["row"].to_numpy()[ii]
    if light:  # which (claim, incident) pairs, no matter through which place: one sort of one key
        stride = np.int64(len(prep.incidents) + 1)
        pair_key = np.sort(claim_row.astype(np.int64) * stride + incident_row)  # (np.unique hashes: slower)
        pair_key = pair_key[np.diff(pair_key, prepend=-1) != 0]  # keys are >= 0
        return pd.DataFrame({"claim_row": pair_key // stride, "incident_row": pair_key % stride})
    levels_found = np.concatenate(found_level)
    distance = haversine_km(
        cp["latitude"].to_numpy()[ci],
        cp["longitude"].to_numpy()[ci],
        ip["latitude"].to_numpy()[ii],
        ip["longitude"].to_numpy()[ii],
    )
    # A claim naming several places may reach one incident through each; keep the closest.
    # One integer key per (claim, incident) and a single lexsort: far cheaper than a 3-column sort.
    pair_key = claim_row.astype(np.int64) * np.int64(len(prep.incidents) + 1) + incident_row
    order = np.lexsort((np.nan_to_num(distance, nan=np.inf), pair_key))
    first = np.ones(len(order), bool)
    first[1:] = pair_key[order][1:] != pair_key[order][:-1]
    keep = order[first]
    return pd.DataFrame(
        {
            "claim_row": claim_row[keep],
            "incident_row": incident_row[keep],
            "distance_km": distance[keep],
            "days_after": i_first[ii[keep]] - claims["day_first"].to_numpy()[claim_row[keep]],
            "level": levels_found[keep],
        }
    )


def _qualifying_incidents(prep: Prepared, rule: Rule) -> np.ndarray:
    """Which incidents pass the rule's evidence bar and shape (one flag per incident row)."""
    incidents = prep.incidents
    ok = incidents["evidence_level"].isin(rule.evidence_levels()).to_numpy().copy()
    if rule.shape == "accused_side":
        ok &= incidents["accused_side"].to_numpy(dtype=bool)
    return ok


def qualifying(pairs: pd.DataFrame, prep: Prepared, rule: Rule) -> np.ndarray:
    """Which candidate pairs pass the rule's evidence bar and shape."""
    return _qualifying_incidents(prep, rule)[pairs["incident_row"].to_numpy(dtype=np.int64)]


def _joined_ids(
    pairs: pd.DataFrame, passes: np.ndarray, prep: Prepared, n_claims: int, out: np.ndarray | None = None
) -> np.ndarray:
    """';'-joined ids of the qualifying incidents of each claim (pairs arrive sorted by claim)."""
    out = np.full(n_claims, "", dtype=object) if out is None else out
    if not passes.any():
        return out
    rows = pairs["claim_row"].to_numpy(dtype=np.int64)[passes]
    ids = prep.incidents["incident_id"].to_numpy(dtype=object)[pairs["incident_row"].to_numpy(dtype=np.int64)[passes]]
    last_of_claim = np.r_[rows[1:] != rows[:-1], True]
    # One join and one split in C instead of a join per claim: ids are followed by ';' inside a
    # claim and by a NUL (which no id contains: the codebook's id pattern) after its last one.
    separators = np.full(len(ids), ";", dtype=object)  # object, not str: numpy strips trailing NULs
    separators[last_of_claim] = "\0"
    pieces = np.empty(2 * len(ids), dtype=object)
    pieces[0::2], pieces[1::2] = ids, separators
    out[rows[last_of_claim]] = "".join(pieces.tolist()).split("\0")[:-1]
    return out


def _fmt_day(day: float) -> str:
    return str(np.datetime64(int(day), "D"))


def _candidate_text(pairs: pd.DataFrame, prep: Prepared, passes: np.ndarray, rule: Rule) -> pd.Series:
    incidents = prep.incidents
    texts = []
    for (_, row), ok in zip(pairs.iterrows(), passes, strict=True):
        inc = incidents.iloc[int(row["incident_row"])]
        why = ""
        if not ok:
            if inc["evidence_level"] not in rule.evidence_levels():
                why = f"; excluded: evidence '{inc['evidence_level']}' below '{rule.min_evidence}'"
            else:
                why = f"; excluded: attributed to {inc['perpetrator_side']}, not the accused side"
        texts.append(
            f"{inc['incident_id']} ({inc['evidence_level']}; {row['distance_km']:.0f} km; "
            f"{row['days_after']:+.0f} d{why})"
        )
    return pd.Series(texts, index=pairs.index, dtype=object)


def verdicts(
    prep: Prepared, rule: Rule, explain: bool = True, pairs: pd.DataFrame | None = None, ids: bool = True
) -> pd.DataFrame:
    """One row per claim: the verdict under `rule`, the incidents considered and why.

    explain=False drops the audit columns; ids=False (only with explain=False) also drops
    matched_incidents and takes the count-only path (`hits`), which forms no candidate pairs."""
    claims = prep.claims
    if not ids and (explain or pairs is not None):
        raise ValueError("ids=False is the count-only path: it takes neither explain=True nor pairs")
    if pairs is None and explain:
        pairs = candidate_pairs(prep, rule)
    matched = None
    if ids:
        hit = np.zeros(len(claims), bool)
        matched = np.full(len(claims), "", dtype=object)
        # Without explanations only the qualifying pairs matter, claim by claim: stream them (bounded memory).
        chunks = [pairs] if pairs is not None else candidate_chunks(prep, rule, qualifying_only=True)
        for chunk in chunks:
            passes = qualifying(chunk, prep, rule)
            hit[chunk["claim_row"].to_numpy(dtype=np.int64)[passes]] = True
            _joined_ids(chunk, passes, prep, len(claims), out=matched)
    else:
        hit = hits(prep, rule)

    verdict = np.where(
        ~claims["in_scope"],
        "out_of_scope",
        np.where(~claims["assessable"], "not_assessable", np.where(hit, "materialized", "not_materialized")),
    )
    out = pd.DataFrame(
        {
            "rule_id": rule.rule_id,
            "claim_id": claims["claim_id"].to_numpy(),
            "scored_as": np.where(
                claims["is_occurrence"], "occurrence", np.where(claims["is_prediction"], "prediction", "not_scored")
            ),
            "verdict": verdict,
        }
    )
    if matched is not None:
        out["matched_incidents"] = matched
    if not explain:
        return out
    passes = qualifying(pairs, prep, rule)

    start, end = claim_windows(claims, rule)
    text = _candidate_text(pairs, prep, passes, rule)
    considered = text.groupby(pairs["claim_row"]).apply(" | ".join)
    out["window_start"] = [_fmt_day(d) if not np.isnan(d) else "" for d in start]
    out["window_end"] = [_fmt_day(d) if not np.isnan(d) else "" for d in end]
    out["candidates_considered"] = considered.reindex(range(len(claims))).fillna("").to_numpy()
    out["reason"] = [_reason(claims.iloc[i], out.iloc[i], rule) for i in range(len(claims))]
    return out


def _reason(claim: pd.Series, row: pd.Series, rule: Rule) -> str:
    verdict = row["verdict"]
    if verdict == "out_of_scope":
        if not (claim["is_prediction"] or claim["is_occurrence"]):
            return f"claim type '{claim['claim_type']}' is neither a prediction nor an occurrence report"
        return "outside the declared period or claimant groups"
    if verdict == "not_assessable":
        return "the date the claim was made is not known well enough to place a window"
    dated = (
        "" if claim["date_precision"] == "day" else " (claim dated only approximately: window spans its date bounds)"
    )
    window = f"{row['window_start']} to {row['window_end']}{dated}"
    if verdict == "materialized":
        return f"documented incident(s) {row['matched_incidents']} meet the rule ({rule.describe()}); window {window}"
    excluded = " Candidates excluded: see candidates_considered." if row["candidates_considered"] else ""
    return f"no documented incident meets the rule ({rule.describe()}) in {window}.{excluded}"


# --- count-only path: which claims have a qualifying incident, without materialising pairs --------


def _any_overlap(c_key, c_start, c_end, i_key, i_first, i_last) -> np.ndarray:
    """For each claim entry: is there an incident entry with the same key whose day interval
    overlaps [c_start, c_end]? No pairs are formed.

    Incidents are sorted by (key, first day); within each key a running maximum of the last day
    says how late the incidents starting by a given day reach. One binary search per claim finds
    the last incident of its key starting on or before c_end; the claim is met exactly when that
    running maximum reaches c_start. Cost (n + m) log m, memory O(n + m)."""
    found = np.zeros(len(c_key), bool)
    dated = ~np.isnan(i_first) & ~np.isnan(i_last)
    i_key, i_first, i_last = i_key[dated], i_first[dated], i_last[dated]
    if len(c_key) == 0 or len(i_key) == 0:
        return found
    keys, i_rank = np.unique(i_key, return_inverse=True)
    c_rank = np.minimum(np.searchsorted(keys, c_key), len(keys) - 1)
    known = keys[c_rank] == c_key
    low = min(float(i_first.min()), float(i_last.min()))
    span = max(float(i_first.max()), float(i_last.max())) - low + 2  # days as offsets 0 .. span-2
    order = np.lexsort((i_first, i_rank))
    rank, first, last = i_rank[order], i_first[order] - low, i_last[order] - low
    # Running maximum of `last` that restarts at every key: lift each key's block above the last.
    reach = np.maximum.accumulate(last + rank * span) - rank * span
    code = rank * span + first
    c_end_off = np.clip(c_end - low, -1, span - 2)  # -1 falls before the key's block: no incident
    position = np.searchsorted(code, c_rank * span + c_end_off, side="right") - 1
    inside = known & (position >= 0)
    position = np.where(inside, position, 0)
    inside &= rank[position] == c_rank
    found[inside] = reach[position[inside]] >= c_start[inside] - low
    return found


def _radius_neighbours(cp: pd.DataFrame, ip: pd.DataFrame, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """For claim places cp and incident places ip (all with coordinates): every (claim place code,
    incident place row) within radius_km, where the code numbers cp's distinct places.

    Distances depend on the two places only, so they are measured once per pair of distinct
    gazetteer places, then each incident place row inherits its place's neighbours."""
    c_code, c_places = pd.factorize(cp["place_id"].astype("string"))
    i_code, i_places = pd.factorize(ip["place_id"].astype("string"))
    first_c = np.unique(c_code, return_index=True)[1]
    first_i = np.unique(i_code, return_index=True)[1]
    c_lat, c_lon = cp["latitude"].to_numpy(float)[first_c], cp["longitude"].to_numpy(float)[first_c]
    i_lat, i_lon = ip["latitude"].to_numpy(float)[first_i], ip["longitude"].to_numpy(float)[first_i]
    cx, cy = grid_cells(c_lat, c_lon, radius_km)
    ix, iy = grid_cells(i_lat, i_lon, radius_km)
    span = np.int64(1 << 20)
    c_key = np.concatenate([(cx + dx) * span + (cy + dy) for dx, dy in NEIGHBOURS])
    c_of = np.tile(np.arange(len(c_places)), len(NEIGHBOURS))
    zeros_c, zeros_i = np.zeros(len(c_key)), np.zeros(len(ix))
    ci, ii = _interval_join(c_key, zeros_c, zeros_c, ix * span + iy, zeros_i, zeros_i)
    ci = c_of[ci]
    near = haversine_km(c_lat[ci], c_lon[ci], i_lat[ii], i_lon[ii]) <= radius_km + 1e-9
    place_c, place_i = ci[near], ii[near]
    # Expand place pairs to incident place rows: rows of incident place v get every claim place near v.
    by_place = np.argsort(place_i, kind="stable")
    place_c, place_i = place_c[by_place], place_i[by_place]
    per_place = np.bincount(place_i, minlength=len(i_places))
    starts = np.cumsum(per_place) - per_place
    counts = per_place[i_code]
    i_rows = np.repeat(np.arange(len(ip)), counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return c_code, (place_c[np.repeat(starts[i_code], counts) + within], i_rows)


def hits(prep: Prepared, rule: Rule) -> np.ndarray:
    """Count-only verdicts: for each claim row, does at least one incident that passes the rule
    (evidence bar, shape) fall in its window and place? Same answer as the materialising path
    (verdicts(..., explain=False)) but never forms candidate pairs, so memory stays O(claims +
    incidents) whatever the geography; used where only counts are needed."""
    hit = np.zeros(len(prep.claims), bool)
    start, end = claim_windows(prep.claims, rule)
    ip = prep.incident_places
    ip = ip[_qualifying_incidents(prep, rule)[ip["row"].to_numpy()]].reset_index(drop=True)
    cp = prep.claim_places
    c_row = cp["row"].to_numpy()
    c_start, c_end = start[c_row], end[c_row]
    usable = ~np.isnan(c_start) & ~np.isnan(c_end) & prep.claims["assessable"].to_numpy()[c_row]
    i_first = prep.incidents["day_first"].to_numpy()[ip["row"].to_numpy()]
    i_last = prep.incidents["day_last"].to_numpy()[ip["row"].to_numpy()]
    levels = effective_level(cp, rule.geography)

    def mark(rows: np.ndarray, c_key: np.ndarray, i_key: np.ndarray) -> None:
        found = _any_overlap(c_key, c_start[rows], c_end[rows], i_key, i_first, i_last)
        hit[c_row[rows[found]]] = True

    for level in ("radius", "district", "governorate", "anywhere"):
        rows = np.flatnonzero(usable & (levels == level))
        if not len(rows):
            continue
        if level == "anywhere":
            mark(rows, np.zeros(len(rows), np.int64), np.zeros(len(ip), np.int64))
            continue
        if level in ("district", "governorate"):
            c_codes, i_codes = _codes(cp[level], ip[level])
            rows = rows[c_codes[rows] >= 0]
            mark(rows, c_codes[rows], i_codes)
            continue
        # radius: incident places with coordinates by distance, the others by district (as _pairs).
        i_point = ip["latitude"].notna().to_numpy() & ip["longitude"].notna().to_numpy()
        near_ip = ip[i_point]
        c_code, (near_c, near_rows) = _radius_neighbours(cp.iloc[rows], near_ip, rule.radius_km)
        found = _any_overlap(
            c_code,
            c_start[rows],
            c_end[rows],
            near_c,
            i_first[i_point][near_rows],
            i_last[i_point][near_rows],
        )
        hit[c_row[rows[found]]] = True
        if (~i_point).any():
            c_codes, i_codes = _codes(cp["district"], ip["district"])
            by_district = rows[c_codes[rows] >= 0]
            mark(by_district, c_codes[by_district], np.where(i_point, -1, i_codes))
    return hit


def grid_verdicts(prep: Prepared, rules: Rules) -> pd.DataFrame:
    """Compact verdicts for every rule in the sensitivity grid (candidate joins shared)."""
    cache: dict[tuple, pd.DataFrame] = {}
    frames = []
    for rule in rules.grid:
        key = (rule.window_days, rule.stated_frame, rule.geography, rule.radius_km, rule.occurrence_lookback_days)
        if key not in cache:
            cache[key] = candidate_pairs(prep, rule)
        table = verdicts(prep, rule, explain=False, pairs=cache[key])
        table.insert(1, "window_days", rule.window_days)
        table.insert(2, "stated_frame", rule.stated_frame)
        table.insert(3, "geography", rule.geography if rule.geography != "radius" else f"radius:{rule.radius_km:g}")
        table.insert(4, "min_evidence", rule.min_evidence)
        table.insert(5, "shape", rule.shape)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)
