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
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import jinja2
import markdown
import pandas as pd

from analysis.inputs import paths
from analysis.inputs.campaign import in_campaign, load_declaration
from analysis.inputs.load import Ledgers
from analysis.inputs.rules import EVIDENCE_ORDER
from analysis.outputs import citation, decisive, wording
from analysis.outputs.export import atomic_write_bytes

TEMPLATE = "report.md.j2"
STYLESHEET = "report.css"
PDF_VARIANT = "pdf/ua-1"  # tagged for accessibility (see render_pdf)
GLOSSARY_FILE = "glossary.csv"
SAFE_URL = re.compile(r"^https?://[^\s<>\"'()\[\]`]+$")
# report.css refers to the shipped fonts as url("fonts/NAME.ttf"), relative to the templates folder.
FONT_URL = re.compile(r'url\("(fonts/[\w.-]+\.ttf)"\)')
# Kept in every font subset whatever the text: printable ASCII (page numbers, generated counters) and
# the list markers browsers and WeasyPrint draw as text (disc, circle, square).
ALWAYS_IN_FONTS = "".join(chr(code) for code in range(0x20, 0x7F)) + "\u2022\u25e6\u25aa"
# Ledger text is escaped only where a character would be *active* in Markdown or HTML, so report.md
# stays readable and searchable (ids, dates, place names and parentheses appear as themselves).
# Escapes are numeric character references: inert and shown literally by both renderers
# (Python-Markdown for report.html, CommonMark/GitHub for report.md); backslash escapes are not
# portable (Python-Markdown keeps '\\~', CommonMark shows '&\\#x27;' literally).
ALWAYS_ACTIVE = {
    "&": "&amp;",  # entities
    "<": "&lt;",  # raw HTML, autolinks, comments
    "|": "&#124;",  # table cell separator
    "\\": "&#92;",  # backslash escapes
    "`": "&#96;",  # code spans
    "*": "&#42;",  # emphasis; may pair with a '*' from the template (captions are in italics)
    "[": "&#91;",  # links, images, footnotes
    "]": "&#93;",
    "{": "&#123;",  # attribute lists (Python-Markdown attr_list: '{: onclick=...}')
    "~": "&#126;",  # GFM strikethrough
}
# At the start of a line: a heading ('#x' is one in Python-Markdown), a bullet, a thematic break or
# setext underline, a block quote, an ordered-list item ('1999. ' but not '350431105.r.example').
LINE_START_ACTIVE = re.compile(r"^(#|[-+](?=\s|-|$)|=(?==|$)|>)")
LINE_START_ENTITIES = {"#": "&#35;", "-": "&#45;", "+": "&#43;", "=": "&#61;", ">": "&gt;"}
ORDERED_LIST_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
LONG_TEXT = 1000  # characters of ledger text shown in one place; longer text is cut at a word
SHORTENED = " … (shortened here; the full text is in the ledger CSV)"


def shorten(text: str, limit: int | None = LONG_TEXT) -> str:
    """Cut at the last word boundary before `limit` and say where the rest is; never mid-word."""
    if limit is None or len(text) <= limit:
        return text
    head = text[:limit]
    if " " in head and not text[limit].isspace():
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:") + SHORTENED


def _underscore_is_active(text: str, i: int) -> bool:
    """'_' inside a word (snake_case) never opens or closes emphasis in CommonMark or Python-Markdown."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not (before.isalnum() and after.isalnum())


def md_text(value: object, limit: int | None = LONG_TEXT) -> str:
    """Ledger text made inert in Markdown and in the HTML rendered from it, and otherwise untouched."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    text = shorten(" ".join(str(value).split()), limit)  # one line: a newline would break a table
    out = [
        "&#95;" if ch == "_" and _underscore_is_active(text, i) else ALWAYS_ACTIVE.get(ch, ch)
        for i, ch in enumerate(text)
    ]
    if LINE_START_ACTIVE.match(text):
        out[0] = LINE_START_ENTITIES[text[0]]
    if out and out[-1] == "#":  # the closing sequence of an ATX heading would be dropped
        out[-1] = "&#35;"
    if ordered := ORDERED_LIST_START.match(text):  # '1999. ' or '1) ' would start an ordered list
        out[len(ordered.group(1))] = "&#46;" if ordered.group(2) == "." else "&#41;"
    return "".join(out)


def outlet(url: str) -> str:
    """The outlet a link points to, as a reader knows it: the host name without 'www.'."""
    host = (urlsplit(url).hostname or url).lower().rstrip(".")  # 'sana.sy.' is sana.sy
    return host.removeprefix("www.")


def md_links(urls: object) -> str:
    """';'-separated URLs -> Markdown links labelled by outlet ('tass.com', 'sana.sy (2)');
    anything that is not a plain http(s) URL stays inert text."""
    if not isinstance(urls, str) or not urls:
        return ""
    parts, seen = [], Counter()
    for url in (u.strip() for u in urls.split(";") if u.strip()):
        if SAFE_URL.match(url):
            name = outlet(url)
            seen[name] += 1
            label = name if seen[name] == 1 else f"{name} ({seen[name]})"
            parts.append(f"[{md_text(label)}](<{url}>)")
        else:
            parts.append(md_text(url))
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
    verdicts = pd.read_csv(paths.tables_in(report_dir) / paths.VERDICTS_FILE, dtype=str, keep_default_na=False)
    # Missing values become "" (falsy in the template, so its fallbacks apply); pandas 3 keeps them
    # missing through astype(str), older versions spell them out.
    text = claims.astype(str).fillna("").replace({"<NA>": "", "NaT": "", "nan": "", "None": ""})
    merged = verdicts.merge(text, on="claim_id", suffixes=("", "_claim"))
    return merged.to_dict("records")


