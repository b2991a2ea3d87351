"""The demo council's shared mailboxes and a few e-mails received (called by ``onestop demo``;
idempotent: mailboxes are saved by address, and the e-mails only received when the council has
received none yet).  Everything here is for demonstration only."""

from __future__ import annotations

from onestop.cases.models import CaseType
from onestop.channels import services
from onestop.channels.models import InboundMessage, Mailbox
from onestop.core.models import Organisation

DOMAIN = "demo-council.example"
# local part, name, case type code
MAILBOXES = (
    ("enquiries", "Customer services enquiries", "general-enquiry"),
    ("foi", "Freedom of information requests", "foi"),
)
# The council's feedback mailbox (issue 15): its mail files into comments, compliments and
# complaints. No mail is sent to it here, for the same reason (try ``onestop mail-receive
# --recipient feedback@demo-council.example`` with "Complaint" in the subject).
FEEDBACK_MAILBOX = ("feedback", "Comments, compliments and complaints", "general-enquiry")
# Only mail that raises nothing: the demo command prints the council's counts of customers,
# contacts and cases, and e-mails that raise cases would change them (send some with
# ``onestop mail-receive`` to see cases raised, as docs/operators/mail.md shows).
MESSAGES = (
    (
        "enquiries",
        b"From: Priya Shah <priya.shah@example.org>\r\n"
        b"Subject: Automatic reply: Opening hours over Christmas\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"Message-ID: <demo-1@example.org>\r\n\r\n"
        b"I am out of the office until Monday.\r\n",
    ),
    (
        "foi",
        b"From: MAILER-DAEMON@mx.example.net\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <demo-2@mx.example.net>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"This is the mail system: your message could not be delivered.\r\n",
    ),
)


def load_demo(council: Organisation) -> None:
    for local, name, code in (*MAILBOXES, FEEDBACK_MAILBOX):
        address = f"{local}@{DOMAIN}"
        case_type = CaseType.objects.for_organisation(council).filter(code=code).first()
        taken = Mailbox.objects.unscoped("demo: is the address free").filter(address=address)
        if case_type is None or taken.exclude(organisation=council).exists():
            continue
        existing = Mailbox.objects.for_organisation(council).filter(address=address).first()
        if existing is None:
            services.save_mailbox(
                council,
                by=None,
                values=services.MailboxInput(
                    address=address,
                    name=name,
                    case_type=case_type,
                    files_feedback=local == FEEDBACK_MAILBOX[0],
                ),
            )
    if InboundMessage.objects.for_organisation(council).exists():
        return
    for local, raw in MESSAGES:
        if Mailbox.objects.for_organisation(council).filter(address=f"{local}@{DOMAIN}").exists():
            services.receive_message(raw, recipient=f"{local}@{DOMAIN}")
