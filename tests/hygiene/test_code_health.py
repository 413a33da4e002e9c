"""Lint, format and publishing checks: ruff, CITATION.cff, the data package, ClaimReview."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

from analysis.inputs import paths

ROOT = paths.ROOT
BIN = Path(sys.executable).parent
CODE = ["analysis", "tests", "benchmarks"]


def test_ruff_lint_passes():
    result = subprocess.run([BIN / "ruff", "check", *CODE], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_ruff_format_is_clean():
    result = subprocess.run([BIN / "ruff", "format", "--check", *CODE], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_pre_commit_config_runs_ruff():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format"} <= hooks


def test_citation_cff_is_valid_cff_1_2_0():
    schema = json.loads((ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json").read_text(encoding="utf-8"))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    # YAML reads an unquoted date as a date object; CFF wants the string form.
    citation = json.loads(json.dumps(citation, default=str))
    jsonschema.validate(citation, schema)
    assert citation["cff-version"] == "1.2.0"


def test_frictionless_validates_the_data_package():
    result = subprocess.run(
        [BIN / "frictionless", "validate", "--json", "data/datapackage.json"], cwd=ROOT, capture_output=True, text=True
    )
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["valid"], result.stdout[-3000:]


def test_data_package_declares_licences_and_sources():
    package = json.loads(paths.schema_path().read_text(encoding="utf-8"))
    assert any(lic["name"] == "CC-BY-4.0" for lic in package["licenses"])
    assert package["sources"] and all(s["path"].startswith("https://") for s in package["sources"])


def test_claimreview_export_is_structurally_sound():
    document = json.loads((paths.tables_dir(ROOT) / paths.CLAIMREVIEW_FILE).read_text(encoding="utf-8"))
    key = json.loads((paths.tables_dir(ROOT) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))
    assert document["@context"] == "https://schema.org"
    reviews = document["@graph"]
    # One review per scored claim: assessable predictions plus scored occurrence reports.
    assert len(reviews) == key["claims_assessable"] + key["occurrence"]["n"]
    assert len({r["identifier"] for r in reviews}) == len(reviews)
    for review in reviews:
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"]
        item = review["itemReviewed"]
        assert item["@type"] == "Claim" and item["author"]["name"]
        assert item["appearance"] and all(a["url"].startswith(("http://", "https://")) for a in item["appearance"])
        rating = review["reviewRating"]
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert rating["alternateName"]
        assert review["author"]["name"] and review["datePublished"]
