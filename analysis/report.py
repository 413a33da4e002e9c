"""Key numbers -> the written report: report.md (GitHub), report.html (standalone), report.pdf.

Every number in the text is a template field filled from key_numbers.json; the appendix table is
filled from the verdict table and the claims ledger. Ledger text is untrusted: it is escaped for
Markdown and HTML, and a source becomes a link only when it is an http(s) URL.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2
import markdown
import pandas as pd

from analysis import paths, wording
from analysis.export import atomic_write_bytes
from analysis.rules import EVIDENCE_ORDER

TEMPLATE = "report.md.j2"
STYLESHEET = "report.css"
SAFE_URL = re.compile(r"^https?://[^\s<>\"'()\[\]`]+$")
# Characters that mean something in HTML or Markdown become numeric character references: inert in
# both, shown as themselves by every renderer (Python-Markdown for report.html, CommonMark/GitHub
# for report.md). Backslash escapes are not portable: Python-Markdown keeps '\\~', and CommonMark
# shows '&\\#x27;' (html.escape's entity with an escaped '#') literally.
MD_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~"}
# report.css refers to the shipped fonts as url("fonts/NAME.ttf"), relative to the templates folder.
FONT_URL = re.compile(r'url\("(fonts/[\w.-]+\.ttf)"\)')
# Kept in every font subset whatever the text: printable ASCII (page numbers, generated counters) and
# the list markers browsers and WeasyPrint draw as text (disc, circle, square).
ALWAYS_IN_FONTS = "".join(chr(code) for code in range(0x20, 0x7F)) + "\u2022\u25e6\u25aa"
MAX_CELL = 400  # characters of ledger text shown per table cell; the CSV keeps the rest


def md_text(value: object, limit: int | None = MAX_CELL) -> str:
    """Ledger text made inert in Markdown and in the HTML rendered from it."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    text = " ".join(str(value).split())  # no newlines: they would break tables
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(MD_ENTITIES.get(ch, ch) for ch in text)


def md_links(urls: object, label: str = "source") -> str:
    """';'-separated URLs -> numbered Markdown links; anything not http(s) stays inert text."""
    if not isinstance(urls, str) or not urls:
        return ""
    parts = []
    for i, url in enumerate(u.strip() for u in urls.split(";") if u.strip()):
        if SAFE_URL.match(url):
            parts.append(f"[{label} {i + 1}](<{url}>)")
        else:
            parts.append(md_text(url, 80))
    return " ".join(parts)


def pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"


def method(value: str) -> str:
    return {"clopper-pearson": "Clopper–Pearson", "wilson": "Wilson", "jeffreys": "Jeffreys"}.get(value, value)


def label(value: str) -> str:
    return str(value).replace("_", " ")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths.TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,  # a missing key number is an error, never a blank
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - Markdown, not HTML: ledger text is escaped by the md filter
    )
    env.filters.update(pct=pct, md=md_text, links=md_links, label=label, method=method)
    env.globals.update(w=wording, evidence_order=EVIDENCE_ORDER)  # sentences are chosen in Python, not here
    return env


def appendix_rows(report_dir: Path, claims: pd.DataFrame) -> list[dict]:
    verdicts = pd.read_csv(report_dir / "verdicts.csv", dtype=str, keep_default_na=False)
    merged = verdicts.merge(claims.astype(str).replace({"<NA>": "", "NaT": ""}), on="claim_id", suffixes=("", "_claim"))
    return merged.to_dict("records")


def render_markdown(key: dict, report_dir: Path, claims: pd.DataFrame, figures: list[dict]) -> str:
    env = environment()
    names = key["campaign"]["claimant_groups"]
    env.filters["group"] = lambda value: names.get(value, label(value))
    template = env.get_template(TEMPLATE)
    return template.render(k=key, claims=appendix_rows(report_dir, claims), figures=figures, group_names=names)


def _embed_images(html_text: str, figures_dir: Path) -> str:
    """Replace ../figures/NN.png references with data URIs so the HTML works offline, alone."""

    def inline(match: re.Match) -> str:
        path = figures_dir / match.group(2)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'{match.group(1)}"data:image/png;base64,{data}"'

    return re.sub(r'(src=)"\.\./figures/([\w.-]+\.png)"', inline, html_text)


def font_subset(path: Path, text: str) -> bytes:
    """The font file reduced to the glyphs `text` needs, OpenType layout kept (Arabic joining forms,
    ligatures, kerning), as WOFF2. Deterministic: no timestamp is updated, and FontForge's own
    timestamp table (FFTM) is dropped. Hinting is dropped too: it nearly doubles the size and
    neither the PDF nor a browser needs it."""
    from fontTools import subset  # comes with weasyprint

    options = subset.Options(flavor="woff2", layout_features=["*"], recalc_timestamp=False, hinting=False)
    options.drop_tables += ["FFTM"]
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + ALWAYS_IN_FONTS)
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return buffer.getvalue()


