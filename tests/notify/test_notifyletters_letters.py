"""Letters: real PDFs laid out to GOV.UK Notify's precompiled-letter specification, checked
through WeasyPrint's own pages and boxes (where each line of text sits, at what size)."""

from __future__ import annotations

import datetime

import pytest

from onestop.core.models import Organisation
from onestop.notify import letters
from onestop.notify.models import Language
from tests.cases import factories as case_factories
from tests.cases.conftest import World, world
from tests.notify.notifyletters_helpers import (
    A4_MM,
    Text,
    letter,
    page_size_mm,
    pdf_page_boxes,
    texts,
    words,
)

__all__ = ["world"]

LONG_BODY = "\n\n".join(
    f"Paragraph {n}. " + "We have looked into your report. " * 10 for n in range(14)
)


def _inside(piece: Text, left: float, top: float, right: float, bottom: float) -> bool:
    slack = 0.05  # rounding of the layout's pixels to millimetres
    return (
        piece.x >= left - slack
        and piece.y >= top - slack
        and piece.right <= right + slack
        and piece.bottom <= bottom + slack
    )


def test_the_pdf_is_a4_portrait_on_every_page(council: Organisation) -> None:
    document = letters.render_document(letter(council, body=LONG_BODY))
    assert len(document.pages) == 2
    assert {page_size_mm(document, n) for n in range(len(document.pages))} == {A4_MM}
    pdf = letters.write_pdf(document)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    boxes = pdf_page_boxes(document.write_pdf(uncompressed_pdf=True) or b"")
    assert len(boxes) == len(document.pages)
    for box in boxes:
        x0, y0, width, height = (float(value) for value in box.split())
        assert (x0, y0) == (0, 0)
        assert (round(width * 25.4 / 72, 1), round(height * 25.4 / 72, 1)) == A4_MM


def test_render_pdf_gives_the_bytes_of_a_pdf(council: Organisation) -> None:
    pdf = letters.render_pdf(letter(council), organisation_name="Test Council")
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000


def test_the_address_sits_in_the_window_envelope_block(council: Organisation) -> None:
    document = letters.render_document(letter(council))
    lines = [piece for piece in texts(document) if piece.text in letters_address_lines()]
    assert [piece.text for piece in lines] == letters_address_lines()
    first = lines[0]
    assert (round(first.x, 1), round(first.y, 1)) == (24.6, 39.5)
    # Notify's address block: 24.6mm from the left, 39.5mm from the top, 95.4 x 26.8mm.
    assert all(_inside(piece, 24.6, 39.5, 120.0, 66.3) for piece in lines)


def letters_address_lines() -> list[str]:
    return ["Ann Example", "Flat 2", "1 High Street", "Testtown", "AB1 2CD"]


def test_seven_address_lines_fit_the_block_and_more_are_not_printed(
    council: Organisation,
) -> None:
    address = "\n".join(f"Line {n}" for n in range(1, 10))
    document = letters.render_document(letter(council, address=address))
    shown = [piece for piece in texts(document) if piece.text.startswith("Line ")]
    assert [piece.text for piece in shown] == [f"Line {n}" for n in range(1, 8)]
    assert all(_inside(piece, 24.6, 39.5, 120.0, 66.3) for piece in shown)


def test_everything_on_the_first_page_is_where_notify_allows_it(world: World) -> None:
    case = case_factories.raise_case(world.organisation)
    document = letters.render_document(letter(world.organisation, case=case, body=LONG_BODY))
    pieces = texts(document)
    allowed = [
        (15.0, 5.0, 125.0, 30.0),  # the logo area: the council's name
        (125.0, 5.0, 195.0, 95.0),  # the service-address column: reference and date
        (24.6, 39.5, 120.0, 66.3),  # the address block
        (15.0, 95.0, 195.0, 292.0),  # the body
    ]
    outside = [piece.text for piece in pieces if not any(_inside(piece, *a) for a in allowed)]
    assert outside == []
    later = [piece for n in range(1, len(document.pages)) for piece in texts(document, n)]
    assert later
    assert all(_inside(piece, 15.0, 5.0, 195.0, 292.0) for piece in later)


def test_the_council_the_reference_and_the_date_are_printed(world: World) -> None:
    case = case_factories.raise_case(world.organisation)
    message = letter(world.organisation, case=case)
    document = letters.render_document(message)
    text = words(document)
    assert world.organisation.name in text
    assert f"Reference {case.reference}" in text
    assert "Date 1 December 2026" in text
    assert "Your missed bin" in text
    assert "We will collect your bin on Friday." in text
    named = letters.render_document(message, organisation_name="Another Name")
    assert "Another Name" in words(named)


