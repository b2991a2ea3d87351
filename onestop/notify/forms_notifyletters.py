"""The post room's form: which letters were posted (ids, checked against the organisation's
waiting letters by the service, so a letter another member of staff marked meanwhile is a
clear error rather than a silent skip)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import PlainTextFormMixin
from onestop.notify.letters import POST_ROOM_LIMIT

_ID = re.compile(r"^[0-9]{1,18}$")  # within a 64-bit column


class LetterIds(forms.Field):
    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[int]:
        if value in self.empty_values:
            return []
        values = [item for item in (value if isinstance(value, list | tuple) else [value]) if item]
        if len(values) > POST_ROOM_LIMIT:
            raise forms.ValidationError(
                _("Choose at most %(limit)s letters at once"), params={"limit": POST_ROOM_LIMIT}
            )
        if not all(isinstance(item, str) and _ID.match(item) for item in values):
            raise forms.ValidationError(_("Choose letters from the list"))
        return sorted({int(item) for item in values})


class PostedForm(PlainTextFormMixin, forms.Form):
    letters = LetterIds(
        label=_("Letters posted"),
        required=True,
        error_messages={"required": _("Choose the letters you have posted")},
    )
