"""``onestop directory import-lgsl FILE.csv``: load the Local Government Service List.
``onestop directory verify-domain ORGANISATION DOMAIN``: the platform operator (a system
administrator) verifies a mail domain for an organisation without a DNS proof.

import-lgsl is idempotent (adds new codes, renames changed ones, never deletes).  A refused file
or domain changes nothing and exits with status 2 after one line saying why.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from onestop.core.errors import ServiceError
from onestop.core.models import Organisation
from onestop.directory import services
from onestop.directory.lgsl import MAX_BYTES, LgslFileError, parse_lgsl_csv


class Command(BaseCommand):
    help = (
        "Directory data: import-lgsl FILE.csv loads the Local Government Service List; "
        "verify-domain ORGANISATION DOMAIN verifies a mail domain for an organisation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        importer = subcommands.add_parser(
            "import-lgsl", help="Load LGSL entries from a CSV file with Identifier,Label columns."
        )
        importer.add_argument("file", help="CSV file (at most 5 MB).")
        verifier = subcommands.add_parser(
            "verify-domain",
            help="Verify a mail domain for an organisation (its mailboxes may then use it).",
        )
        verifier.add_argument("organisation", help="The organisation's slug, like demo-council.")
        verifier.add_argument("domain", help="The domain, like demo-council.example.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import-lgsl":
            self._import_lgsl(Path(options["file"]))
        elif options["subcommand"] == "verify-domain":
            self._verify_domain(options["organisation"], options["domain"])

    def _verify_domain(self, slug: str, domain: str) -> None:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            self.stderr.write(f"verify-domain: refused: no organisation {slug}; nothing changed.")
            sys.exit(2)
        try:
            verified = services.verify_mail_domain(organisation, by=None, domain=domain)
        except ServiceError as error:
            self.stderr.write(f"verify-domain: refused: {error.message}; nothing changed.")
            sys.exit(2)
        self.stdout.write(f"verify-domain: {verified.domain} is verified for {slug}.")

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
