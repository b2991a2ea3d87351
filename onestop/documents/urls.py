from __future__ import annotations

from django.urls import path

from onestop.documents import views

app_name = "documents"

urlpatterns = [
    path("download/<int:document_id>/", views.download, name="download"),
    path("<slug:kind>/<str:key>/", views.owner_documents, name="owner-documents"),
]
