"""The report reads as text: ledger text escaped only where it would be active, nothing cut
mid-word, the HTML says what the Markdown says, sources named by outlet, a glossary, the incidents
behind the hits told in full, and a PDF with metadata that keeps table rows whole."""

from __future__ import annotations

import json
import re
import zlib

import pandas as pd
import pytest
from test_hostile_text import Dom, commonmark

from analysis.inputs import paths
from analysis.inputs.campaign import in_campaign, load_declaration
from analysis.inputs.load import load
from analysis.inputs.rules import EVIDENCE_ORDER
from analysis.outputs import citation, decisive, figures, report


@pytest.fixture(scope="module")
def shipped():
    ledgers = load(paths.DEFAULT_DATA_DIR)
    key = json.loads((paths.tables_dir() / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))
    md = report.render_markdown(key, paths.report_dir(), ledgers, report.figure_index(figures.saved_figures()))
    html_text = report.render_html(md, paths.figures_dir(), "t")
    return ledgers, key, md, html_text


def described(ledgers) -> pd.DataFrame:
    """The claims of the campaign the report describes (the appendix lists these)."""
    return in_campaign(ledgers.claims, load_declaration(ledgers.data_dir, ledgers.claims).main)


def visible(html_text: str) -> str:
    return Dom(html_text[html_text.index("<main>") :] if "<main>" in html_text else html_text).all_text()


# --- escaping ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "SYR-CW-2018-009",
        "Jisr al-Shughur (Idlib), 29 km; +26 d",
        "claims (n = 22) made 2018-08-26.",
        "credible_report and snake_case",
        "350431105.r.worldcdn.net",
        "-1 and +1",
        'it\'s "quoted" and 100% sure!',
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert report.md_text(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "2017. The year begins a line",
        "1) a list?",
        "# a heading",
        "#hashtag",
        "- a bullet",
        "+ a bullet",
        "> a quote",
        "===",
        "a | b | c",
        "*em* and **strong** and _em_ and __strong__",
        "[link](https://example.org) ![img](https://example.org/x.png)",
        "`code` and ```fence```",
        "<b>bold</b> &amp; &#60;",
        "~~struck~~ ~one~",
        "ends with a hash #",
        "back\\slash \\*",
        "attr {: onclick=x }",
    ],
)
def test_active_text_is_shown_literally_by_both_renderers(text):
    cell = report.md_text(text)
    for rendered in (
        report.render_html(f"Before\n\n{cell}\n\n| x |\n|---|\n| {cell} |\n", paths.figures_dir(), "t"),
        commonmark(f"Before\n\n{cell}\n\n| x |\n|---|\n| {cell} |\n"),
    ):
        dom = Dom(rendered)
        assert [
            t
            for t, _ in dom.tags
            if t in ("h1", "ol", "ul", "li", "blockquote", "em", "strong", "a", "img", "b", "code", "del", "s", "hr")
        ] == []
        assert dom.all_text().count(" ".join(text.split())) == 2, dom.all_text()


def test_shorten_cuts_at_a_word_and_points_to_the_full_text():
    text = "alpha beta gamma delta"
    assert report.shorten(text, 100) == text
    assert report.shorten(text, 13) == "alpha beta" + report.SHORTENED  # 'gamma' would be cut
    assert report.shorten(text, 16) == "alpha beta gamma" + report.SHORTENED
    assert report.shorten("x" * 20, 5) == "xxxxx" + report.SHORTENED  # one word: nothing better


def test_source_links_name_the_outlet():
    links = report.md_links("https://www.tass.com/a;https://tass.com/b;https://sana.sy/x")
    assert (
        links
        == "[tass.com](<https://www.tass.com/a>) [tass.com (2)](<https://tass.com/b>) [sana.sy](<https://sana.sy/x>)"
    )


# --- the shipped report -------------------------------------------------------------------------------


