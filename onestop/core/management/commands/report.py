"""``onestop report NAME --from DATE --to DATE --format csv|xlsx|pdf [--organisation SLUG]
[--service CODE] [--team ID] [--channel CODE] [--access-point ID] [--output FILE]``, and
``onestop report --list``.  ``--team``, ``--channel`` and ``--access-point`` only for a report
that is narrowed by them (``ReportDefinition.narrows``).

Every report any capability registers (``onestop.core.reporting``) is written here.  Writes the
report to FILE, or to standard output (CSV; XLSX and PDF only where standard output is binary).
``--organisation`` may be left out when there is only one organisation.  Bad arguments (an
unknown report, organisation or service, a date that is not a date, an end before the start, a
format the report has not got) end with one plain line on standard error and exit status 2, and
nothing is written.  Every run is audited (``onestop.core.services.record_report_run``).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.core import reporting, services
from onestop.core.models import Organisation
from onestop.core.text import has_control_characters

EXIT_USAGE = 2


class _OneLineParser(CommandParser):
    """Argument errors as one line and exit status 2, from the shell and from call_command."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            sys.stderr.write(f"onestop report: {message}\n")
            sys.exit(EXIT_USAGE)
        raise CommandError(message, returncode=EXIT_USAGE)


class Command(BaseCommand):
    help = (
        "Write a report as CSV, XLSX or PDF for a period (--from, --to, both included); "
        "--list names every report."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = _OneLineParser
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("report", nargs="?", metavar="NAME", help="the report's name")
        parser.add_argument(
            "--list", action="store_true", help="name every report, with its title and formats"
        )
        parser.add_argument(
            "--from", dest="first", metavar="DATE", help="the first day, e.g. 2026-04-01"
        )
        parser.add_argument("--to", dest="last", metavar="DATE", help="the last day, included")
        parser.add_argument("--format", dest="file_format", choices=reporting.FORMATS)
        parser.add_argument("--organisation", metavar="SLUG", default="")
        parser.add_argument(
            "--service",
            metavar="CODE",
            default="",
            help="a service's slug or LGSL number (some reports also take 'none')",
        )
        for flag, meaning in (
            ("--team", "a team's id"),
            ("--channel", "a channel's code, e.g. telephone"),
            ("--access-point", "an access point's id"),
        ):
            parser.add_argument(
                flag,
                metavar="VALUE",
                default="",
                help=f"{meaning} (only for a report narrowed by it)",
            )
        parser.add_argument(
            "--output",
            metavar="FILE",
            default="",
            help="the file to write (default: standard output)",
        )

    def _fail(self, message: str) -> NoReturn:
        line = " ".join(str(message).split())
        if getattr(self, "_called_from_command_line", False):
            sys.stderr.write(f"onestop report: {line}\n")
            sys.exit(EXIT_USAGE)
        raise CommandError(line, returncode=EXIT_USAGE)

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

    def _list(self) -> None:
        for code, definition in reporting.registered_reports().items():
            formats = ",".join(definition.formats)
            self.stdout.write(f"{code}\t{formats}\t{definition.title}")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
            return
        name = options["report"]
        if not name:
            self._fail("name a report (onestop report --list names them)")
        for option, flag in (("first", "--from"), ("last", "--to"), ("file_format", "--format")):
            if not options[option]:
                self._fail(f"the following arguments are required: {flag}")
        try:
            definition = reporting.report_named(name)
            first = reporting.parse_date(options["first"], "--from")
            last = reporting.parse_date(options["last"], "--to")
            if last < first:
                self._fail("--to must be the same as or after --from")
            period = reporting.make_period(first, last)
        except (reporting.ReportError, reporting.PeriodError) as error:
            self._fail(str(error))
        file_format = options["file_format"]
        if file_format not in definition.formats:
            self._fail(
                f"{definition.code} is written as {', '.join(definition.formats)}, "
                f"not {file_format}"
            )
        organisation = self._organisation(options["organisation"])
        output = str(options["output"])
        if output and not Path(output).parent.is_dir():
            self._fail(f"cannot write {output!r}: there is no such folder")
        narrow = tuple(
            (name, str(options[name.replace("-", "_")])[:100])
            for name in ("team", "channel", "access-point")
            if options[name.replace("-", "_")]
        )
        for name, _value in narrow:
            if name not in definition.narrows:
                takes = ", ".join(f"--{each}" for each in ("service", *definition.narrows))
                self._fail(f"{definition.code} is not narrowed by --{name} (it takes {takes})")
        request = reporting.ReportRequest(
            organisation, period, str(options["service"]), narrow=narrow
        )
        try:
            built = definition.build(request)
            content = reporting.write(definition, built, file_format)
        except reporting.ReportError as error:
            self._fail(str(error))
        services.record_report_run(definition, built, file_format=file_format)
        if output:
            Path(output).write_bytes(content)
            return
        if file_format == "csv":
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        stream = getattr(self.stdout, "_out", sys.stdout)
        binary = getattr(stream, "buffer", None)
        if binary is None:
            self._fail(f"write {file_format.upper()} to a file with --output FILE")
        binary.write(content)
        binary.flush()
