"""``onestop feedback remind``: remind staff of every ombudsman's remedy whose date to comply by
is near (``services.ombudsman.remind_due_remedies``; once per date).  ``onestop worker`` runs it
among its steps; cron can run it too (it is idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onestop.feedback.services import ombudsman


class Command(BaseCommand):
    help = "Feedback maintenance: 'remind' tells staff of ombudsman's remedies due soon."
    #: ``onestop worker`` passes ``keep_going`` (unused: one short sweep).
    stealth_options = ("keep_going",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["remind"])

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = ombudsman.remind_due_remedies()
        if reminded or options.get("verbosity", 1) > 1:
            self.stdout.write(f"{reminded} ombudsman's remedies reminded.")
