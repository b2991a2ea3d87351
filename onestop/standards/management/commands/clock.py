"""``onestop clock``: the clock from the command line, for operators and checks.

``onestop clock deadline --start 2022-12-23T10:00 --amount 5 --unit working_days
--nation england-and-wales [--closed 2022-12-28 ...] [--opening 09:00-17:00 ...]`` prints the
deadline in ISO 8601 with its offset; ``onestop clock working-days --from DATE --to DATE
--nation N`` prints the working days after ``--from`` up to and including ``--to``.  A bad
argument prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.standards import clock


class _OneLineParser(CommandParser):
    """Argument errors as one line and exit status 2, from the shell and from call_command."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            sys.stderr.write(f"{self.prog}: error: {message}\n")
            sys.exit(2)
        raise CommandError(message, returncode=2)


def _start(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time like 2022-12-23T10:00"
        ) from None
    return value.replace(tzinfo=clock.LONDON) if value.tzinfo is None else value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2022-12-28") from None


def _amount(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return value


def _session(text: str) -> clock.Session:
    try:
        return clock.Session.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


NATIONS = [nation.value for nation in clock.Nation]
UNITS = [unit.value for unit in clock.Unit]


class Command(BaseCommand):
    help = "Compute deadlines and working days with the one clock (standards.clock)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = _OneLineParser
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(
            dest="command",
            required=True,
            metavar="{deadline,working-days}",
            parser_class=_OneLineParser,
        )
        deadline = commands.add_parser("deadline", help="Print the deadline for a start.")
        deadline.add_argument("--start", required=True, type=_start)
        deadline.add_argument("--amount", required=True, type=_amount)
        deadline.add_argument("--unit", required=True, choices=UNITS)
        self._calendar_arguments(deadline)
        deadline.add_argument(
            "--opening",
            action="append",
            type=_session,
            default=[],
            help="Opening session Monday to Friday, like 09:00-17:00 (default: the whole day).",
        )
        between = commands.add_parser("working-days", help="Count working days between dates.")
        between.add_argument("--from", dest="first", required=True, type=_date)
        between.add_argument("--to", dest="last", required=True, type=_date)
        self._calendar_arguments(between)

    @staticmethod
    def _calendar_arguments(parser: CommandParser) -> None:
        parser.add_argument("--nation", required=True, choices=NATIONS)
        parser.add_argument(
            "--closed", action="append", type=_date, default=[], help="A closure day (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        opening = options.get("opening") or None
        calendar = clock.nation_calendar(
            options["nation"],
            closures=options["closed"],
            opening=None if opening is None else clock.weekday_opening(opening),
        )
        try:
            if options["command"] == "deadline":
                found = clock.deadline(
                    options["start"], options["amount"], options["unit"], calendar
                )
                self.stdout.write(found.isoformat())
            else:
                if options["last"] < options["first"]:
                    raise ValueError("--to is before --from")
                count = calendar.working_days_between(options["first"], options["last"])
                self.stdout.write(str(count))
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
