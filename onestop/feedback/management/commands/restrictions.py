"""``onestop restrictions review``: the daily sweep of contact restrictions (schedule it once a
day): a reminder to the approver and proposer of each restriction whose review date is within
10 days (once), then every restriction whose review date has come ends (the customer told)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onestop.feedback.services import restrictions


class Command(BaseCommand):
    help = "Contact restrictions: 'review' sends review reminders and ends those due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["review"])

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = restrictions.remind_reviews()
        ended = restrictions.end_due_restrictions()
        self.stdout.write(f"{reminded} review reminders sent; {ended} restrictions ended.")
