"""``onestop report complaints-monthly|feedback-quarterly|complaints-annual --from DATE --to DATE
--format csv|xlsx [--organisation SLUG] [--service CODE] [--output FILE]``.

Writes the report to FILE, or to standard output.  ``--organisation`` may be left out when there
is only one organisation; ``--service`` is a service's slug (or its LGSL number), or ``none`` for
records of no service.  Bad arguments (an unknown report, organisation or service, a date that is
not a date, an end before the start) end with one plain line on standard error and exit status 2,
and nothing is written.  Every run is audited (``feedback.services.reports``).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.core.models import Organisation
from onestop.core.text import has_control_characters
from onestop.feedback import report_files
from onestop.feedback.queries import reports
from onestop.feedback.services import reports as report_services

EXIT_USAGE = 2
FORMATS = ("csv", "xlsx")


class _OneLineParser(CommandParser):
    """Argument errors as one line and exit status 2, from the shell and from call_command."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            sys.stderr.write(f"onestop report: {message}\n")
            sys.exit(EXIT_USAGE)
        raise CommandError(message, returncode=EXIT_USAGE)


class Command(BaseCommand):
    help = (
        "Write a complaint report as CSV or XLSX: complaints-monthly, feedback-quarterly or "
        "complaints-annual, for a period (--from, --to, both included)."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = _OneLineParser
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "report",
            choices=sorted(reports.REPORTS),
            metavar="REPORT",
            help="complaints-monthly, feedback-quarterly or complaints-annual",
        )
        parser.add_argument(
            "--from",
            dest="first",
            metavar="DATE",
            required=True,
            help="the first day, e.g. 2026-04-01",
        )
        parser.add_argument(
            "--to", dest="last", metavar="DATE", required=True, help="the last day, included"
        )
        parser.add_argument("--format", dest="file_format", choices=FORMATS, required=True)
        parser.add_argument("--organisation", metavar="SLUG", default="")
        parser.add_argument(
            "--service",
            metavar="CODE",
            default="",
            help="a service's slug or LGSL number, or 'none'",
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            default="",
            help="the file to write (default: standard output)",
        )

    def _fail(self, message: str) -> NoReturn:
        if getattr(self, "_called_from_command_line", False):
            sys.stderr.write(f"onestop report: {message}\n")
            sys.exit(EXIT_USAGE)
        raise CommandError(message, returncode=EXIT_USAGE)

    def _organisation(self, slug: str) -> Organisation:
        text = str(slug).strip()[:100]
        if has_control_characters(text):
            self._fail("an organisation's slug has no control characters")
        if text:
            found: Organisation | None = Organisation.objects.filter(slug=text).first()
            if found is None:
                self._fail(f"there is no organisation {text!r}")
            return found
        every = list(Organisation.objects.order_by("pk")[:2])
        if len(every) != 1:
            self._fail("say which organisation with --organisation SLUG")
        return every[0]

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first = reports.parse_date(options["first"], "--from")
            last = reports.parse_date(options["last"], "--to")
            if last < first:
                self._fail("--to must be the same as or after --from")
            period = reports.make_period(first, last)
        except reports.PeriodError as error:
            self._fail(str(error))
        organisation = self._organisation(options["organisation"])
        try:
            service = reports.service_for(organisation, options["service"])
        except LookupError:
            self._fail(f"{organisation.slug} has no service {str(options['service'])[:60]!r}")
        output = str(options["output"])
        if output and not Path(output).parent.is_dir():
            self._fail(f"cannot write {output!r}: there is no such folder")
        report = reports.build(
            options["report"], reports.ReportScope(organisation, period, service)
        )
        if options["file_format"] == "csv":
            content = report_files.as_csv(report).encode("utf-8")
        else:
            content = report_files.as_xlsx(report)
        report_services.record_report_read(report, by=None, file_format=options["file_format"])
        if output:
            Path(output).write_bytes(content)
            return
        if options["file_format"] == "csv":
            self.stdout.write(content.decode("utf-8"), ending="")
        else:
            stream = getattr(self.stdout, "_out", sys.stdout)
            binary = getattr(stream, "buffer", None)
            if binary is None:
                self._fail("write XLSX to a file with --output FILE")
            binary.write(content)
            binary.flush()
