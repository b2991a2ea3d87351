"""``onestop directory import-lgsl FILE.csv``: load the Local Government Service List.

Idempotent (adds new codes, renames changed ones, never deletes).  A refused file changes
nothing and exits with status 2 after one line saying why.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from onestop.directory import services
from onestop.directory.lgsl import MAX_BYTES, LgslFileError, parse_lgsl_csv


class Command(BaseCommand):
    help = "Directory data: import-lgsl FILE.csv loads the Local Government Service List."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        importer = subcommands.add_parser(
            "import-lgsl", help="Load LGSL entries from a CSV file with Identifier,Label columns."
        )
        importer.add_argument("file", help="CSV file (at most 5 MB).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import-lgsl":
            self._import_lgsl(Path(options["file"]))

    def _refuse(self, message: str) -> NoReturn:
        self.stderr.write(f"import-lgsl: refused: {message}; nothing was changed.")
        sys.exit(2)

    def _import_lgsl(self, path: Path) -> None:
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                self._refuse(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
            with path.open("rb") as handle:
                content = handle.read(MAX_BYTES + 1)
        except OSError as error:
            self._refuse(f"cannot read {path}: {error.strerror}")
        try:
            entries = parse_lgsl_csv(content)
        except LgslFileError as error:
            self._refuse(str(error))
        result = services.import_lgsl(entries)
        self.stdout.write(
            f"import-lgsl: {len(entries)} entries read: {result.created} added, "
            f"{result.updated} renamed, {result.unchanged} unchanged."
        )
