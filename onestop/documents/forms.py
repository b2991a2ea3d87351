"""The upload form: one file, checked by ``documents.services.check_upload``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core.forms import GovukForm
from onestop.documents import services, uploads
from onestop.documents.errors import DocumentRefused


def checked_upload(
    request: HttpRequest | None, upload: UploadedFile[Any], *, field: str
) -> services.CheckedFile:
    """The upload checked, or its refusal as the field's error."""
    try:
        return services.check_uploaded_file(
            upload, name=uploads.sent_name(request, upload), field=field
        )
    except DocumentRefused as refusal:
        raise ValidationError(refusal.message, code=str(refusal.code)) from None


def hint() -> str:
    return _("A PDF, JPG, PNG or TXT file, smaller than %(size)s") % {
        "size": services.size_limit_text()
    }


class UploadForm(GovukForm):
    file = forms.FileField(
        label=gettext_lazy("Upload a file"),
        error_messages={
            "required": gettext_lazy("Select a file"),
            "empty": gettext_lazy("The selected file is empty"),
            "invalid": gettext_lazy("Select a file"),
        },
        allow_empty_file=True,
    )

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["file"].help_text = hint()
        self.fields["file"].widget.attrs["class"] = "govuk-file-upload"

    def clean_file(self) -> services.CheckedFile:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        return checked_upload(self.request, upload, field="file")
