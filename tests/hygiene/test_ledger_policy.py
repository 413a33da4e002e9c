"""The sources policy of data/README.md, checked on the shipped ledgers."""

from __future__ import annotations

from analysis.inputs.load import load

MAX_KEY_PHRASE_WORDS = 15


def test_key_phrases_are_short_and_translated():
    claims = load().claims
    words = claims["key_phrase"].fillna("").str.split().str.len()
    assert (words <= MAX_KEY_PHRASE_WORDS).all(), claims.loc[words > MAX_KEY_PHRASE_WORDS, "claim_id"].tolist()
    foreign = claims["key_phrase"].notna() & claims["key_phrase_language"].ne("en")
    missing = claims.loc[foreign & claims["key_phrase_translation"].isna(), "claim_id"].tolist()
    assert not missing, f"non-English key phrases need a translation: {missing}"


def test_summaries_are_not_the_quoted_phrase():
    """A summary is our own words: it must not simply repeat the quoted key phrase."""
    claims = load().claims
    same = claims["summary"].str.strip().str.lower() == claims["key_phrase"].fillna("").str.strip().str.lower()
    assert not same.any()


def test_unknown_days_are_left_empty_not_invented():
    claims = load().claims
    approximate = claims["date_precision"] == "approximate"
    assert claims.loc[approximate, "date_made"].isna().all()
    assert claims.loc[~approximate, "date_made"].notna().all()


def test_incident_findings_each_in_their_own_column():
    incidents = load().incidents
    for column in ("opcw_ffm_finding", "opcw_attribution", "un_coi_finding"):
        assert incidents[column].notna().all(), f"{column}: write 'none' or 'not seen' rather than leaving it empty"
    confirmed = incidents[incidents["evidence_level"] == "confirmed"]
    no_body = confirmed[
        confirmed[["opcw_ffm_finding", "opcw_attribution", "un_coi_finding"]]
        .apply(lambda col: col.str.lower().isin(["none", "not seen"]))
        .all(axis=1)
    ]
    assert no_body.empty, f"'confirmed' needs an OPCW or UN COI finding: {no_body['incident_id'].tolist()}"
