from __future__ import annotations

from django.urls import path

from onestop.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisation/edit/", views.organisation_edit, name="organisation-edit"),
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_create, name="service-create"),
    path("services/<int:service_id>/", views.service_detail, name="service-detail"),
    path("services/<int:service_id>/edit/", views.service_edit, name="service-edit"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<int:team_id>/", views.team_detail, name="team-detail"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team-edit"),
    path("teams/<int:team_id>/members/add/", views.team_member_add, name="team-member-add"),
    path(
        "teams/<int:team_id>/members/<int:membership_id>/remove/",
        views.team_member_remove,
        name="team-member-remove",
    ),
    path("staff/", views.staff_list, name="staff"),
    path("staff/new/", views.staff_create, name="staff-create"),
    path("staff/<int:staff_id>/roles/", views.staff_roles, name="staff-roles"),
    path("staff/<int:staff_id>/deactivate/", views.staff_deactivate, name="staff-deactivate"),
    path(
        "staff/<int:staff_id>/reset-second-factor/",
        views.staff_reset_second_factor,
        name="staff-reset-second-factor",
    ),
    path("access-points/", views.access_point_list, name="access-points"),
    path("access-points/new/", views.access_point_create, name="access-point-create"),
    path(
        "access-points/<int:access_point_id>/",
        views.access_point_detail,
        name="access-point-detail",
    ),
    path(
        "access-points/<int:access_point_id>/edit/",
        views.access_point_edit,
        name="access-point-edit",
    ),
    path(
        "access-points/<int:access_point_id>/sessions/add/",
        views.session_add,
        name="session-add",
    ),
    path(
        "access-points/<int:access_point_id>/sessions/<int:session_id>/remove/",
        views.session_remove,
        name="session-remove",
    ),
    path(
        "access-points/<int:access_point_id>/exceptions/add/",
        views.exception_add,
        name="exception-add",
    ),
    path(
        "access-points/<int:access_point_id>/exceptions/<int:exception_id>/remove/",
        views.exception_remove,
        name="exception-remove",
    ),
    path(
        "access-points/<int:access_point_id>/out-of-hours/add/",
        views.out_of_hours_edit,
        name="out-of-hours-add",
    ),
    path(
        "access-points/<int:access_point_id>/out-of-hours/<int:arrangement_id>/edit/",
        views.out_of_hours_edit,
        name="out-of-hours-edit",
    ),
    path(
        "access-points/<int:access_point_id>/out-of-hours/<int:arrangement_id>/remove/",
        views.out_of_hours_remove,
        name="out-of-hours-remove",
    ),
    path(
        "access-points/<int:access_point_id>/shares/add/",
        views.share_add,
        name="share-add",
    ),
    path(
        "access-points/<int:access_point_id>/shares/<int:share_id>/remove/",
        views.share_remove,
        name="share-remove",
    ),
    path("mail-domains/", views.mail_domains, name="mail-domains"),
    path(
        "mail-domains/<int:mail_domain_id>/check/",
        views.mail_domain_check,
        name="mail-domain-check",
    ),
    path("export.csv", views.export_csv, name="export"),
]
