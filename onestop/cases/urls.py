from __future__ import annotations

from django.urls import path

from onestop.cases import views

app_name = "cases"

urlpatterns = [
    path("queues/", views.queues, name="queues"),
    path("queues/export.csv", views.queue_export, name="queue-export"),
    path("enquiries/", views.member, name="member"),
    path("cases/new/", views.raise_case, name="raise"),
    path("case-types/", views.case_types, name="case-types"),
    path("case-types/new/", views.case_type_create, name="case-type-create"),
    path("case-types/<int:case_type_id>/", views.case_type_edit, name="case-type-edit"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/status/", views.case_status, name="case-status"),
    path("cases/<str:reference>/claim/", views.case_claim, name="case-claim"),
    path("cases/<str:reference>/assign/", views.case_assign, name="case-assign"),
    path("cases/<str:reference>/notes/", views.case_note, name="case-note"),
    path("cases/<str:reference>/close/", views.case_close, name="case-close"),
    path("cases/<str:reference>/reopen/", views.case_reopen, name="case-reopen"),
    path("cases/<str:reference>/links/", views.case_link, name="case-link"),
    path("cases/<str:reference>/tasks/", views.case_task, name="case-task"),
    path(
        "cases/<str:reference>/tasks/<int:task_id>/done/",
        views.case_task_done,
        name="case-task-done",
    ),
    path(
        "cases/<str:reference>/clarification/",
        views.case_clarification,
        name="case-clarification",
    ),
    path("cases/<str:reference>/extend/", views.case_extend, name="case-extend"),
    path("cases/<str:reference>/identity/", views.case_identity, name="case-identity"),
    path("cases/<str:reference>/exemptions/", views.case_exemptions, name="case-exemptions"),
    path("cases/<str:reference>/publish/", views.case_publish, name="case-publish"),
    path("disclosure-log/<slug:organisation_slug>/", views.disclosure_log, name="disclosure-log"),
]
