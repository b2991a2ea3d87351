"""Bad requests and expired forms get GOV.UK pages that say nothing was saved, not Django's
plain text."""

from __future__ import annotations

from django.test import Client


def test_a_form_without_its_csrf_token_gets_the_expired_form_page(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/sign-in/", {"username": "someone", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Sorry, this form has expired" in page
    assert "nothing was saved" in page
    assert 'class="govuk-heading-l"' in page


def test_a_request_django_refuses_gets_the_bad_request_page(db: None) -> None:
    # More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: Django refuses to read the form (400).
    fields = "&".join(f"f{number}=x" for number in range(20_000))
    response = Client().post(
        "/sign-in/", data=fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Sorry, there is a problem with what was sent" in page
    assert "nothing was saved" in page
