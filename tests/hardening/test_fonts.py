"""The report brings its own fonts: every character it can show has a glyph in the shipped fonts, the
stylesheet names no font but those, and the report's bytes are the same whatever fonts and
fontconfig rules the machine has (rendered here under three font configurations)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import unicodedata
import zlib
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from analysis.inputs import paths

CSS = paths.TEMPLATES_DIR / "report.css"
FONTS_DIR = paths.TEMPLATES_DIR / "fonts"
REPORT_FILES = ("report.md", "report.html", "report.pdf")
# Elements that the browsers' and WeasyPrint's default stylesheets set in "monospace".
MONO_TAGS = {"code", "kbd", "listing", "plaintext", "pre", "samp", "tt", "xmp"}
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")


def css_text() -> str:
    return re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)


def font_faces() -> dict[str, list[Path]]:
    """Family -> font files, from the stylesheet's @font-face rules."""
    faces: dict[str, list[Path]] = {}
    for rule in re.findall(r"@font-face\s*{([^}]*)}", css_text()):
        family = re.search(r'font-family:\s*"([^"]+)"', rule).group(1)
        faces.setdefault(family, []).append(paths.TEMPLATES_DIR / re.search(r'url\("([^"]+)"\)', rule).group(1))
    return faces


def family_lists() -> dict[str, list[str]]:
    """Selector -> font-family list, for every rule outside @font-face."""
    outside = re.sub(r"@font-face\s*{[^}]*}", "", css_text())
    found = {}
    for selector, body in re.findall(r"([^{}]+){([^{}]*)}", outside):
        declared = re.search(r"font-family:\s*([^;]+)", body)
        if declared:
            found[selector.strip()] = [name.strip().strip("\"'") for name in declared.group(1).split(",")]
    return found


@cache
def charset(family: str) -> frozenset[int]:
    """Code points with a glyph in some face of the family: fontconfig falls back within a family
    (an italic Arabic letter is drawn with the upright face) before it tries the next family."""
    return frozenset().union(*(TTFont(path).getBestCmap().keys() for path in font_faces()[family]))


def drawn(char: str) -> bool:
    """Controls and format characters (bidi marks, zero-width joiners, BOM) have no glyph to draw."""
    return unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp")


def uncovered(text: str, families: list[str]) -> set[str]:
    return {c for c in text if drawn(c) and not any(ord(c) in charset(f) for f in families)}


def describe(chars: set[str]) -> str:
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')} {c!r}" for c in sorted(chars))


def sans_and_mono() -> tuple[list[str], list[str]]:
    lists = family_lists()
    text = next(v for k, v in lists.items() if k == "html")
    mono = next(v for k, v in lists.items() if "code" in [s.strip() for s in k.split(",")])
    return text, mono


class TextByFamily(HTMLParser):
    """Visible text of an HTML page, split into ordinary text and monospace text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text, self.mono = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in ("meta", "img", "br", "hr", "link", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag) :]

    def handle_data(self, data):
        if "style" in self.stack:
            return
        (self.mono if MONO_TAGS & set(self.stack) else self.text).append(data)


def test_stylesheet_names_only_the_shipped_fonts():
    faces = font_faces()
    assert set(faces) == {"Report Sans", "Report Mono"}
    for files in faces.values():
        for path in files:
            assert path.parent == FONTS_DIR and path.is_file(), path
    assert (FONTS_DIR / "LICENSE").is_file()
    shipped = {p.name for p in FONTS_DIR.glob("*.ttf")}
    assert shipped == {p.name for files in faces.values() for p in files}, "a shipped font no rule uses, or vice versa"
    lists = family_lists()
    assert "html" in lists, "the family must sit on html so the PDF's page margin boxes inherit it"
    for selector, families in lists.items():
        unknown = [f for f in families if f not in faces]
        assert not unknown, f"{selector}: font-family names {unknown}, which no @font-face provides (system or generic)"
    text, mono = sans_and_mono()
    assert text == ["Report Sans"] and mono[0] == "Report Mono"


def test_the_coverage_check_finds_a_missing_glyph():
    text, _ = sans_and_mono()
    assert uncovered("Idlib إدلب Идлиб ≥ – × … ′ ″", text) == set()
    assert uncovered("漢字 Idlib", text) == {"漢", "字"}
    assert uncovered("\u202eoverride\u202c\u200d", text) == set()  # bidi and joiner controls draw nothing


def test_shipped_fonts_cover_every_character_of_the_ledgers():
    """Any ledger text may reach the report (appendix, place names, key phrases): all of it is covered."""
    text, _ = sans_and_mono()
    for path in sorted(paths.DEFAULT_DATA_DIR.glob("*.csv")):
        missing = uncovered(path.read_text(encoding="utf-8"), text)
        assert not missing, f"{path.name} holds characters no shipped font has: {describe(missing)}"


def test_shipped_fonts_cover_every_character_of_the_report():
    text, mono = sans_and_mono()
    page = TextByFamily()
    page.feed((paths.report_dir() / "report.html").read_text(encoding="utf-8"))
    missing = uncovered("".join(page.text), text) | uncovered("".join(page.mono), mono)
    assert not missing, f"report.html shows characters no shipped font has: {describe(missing)}"


RENDER = textwrap.dedent(
    """
    import shutil, sys
    from pathlib import Path
    from analysis.inputs import paths
    from analysis.outputs import figures, report
    from analysis.inputs.load import load

    root, sample = Path(sys.argv[1]), Path(sys.argv[2])
    for name in ("report", "figures"):
        shutil.copytree(paths.ROOT / name, root / name)
    metas = figures.saved_figures(root)
    report.write_report(root, load(paths.DEFAULT_DATA_DIR), report.figure_index(metas))
    html = report.render_html(sample.read_text(encoding="utf-8"), root / "figures", "scripts")
    sample.with_suffix(".pdf").write_bytes(report.render_pdf(html))
    """
)


def scripts_sample() -> str:
    """Every non-English key phrase and every Arabic place name of the ledgers, plain, italic and bold:
    the report's appendix may show any of them (the committed report need not hold them yet)."""
    import pandas as pd

    from analysis.outputs import report

    claims = pd.read_csv(paths.DEFAULT_DATA_DIR / "claims.csv", dtype=str, keep_default_na=False)
    places = pd.read_csv(paths.DEFAULT_DATA_DIR / "places.csv", dtype=str, keep_default_na=False)
    phrases = [*claims.loc[claims.key_phrase_language != "en", "key_phrase"], *places.name_ar]
    rows = [f"| {report.md_text(p)} | *{report.md_text(p)}* | **{report.md_text(p)}** |" for p in phrases if p]
    return "| plain | italic | bold |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> tuple[Path, bytes]:
    """The scripts sample, rendered in this process (the machine's fontconfig as pytest found it)."""
    from analysis.outputs import report

    markdown = tmp_path_factory.mktemp("sample") / "sample.md"
    markdown.write_text(scripts_sample(), encoding="utf-8")
    return markdown, report.render_pdf(
        report.render_html(markdown.read_text(encoding="utf-8"), markdown.parent, "scripts")
    )


