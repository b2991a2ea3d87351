"""``onestop directory import-lgsl FILE.csv``: load the Local Government Service List.
``onestop directory import-postcode-districts FILE.csv``: load postcode districts' centres (a
districts file, or the ONS Postcode Directory, whose postcodes are averaged per district), for
the residents' map to centre on the postcode typed.
``onestop directory verify-domain ORGANISATION DOMAIN``: the platform operator (a system
administrator) verifies a mail domain for an organisation without a DNS proof.

The imports are idempotent (they add new entries and change changed ones, never delete).  A
refused file or domain changes nothing and exits with status 2 after one line saying why.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from onestop.core.errors import ServiceError
from onestop.core.models import Organisation
from onestop.directory import postcodes, services
from onestop.directory.lgsl import MAX_BYTES, LgslFileError, parse_lgsl_csv


class Command(BaseCommand):
    help = (
        "Directory data: import-lgsl FILE.csv loads the Local Government Service List; "
        "import-postcode-districts FILE.csv loads postcode districts' centres; "
        "verify-domain ORGANISATION DOMAIN verifies a mail domain for an organisation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        importer = subcommands.add_parser(
            "import-lgsl", help="Load LGSL entries from a CSV file with Identifier,Label columns."
        )
        importer.add_argument("file", help="CSV file (at most 5 MB).")
        districts = subcommands.add_parser(
            "import-postcode-districts",
            help="Load postcode districts' centres from a CSV file with the header "
            "outward_code,latitude,longitude, or from the ONS Postcode Directory's CSV.",
        )
        districts.add_argument("file", help="CSV file.")
        verifier = subcommands.add_parser(
            "verify-domain",
            help="Verify a mail domain for an organisation (its mailboxes may then use it).",
        )
        verifier.add_argument("organisation", help="The organisation's slug, like demo-council.")
        verifier.add_argument("domain", help="The domain, like demo-council.example.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import-lgsl":
            self._import_lgsl(Path(options["file"]))
        elif options["subcommand"] == "import-postcode-districts":
            self._import_postcode_districts(Path(options["file"]))
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

    def _refuse(self, message: str, command: str = "import-lgsl") -> NoReturn:
        self.stderr.write(f"{command}: refused: {message}; nothing was changed.")
        sys.exit(2)

    def _import_postcode_districts(self, path: Path) -> None:
        command = "import-postcode-districts"
        try:
            with path.open("rb") as handle:
                reading = postcodes.read(handle)
        except OSError as error:
            self._refuse(f"cannot read {path}: {error.strerror}", command)
        except postcodes.PostcodeFileError as error:
            self._refuse(str(error), command)
        if (
            reading.layout == "districts"
            and path.stat().st_size > postcodes.MAX_DISTRICTS_FILE_BYTES
        ):
            self._refuse("a districts file must be 5 MB or smaller", command)
        result = services.import_postcode_districts(reading.districts)
        read_from = (
            f" from {reading.postcodes} postcodes ({reading.skipped} skipped: no position, "
            "terminated or outside the United Kingdom)"
            if reading.layout == "onspd"
            else ""
        )
        self.stdout.write(
            f"{command}: {len(reading.districts)} districts read{read_from}: "
            f"{result.created} added, {result.updated} moved, {result.unchanged} unchanged."
        )

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
