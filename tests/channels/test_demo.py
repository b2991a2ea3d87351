"""The demo council's mailboxes and e-mails load, idempotently."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from onestop.cases.models import Case, Source
from onestop.channels.demo import FEEDBACK_MAILBOX, MAILBOXES, MESSAGES, load_demo
from onestop.channels.models import InboundMessage, Mailbox, MessageOutcome
from onestop.core.models import Organisation


def test_the_demo_loads_mailboxes_and_mail_once(db: None) -> None:
    call_command("demo", stdout=StringIO())
    council = Organisation.objects.get(slug="demo-council")
    load_demo(council)
    load_demo(council)
    mailboxes = Mailbox.objects.for_organisation(council)
    assert sorted(mailboxes.values_list("address", flat=True)) == sorted(
        f"{local}@demo-council.example" for local, _name, _code in (*MAILBOXES, FEEDBACK_MAILBOX)
    )
    assert list(mailboxes.filter(files_feedback=True).values_list("address", flat=True)) == [
        "feedback@demo-council.example"
    ]
    kept = InboundMessage.objects.for_organisation(council)
    assert kept.count() == len(MESSAGES)
    assert set(kept.values_list("outcome", flat=True)) == {MessageOutcome.IGNORED_AUTO_REPLY}
    assert not Case.objects.for_organisation(council).filter(source=Source.EMAIL).exists()
