"""``onestop worker``: run background tasks from the database queue (django-tasks-db).

Django's task framework defines tasks but no worker; this is the database backend's worker
under the project's name.  ``onestop worker --batch`` runs what is queued and exits (for cron).
``onestop worker --until-idle`` runs every due task and every due step of the apps (the
messages to send, ``onestop notify work``; the shared mailboxes read over IMAP that are due,
``onestop mail-poll``), again until nothing is left, then exits: for cron,
systemd timers and tests.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.models import DBTaskResult

#: The apps' own "do what is due, then return" commands, by name (core imports no app).
IDLE_STEPS: tuple[tuple[str, ...], ...] = (("notify", "work"), ("mail-poll",))
#: Rounds of tasks-then-steps before giving up on reaching idle (a task that queues itself).
MAX_ROUNDS = 100


class Command(DatabaseWorkerCommand):
    help = "Run OneStop's background tasks from the database queue (acknowledgements, imports)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="Run every due task and every due message, until none is left, then exit.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options.pop("until_idle", False):
            super().handle(*args, **options)
            return
        options.update(batch=True, reload=False, startup_delay=False)
        for _round in range(MAX_ROUNDS):
            super().handle(*args, **options)
            for step in IDLE_STEPS:
                call_command(*step, stdout=self.stdout, stderr=self.stderr)
            if not DBTaskResult.objects.ready().exists():
                return
