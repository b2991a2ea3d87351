"""Which case types residents can report online, with the guidance shown above each form."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import CaseType
from onestop.core.models import OrganisationOwned, Timestamped

GUIDANCE_LIMIT = 2_000
HINT_LIMIT = 300
#: Search keywords of a form, in each language: a few dozen words residents might type.
KEYWORDS_LIMIT = 500
NAME_LIMIT = 200
# More questions than this and the form is asked one thing per page, with "Check your answers".
QUESTION_PAGES_AFTER = 3
WELSH = "cy"


class Layout(models.TextChoices):
    AUTOMATIC = (
        "automatic",
        _("Automatic: one thing per page when there are more than 3 questions"),
    )
    ONE_PAGE = "one-page", _("Everything on one page")
    QUESTION_PAGES = "question-pages", _("One thing per page, then check your answers")


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
    layout = models.CharField(max_length=20, choices=Layout.choices, default=Layout.AUTOMATIC)
    # What residents read beside the case type's name, in English and Welsh.  The Welsh words
    # are shown when the page is in Welsh; a Welsh word left empty falls back to the English.
    # The Welsh name itself is the case type's (``CaseType.name_cy``), which the customer
    # messages sent by ``cases`` use too.
    hint = models.CharField(
        max_length=HINT_LIMIT, blank=True, help_text=_("A line under the form's name.")
    )
    hint_cy = models.CharField(max_length=HINT_LIMIT, blank=True)
    guidance_cy = models.TextField(blank=True)
    # Other words residents use for it ("rubbish", "wheelie bin"), searched with its name in
    # the residents' list and never shown there: comma-separated, in English and in Welsh.
    keywords = models.CharField(max_length=KEYWORDS_LIMIT, blank=True)
    keywords_cy = models.CharField(max_length=KEYWORDS_LIMIT, blank=True)
    # The questions' Welsh words, by question code: {"label": "...", "choices": ["...", ...]}
    # (the choices' Welsh labels in the order of the English ones; the answer stored is the
    # English choice, so staff read the same answer whatever the resident's language).
    questions_cy = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["organisation", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case_type"], name="webform_unique_case_type"
            ),
        ]

    def __str__(self) -> str:
        return f"web form for {self.case_type_id}"

    @property
    def public_name(self) -> str:
        """The form's name in the page's language (``name_in`` the active one)."""
        return self.name_in(translation.get_language() or "")

    def name_in(self, language: str) -> str:
        return self.case_type.name_in(language)

    def hint_in(self, language: str) -> str:
        return (self.hint_cy if language == WELSH else "") or self.hint

    def guidance_in(self, language: str) -> str:
        return (self.guidance_cy if language == WELSH else "") or self.guidance

    def questions_in(self, language: str) -> list[dict[str, Any]]:
        """The case type's questions with their words in ``language``: a Welsh label and
        Welsh choice labels where given (``choice_labels``, beside the English values)."""
        questions = [dict(question) for question in self.case_type.attributes]
        if language != WELSH:
            return questions
        words = self.questions_cy if isinstance(self.questions_cy, dict) else {}
        for question in questions:
            welsh = words.get(question.get("code"))
            if not isinstance(welsh, dict):
                continue
            if welsh.get("label"):
                question["label"] = str(welsh["label"])
            labels = welsh.get("choices")
            choices = question.get("choices", [])
            if isinstance(labels, list) and len(labels) == len(choices):
                question["choice_labels"] = [
                    str(label) or str(choice) for label, choice in zip(labels, choices, strict=True)
                ]
        return questions

    @property
    def asks_one_thing_per_page(self) -> bool:
        if self.layout == Layout.AUTOMATIC:
            return len(self.case_type.attributes) > QUESTION_PAGES_AFTER
        return self.layout == Layout.QUESTION_PAGES


# --- "Your requests": a resident's one-time sign-in link and the session it opens (issue 18) ----
class SignInLink(OrganisationOwned):
    """A one-time link sent to ``email_key`` (a normalised e-mail address), so that the person
    who reads that mailbox can see the requests raised with it.

    Only the SHA-256 of the token is kept: the token itself is in the e-mail alone.  A link is
    used at most once (``used_at``, set by a conditional update) and only before ``expires_at``
    (30 minutes after it was asked for)."""

    id = models.BigAutoField(primary_key=True)
    token_hash = models.CharField(max_length=64)
    email_key = models.CharField(max_length=254)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "token_hash"], name="signinlink_unique_token"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "email_key", "created_at"], name="signinlink_org_email"
            )
        ]

    def __str__(self) -> str:
        return f"sign-in link {self.pk}"


class ResidentSession(OrganisationOwned):
    """A resident signed in to "Your requests" with a verified e-mail address.  Separate from
    staff sessions: its own cookie, scoped to the organisation's "Your requests" pages, holding
    a random key of which only the SHA-256 is kept here.  Ends at ``expires_at`` or when the
    resident signs out (``ended_at``)."""

    id = models.BigAutoField(primary_key=True)
    key_hash = models.CharField(max_length=64)
    email_key = models.CharField(max_length=254)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key_hash"], name="residentsession_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"resident session {self.pk}"
