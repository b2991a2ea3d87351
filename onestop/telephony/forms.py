"""The upload form (a file of call records and its format) and the queue mapping form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core.forms import GovukForm
from onestop.directory.models import AccessPoint, Service, Team
from onestop.telephony import formats

DEFAULT_UPLOAD_MAX_BYTES = 100 * 1024 * 1024


def upload_max_bytes() -> int:
    """The largest file the upload page takes (``ONESTOP_CALLS_UPLOAD_MAX_BYTES``, 100 MiB);
    larger files go through ``onestop calls import``."""
    return int(getattr(settings, "ONESTOP_CALLS_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


class ImportForm(GovukForm):
    file = forms.FileField(
        label=gettext_lazy("File of call records"),
        help_text=gettext_lazy("A CSV or JSON lines file exported from the telephone system"),
        error_messages={
            "required": gettext_lazy("Select a file of call records"),
            "empty": gettext_lazy("The selected file is empty"),
            "invalid": gettext_lazy("Select a file of call records"),
        },
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        error_messages={
            "required": gettext_lazy("Select the file's format"),
            "invalid_choice": gettext_lazy("Select the file's format"),
        },
    )
    all_or_nothing = forms.BooleanField(
        label=gettext_lazy("Import nothing if any row is refused"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            known = formats.mappings()
        except formats.FormatError:
            # The operator's folder is wrong: the page still opens, and an import says why it
            # cannot run (the service reads the formats again and is refused).
            known = {formats.GENERIC: formats.GENERIC_MAPPING}
        choice = self.fields["format"]
        assert isinstance(choice, forms.ChoiceField)  # noqa: S101  # declared above
        choice.choices = [(name, mapping.label) for name, mapping in known.items()]
        self.fields["format"].initial = formats.GENERIC
        self.fields["file"].widget.attrs["class"] = "govuk-file-upload"

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        limit = upload_max_bytes()
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _(
                    "The selected file must be smaller than %(size)s MB: import larger files "
                    "with the onestop calls import command"
                )
                % {"size": limit // (1024 * 1024)}
            )
        return upload


def _team_label(team: Team) -> str:
    return f"{team.name} ({team.service.name})"


class QueueForm(GovukForm):
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        label=gettext_lazy("Service"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Select a service")},
    )
    access_point = forms.ModelChoiceField(
        queryset=AccessPoint.objects.none(),
        label=gettext_lazy("Telephone access point"),
        error_messages={
            "required": gettext_lazy("Select a telephone access point"),
            "invalid_choice": gettext_lazy("Select a telephone access point"),
        },
    )

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        label=gettext_lazy("Team that answers the queue"),
        help_text=gettext_lazy(
            "Calls imported from now on count for this team in the per-team figures; calls "
            "already imported keep the team they were imported with"
        ),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Select a team")},
    )

    def __init__(
        self,
        *args: Any,
        services: QuerySet[Service],
        access_points: QuerySet[AccessPoint],
        teams: QuerySet[Team],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["access_point"].queryset = access_points  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        # Two services may each have a team of the same name: say whose.
        self.fields["team"].label_from_instance = _team_label  # type: ignore[attr-defined]
        self.style()
