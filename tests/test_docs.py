"""Generated text stays in step with the data: the codebook tables, the README headline."""

from __future__ import annotations

import json

from analysis import codebook, paths, readme, textblocks


def test_codebook_tables_are_current():
    path = paths.DEFAULT_DATA_DIR / codebook.CODEBOOK
    text = path.read_text(encoding="utf-8")
    expected = codebook.render(text, codebook.generated_blocks(paths.DEFAULT_DATA_DIR))
    assert text == expected, "data/README.md is stale: run `python -m analysis codebook`"


def test_codebook_documents_every_column():
    text = (paths.DEFAULT_DATA_DIR / codebook.CODEBOOK).read_text(encoding="utf-8")
    for name, resource in codebook.resources().items():
        assert f"columns-{name}" in textblocks.names(text)
        for field in resource["schema"]["fields"]:
            assert f"`{field['name']}`" in text


def test_readme_headline_matches_key_numbers():
    key = json.loads((paths.report_dir(paths.ROOT) / "key_numbers.json").read_text(encoding="utf-8"))
    text = readme.README.read_text(encoding="utf-8")
    block = text.split("<!-- BEGIN GENERATED: headline -->\n")[1].split("<!-- END GENERATED -->")[0]
    assert block.strip() == readme.headline(key).strip()
    assert f"**{key['hits']} of {key['claims_assessable']}**" in block


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    text = readme.README.read_text(encoding="utf-8")
    assert "make report" in text and "make test" in text
    assert "make test" in (paths.ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_names_who_made_it_as_citation_records():
    """The README's maker, version and date are CITATION.cff's (no person is invented there)."""
    from analysis import citation

    text = readme.README.read_text(encoding="utf-8")
    section = " ".join(text.split("## Who, when, and how to reach us", 1)[1].split("\n## ", 1)[0].split())
    for name in citation.authors():
        assert f"**{name}**" in section
    assert f"Version {citation.citation()['version']}, released {citation.release_date()}" in section
    assert "open an issue" in section
