"""The audit trail as people read it: what each kind of record is called, and each record's name.

An audit record stores the model label of what it is about (``core.user``, ``cases.case``);
``RECORD_KINDS`` is the one table of what a person calls each kind ("Member of staff", "Case")
and which attribute names one record of it.  ``label_records`` sets ``record_label`` on a page
of records ("Member of staff: Sam Patel", "Case HOU-000123", "Two-factor device"), reading the
named records of each kind in one statement, within the records' organisation.  Core names the
labels as strings and reads the models through Django's app registry, so it imports no app.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onestop.core.models import AuditRecord, Organisation, OrganisationOwned


@dataclass(frozen=True)
class RecordKind:
    """``label``: what a person calls the kind; ``name``: the attribute naming one record
    (empty: records of the kind are not named); ``identifier``: the name is a reference, shown
    after the label ("Case HOU-000123") rather than after a colon ("Team: Refuse crews")."""

    label: str | Promise
    name: str = ""
    identifier: bool = False


RECORD_KINDS: dict[str, RecordKind] = {
    "core.organisation": RecordKind(_("Organisation"), "name"),
    "core.role": RecordKind(_("Role"), "name"),
    "core.user": RecordKind(_("Member of staff"), "display_name"),
    "core.auditrecord": RecordKind(_("Audit trail")),
    "otp_totp.totpdevice": RecordKind(_("Two-factor device")),
    "otp_static.staticdevice": RecordKind(_("Recovery codes")),
    "otp_static.statictoken": RecordKind(_("Recovery code")),
    "directory.lgslservice": RecordKind(_("LGSL service"), "name"),
    "directory.postcodedistrict": RecordKind(_("Postcode district"), "outward_code"),
    "directory.service": RecordKind(_("Service"), "name"),
    "directory.team": RecordKind(_("Team"), "name"),
    "directory.teammembership": RecordKind(_("Team membership")),
    "directory.accesspoint": RecordKind(_("Access point"), "name"),
    "directory.accesspointshare": RecordKind(_("Shared access point")),
    "directory.openingsession": RecordKind(_("Opening hours")),
    "directory.openingexception": RecordKind(_("Opening hours on a date")),
    "directory.exceptionsession": RecordKind(_("Opening hours on a date")),
    "directory.outofhoursarrangement": RecordKind(_("Out-of-hours arrangement"), "title"),
    "directory.domainclaim": RecordKind(_("E-mail domain claim")),
    "directory.maildomain": RecordKind(_("E-mail domain")),
    "directory.export": RecordKind(_("Directory export")),
    "standards.standard": RecordKind(_("Service standard"), "title"),
    "standards.standardtarget": RecordKind(_("Service standard's yearly target")),
    "standards.closureday": RecordKind(_("Closure day")),
    "standards.calendarversion": RecordKind(_("Calendar")),
    "customers.customer": RecordKind(_("Customer"), "reference", identifier=True),
    "customers.customername": RecordKind(_("Customer's previous name")),
    "customers.address": RecordKind(_("Customer's address")),
    "customers.phone": RecordKind(_("Customer's phone number")),
    "customers.email": RecordKind(_("Customer's e-mail address")),
    "customers.equalitymonitoring": RecordKind(_("Equality monitoring answers")),
    "customers.marker": RecordKind(_("Warning marker")),
    "customers.customermerge": RecordKind(_("Customer merge")),
    "contacts.contactreason": RecordKind(_("Reason for contact")),
    "contacts.contact": RecordKind(_("Contact")),
    "contacts.callback": RecordKind(_("Call-back")),
    "contacts.visitorticket": RecordKind(_("Visitor ticket")),
    "cases.casetype": RecordKind(_("Case type"), "name"),
    "cases.routingrule": RecordKind(_("Routing rule")),
    "cases.escalationrule": RecordKind(_("Escalation rule")),
    "cases.case": RecordKind(_("Case"), "reference", identifier=True),
    "cases.caseclock": RecordKind(_("Case deadline")),
    "cases.casenote": RecordKind(_("Case note")),
    "cases.caselink": RecordKind(_("Case link")),
    "cases.contributiontask": RecordKind(_("Task for a contributing service")),
    "cases.caseescalation": RecordKind(_("Case escalation")),
    "cases.outboxmessage": RecordKind(_("Message to send")),
    "channels.mailaddress": RecordKind(_("Mailbox address")),
    "channels.mailbox": RecordKind(_("Mailbox"), "name"),
    "channels.inboundmessage": RecordKind(_("E-mail received")),
    "channels.mailboximap": RecordKind(_("Mailbox read over IMAP")),
    "telephony.callqueue": RecordKind(_("Call queue"), "name"),
    "telephony.callimportrun": RecordKind(_("Import of call records"), "file_name"),
    "telephony.callrecord": RecordKind(_("Call record"), "external_id"),
    "telephony.callimportrefusal": RecordKind(_("Refused row of call records")),
    "performance.quarterlyreturn": RecordKind(_("Quarterly return")),
    "performance.reportfile": RecordKind(_("Report file")),
    "performance.comparator": RecordKind(_("Comparator authority's figure")),
    "portal.signinlink": RecordKind(_("Resident's sign-in link")),
    "portal.residentsession": RecordKind(_("Resident's session")),
    "portal.webform": RecordKind(_("Web form")),
    "notify.stafftask": RecordKind(_("Task for staff about a message")),
    "notify.message": RecordKind(_("Message")),
    "notify.messagetemplate": RecordKind(_("Message template")),
    "notify.messagechange": RecordKind(_("Change of a message's status")),
    "notify.bulkmessage": RecordKind(_("Message to many customers"), "title"),
    "documents.document": RecordKind(_("Document"), "name"),
    "feedback.feedback": RecordKind(_("Feedback"), "reference", identifier=True),
    "feedback.complaintprocedure": RecordKind(_("Complaints procedure")),
    "feedback.complaintstage": RecordKind(_("Complaint stage")),
    "feedback.complaintpoint": RecordKind(_("Point of complaint")),
    "feedback.ombudsmancase": RecordKind(_("Ombudsman's enquiry")),
    "feedback.learningaction": RecordKind(_("Learning action")),
    "feedback.satisfactionsurvey": RecordKind(_("Satisfaction survey")),
    "feedback.contactrestriction": RecordKind(_("Contact restriction")),
    "feedback.restrictedcontact": RecordKind(_("Contact under a restriction")),
    "feedback.contribution": RecordKind(_("Contribution to a complaint")),
    "feedback.councillorsubmission": RecordKind(_("Feedback sent by a councillor")),
}


def record_kind_choices() -> list[tuple[str, str]]:
    """The kinds of record an auditor may filter by, by what people call them."""
    labels: dict[str, str] = {}
    for code, kind in RECORD_KINDS.items():
        labels.setdefault(str(kind.label), code)  # two kinds of one label: the first
    return sorted(((code, label) for label, code in labels.items()), key=lambda row: row[1])


def codes_of(object_type: str) -> list[str]:
    """Every stored label that ``object_type``'s choice stands for (kinds sharing one label)."""
    kind = RECORD_KINDS.get(object_type)
    if kind is None:
        return [object_type]
    return [code for code, other in RECORD_KINDS.items() if str(other.label) == str(kind.label)]


