"""Which case types residents can report online, with the guidance shown above each form."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import CaseType
from onestop.core.models import OrganisationOwned, Timestamped

GUIDANCE_LIMIT = 2_000


class WebForm(OrganisationOwned, Timestamped):
    """A case type offered to residents at ``/report/<organisation>/<case type code>/``.

    Only published forms of active case types are reachable; an unpublished one answers 404
    even to someone who types its code.  ``position`` orders the list residents see.
    """

    id = models.BigAutoField(primary_key=True)
    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="+")
    is_published = models.BooleanField(
        default=False, help_text=_("Residents can report this online.")
    )
    guidance = models.TextField(
        blank=True, help_text=_("Plain text shown to residents above the form.")
    )
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["organisation", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case_type"], name="webform_unique_case_type"
            ),
        ]

    def __str__(self) -> str:
        return f"web form for {self.case_type_id}"
