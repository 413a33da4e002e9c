"""ClaimReview fit to publish: the first appearance is the claimant's own or a state outlet, each
review links to the claim's entry in the explorer, and the author is the one CITATION.cff names."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.inputs import paths
from analysis.outputs import citation, claimreview

OUTLETS = pd.DataFrame(
    [
        {"domain": "mil.ru", "outlet": "Russian Ministry of Defence", "kind": "government", "state": "Russia"},
        {"domain": "tass.com", "outlet": "TASS", "kind": "state_media", "state": "Russia"},
        {"domain": "sana.sy", "outlet": "SANA", "kind": "state_media", "state": "Syria"},
    ]
)


@pytest.mark.parametrize(
    ("urls", "group", "expected"),
    [
        # the claimant's own government first, wherever it is listed
        (
            ["https://blog.example/x", "https://tass.com/a", "https://function.mil.ru/news/1"],
            "rcross",
            "https://function.mil.ru/news/1",
        ),
        # then its state's media, before another state's
        (["https://sana.sy/en/?p=1", "https://tass.com/a"], "russian_state_media", "https://tass.com/a"),
        (["https://tass.com/a", "https://sana.sy/en/?p=1"], "syrian_gov", "https://sana.sy/en/?p=1"),
        # any state outlet before a repost
        (["https://mirror.example/2018/08/01/x", "https://sana.sy/en/?p=1"], "rcross", "https://sana.sy/en/?p=1"),
        # within a rank, the earliest date written in the URL
        (
            ["https://tass.com/2018/09/02/b", "https://www.tass.com/2018/08/30/a"],
            "rcross",
            "https://www.tass.com/2018/08/30/a",
        ),
        # nothing known: the ledger's order
        (["https://a.example/x", "https://b.example/y"], "rcross", "https://a.example/x"),
        (["https://sana.sy./en/?p=2"], "syrian_gov", "https://sana.sy./en/?p=2"),
    ],
)
def test_first_appearance(urls, group, expected):
    states = claimreview.claimant_states(paths.DEFAULT_DATA_DIR)
    assert claimreview.first_appearance(urls, group, OUTLETS, states)[0] == expected


def test_shipped_vocabulary_is_well_formed():
    outlets = claimreview.state_outlets(paths.DEFAULT_DATA_DIR)
    assert outlets["domain"].is_unique
    assert set(outlets["kind"]) <= {"government", "state_media"}
    assert set(outlets["state"]) <= set(claimreview.claimant_states(paths.DEFAULT_DATA_DIR).values())


def test_shipped_reviews_link_the_explorer_and_name_the_cited_author():
    document = json.loads((paths.tables_dir() / paths.CLAIMREVIEW_FILE).read_text(encoding="utf-8"))
    names = citation.authors()
    assert names
    for review in document["@graph"]:
        assert review["url"].endswith(f"explorer.html#claim={review['identifier']}")
        author = review["author"]
        assert (author["name"] if isinstance(author, dict) else [a["name"] for a in author]) == (
            names[0] if len(names) == 1 else names
        )
        item = review["itemReviewed"]
        assert item["firstAppearance"]["url"] in [a["url"] for a in item["appearance"]]
        assert item["firstAppearance"]["publisher"]["name"]
