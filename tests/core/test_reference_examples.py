"""Every reference the code shows people as an example ("like SR-26-4K7Q0") is one OneStop
would accept: a resident who types the example is not told one of its characters is mistyped."""

from __future__ import annotations

import re
from pathlib import Path

from onestop.core import references

ROOT = Path(__file__).resolve().parents[2] / "onestop"
EXAMPLE = re.compile(r"\b[A-Z]{2,4}-\d{2}-[0-9A-Z]{4,13}[0-9A-Z*~$=]")


def test_every_example_reference_in_the_code_and_its_translations_is_well_formed() -> None:
    found: dict[str, set[str]] = {}
    for path in [*ROOT.rglob("*.py"), *ROOT.rglob("*.html"), *ROOT.rglob("*.po")]:
        if "migrations" in path.parts:
            continue
        for example in EXAMPLE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(example, set()).add(str(path.relative_to(ROOT)))
    assert "SR-26-4K7Q0" in found  # the track form's hint, among others
    wrong = {}
    for example, paths in found.items():
        try:
            references.parse(example)
        except references.InvalidReference:
            wrong[example] = sorted(paths)
    assert wrong == {}
