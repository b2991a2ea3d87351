"""Mail domains: an organisation proves a domain with a DNS TXT record (asked of a real DNS
server on loopback, dnslib's), or a system administrator verifies it; a domain verified by one
organisation cannot be verified by another; administrators are shown the record to publish."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from dnslib import QTYPE, RR, TXT, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSServer

from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, User
from onestop.directory import queries, services
from onestop.directory.models import DomainClaim, MailDomain
from tests.matrix import covers

ClientFor = Callable[[User], Client]
PAGE = "/directory/mail-domains/"

pytestmark = pytest.mark.django_db


class Zone(BaseResolver):  # type: ignore[misc]
    """Answers TXT questions from ``records``: name (with its final dot) to TXT strings."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.asked: list[str] = []
        self._lock = threading.Lock()

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname)
        with self._lock:
            self.asked.append(name)
            values = list(self.records.get(name.lower(), []))
        if request.q.qtype == QTYPE.TXT:
            for value in values:
                reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(value), ttl=0))
        return reply


class _QuietLogger:
    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


@pytest.fixture
def zone() -> Iterator[Zone]:
    """A real DNS server (UDP, 127.0.0.1, a free port) that OneStop is pointed at."""
    resolver = Zone()
    server = DNSServer(resolver, address="127.0.0.1", port=0, logger=_QuietLogger())
    server.start_thread()
    port = server.server.server_address[1]
    try:
        with override_settings(
            ONESTOP_DNS_NAMESERVERS=[f"127.0.0.1:{port}"], ONESTOP_DNS_TIMEOUT_SECONDS=2
        ):
            yield resolver
    finally:
        server.stop()
        server.server.server_close()


def publish(zone: Zone, mail_domain: MailDomain, value: str | None = None) -> None:
    zone.records.setdefault(mail_domain.txt_name + ".", []).append(value or mail_domain.txt_value)


def _audits(organisation: Organisation) -> list[str]:
    return list(
        AuditRecord.objects.for_organisation(organisation)
        .filter(object_type="directory.maildomain")
        .order_by("sequence")
        .values_list("summary", flat=True)
    )


def test_the_published_txt_record_verifies_the_domain(
    zone: Zone, council: Organisation, administrator: User
) -> None:
    pending = services.add_mail_domain(council, by=administrator, domain=" Test-Council.Example. ")
    assert (pending.domain, pending.is_verified) == ("test-council.example", False)
    assert queries.verified_mail_domains(council.pk) == []
    with pytest.raises(ServiceError) as missing:
        services.verify_mail_domain_by_dns(pending, by=administrator)
    assert missing.value.code == "domain_not_proven"
    assert "_onestop-verification.test-council.example" in missing.value.message
    publish(zone, pending, "onestop-verification=someone-elses-token")
    with pytest.raises(ServiceError):
        services.verify_mail_domain_by_dns(pending, by=administrator)
    publish(zone, pending)
    verified = services.verify_mail_domain_by_dns(pending, by=administrator)
    assert (verified.is_verified, verified.verified_by) == (True, "dns")
    assert queries.verified_mail_domains(council.pk) == ["test-council.example"]
    assert zone.asked == ["_onestop-verification.test-council.example."] * 3
    assert _audits(council) == [
        "Mail domain test-council.example added (not yet verified)",
        "Mail domain test-council.example verified (DNS TXT record)",
    ]


def test_a_domain_verified_by_one_organisation_cannot_be_proven_by_another(
    zone: Zone, council: Organisation, partner: Organisation
) -> None:
    services.verify_mail_domain(council, by=None, domain="test-council.example")
    theirs = services.add_mail_domain(partner, by=None, domain="test-council.example")
    publish(zone, theirs)
    with pytest.raises(ServiceError) as taken:
        services.verify_mail_domain_by_dns(theirs, by=None)
    with pytest.raises(ServiceError) as operator:
        services.verify_mail_domain(partner, by=None, domain="test-council.example")
    assert (taken.value.code, operator.value.code) == ("domain_taken", "domain_taken")
    theirs.refresh_from_db()
    assert theirs.is_verified is False
    assert queries.verified_mail_domains(partner.pk) == []
    assert list(DomainClaim.objects.values_list("domain", flat=True)) == ["test-council.example"]


