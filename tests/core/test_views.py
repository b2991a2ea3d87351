"""The health check, the staff door and the security headers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import User


@pytest.mark.django_db
def test_the_health_check_reports_the_database() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in_with_the_page_to_return_to() -> None:
    response = Client().get("/directory/?q=1")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fdirectory%2F%3Fq%3D1"


@pytest.mark.django_db
def test_a_password_only_session_does_not_open_staff_pages(advisor: User) -> None:
    client = Client()
    client.force_login(advisor, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fstaff%2F"


@pytest.mark.django_db
def test_the_api_answers_401_problem_details_without_a_verified_session() -> None:
    problem = Client().get("/api/v1/directory/services")
    assert problem.status_code == 401
    assert problem["Content-Type"] == "application/problem+json"
    assert problem.json()["title"] == "unauthenticated"


def test_staff_pages_carry_security_headers(
    client_for: Callable[[User], Client], advisor: User
) -> None:
    response = client_for(advisor).get("/staff/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy


def test_the_home_page_shows_only_navigation_the_role_allows(
    client_for: Callable[[User], Client], advisor: User, administrator: User
) -> None:
    advisor_page = client_for(advisor).get("/staff/").content.decode()
    administrator_page = client_for(administrator).get("/staff/").content.decode()
    assert 'href="/directory/"' in advisor_page
    assert 'href="/audit/"' not in advisor_page
    assert 'href="/audit/"' in administrator_page
