"""Generated text stays in step with the data: the codebook tables, the README headline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from analysis.__main__ import main
from analysis.inputs import paths
from analysis.outputs import codebook, readme, textblocks
from analysis.pipeline import build


def test_codebook_tables_are_current():
    path = paths.DEFAULT_DATA_DIR / codebook.CODEBOOK
    text = path.read_text(encoding="utf-8")
    expected = codebook.render(text, codebook.generated_blocks(paths.DEFAULT_DATA_DIR))
    assert text == expected, "data/README.md is stale: run `python -m analysis codebook --write`"


def test_codebook_documents_every_column():
    text = (paths.DEFAULT_DATA_DIR / codebook.CODEBOOK).read_text(encoding="utf-8")
    for name, resource in codebook.resources().items():
        assert f"columns-{name}" in textblocks.names(text)
        for field in resource["schema"]["fields"]:
            assert f"`{field['name']}`" in text


def test_readme_headline_matches_key_numbers():
    key = json.loads((paths.tables_dir(paths.ROOT) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))
    text = readme.README.read_text(encoding="utf-8")
    block = text.split("<!-- BEGIN GENERATED: headline -->\n")[1].split("<!-- END GENERATED -->")[0]
    assert block.strip() == readme.headline(key).strip()
    assert f"**{key['hits']} of {key['claims_assessable']}**" in block


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    text = readme.README.read_text(encoding="utf-8")
    assert "make report" in text and "make test" in text
    assert "make test" in (paths.ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _data_copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.DEFAULT_DATA_DIR, data)
    return data


def test_codebook_command_checks_and_only_writes_when_asked(tmp_path):
    """`codebook` alone reports stale tables (exit 1) and leaves the file; `--write` refreshes it."""
    data = _data_copy(tmp_path)
    path = data / codebook.CODEBOOK
    fresh = path.read_text(encoding="utf-8")
    assert main(["codebook", "--data", str(data)]) == 0
    stale = fresh.replace("| claims.csv | ", "| claims.csv (edited) | ", 1)
    assert stale != fresh
    path.write_text(stale, encoding="utf-8")
    assert codebook.stale_blocks(data) == ["row-counts"]
    assert main(["codebook", "--data", str(data)]) == 1
    assert path.read_text(encoding="utf-8") == stale
    assert main(["codebook", "--data", str(data), "--write"]) == 0
    assert path.read_text(encoding="utf-8") == fresh


def test_the_build_does_not_write_the_codebook():
    """The build's only write outside figures/ and report/ is the README headline, never data/."""
    source = Path(build.__file__).read_text(encoding="utf-8")
    assert "write_codebook" not in source
    for step in build.pipeline(paths.DEFAULT_DATA_DIR):
        ctx = build.Context(paths.DEFAULT_DATA_DIR, paths.ROOT, paths.ROOT)
        for relative in step.outputs(ctx):
            assert not ctx.locate(relative).resolve().is_relative_to(paths.DEFAULT_DATA_DIR)


def test_readme_names_who_made_it_as_citation_records():
    """The README's maker, version and date are CITATION.cff's (no person is invented there)."""
    from analysis.outputs import citation

    text = readme.README.read_text(encoding="utf-8")
    section = " ".join(text.split("## Who, when, and how to reach us", 1)[1].split("\n## ", 1)[0].split())
    for name in citation.authors():
        assert f"**{name}**" in section
    assert f"Version {citation.citation()['version']}, released {citation.release_date()}" in section
    assert "open an issue" in section
