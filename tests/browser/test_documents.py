"""Documents on a case in a real browser, by keyboard, checked with axe-core: an advisor picks a
photo with the GOV.UK file upload, adds it, finds it listed on the case and downloads it; a
hostile file is refused with the error summary, which is also accessible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onestop.cases.models import Case, CaseKind
from onestop.core.models import Organisation, User
from onestop.documents.models import Document
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.cases import factories as case_factories
from tests.customers import factories as customer_factories
from tests.documents import files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(council: Organisation) -> Case:
    case_factories.standards(council)
    waste = case_factories.service(council, "Waste and Recycling")
    crews = case_factories.team(waste, "Collection crews")
    case_factories.case_type(
        council, "fly-tipping", kind=CaseKind.SERVICE_REQUEST, service=waste, team=crews
    )
    customer = customer_factories.customer(council, "Jane", "Smith", postcode="HP19 8FF")
    return case_factories.raise_case(
        council, "fly-tipping", title="Mattress in the lane", customer=customer, attributes={}
    )


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.textContent"))


def test_an_advisor_adds_a_photo_to_a_case_and_downloads_it_by_keyboard(
    page: Any, live_server: Any, advisor: User, case: Case, tmp_path: Path
) -> None:
    photo = tmp_path / "mattress.jpg"
    photo.write_bytes(files.jpeg_with_location())
    # Playwright turns on file-chooser interception without waiting for the browser's reply,
    # so a listener added only when the key is pressed can miss the chooser on a busy
    # machine. Listening from the start means interception is on long before the key.
    page.on("filechooser", lambda _chooser: None)
    sign_in_browser(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    assert page.locator("#documents-heading").inner_text() == "Documents"
    assert axe_violations(page) == []

    # The page's scripts have run (they may move focus) before the file input takes it.
    page.wait_for_load_state("load")
    page.locator("#id_file").focus()
    assert _focused(page) == "id_file"
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(photo))
    page.keyboard.press("Tab")
    assert _focused(page).strip() == "Add document"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/cases/{case.reference}/#documents")

    document = Document.objects.for_user(advisor).get()
    link = page.get_by_role("link", name="mattress.jpg")
    assert link.is_visible()
    assert axe_violations(page) == []
    link.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "downloaded.jpg"
    download.value.save_as(saved)
    assert (download.value.suggested_filename, saved.stat().st_size) == (
        "mattress.jpg",
        document.size,
    )
    assert b"PhoneCamera" not in saved.read_bytes()


def test_a_renamed_program_is_refused_with_an_accessible_error(
    page: Any, live_server: Any, advisor: User, case: Case, tmp_path: Path
) -> None:
    program = tmp_path / "statement.pdf"
    program.write_bytes(files.elf())
    sign_in_browser(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    page.locator("#id_file").set_input_files(str(program))
    page.locator("#id_file").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/documents/case/{case.reference}/")
    summary = page.locator(".govuk-error-summary")
    assert "The selected file is a program" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    assert Document.objects.for_user(advisor).count() == 0
