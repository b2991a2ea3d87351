"""Form data for the GOV.UK date input (``core.forms.GovukDateField``): one date as the three
boxes a browser posts."""

from __future__ import annotations


def date_input(name: str, typed: str) -> dict[str, str]:
    """``date_input("date_of_birth", "12/3/1980")``: the day, month and year boxes of ``name``
    as a person typed them (``""`` leaves every box empty; parts may be missing or anything)."""
    parts = typed.split("/") if typed else []
    parts = [*parts, "", "", ""][:3]
    return {
        f"{name}_{part}": text for part, text in zip(("day", "month", "year"), parts, strict=True)
    }
