"""Generated blocks inside hand-written Markdown (README.md, data/README.md).

A block is everything between `<!-- BEGIN GENERATED: name -->` and `<!-- END GENERATED -->`;
prose around it stays as written, the block is rewritten from data, so no number is retyped.
"""

from __future__ import annotations

import re

BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (?P<name>[\w-]+) -->\n).*?(<!-- END GENERATED -->)", re.S)


def fill(text: str, blocks: dict[str, str], source: str = "file") -> str:
    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name not in blocks:
            raise KeyError(f"{source}: unknown generated block {name!r}")
        return f"{match.group(1)}{blocks[name]}\n{match.group(3)}"

    return BLOCK.sub(replace, text)


def names(text: str) -> list[str]:
    return [m.group("name") for m in BLOCK.finditer(text)]