def test_ids_places_and_parentheses_appear_verbatim(shipped):
    ledgers, key, md, _ = shipped
    for incident_id in key["sensitivity"]["incidents_matched_by_any_rule"]:
        assert incident_id in md
    for claim_id in described(ledgers)["claim_id"]:  # the appendix lists the described campaign's claims
        assert f"| {claim_id} |" in md
    assert f"(n = {key['incidents']['total']})" in md
    assert not re.search(r"&#(40|41|45|46);", md.replace("&#46; ", "")), "ordinary punctuation escaped"


def test_every_summary_is_shown_whole(shipped):
    ledgers, _, md, _ = shipped
    text = Dom(commonmark(md)).all_text()
    for summary in described(ledgers)["summary"]:
        if len(summary) <= report.LONG_TEXT:
            assert " ".join(summary.split()) in text, summary[:60]


def test_html_text_equals_markdown_text(shipped):
    """What GitHub shows for report.md (CommonMark) is, word for word, what report.html shows."""
    _, _, md, html_text = shipped
    assert Dom(commonmark(md)).all_text() == visible(html_text)


def test_glossary_lists_every_term_the_report_uses(shipped):
    _, _, md, _ = shipped
    before, glossary = md.split("## Glossary", 1)
    glossary, after = glossary.split("\n## ", 1)
    body = before + after
    entries = report.glossary_entries(paths.DEFAULT_DATA_DIR)
    listed = re.findall(r"^- \*\*(.+?)\*\*:", glossary, flags=re.M)
    assert listed == [e["term"] for e in report.used_terms(entries, body)]
    for acronym in re.findall(r"\b[A-Z]{3,}[a-z]?\b", body):
        known = {e["term"] for e in entries}
        if acronym in known:
            assert acronym in listed


# --- the incidents behind the hits ------------------------------------------------------------------


def test_decisive_incidents_are_every_incident_any_rule_matches(shipped):
    ledgers, key, md, _ = shipped
    grid = pd.read_csv(paths.tables_dir() / paths.GRID_VERDICTS_FILE, dtype=str, keep_default_na=False)
    found = decisive.decisive_incidents(grid, ledgers, key["rule"])
    assert [d["incident_id"] for d in found] == sorted(key["sensitivity"]["incidents_matched_by_any_rule"])
    for d in found:
        hits = grid[
            (grid["verdict"] == "materialized")
            & grid["matched_incidents"].str.split(";").map(lambda ids, i=d["incident_id"]: i in ids)
        ]
        assert d["rules"] == hits["rule_id"].nunique()
        assert {c["claim_id"] for c in d["claims"]} == set(hits["claim_id"])
        assert sum(c["rules"] for c in d["claims"]) == len(hits)
        assert d["below_primary_bar"] == (
            EVIDENCE_ORDER.index(d["evidence_level"]) < EVIDENCE_ORDER.index(key["rule"]["min_evidence"])
        )
        assert f"### {d['incident_id']}:" in md
        incident = ledgers.incidents.set_index("incident_id").loc[d["incident_id"]]
        assert " ".join(str(incident["opcw_ffm_finding"]).split()) in md


def test_no_decisive_incident_when_no_rule_matches(shipped):
    ledgers, key, _, _ = shipped
    grid = pd.read_csv(paths.tables_dir() / paths.GRID_VERDICTS_FILE, dtype=str, keep_default_na=False)
    grid["verdict"] = grid["verdict"].replace("materialized", "not_materialized")
    assert decisive.decisive_incidents(grid, ledgers, key["rule"]) == []
    text = report.environment().get_template("_decisive_incidents.md.j2").render(decisive=[])
    assert "No rule of the grid matches any documented incident" in text


# --- HTML and PDF -------------------------------------------------------------------------------------


def test_figure_data_is_embedded_not_linked_relatively(shipped):
    _, _, _, html_text = shipped
    assert 'href="../' not in html_text and 'src="../' not in html_text
    assert html_text.count('rel="attachment" href="data:text/csv;base64,') == len(figures.saved_figures())