def test_an_unreachable_dns_server_is_a_clear_error(council: Organisation) -> None:
    pending = services.add_mail_domain(council, by=None, domain="test-council.example")
    # Port 9 (discard) on loopback: nothing answers.
    with (
        override_settings(ONESTOP_DNS_NAMESERVERS=["127.0.0.1:9"], ONESTOP_DNS_TIMEOUT_SECONDS=1),
        pytest.raises(ServiceError) as refused,
    ):
        services.verify_mail_domain_by_dns(pending, by=None)
    assert refused.value.code == "dns_unavailable"
    pending.refresh_from_db()
    assert pending.is_verified is False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "council",
        "nobody@council.example",
        "https://council.example",
        "-x.example",
        "a..b",
        "council.example\x00",
        "a b.example",
        "x" * 64 + ".example",
        "10.0.0.1",
    ],
)
def test_a_bad_domain_is_refused_and_nothing_saved(council: Organisation, text: str) -> None:
    with pytest.raises(ServiceError) as refused:
        services.add_mail_domain(council, by=None, domain=text)
    assert refused.value.code == "invalid_domain"
    assert MailDomain.objects.for_organisation(council).count() == 0


def test_administrators_are_shown_the_record_to_publish_and_can_check_it(
    zone: Zone, client_for: ClientFor, council: Organisation, administrator: User
) -> None:
    client = client_for(administrator)
    added = client.post(PAGE, {"domain": "test-council.example"})
    pending = MailDomain.objects.for_organisation(council).get()
    page = client.get(PAGE).content.decode()
    checked_early = client.post(f"{PAGE}{pending.pk}/check/", follow=True).content.decode()
    publish(zone, pending)
    checked = client.post(f"{PAGE}{pending.pk}/check/", follow=True).content.decode()
    assert added.status_code == 302
    assert "_onestop-verification.test-council.example" in page
    assert pending.txt_value in page
    assert "No TXT record" in checked_early
    assert "test-council.example is verified" in checked
    assert queries.verified_mail_domains(council.pk) == ["test-council.example"]


@covers("directory:mail-domains", "directory:mail-domain-check")
@pytest.mark.parametrize("who", ["advisor", "auditor", "partner_administrator"])
def test_only_the_organisations_administrators_reach_its_domains(
    request: pytest.FixtureRequest,
    zone: Zone,
    client_for: ClientFor,
    council: Organisation,
    who: str,
) -> None:
    pending = services.add_mail_domain(council, by=None, domain="test-council.example")
    publish(zone, pending)
    anonymous = [Client().get(PAGE), Client().post(f"{PAGE}{pending.pk}/check/")]
    client = client_for(request.getfixturevalue(who))
    listed = client.get(PAGE)
    added = client.post(PAGE, {"domain": "elsewhere.example"})
    checked = client.post(f"{PAGE}{pending.pk}/check/")
    assert [response["Location"][:9] for response in anonymous] == ["/sign-in/", "/sign-in/"]
    own_page = 200 if who == "partner_administrator" else 403
    assert (listed.status_code, added.status_code) == (own_page, 302 if own_page == 200 else 403)
    assert checked.status_code == (404 if who == "partner_administrator" else 403)
    pending.refresh_from_db()
    assert pending.is_verified is False
    assert zone.asked == []


def test_the_operator_command_verifies_a_domain(council: Organisation) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("directory", "verify-domain", council.slug, "Test-Council.example", stdout=out)
    with pytest.raises(SystemExit) as refused:
        call_command("directory", "verify-domain", "no-such-org", "x.example", stderr=err)
    assert out.getvalue().strip() == (
        f"verify-domain: test-council.example is verified for {council.slug}."
    )
    assert refused.value.code == 2
    assert "no organisation no-such-org" in err.getvalue()
    assert queries.verified_mail_domains(council.pk) == ["test-council.example"]


def test_a_superuser_verifies_domains_in_the_django_admin(
    council: Organisation, partner: Organisation
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests import factories

    operator = factories.UserFactory.create(username="operator", is_superuser=True, is_staff=True)
    operator.save()
    TOTPDevice.objects.create(user=operator, name="Authenticator app", confirmed=True)
    client = Client()
    factories.sign_in_verified(client, operator)
    ours = services.add_mail_domain(council, by=None, domain="test-council.example")
    theirs = services.add_mail_domain(partner, by=None, domain="test-council.example")
    url = "/django-admin/directory/maildomain/"
    first = client.post(url, {"action": "verify", "_selected_action": [ours.pk]})
    second = client.post(url, {"action": "verify", "_selected_action": [theirs.pk]}, follow=True)
    assert first.status_code == 302
    assert "verified by another organisation" in second.content.decode()
    assert queries.verified_mail_domains(council.pk) == ["test-council.example"]
    assert queries.verified_mail_domains(partner.pk) == []
