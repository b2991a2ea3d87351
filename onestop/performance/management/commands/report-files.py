"""``onestop report-files``: queue the writing of the scheduled report files that are due (last
month's monthly reports, last quarter's quarterly ones, last financial year's annual ones) for
the worker; nothing when none is due or the writing is queued already.  A step of
``onestop worker``, off when ``ONESTOP_SCHEDULED_REPORTS`` is 0; ``--now`` writes them in this
process instead."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onestop.performance import tasks_volumes
from onestop.performance.services import report_files

TASK_PATH = tasks_volumes.write_due_report_files.module_path


class Command(BaseCommand):
    help = "Queue (or with --now, write) the scheduled report files that are due."
    #: ``onestop worker`` passes ``keep_going`` (unused: one short check).
    stealth_options = ("keep_going",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="write them in this process")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            written = report_files.write_due_report_files()
            self.stdout.write(f"report-files: {written} written")
            return
        if not settings.ONESTOP_SCHEDULED_REPORTS:
            return
        if not report_files.due_files(timezone.localdate()):
            return
        if DBTaskResult.objects.ready().filter(task_path=TASK_PATH).exists():
            return
        tasks_volumes.write_due_report_files.enqueue()
