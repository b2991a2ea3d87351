"""``onestop worker``: run background tasks from the database queue (django-tasks-db) and the
apps' due steps (the messages to send, ``onestop notify work``).

Django's task framework defines tasks but no worker; this is the database backend's worker
under the project's name.

- ``onestop worker`` runs until stopped (a systemd service): queued tasks as they come, and
  every ``--steps-interval`` seconds (default 5) each app's step (the messages to send,
  ``onestop notify work``; the shared mailboxes read over IMAP that are due,
  ``onestop mail-poll``; the reminders of ombudsman's remedies due soon, ``onestop feedback
  remind``; the scheduled report files due, ``onestop report-files``).  SIGTERM or Ctrl+C
  stops it cleanly: a task or step under way finishes (a step stops after the batch it is
  sending), then it exits with status 0; a second signal stops it at once.
- ``onestop worker --until-idle`` runs every due task and every due step, again until nothing is
  left, then exits: for cron, systemd timers and tests.
- ``onestop worker --batch`` runs what is queued and exits (tasks only, as django-tasks-db).
"""

from __future__ import annotations

import logging
import os
import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from onestop.core import heap

#: The apps' own "do what is due, then return" commands, by name (core imports no app).  Each
#: takes the stealth option ``keep_going`` (a callable: ``False`` once the worker is stopping).
IDLE_STEPS: tuple[tuple[str, ...], ...] = (
    ("notify", "work"),
    ("mail-poll",),
    ("feedback", "remind"),  # ombudsman's remedies due soon: staff reminded once
    ("report-files",),  # the monthly, quarterly and annual report files due: queued once
)
#: Rounds of tasks-then-steps before giving up on reaching idle (a task that queues itself).
MAX_ROUNDS = 100
STEPS_INTERVAL = 5.0

logger = logging.getLogger("django_tasks_db")


def _load_steps() -> None:
    """Load the steps' commands (and so their apps' modules) before the heap is settled."""
    for step in IDLE_STEPS:
        load_command_class(get_commands()[step[0]], step[0])


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ArgumentTypeError(f"not a number of seconds: {value[:20]!r}") from None
    if not 0.1 <= number <= 3600:
        raise ArgumentTypeError("must be between 0.1 and 3600 seconds")
    return number


class StepWorker(Worker):
    """django-tasks-db's worker, in rounds: every queued task (its batch mode), then the apps'
    steps when ``steps_interval`` has passed, then a sleep of at most ``interval``.  The
    library's signal handling stands: a signal while a task or step runs lets it finish."""

    def __init__(self, *, steps: Any, steps_interval: float, **options: Any) -> None:
        super().__init__(batch=True, **options)
        self.run_steps = steps
        self.steps_interval = steps_interval

    def run(self) -> None:
        next_steps = 0.0
        first = True
        while self.running:
            super().run()  # batch mode: every queued task, then back here
            if first:
                # The library says "starting" and "exiting" on each round: once is enough.
                logger.setLevel(max(logger.level, logging.WARNING))
                self.startup_delay, first = False, False
            if not self.running or (
                self.max_tasks is not None and self._run_tasks >= self.max_tasks
            ):
                break
            if time.monotonic() >= next_steps:
                self.running_task = True  # a signal now lets the step finish its batch
                try:
                    self.run_steps()
                finally:
                    self.running_task = False
                next_steps = time.monotonic() + self.steps_interval
            if self.running:
                time.sleep(max(0.0, min(self.interval, next_steps - time.monotonic())))


class Command(DatabaseWorkerCommand):
    help = "Run OneStop's background tasks and send due messages (until stopped, or until idle)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="Run every due task and every due message, until none is left, then exit.",
        )
        parser.add_argument(
            "--steps-interval",
            type=_seconds,
            default=STEPS_INTERVAL,
            help="Seconds between runs of the apps' steps (sending due messages) while the "
            "worker runs (default: %(default)s).",
        )

    def _steps(self, keep_going: Any = None) -> None:
        for step in IDLE_STEPS:
            if keep_going is not None and not keep_going():
                return
            call_command(*step, stdout=self.stdout, stderr=self.stderr, keep_going=keep_going)

    def handle(self, *args: Any, **options: Any) -> None:
        steps_interval = options.pop("steps_interval", STEPS_INTERVAL)
        if options.pop("until_idle", False):
            options.update(batch=True, reload=False, startup_delay=False)
            for _round in range(MAX_ROUNDS):
                super().handle(*args, **options)
                self._steps()
                if not DBTaskResult.objects.ready().exists():
                    return
            return
        if options.get("batch"):
            super().handle(*args, **options)  # tasks only: exits when the queue is empty
            return
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker: StepWorker

        def steps() -> None:
            self._steps(keep_going=lambda: worker.running)

        worker = StepWorker(
            steps=steps,
            steps_interval=steps_interval,
            queue_names=queue_names,
            interval=options["interval"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if options.get("reload"):  # development: started again when the code changes
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process runs the worker
            run_with_reloader(worker.run)
            return
        _load_steps()
        heap.settle()  # it runs for days: a full collection need not walk what is loaded
        worker.configure_signals()
        if options["verbosity"] > 0:
            self.stdout.write(f"worker: running; the apps' steps every {steps_interval} seconds")
            self.stdout.flush()
        worker.run()
