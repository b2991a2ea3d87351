"""``onestop audit verify``: recompute every organisation's audit chain.

Prints one line per organisation and, for a broken chain, its first broken link; exits with
status 1 if any chain is broken (a row edited or deleted), 0 otherwise.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onestop.core import audit
from onestop.core.models import Organisation


class Command(BaseCommand):
    help = "Work with the audit trail. 'verify' checks every organisation's hash chain."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        subcommands.add_parser("verify", help="Check every chain; exit 1 if one is broken.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify()

    def verify(self) -> None:
        slugs = dict(Organisation.objects.values_list("pk", "slug"))
        broken = 0
        for report in audit.verify():
            slug = slugs.get(report.organisation_id, f"organisation-{report.organisation_id}")
            if report.broken is None:
                self.stdout.write(f"{slug}: {report.records} records, ok")
                continue
            broken += 1
            self.stdout.write(
                f"{slug}: {report.records} records, BROKEN at record "
                f"{report.broken.sequence}: {report.broken.reason}"
            )
        if broken:
            raise CommandError(f"{broken} audit chain(s) broken.", returncode=1)
        self.stdout.write("Every audit chain is intact.")