def fontconfig_file(tmp: Path, font_dir: Path) -> Path:
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><dir>{font_dir}</dir><cachedir>{tmp / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return conf


def embedded_fonts(pdf: bytes) -> set[str]:
    """Names of the fonts a PDF embeds (their dictionaries sit in zlib-compressed object streams)."""
    names = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            names |= set(re.findall(rb"/BaseFont\s*/([\w+-]+)", zlib.decompress(stream)))
        except zlib.error:
            continue  # not a compressed stream (or an image)
    return {name.decode().split("+")[-1] for name in names}


FONT_SETS = ("the machine's fonts", "only the DejaVu folder", "an empty font folder, another locale and time zone")
# The last case also changes what else could differ between machines. (A whole build under
# de_DE.UTF-8, TZ=Pacific/Kiritimati, PYTHONHASHSEED=12345 and SOURCE_DATE_EPOCH=86400 reproduced
# every committed output too; it takes minutes, so only the report step is repeated here.)
ELSEWHERE = {
    "LC_ALL": "C.UTF-8",
    "LANG": "C.UTF-8",
    "TZ": "Pacific/Kiritimati",
    "PYTHONHASHSEED": "4242",
    "SOURCE_DATE_EPOCH": "0",
}


@pytest.mark.parametrize("font_set", FONT_SETS)
def test_report_is_byte_identical_whatever_the_machine_has(font_set, tmp_path, sample_pdf):
    """The report step alone (key numbers, figures and data as committed), rendered in a fresh process
    under the machine's fontconfig, one limited to one folder, or to an empty one: committed bytes.
    Likewise the Arabic, Cyrillic and Latin key phrases of the ledgers, against this process's PDF."""
    env = dict(os.environ)
    if font_set != FONT_SETS[0]:
        folder = DEJAVU_DIR if font_set == FONT_SETS[1] else tmp_path / "no-fonts"
        if font_set == FONT_SETS[1] and not folder.is_dir():
            pytest.skip(f"{folder} is not on this machine")
        folder.mkdir(exist_ok=True)
        env["FONTCONFIG_FILE"] = str(fontconfig_file(tmp_path, folder))
    if font_set == FONT_SETS[2]:
        env.update(ELSEWHERE)
    out = tmp_path / "out"
    (tmp_path / "sample.md").write_bytes(sample_pdf[0].read_bytes())
    result = subprocess.run(
        [sys.executable, "-c", RENDER, str(out), str(tmp_path / "sample.md")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    committed = paths.report_dir()
    different = [n for n in REPORT_FILES if (out / "report" / n).read_bytes() != (committed / n).read_bytes()]
    assert not different, f"{font_set}: {different} differ from the committed report (run `make report` and commit)"
    assert (tmp_path / "sample.pdf").read_bytes() == sample_pdf[1], f"{font_set}: the key phrases render differently"
    embedded = embedded_fonts((out / "report" / "report.pdf").read_bytes())
    assert embedded and all(name.startswith(("Report-Sans", "Report-Mono")) for name in embedded), embedded
    # Known defect (closing note): in the long key-phrase sample, WeasyPrint falls back for some
    # Arabic run to the shipped DejaVu file itself rather than its @font-face subset. That file is
    # the only one report_fontconfig() exposes, so the bytes stay the same on every machine (asserted
    # above); only shipped faces may appear.
    embedded = embedded_fonts((tmp_path / "sample.pdf").read_bytes())
    assert embedded and all(name.startswith(("Report-Sans", "Report-Mono", "DejaVu")) for name in embedded), embedded


def test_right_to_left_cells_are_marked_for_the_pdf():
    from analysis.outputs import report

    table = "| phrase | note |\n| --- | --- |\n| 8 شاحنات من الرتل | lorries |\n| Idlib إدلب | *إدلب* |\n"
    cells = re.findall(r"<td[^>]*>", report.render_html(table, Path("figures"), "rtl"))
    assert cells == ['<td dir="rtl">', "<td>", "<td>", '<td dir="rtl">']
