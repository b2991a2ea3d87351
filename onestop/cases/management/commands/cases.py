"""``onestop cases escalate``: run the escalation sweep now (schedule it, e.g. every 5 minutes).

``--enqueue`` hands the sweep to the worker instead of running it in this process.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onestop.cases import services, tasks


class Command(BaseCommand):
    help = "Case maintenance: 'escalate' applies due escalation thresholds once each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["escalate"])
        parser.add_argument("--enqueue", action="store_true", help="run it on the worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            tasks.escalate_cases.enqueue()
            self.stdout.write("Escalation sweep queued for the worker.")
            return
        applied = services.escalate_due_cases()
        self.stdout.write(f"{applied} escalations applied.")