def pdf_text(pdf: bytes) -> bytes:
    """The PDF with its Flate-compressed streams (object streams hold the Info dictionary) inflated."""
    inflated = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def test_pdf_has_author_and_date_and_keeps_rows_whole():
    css = (paths.TEMPLATES_DIR / report.STYLESHEET).read_text(encoding="utf-8")
    assert re.search(r"tr[^{]*\{[^}]*break-inside:\s*avoid", css)
    pdf = pdf_text((paths.report_dir() / "report.pdf").read_bytes())
    assert citation.authors() and all(f"/Author ({name}".encode() in pdf for name in citation.authors())
    date = citation.release_date().replace("-", "").encode()
    assert re.findall(rb"/CreationDate \(D:(\d{8})", pdf) and set(re.findall(rb"/CreationDate \(D:(\d{8})", pdf)) == {
        date
    }


def test_appendix_lists_the_described_campaign_and_points_to_the_rest(shipped):
    ledgers, key, md, _ = shipped
    appendix = md.split("## Appendix", 1)[1]
    listed = re.findall(r"^\| (C\d+) \| ", appendix, flags=re.M)
    assert listed == described(ledgers)["claim_id"].tolist() and len(listed) == key["claims_total"]
    assert len(listed) < len(ledgers.claims)  # the shipped ledger holds other campaigns' claims too
    others = len(ledgers.claims) - len(listed)
    assert f"The ledger holds {others} other claims" in appendix and "`report/explorer.html`" in appendix


def test_undated_claims_show_their_bounds_in_the_appendix(shipped):
    ledgers, _, md, _ = shipped
    claims = described(ledgers)
    undated = claims[claims["date_made"].isna()]
    assert not undated.empty
    for _, claim in undated.iterrows():
        line = next(row for row in md.splitlines() if row.startswith(f"| {claim['claim_id']} | ") and "≈" in row)
        assert f"≈ {claim['date_earliest']:%Y-%m-%d} to " in line


def _pdf_strings(pdf: bytes, key: bytes) -> list[str]:
    """The values of one key's literal (…) or hex <FEFF…> strings, decoded."""
    found = []
    for literal, hexa in re.findall(rb"/" + key + rb"\s*(?:\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f]+)>)", pdf, flags=re.S):
        if hexa:
            raw = bytes.fromhex(hexa.decode())
            found.append(raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1"))
        else:
            found.append(re.sub(rb"\\(.)", rb"\1", literal).decode("latin-1"))
    return found


def test_pdf_is_tagged_with_figures_described():
    """PDF/UA-1 as WeasyPrint writes it: a structure tree, marked content, the document language and
    title shown, and each figure a /Figure element carrying its alt text."""
    pdf = pdf_text((paths.report_dir() / "report.pdf").read_bytes())
    assert re.search(rb"/StructTreeRoot \d+ 0 R", pdf)  # the catalog points to the tree
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked true", pdf)
    assert b"/Lang (en)" in pdf and b"/DisplayDocTitle true" in pdf
    assert b'pdfuaid:part="1"' in pdf
    saved = figures.saved_figures()
    assert len(re.findall(rb"/S /Figure\b", pdf)) == len(saved)
    alts = _pdf_strings(pdf, b"Alt")
    for meta in saved:
        assert meta["alt"] in alts, meta["stem"]
    assert re.search(rb"/S /Table\b", pdf) and re.search(rb"/S /TH\b", pdf)


def test_appendix_columns_fit_the_page():
    """The appendix's fixed column widths include their padding and add up to the page's width, and a
    date is never broken inside (seen overflowing the right margin and as '2018-08-0 / 1' before)."""
    css = (paths.TEMPLATES_DIR / report.STYLESHEET).read_text(encoding="utf-8")
    widths = re.findall(r"main > table:last-of-type th:nth-child\((\d)\) \{ width: (\d+(?:\.\d+)?)%; \}", css)
    assert sorted(int(i) for i, _ in widths) == list(range(1, 8))
    assert sum(float(w) for _, w in widths) == 100
    assert re.search(r"main > table:last-of-type th, main > table:last-of-type td \{ box-sizing: border-box; \}", css)
    assert re.search(r"td:nth-child\(2\) \{ overflow-wrap: normal; \}", css)
