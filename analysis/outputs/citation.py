"""Who made the project and when, read from CITATION.cff (one place for the byline and the date)."""

from __future__ import annotations

from functools import cache

import yaml

from analysis.inputs import paths


@cache
def citation() -> dict:
    return yaml.safe_load((paths.ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def authors() -> list[str]:
    """Author names as CITATION.cff gives them: an entity's name, or a person's given and family names."""
    names = []
    for person in citation().get("authors", []):
        name = person.get("name") or " ".join(p for p in (person.get("given-names"), person.get("family-names")) if p)
        if name:
            names.append(str(name))
    return names


def release_date() -> str:
    """The release date in CITATION.cff: the publication date of every output, so bytes are reproducible."""
    return str(citation()["date-released"])