def glossary_entries(data_dir: Path | None = None) -> list[dict]:
    """The data folder's glossary (glossary.csv): term -> meaning. A folder without one gets no
    glossary: the shipped one describes the shipped campaign's actors and would not fit another's."""
    path = (data_dir or paths.data_dir()) / GLOSSARY_FILE
    if not path.exists():
        return []
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame[["term", "meaning"]].to_dict("records")


def used_terms(entries: list[dict], text: str) -> list[dict]:
    """The entries whose term the report uses (as a whole word), in alphabetical order."""
    used = [e for e in entries if re.search(rf"(?<!\w){re.escape(e['term'])}(?!\w)", text)]
    return sorted(used, key=lambda e: e["term"].casefold())


def decisive_context(report_dir: Path, ledgers: Ledgers, key: dict, entries: list[dict]) -> list[dict]:
    grid = pd.read_csv(paths.tables_in(report_dir) / paths.GRID_VERDICTS_FILE, dtype=str, keep_default_na=False)
    meanings = {e["term"]: e["meaning"] for e in entries}
    found = decisive.decisive_incidents(grid, ledgers, key["rule"])
    for d in found:
        d["evidence_definition"] = meanings.get(label(d["evidence_level"]), "")
    return found


def render_markdown(key: dict, report_dir: Path, ledgers: Ledgers, figures: list[dict]) -> str:
    env = environment()
    names = key["campaign"]["claimant_groups"]
    env.filters["group"] = lambda value: names.get(value, label(value))
    template = env.get_template(TEMPLATE)
    entries = glossary_entries(ledgers.data_dir)
    context = {
        "k": key,
        # The appendix lists the described campaign's claims; the explorer and verdicts.csv hold the ledger.
        "claims": appendix_rows(
            report_dir, in_campaign(ledgers.claims, load_declaration(ledgers.data_dir, ledgers.claims).main)
        ),
        "figures": figures,
        "group_names": names,
        "decisive": decisive_context(report_dir, ledgers, key, entries),
    }
    # Two passes: the glossary lists the terms the rest of the report uses.
    draft = template.render(**context, glossary=[])
    return template.render(**context, glossary=used_terms(entries, draft))


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


def _embed_figure_data(html_text: str, figures_dir: Path) -> str:
    """Links to ../figures/data/NN.csv become the file itself: a download in the HTML, an attachment
    in the PDF (WeasyPrint embeds rel=attachment links), so neither depends on the folder beside it."""

    def embed(match: re.Match) -> str:
        name = match.group(1)
        data = base64.b64encode((figures_dir / "data" / name).read_bytes()).decode("ascii")
        return f'<a download="{name}" rel="attachment" href="data:text/csv;base64,{data}">'

    return re.sub(r'<a href="\.\./figures/data/([\w.-]+\.csv)">', embed, html_text)


def metadata_tags() -> str:
    """Author and date for the HTML head, which WeasyPrint also writes into the PDF's metadata."""
    tags = [f'<meta name="author" content="{html.escape(name)}">' for name in citation.authors()]
    tags.append(f'<meta name="dcterms.created" content="{html.escape(citation.release_date())}">')
    if abstract := citation.citation().get("abstract"):
        tags.append(f'<meta name="description" content="{html.escape(" ".join(str(abstract).split()))}">')
    return "\n".join(tags) + "\n"


def render_html(markdown_text: str, figures_dir: Path, title: str) -> str:
    body = markdown.markdown(markdown_text, extensions=["tables", "toc", "attr_list"], output_format="html")
    body = _mark_rtl_cells(body)
    css = embed_fonts((paths.TEMPLATES_DIR / STYLESHEET).read_text(encoding="utf-8"), html.unescape(body) + title)
    body = _embed_figure_data(_embed_images(body, figures_dir), figures_dir)
    # No scripts at all: a strict Content-Security-Policy makes any injected script inert too.
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'\">\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{html.escape(title)}</title>\n'
        f"{metadata_tags()}<style>\n{css}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
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
    no generic family) under report_fontconfig(): its bytes do not depend on the machine's fonts.
    Each figure's data file becomes a PDF attachment dated by the release (WeasyPrint would date
    link attachments with the clock, and the PDF must be reproducible)."""
    with report_fontconfig():
        import weasyprint  # heavy import, only for the PDF step

        released = datetime.fromisoformat(citation.release_date()).replace(tzinfo=UTC)
        attachments = []

        def attach(match: re.Match) -> str:
            name, data = match.group(1), base64.b64decode(match.group(2))
            attachments.append(weasyprint.Attachment(string=data, name=name, created=released, modified=released))
            return '<a class="attached">'

        html_text = re.sub(
            r'<a download="([\w.-]+)" rel="attachment" href="data:text/csv;base64,([A-Za-z0-9+/=]*)">',
            attach,
            html_text,
        )
        # PDF/UA-1 (WeasyPrint's variant): a tagged PDF, its structure tree built from the HTML (headings,
        # tables, figures with their alt text), plus the PDF/UA identification in the XMP metadata.
        # No random document id and no clock: the bytes stay the same on every machine.
        return weasyprint.HTML(string=html_text).write_pdf(attachments=attachments, pdf_variant=PDF_VARIANT)


def write_report(root: Path, ledgers: Ledgers, figures: list[dict]) -> list[Path]:
    """Render report.md/.html/.pdf into root/report from the key numbers already written there."""
    report_dir, figures_dir = paths.report_dir(root), paths.figures_dir(root)
    key = json.loads((paths.tables_in(report_dir) / paths.KEY_NUMBERS_FILE).read_text(encoding="utf-8"))
    md_text_out = render_markdown(key, report_dir, ledgers, figures)
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
