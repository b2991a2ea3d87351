from __future__ import annotations

from django.urls import URLPattern, path

from onestop.notify import views_notifyletters as views

app_name = "letters"

urlpatterns: list[URLPattern] = [
    path("", views.post_room, name="post-room"),
    path("print.pdf", views.post_room_pdf, name="post-room-pdf"),
    path("<int:message_id>.pdf", views.letter_pdf_view, name="letter-pdf"),
]
