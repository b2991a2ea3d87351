"""Page input for the feedback mailbox (fb-public): classifying feedback that came by e-mail."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import GovukForm
from onestop.feedback.models import CHOSEN_KINDS


class ClassifyForm(GovukForm):
    kind = forms.ChoiceField(
        label=_("What kind of feedback is it"),
        choices=CHOSEN_KINDS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select what kind of feedback it is"),
            "invalid_choice": _("Select what kind of feedback it is from the list"),
        },
    )