def embed_fonts(css: str, text: str) -> str:
    """Replace each url("fonts/X.ttf") of the stylesheet with X subset to `text`, as a data: URI."""

    def inline(match: re.Match) -> str:
        data = base64.b64encode(font_subset(paths.TEMPLATES_DIR / match.group(1), text)).decode("ascii")
        return f'url("data:font/woff2;base64,{data}") format("woff2")'

    return FONT_URL.sub(inline, css)


def _mark_rtl_cells(body: str) -> str:
    """Give a table cell whose text starts in a right-to-left script (its first strong character is
    Arabic or Hebrew) dir="rtl", so an Arabic key phrase reads from the right and a leading number
    stays at its start. This is HTML's dir="auto" resolved at build time: WeasyPrint implements
    neither dir="auto" nor unicode-bidi: plaintext."""

    def mark(match: re.Match) -> str:
        for char in html.unescape(re.sub(r"<[^>]*>", "", match.group(2))):
            direction = unicodedata.bidirectional(char)
            if direction in ("R", "AL"):
                return f'<td dir="rtl"{match.group(1)}>{match.group(2)}</td>'
            if direction == "L":
                break
        return match.group(0)

    return re.sub(r"<td([^>]*)>(.*?)</td>", mark, body, flags=re.S)


def render_html(markdown_text: str, figures_dir: Path, title: str) -> str:
    body = markdown.markdown(markdown_text, extensions=["tables", "toc", "attr_list"], output_format="html")
    body = _mark_rtl_cells(body)
    css = embed_fonts((paths.TEMPLATES_DIR / STYLESHEET).read_text(encoding="utf-8"), html.unescape(body) + title)
    body = _embed_images(body, figures_dir)
    # No scripts at all: a strict Content-Security-Policy makes any injected script inert too.
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'\">\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{html.escape(title)}</title>\n'
        f"<style>\n{css}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


@contextlib.contextmanager
def report_fontconfig():
    """fontconfig, as WeasyPrint reads it, limited to the shipped fonts folder and to no system rules.

    The HTML's @font-face fonts are the ones used; but WeasyPrint starts from the system's fontconfig,
    whose fonts would fill in any glyph they lack and whose rules (conf.d: synthetic italics, aliases)
    differ between machines and change the PDF's bytes. A private config file (FONTCONFIG_FILE is read
    each time WeasyPrint builds its font configuration) leaves nothing of the machine's.
    """
    with tempfile.TemporaryDirectory(prefix="report-fontconfig-") as tmp:
        config = Path(tmp) / "fonts.conf"
        fonts, cache = xml_escape(str(paths.TEMPLATES_DIR / "fonts")), xml_escape(str(Path(tmp) / "cache"))
        config.write_text(FONTCONFIG.format(fonts=fonts, cache=cache), encoding="utf-8")
        saved = {key: os.environ.pop(key, None) for key in ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT")}
        os.environ["FONTCONFIG_FILE"] = str(config)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def render_pdf(html_text: str) -> bytes:
    """The PDF of the standalone HTML, drawn only with the fonts it embeds (report.css: @font-face,
    no generic family) under report_fontconfig(): its bytes do not depend on the machine's fonts."""
    with report_fontconfig():
        import weasyprint  # heavy import, only for the PDF step

        return weasyprint.HTML(string=html_text).write_pdf()


def write_report(root: Path, claims: pd.DataFrame, figures: list[dict]) -> list[Path]:
    """Render report.md/.html/.pdf into root/report from the key numbers already written there."""
    report_dir, figures_dir = paths.report_dir(root), paths.figures_dir(root)
    key = json.loads((report_dir / "key_numbers.json").read_text(encoding="utf-8"))
    md_text_out = render_markdown(key, report_dir, claims, figures)
    html_text = render_html(
        md_text_out, figures_dir, f"Did the warnings come true? {wording.report_title(key['campaign'])}"
    )
    outputs = {
        report_dir / "report.md": md_text_out.encode("utf-8"),
        report_dir / "report.html": html_text.encode("utf-8"),
        report_dir / "report.pdf": render_pdf(html_text),
    }
    for path, data in outputs.items():
        atomic_write_bytes(path, data)
    return list(outputs)


def figure_index(metas: list[dict]) -> list[dict]:
    """What the report needs of each saved figure, with paths relative to report/."""
    return [
        meta | {"file": f"../figures/{meta['stem']}.png", "data": f"../figures/data/{meta['stem']}.csv"}
        for meta in metas
    ]
