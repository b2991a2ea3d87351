"""The documents pages: the permission matrix of every URL, uploads on a case and a customer,
hostile files refused with nothing stored, downloads and the audit trail."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.documents import services
from onestop.documents.models import Document, DocumentSource
from tests.documents import files
from tests.documents.conftest import Place, stored_files
from tests.matrix import covers

ClientFor = Callable[[User], Client]
DOCUMENT = "documents.document"


def _owner_url(place: Place, kind: str) -> str:
    key = place.case.reference if kind == "case" else str(place.customer.pk)
    return reverse("documents:owner-documents", args=[kind, key])


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _attached(place: Place) -> Document:
    checked = services.check_upload(files.pdf(), "Letter.pdf")
    return services.attach_document(place.case, checked, by=place.officer)


def _documents(organisation: Organisation) -> list[tuple[str, int | None, int | None]]:
    return list(
        Document.objects.for_organisation(organisation)
        .order_by("pk")
        .values_list("name", "case_id", "customer_id")
    )


def _audit(organisation: Organisation, action: AuditAction) -> list[str]:
    return list(
        AuditRecord.objects.for_organisation(organisation)
        .filter(object_type=DOCUMENT, action=action)
        .order_by("sequence")
        .values_list("summary", flat=True)
    )


# --- the permission matrix ------------------------------------------------------------------------
@covers("documents:owner-documents", "documents:download")
@pytest.mark.parametrize("kind", ["case", "customer"])
def test_anonymous_people_are_sent_to_sign_in_and_nothing_is_stored(
    place: Place, documents_dir: Path, kind: str
) -> None:
    document = _attached(place)
    before = stored_files(documents_dir)
    client = Client()
    answers = [
        client.get(_owner_url(place, kind)),
        client.post(_owner_url(place, kind), {"file": _upload("a.pdf", files.pdf())}),
        client.get(reverse("documents:download", args=[document.pk])),
    ]
    assert [(answer.status_code, answer["Location"][:9]) for answer in answers] == [
        (302, "/sign-in/")
    ] * 3
    assert (len(_documents(place.organisation)), stored_files(documents_dir)) == (1, before)


@pytest.mark.parametrize("kind", ["case", "customer"])
def test_another_organisations_staff_get_404_and_nothing_is_stored(
    place: Place,
    partner_advisor: User,
    client_for: ClientFor,
    documents_dir: Path,
    kind: str,
) -> None:
    document = _attached(place)
    before = stored_files(documents_dir)
    client = client_for(partner_advisor)
    answers = [
        client.get(_owner_url(place, kind)),
        client.post(_owner_url(place, kind), {"file": _upload("a.pdf", files.pdf())}),
        client.get(reverse("documents:download", args=[document.pk])),
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert (len(_documents(place.organisation)), stored_files(documents_dir)) == (1, before)
    assert Document.objects.for_user(partner_advisor).count() == 0


def test_roles_without_the_permission_get_403_or_404_and_nothing_is_stored(
    place: Place,
    administrator: User,
    auditor: User,
    councillor: User,
    client_for: ClientFor,
    documents_dir: Path,
) -> None:
    document = _attached(place)
    before = stored_files(documents_dir)
    upload = {"file": _upload("a.pdf", files.pdf())}
    case_url = _owner_url(place, "case")
    download = reverse("documents:download", args=[document.pk])
    administrator_client, auditor_client = client_for(administrator), client_for(auditor)
    councillor_client = client_for(councillor)
    answers = {
        # The administrator sees no cases or customers at all; the auditor reads but adds nothing.
        "administrator list": administrator_client.get(case_url).status_code,
        "administrator upload": administrator_client.post(case_url, upload).status_code,
        "administrator download": administrator_client.get(download).status_code,
        "auditor upload": auditor_client.post(case_url, upload).status_code,
        "auditor customer upload": auditor_client.post(
            _owner_url(place, "customer"), {"file": _upload("b.pdf", files.pdf())}
        ).status_code,
        # A councillor sees only their own enquiries: another case is not there at all.
        "councillor list": councillor_client.get(case_url).status_code,
        "councillor download": councillor_client.get(download).status_code,
    }
    assert answers == {
        "administrator list": 403,
        "administrator upload": 403,
        "administrator download": 403,
        "auditor upload": 403,
        "auditor customer upload": 403,
        "councillor list": 404,
        "councillor download": 404,
    }
    assert (len(_documents(place.organisation)), stored_files(documents_dir)) == (1, before)


def test_an_unknown_owner_kind_or_document_is_404(
    place: Place, advisor: User, client_for: ClientFor
) -> None:
    client = client_for(advisor)
    answers = [
        client.get(reverse("documents:owner-documents", args=["complaint", "1"])).status_code,
        client.get(reverse("documents:owner-documents", args=["customer", "x1"])).status_code,
        client.get(reverse("documents:owner-documents", args=["case", "SR-NOPE"])).status_code,
        client.get(reverse("documents:download", args=[987654321])).status_code,
    ]
    assert answers == [404, 404, 404, 404]


# --- uploads --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["case", "customer"])
def test_an_advisor_attaches_a_photo_which_is_stored_clean_and_audited(
    place: Place, advisor: User, client_for: ClientFor, documents_dir: Path, kind: str
) -> None:
    client = client_for(advisor)
    response = client.post(
        _owner_url(place, kind), {"file": _upload("fly-tipping.jpg", files.jpeg_with_location())}
    )
    owner = place.case if kind == "case" else place.customer
    page = reverse(f"{'cases:case' if kind == 'case' else 'customers:detail'}", args=[
        place.case.reference if kind == "case" else place.customer.pk
    ])  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, f"{page}#documents")
    document = Document.objects.for_user(advisor).get()
    assert (document.name, document.content_type, document.source, document.uploaded_by) == (
        "fly-tipping.jpg",
        "image/jpeg",
        DocumentSource.STAFF,
        advisor,
    )
    assert getattr(document, kind) == owner
    [stored] = stored_files(documents_dir)
    assert (stored.name, stored.parent.name) == (
        document.storage_name,
        str(place.organisation.pk),
    )
    assert len(document.storage_name) == 43  # 32 random bytes, URL-safe base64
    assert stored.stat().st_mode & 0o777 == 0o600
    assert (b"PhoneCamera" in stored.read_bytes(), stored.stat().st_size) == (False, document.size)
    key = place.case.reference if kind == "case" else str(place.customer.pk)
    assert _audit(place.organisation, AuditAction.CREATED) == [f"Document attached to {kind} {key}"]


def test_the_case_page_lists_documents_offers_the_upload_and_records_the_list_read(
    place: Place, advisor: User, client_for: ClientFor
) -> None:
    document = _attached(place)
    page = client_for(advisor).get(reverse("cases:case", args=[place.case.reference]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="documents-heading">Documents</h2>' in html
    assert f'href="{reverse("documents:download", args=[document.pk])}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'class="govuk-file-upload"' in html
    [listed] = (
        AuditRecord.objects.for_organisation(place.organisation)
        .filter(object_type=DOCUMENT, action=AuditAction.LISTED)
        .values_list("changes", flat=True)
    )
    assert listed == {
        "query": {"case": place.case.reference},
        "count": 1,
        "ids": [str(document.pk)],
    }


def test_the_customer_page_has_the_documents_section_and_the_auditor_sees_no_upload(
    place: Place, auditor: User, client_for: ClientFor
) -> None:
    page = client_for(auditor).get(reverse("customers:detail", args=[place.customer.pk]))
    html = page.content.decode()
    assert (page.status_code, "No documents yet." in html, "govuk-file-upload" in html) == (
        200,
        True,
        False,
    )


def test_the_documents_page_lists_and_is_audited(
    place: Place, team_leader: User, client_for: ClientFor
) -> None:
    document = _attached(place)
    page = client_for(team_leader).get(_owner_url(place, "case"))
    assert (page.status_code, document.name in page.content.decode()) == (200, True)
    assert _audit(place.organisation, AuditAction.LISTED) == [
        f"1 listed, filtered by case={place.case.reference}"
    ]


# --- hostile files ------------------------------------------------------------------------------
HOSTILE = [
    ("polyglot.jpg", files.jpeg_with_php_tail, "contains something other than its document"),
    ("polyglot.pdf", files.pdf_zip_polyglot, "contains something other than its document"),
    ("bomb.png", files.png_bomb, "The selected picture is too large"),
    ("report.pdf", files.elf, "The selected file is a program"),
    ("invoice.pdf", files.windows_executable, "The selected file is a program"),
    ("archive.pdf", files.zip_archive, "The selected file is an archive"),
    ("empty.pdf", lambda: b"", "The selected file is empty"),
]


@pytest.mark.parametrize(
    ("name", "builder", "message"), HOSTILE, ids=[name for name, *_ in HOSTILE]
)
def test_a_hostile_file_is_refused_with_a_clear_error_and_nothing_is_stored(
    place: Place,
    advisor: User,
    client_for: ClientFor,
    documents_dir: Path,
    name: str,
    builder: Callable[[], bytes],
    message: str,
) -> None:
    response = client_for(advisor).post(
        _owner_url(place, "case"), {"file": _upload(name, builder())}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in html
    assert message in html
    assert 'href="#id_file"' in html
    assert (_documents(place.organisation), stored_files(documents_dir)) == ([], [])
    assert _audit(place.organisation, AuditAction.CREATED) == []


@override_settings(ONESTOP_DOCUMENT_MAX_BYTES=2048)
def test_an_oversized_file_is_refused_and_nothing_is_stored(
    place: Place, advisor: User, client_for: ClientFor, documents_dir: Path
) -> None:
    response = client_for(advisor).post(
        _owner_url(place, "case"), {"file": _upload("big.txt", b"a" * 2049)}
    )
    assert response.status_code == 400
    assert "The selected file must be smaller than 2 KB" in response.content.decode()
    assert (_documents(place.organisation), stored_files(documents_dir)) == ([], [])


def test_the_default_size_limit_is_ten_megabytes(
    place: Place, advisor: User, client_for: ClientFor, documents_dir: Path
) -> None:
    response = client_for(advisor).post(
        _owner_url(place, "case"), {"file": _upload("big.txt", b"a" * (10 * 1024 * 1024 + 1))}
    )
    assert "The selected file must be smaller than 10 MB" in response.content.decode()
    assert (response.status_code, stored_files(documents_dir)) == (400, [])


def test_no_file_at_all_asks_for_one(place: Place, advisor: User, client_for: ClientFor) -> None:
    response = client_for(advisor).post(_owner_url(place, "case"), {})
    assert (response.status_code, "Select a file" in response.content.decode()) == (400, True)


@override_settings(ONESTOP_DOCUMENTS_PER_OWNER=2)
def test_too_many_files_on_one_owner_are_refused_and_nothing_more_is_stored(
    place: Place, advisor: User, client_for: ClientFor, documents_dir: Path
) -> None:
    client = client_for(advisor)
    answers = [
        client.post(_owner_url(place, "case"), {"file": _upload(f"{n}.txt", files.text())})
        for n in range(3)
    ]
    assert [answer.status_code for answer in answers] == [302, 302, 400]
    assert "This case already has 2 documents, the most it can have" in (
        answers[2].content.decode()
    )
    assert (len(_documents(place.organisation)), len(stored_files(documents_dir))) == (2, 2)
    # The limit is per owner: the customer still takes one.
    customer = client.post(_owner_url(place, "customer"), {"file": _upload("c.txt", files.text())})
    assert customer.status_code == 302


def _multipart(field_name: str, file_name: str, data: bytes, token: str) -> tuple[bytes, str]:
    boundary = "----onestopboundary"
    body = io.BytesIO()
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token}\r\n".encode()
    )
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
        f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
    )
    body.write(data + f"\r\n--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("file_name", "message"),
    [
        ("../../etc/passwd.pdf", "must not contain a folder path"),
        ("..\\..\\boot.pdf", "must not contain a folder path"),
        ("letter\x07.pdf", "contains special characters"),
        ("letter\u202egpj.pdf", "contains special characters"),
    ],
)
def test_a_file_name_with_a_path_or_control_characters_is_refused_as_sent(
    place: Place,
    advisor: User,
    client_for: ClientFor,
    documents_dir: Path,
    file_name: str,
    message: str,
) -> None:
    """Django's parser would quietly cut these down to a harmless name; they are refused."""
    client = client_for(advisor)
    body, content_type = _multipart("file", file_name, files.pdf(), "unused")
    response = client.post(_owner_url(place, "case"), body, content_type=content_type)
    assert (response.status_code, message in response.content.decode()) == (400, True)
    assert (_documents(place.organisation), stored_files(documents_dir)) == ([], [])


