"""The form of a message to many customers (``/outbox/bulk/new/``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import GovukDateField, GovukForm
from onestop.notify import queries_bulk
from onestop.notify.models import Channel
from onestop.notify.services.bulk import TITLE_LIMIT
from onestop.notify.services.templates import BODY_LIMIT, SUBJECT_LIMIT

#: notify's own kinds of group, offered after those capabilities above it register
#: (``core.sources.register_customer_group``: cases' types and wards).
OWN_GROUP_KINDS = [
    (queries_bulk.POSTCODE, _("Customers whose current address is in a postcode area")),
    (queries_bulk.VISIT, _("Customers who came to a place on a day")),
]
WORDS = [
    ("template", _("Use our template for messages to many customers, with my message in it")),
    ("own", _("Write the whole message myself")),
]


class BulkMessageForm(GovukForm):
    title = forms.CharField(
        label=_("Name"),
        max_length=TITLE_LIMIT,
        help_text=_("Only staff see this, like “Snow: Wellingborough office closed”"),
        error_messages={
            "required": _("Enter a name"),
            "max_length": _("Name must be %(limit_value)s characters or fewer"),
        },
    )
    group_kind = forms.ChoiceField(
        label=_("Who is it for?"),
        choices=OWN_GROUP_KINDS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select who the message is for"),
            "invalid_choice": _("Select who the message is for"),
        },
    )
    postcode = forms.CharField(
        label=_("Postcode area, district or sector (customers by postcode)"),
        required=False,
        max_length=10,
        help_text=_("For example, NN, NN1 or NN1 5"),
        error_messages={"max_length": _("Postcode must be %(limit_value)s characters or fewer")},
    )
    access_point = forms.ChoiceField(
        label=_("Place (customers who came to a place)"),
        required=False,
        error_messages={"invalid_choice": _("Select the place from the list")},
    )
    visit_date = GovukDateField(label=_("Day of the visit"), required=False)
    words = forms.ChoiceField(
        label=_("Words"),
        choices=WORDS,
        widget=forms.RadioSelect,
        initial="template",
        error_messages={
            "required": _("Select which words to use"),
            "invalid_choice": _("Select which words to use"),
        },
    )
    subject = forms.CharField(
        label=_("Subject (when you write the whole message)"),
        required=False,
        max_length=SUBJECT_LIMIT,
        help_text=_("The e-mail's subject or the letter's heading"),
        error_messages={"max_length": _("Subject must be %(limit_value)s characters or fewer")},
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "With our template this fills ((text)). Writing the whole message, you can use "
            "((customer_name)) and ((organisation)). A text message may be 918 characters."
        ),
        error_messages={
            "required": _("Enter the message"),
            "max_length": _("Message must be %(limit_value)s characters or fewer"),
        },
    )
    channels = forms.MultipleChoiceField(
        label=_("Send it by"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Channel.EMAIL, Channel.SMS],
        help_text=_(
            "Each customer gets it once, by the first of these they can be sent updates by: "
            "their preferred channel first. E-mail and text messages need their agreement."
        ),
        error_messages={
            "required": _("Select at least one way to send it"),
            "invalid_choice": _("Select e-mail, text message or letter"),
        },
    )

    def __init__(
        self,
        *args: Any,
        groups: list[queries_bulk.GroupChoices],
        access_points: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.registered = {found.group.kind: found.group for found in groups}
        kind = self.fields["group_kind"]
        assert isinstance(kind, forms.ChoiceField)  # noqa: S101
        kind.choices = [
            *((found.group.kind, found.group.label) for found in groups),
            *OWN_GROUP_KINDS,
        ]
        # Each registered kind of group: a select of its values, after the radios.
        for found in groups:
            name = found.group.field
            if name in self.fields:
                raise ValueError(f"a group's select may not be named {name!r}")
            self.fields[name] = forms.ChoiceField(
                label=found.group.question,
                required=False,
                choices=[("", found.group.blank), *found.choices],
                error_messages={
                    "invalid_choice": _("%(refusal)s from the list")
                    % {"refusal": found.group.refusal}
                },
            )
        self.group_fields = [found.group.field for found in groups]
        self.style()  # the selects added here get the GOV.UK classes and markup as the others
        order = list(self.fields)
        after = order.index("group_kind") + 1
        self.order_fields(
            [
                *order[:after],
                *self.group_fields,
                *(name for name in order[after:] if name not in self.group_fields),
            ]
        )
        place = self.fields["access_point"]
        assert isinstance(place, forms.ChoiceField)  # noqa: S101
        place.choices = [("", _("Select a place")), *access_points]

    @property
    def value_fields(self) -> list[forms.BoundField]:
        """The selects of the registered kinds of group, for the template."""
        return [self[name] for name in self.group_fields]

    def group(self, data: dict[str, Any]) -> dict[str, Any]:
        """The group chosen, for ``services.bulk.check_group``."""
        chosen = self.registered.get(data["group_kind"])
        return {
            "kind": data["group_kind"],
            "value": data.get(chosen.field, "") if chosen is not None else "",
            "postcode": data["postcode"],
            "access_point_id": data["access_point"],
            "date": data["visit_date"],
        }
