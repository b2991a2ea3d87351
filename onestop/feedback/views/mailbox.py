"""Staff pages for the feedback mailbox (fb-public): classifying feedback whose e-mail subject
did not say what it is.  Thin: the record's step page (``_action``), one service."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onestop.core import permissions
from onestop.feedback.forms.mailbox import ClassifyForm
from onestop.feedback.services import mailbox as mailbox_services
from onestop.feedback.views import GET_POST, _action


@require_http_methods(GET_POST)
def feedback_classify(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.COMPLAINT_HANDLE,
        form=lambda data, user, feedback: ClassifyForm(data, prefix="classify"),
        save=lambda user, feedback, data, form: mailbox_services.classify(
            feedback, by=user, kind=data["kind"]
        ),
        title=_("Classify"),
        submit=_("Classify"),
        done=_("Classified"),
        intro=_(
            "This came by e-mail and its subject did not say what it is. A complaint then "
            "follows the complaints procedure, its deadlines counted from when the e-mail came."
        ),
    )