def test_the_csrf_check_still_runs_on_the_upload(
    place: Place, advisor: User, documents_dir: Path
) -> None:
    client = Client(enforce_csrf_checks=True)
    from tests import factories

    factories.sign_in_verified(client, advisor)
    body, content_type = _multipart("file", "letter.pdf", files.pdf(), "wrong-token")
    response = client.post(_owner_url(place, "case"), body, content_type=content_type)
    assert (response.status_code, stored_files(documents_dir)) == (403, [])


# --- downloads ----------------------------------------------------------------------------------
def test_a_download_is_an_attachment_of_the_right_type_never_sniffed_and_is_audited(
    place: Place, advisor: User, client_for: ClientFor
) -> None:
    checked = services.check_upload(files.text(), "Notes from the visit.txt")
    document = services.attach_document(place.customer, checked, by=place.officer)
    response = client_for(advisor).get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.text()  # type: ignore[attr-defined]
    assert (
        response["Content-Type"],
        response["Content-Disposition"],
        response["X-Content-Type-Options"],
        response["Cache-Control"],
    ) == (
        "text/plain; charset=utf-8",
        'attachment; filename="Notes from the visit.txt"',
        "nosniff",
        "private, no-store",
    )
    assert "sandbox" in response["Content-Security-Policy"]
    assert _audit(place.organisation, AuditAction.VIEWED) == [f"Document {document.pk} downloaded"]


def test_a_document_whose_file_is_missing_is_404_not_an_error(
    place: Place, advisor: User, client_for: ClientFor, documents_dir: Path
) -> None:
    document = _attached(place)
    for path in stored_files(documents_dir):
        path.unlink()
    response = client_for(advisor).get(reverse("documents:download", args=[document.pk]))
    assert (response.status_code, _audit(place.organisation, AuditAction.VIEWED)) == (404, [])