def kind_label(object_type: str) -> str:
    """What a person calls ``object_type``; an unknown label is shown as stored."""
    kind = RECORD_KINDS.get(object_type)
    return str(kind.label) if kind is not None else object_type


def label_records(records: Iterable[AuditRecord]) -> list[AuditRecord]:
    """The records, each with ``record_label`` set: the kind, and the record's name where it
    has one."""
    records = list(records)
    wanted: dict[tuple[str, int], set[str]] = defaultdict(set)
    for entry in records:
        kind = RECORD_KINDS.get(entry.object_type)
        if kind is not None and kind.name and entry.object_id:
            wanted[(entry.object_type, entry.organisation_id)].add(entry.object_id)
    names = {
        (object_type, organisation_id, object_id): name
        for (object_type, organisation_id), ids in wanted.items()
        for object_id, name in _names(object_type, organisation_id, ids).items()
    }
    for entry in records:
        entry.record_label = _label(
            entry, names.get((entry.object_type, entry.organisation_id, entry.object_id))
        )
    return records


def _label(entry: AuditRecord, name: str | None) -> str:
    kind = RECORD_KINDS.get(entry.object_type)
    if kind is None:
        return " ".join(part for part in (entry.object_type, entry.object_id) if part)
    label = str(kind.label)
    if not kind.name or not entry.object_id:
        return label
    if name is None:
        return gettext("%(kind)s (no longer held)") % {"kind": label}
    if kind.identifier:
        return f"{label} {name}"
    return f"{label}: {name}"


def _names(object_type: str, organisation_id: int, ids: set[str]) -> dict[str, str]:
    """``{object_id: name}`` of the records of ``object_type`` in the organisation."""
    app_label, _dot, model_name = object_type.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return {}
    keys = []
    for object_id in ids:
        try:
            keys.append(model._meta.pk.to_python(object_id))
        except ValidationError:
            continue
    rows: QuerySet[Any]
    if issubclass(model, OrganisationOwned):
        rows = model.objects.for_organisation(organisation_id)
    elif model is Organisation:
        rows = Organisation.objects.filter(pk=organisation_id)
    else:  # staff and roles: an organisation's own, by their organisation field
        rows = model._default_manager.filter(organisation_id=organisation_id)
    attribute = RECORD_KINDS[object_type].name
    return {str(row.pk): str(getattr(row, attribute)) for row in rows.filter(pk__in=keys)}