def test_the_date_is_the_day_in_the_uk_not_in_utc(council: Organisation) -> None:
    late = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)  # 00:30 on 1 July, BST
    document = letters.render_document(letter(council, created_at=late))
    assert "1 July 2026" in words(document)
    assert letters.letter_date(datetime.date(2026, 12, 1), Language.ENGLISH) == "1 December 2026"


def test_a_letter_without_a_case_has_no_reference_line(council: Organisation) -> None:
    text = words(letters.render_document(letter(council)))
    assert "Reference" not in text
    assert "Date 1 December 2026" in text


def test_large_print_sets_all_the_words_in_16pt_or_more(council: Organisation) -> None:
    message = letter(council, format=letters.LARGE_PRINT_FORMAT, body=LONG_BODY)
    document = letters.render_document(message)
    assert len(document.pages) > 2
    body = [
        piece
        for n in range(len(document.pages))
        for piece in texts(document, n)
        if piece.text not in letters_address_lines()
    ]
    assert min(piece.points for piece in body) >= 16
    heading = next(piece for piece in body if piece.text == "Your missed bin")
    assert heading.points >= 20
    # The address keeps the size the envelope window and Royal Mail's readers expect.
    address = [piece for piece in texts(document) if piece.text in letters_address_lines()]
    assert {piece.points for piece in address} == {10}


def test_standard_print_is_smaller_and_large_print_can_be_asked_for(
    council: Organisation,
) -> None:
    message = letter(council)
    standard = [
        p.points for p in texts(letters.render_document(message)) if p.text.startswith("We")
    ]
    asked = [
        p.points
        for p in texts(letters.render_document(message, large_print=True))
        if p.text.startswith("We")
    ]
    assert standard == [11]
    assert asked
    assert min(asked) >= 16


def test_a_welsh_letter_says_so_and_prints_welsh_labels_and_months(world: World) -> None:
    case = case_factories.raise_case(world.organisation)
    message = letter(
        world.organisation,
        case=case,
        language=Language.WELSH,
        subject="Eich bin",
        body="Annwyl Ann\n\nByddwn yn casglu eich bin ddydd Gwener.",
    )
    html = letters.render_html(message, letters.letter_for(message))
    assert '<html lang="cy">' in html
    text = words(letters.render_document(message))
    assert f"Cyfeirnod {case.reference}" in text
    assert "Dyddiad 1 Rhagfyr 2026" in text
    assert "Byddwn yn casglu eich bin ddydd Gwener." in text
    plain = letter(world.organisation)
    english = letters.render_html(plain, letters.letter_for(plain))
    assert '<html lang="en">' in english


def test_a_welsh_letter_of_many_pages_numbers_them_in_welsh(council: Organisation) -> None:
    document = letters.render_document(letter(council, language=Language.WELSH, body=LONG_BODY))
    count = len(document.pages)
    assert "Tudalen" not in words(document, 0)
    assert f"Tudalen 2 o {count}" in words(document, 1)


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "</address><h1>Pay now</h1>",
        "Ann \u202eelpmaxE",
    ],
)
def test_markup_in_the_address_and_body_is_printed_as_text(
    council: Organisation, hostile: str
) -> None:
    message = letter(council, address=f"{hostile}\n1 High Street\nAB1 2CD", body=hostile)
    html = letters.render_html(message, letters.letter_for(message))
    for markup in ("<script>", "<img", "<h1>Pay"):
        assert markup not in html
    document = letters.render_document(message)
    assert hostile.split()[0] in words(document)


def test_an_oversized_body_becomes_more_pages_not_an_error(council: Organisation) -> None:
    body = "\n\n".join("x" * 2000 for _ in range(20))
    document = letters.render_document(letter(council, body=body))
    assert len(document.pages) >= 2
    assert {page_size_mm(document, n) for n in range(len(document.pages))} == {A4_MM}


def test_joining_letters_keeps_each_letters_pages_in_order(council: Organisation) -> None:
    first = letters.render_document(letter(council, label="First", address="First\nA\nAB1 2CD"))
    second = letters.render_document(
        letter(council, label="Second", address="Second\nB\nAB1 2CD", body=LONG_BODY)
    )
    joined = letters.join([first, second])
    assert joined is not None
    assert len(joined.pages) == len(first.pages) + len(second.pages)
    assert "First" in words(joined, 0)
    assert "Second" in words(joined, len(first.pages))
    assert letters.join([]) is None
