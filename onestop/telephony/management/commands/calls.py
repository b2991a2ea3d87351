"""``onestop calls import FILE --organisation SLUG [--format NAME] [--all-or-nothing]``.

Imports the telephone system's call records (see docs/calls.md).  Each refused row is printed
on standard error as ``line N: reason``; when the import ran, the last line on standard output
is ``imported N, already present M, refused K`` (after ``skipped N contacts that are not
telephone calls`` when there were any).  On a terminal a progress line shows the rows
read so far.  Exit status: 0 when nothing was refused, 1 when rows were refused (with
``--all-or-nothing`` nothing was then imported), 2 for bad arguments or a file that cannot be
read (one line on standard error, ``CommandError: ...`` as every onestop command says it,
nothing on standard output, nothing changed).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.core.models import Organisation
from onestop.telephony import formats, services
from onestop.telephony.errors import ImportUnreadable

EXIT_REFUSED = 1
EXIT_USAGE = 2


class _OneLineParser(CommandParser):
    """Argument errors as one line and exit status 2, from the shell and from call_command."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            sys.stderr.write(f"onestop calls: {message}\n")
            sys.exit(EXIT_USAGE)
        raise CommandError(message, returncode=EXIT_USAGE)


class Command(BaseCommand):
    help = "Import call records from the telephone system: 'import FILE --organisation SLUG'."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = _OneLineParser
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, parser_class=_OneLineParser
        )
        imports = subcommands.add_parser(
            "import", help="Import a file of call records (CSV or JSON lines)."
        )
        imports.add_argument("file", metavar="FILE", help="the file, or - for standard input")
        imports.add_argument("--organisation", metavar="SLUG", required=True)
        imports.add_argument(
            "--format",
            metavar="NAME",
            default=formats.GENERIC,
            help=f"the file's layout (default {formats.GENERIC}; see docs/calls.md)",
        )
        imports.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="import nothing when any row is refused",
        )

    def _fail(self, message: str) -> NoReturn:
        raise CommandError(message, returncode=EXIT_USAGE)

    def handle(self, *args: Any, **options: Any) -> None:
        # The format first: a wrong one (or a wrong ONESTOP_CALL_FORMATS_DIR) is bad usage,
        # said before the database is asked anything.
        try:
            formats.mapping_named(options["format"])
        except ImportUnreadable as error:
            self._fail(str(error))
        except formats.FormatError as error:
            self._fail(f"the call record formats cannot be read: {error}")
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            self._fail(f"there is no organisation {options['organisation']!r}")
        name = options["file"]
        try:
            stream = sys.stdin.buffer if name == "-" else Path(name).open("rb")  # noqa: SIM115
        except OSError as error:
            self._fail(f"cannot read {name}: {error.strerror or error}")
        interactive = self.stderr.isatty()

        def progress(rows: int) -> None:
            if interactive:
                self.stderr.write(f"\r{rows:,} rows read", ending="")
                self.stderr.flush()

        def refused(row: formats.Refused) -> None:
            if interactive:
                self.stderr.write("\r", ending="")
            self.stderr.write(f"line {row.line}: {row.reason}")

        try:
            with stream:
                run = services.import_calls(
                    organisation,
                    stream,
                    by=None,
                    format_name=options["format"],
                    file_name=Path(name).name if name != "-" else "standard input",
                    all_or_nothing=options["all_or_nothing"],
                    progress=progress,
                    on_refused=refused,
                )
        except ImportUnreadable as error:
            self._fail(f"cannot import {name}: {error}")
        except OSError as error:
            self._fail(f"cannot read {name}: {error.strerror or error}")
        if interactive:
            self.stderr.write("")
        if run.skipped:
            # Before the summary, which stays the last line (and skipped rows leave the exit
            # status alone): a stream of every channel is not a file with refused rows.
            self.stdout.write(f"skipped {run.skipped} contacts that are not telephone calls")
        self.stdout.write(run.summary)
        if run.refused:
            sys.exit(EXIT_REFUSED)
