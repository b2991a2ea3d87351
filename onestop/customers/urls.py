from __future__ import annotations

from django.urls import path

from onestop.customers import views

app_name = "customers"

urlpatterns = [
    path("new/", views.create, name="create"),
    path("<int:customer_id>/", views.detail, name="detail"),
    path("<int:customer_id>/edit/", views.edit, name="edit"),
    path("<int:customer_id>/addresses/new/", views.add_address, name="address-create"),
    path("<int:customer_id>/phones/new/", views.add_phone, name="phone-create"),
    path("<int:customer_id>/emails/new/", views.add_email, name="email-create"),
    path("<int:customer_id>/names/new/", views.add_name, name="name-create"),
    path("<int:customer_id>/markers/new/", views.marker_create, name="marker-create"),
    path("<int:customer_id>/equality/", views.equality, name="equality"),
    path("<int:customer_id>/equality/erase/", views.equality_erase, name="equality-erase"),
    path("<int:customer_id>/merge/", views.merge, name="merge"),
    path("merges/<int:merge_id>/undo/", views.unmerge, name="unmerge"),
    path("markers/review/", views.markers_due, name="markers-due"),
    path("markers/<int:marker_id>/review/", views.marker_review, name="marker-review"),
    path("equality/", views.equality_report, name="equality-report"),
]
