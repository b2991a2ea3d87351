from __future__ import annotations

from django.urls import path, re_path

from onestop.feedback import views
from onestop.feedback.views import after, mailbox, procedure_steps, public, reports

app_name = "feedback"

# References are upper case (``CO-26-00011``), organisation slugs lower case, so the two never
# meet under /feedback/.
REFERENCE = r"(?P<reference>[A-Z]{2,4}-[0-9]{2}-[0-9A-Z*~$=]{5,14})"

urlpatterns = [
    # The public form ("On the Record", fb-public), first as the most requested: question pages
    # under /feedback/o/, so that no staff page under /feedback/ (new, procedure, reports, ...)
    # can ever take an organisation's address. Question slugs never say "check" or "sent".
    path("o/<slug:organisation_slug>/", public.start, name="public"),
    path("o/<slug:organisation_slug>/check/", public.check, name="public-check"),
    path("o/<slug:organisation_slug>/sent/", public.sent, name="public-sent"),
    path("o/<slug:organisation_slug>/sent/<str:reference>/", public.done,
         name="public-done"),
    path("o/<slug:organisation_slug>/sent/<str:reference>/equality/", public.equality,
         name="public-equality"),
    path("o/<slug:organisation_slug>/<slug:step>/", public.question,
         name="public-question"),
    path("", views.feedback_list, name="list"),
    path("new/", views.feedback_new, name="new"),
    path("new/for/<int:customer_id>/", views.feedback_new_for, name="record-for"),
    path("procedure/", views.procedure, name="procedure"),
    # Reports (fb-reports): the monthly analysis, the quarterly return, the annual report; the
    # records behind a figure are the list above with ``?measure=``.
    path("reports/", reports.report_list, name="reports"),
    path("reports/<slug:report>/", reports.report_page, name="report"),
    re_path(rf"^{REFERENCE}/$", views.feedback_record, name="record"),
    re_path(rf"^{REFERENCE}/acknowledge/$", views.feedback_acknowledge,
            name="acknowledge"),
    re_path(rf"^{REFERENCE}/extend/$", views.feedback_extend, name="extend"),
    re_path(rf"^{REFERENCE}/escalate/$", views.feedback_escalate, name="escalate"),
    re_path(rf"^{REFERENCE}/respond/$", views.feedback_respond, name="respond"),
    re_path(rf"^{REFERENCE}/close/$", views.feedback_close, name="close"),
    re_path(rf"^{REFERENCE}/outside/$", views.feedback_outside, name="outside"),
    re_path(rf"^{REFERENCE}/pass-on/$", views.feedback_pass_on, name="pass-on"),
    # The ombudsman, learning actions and the satisfaction survey (fb-after).
    re_path(rf"^{REFERENCE}/ombudsman/$", after.ombudsman_enquiry, name="ombudsman"),
    re_path(rf"^{REFERENCE}/ombudsman/(?P<case_id>[0-9]{{1,18}})/decision/$",
            after.ombudsman_decision, name="ombudsman-decision"),
    re_path(rf"^{REFERENCE}/ombudsman/(?P<case_id>[0-9]{{1,18}})/complied/$",
            after.ombudsman_complied, name="ombudsman-complied"),
    re_path(rf"^{REFERENCE}/learning/$", after.learning_add, name="learning"),
    re_path(rf"^{REFERENCE}/learning/(?P<action_id>[0-9]{{1,18}})/$",
            after.learning_progress, name="learning-progress"),
    path("learning/", after.learning_log, name="learning-log"),
    path("learning/service/<int:service_id>/", after.learning_log_service,
         name="learning-log-service"),
    path("survey/thanks/", after.survey_thanks, name="survey-thanks"),
    path("survey/<str:token>/", after.survey_page, name="survey"),
    # Restrictions, stage owners, contributions, councillors' feedback (fb-procedure).
    path("restrictions/new/for/<int:customer_id>/", procedure_steps.restriction_new,
         name="restriction-new"),
    path("restrictions/<int:restriction_id>/", procedure_steps.restriction_detail,
         name="restriction"),
    path("restrictions/<int:restriction_id>/approve/", procedure_steps.restriction_approve,
         name="restriction-approve"),
    path("restrictions/<int:restriction_id>/lift/", procedure_steps.restriction_lift,
         name="restriction-lift"),
    path("councillor/", procedure_steps.councillor_list, name="councillor"),
    path("councillor/new/", procedure_steps.councillor_new, name="councillor-new"),
    re_path(rf"^{REFERENCE}/owner/$", procedure_steps.feedback_owner, name="owner"),
    re_path(rf"^{REFERENCE}/contributions/new/$", procedure_steps.contribution_new,
            name="contribution-new"),
    re_path(rf"^{REFERENCE}/contributions/(?P<contribution_id>[0-9]{{1,18}})/$",
            procedure_steps.contribution_record, name="contribution"),
    # The feedback mailbox (fb-public): classifying feedback that came by e-mail.
    re_path(rf"^{REFERENCE}/classify/$", mailbox.feedback_classify, name="classify"),
    # The one-page form's old address redirects, LAST: every staff path above matches first.
    path("<slug:organisation_slug>/", public.legacy_address, name="public-legacy"),
]  # fmt: skip

# The words after /feedback/ of the staff and public addresses above: an organisation may not
# take one as its slug, or its old address /feedback/<organisation>/ would reach another page
# (``core.models.reserve_organisation_slugs``, from ``apps.ready``).  References are upper case,
# and slugs lower case, so they never clash.
FIXED_WORDS = tuple(
    sorted(
        {
            str(pattern.pattern).split("/")[0]
            for pattern in urlpatterns
            if str(pattern.pattern).split("/")[0]
            and not str(pattern.pattern).startswith(("<", "^"))
        }
    )
)
