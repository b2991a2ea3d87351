"""``onestop audit``: verify, checkpoint and purge the audit trail.

- ``verify`` recomputes every organisation's chain: one line per organisation and, for a broken
  chain, its first broken link.  With ``--checkpoint FILE`` it also checks every signed
  checkpoint in FILE and reports records a checkpoint saw that are now missing or different.
  Exit status 1 if anything is broken or missing, 0 otherwise.
- ``checkpoint --out FILE`` appends a signed checkpoint of every chain head to FILE (``-``:
  standard output, one JSON line, for a log shipper).
- ``purge --organisation SLUG --before DATE`` removes that organisation's records older than
  DATE, as the retention period allows (``core_audit_retention``), and records the purge.

A key or checkpoint file that cannot be used is one plain line on standard error and exit
status 2.  The key comes from ``--key-file`` or ``ONESTOP_AUDIT_CHECKPOINT_KEY_FILE``.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onestop.core import audit, audit_checkpoint
from onestop.core.audit_checkpoint import CheckpointError
from onestop.core.models import Organisation


class Command(BaseCommand):
    help = (
        "Work with the audit trail: 'verify' checks every organisation's hash chain (and, with "
        "--checkpoint, against signed checkpoints), 'checkpoint' writes one, 'purge' applies "
        "retention."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        verify = subcommands.add_parser(
            "verify", help="Check every chain; exit 1 if one is broken or cut short."
        )
        verify.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="also check the signed checkpoints in FILE: records they saw must still be there",
        )
        verify.add_argument("--key-file", metavar="FILE", help="the checkpoint key")
        checkpoint = subcommands.add_parser(
            "checkpoint", help="Append a signed checkpoint of every chain head to a file."
        )
        checkpoint.add_argument(
            "--out",
            metavar="FILE",
            required=True,
            help="the file to append to, or - for standard output (to pipe into a log shipper)",
        )
        checkpoint.add_argument("--key-file", metavar="FILE", help="the checkpoint key")
        purge = subcommands.add_parser(
            "purge", help="Remove an organisation's records older than a date (retention)."
        )
        purge.add_argument("--organisation", metavar="SLUG", required=True)
        purge.add_argument(
            "--before", metavar="DATE", required=True, help="ISO date or date-time (UTC)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "verify":
                self.verify(options["checkpoint"], options["key_file"])
            elif options["subcommand"] == "checkpoint":
                self.checkpoint(options["out"], options["key_file"])
            else:
                self.purge(options["organisation"], options["before"])
        except CheckpointError as error:
            raise CommandError(str(error), returncode=2) from error

    @staticmethod
    def _key(key_file: str | None) -> bytes:
        return audit_checkpoint.load_key(key_file or settings.ONESTOP_AUDIT_CHECKPOINT_KEY_FILE)

    def verify(self, checkpoint_file: str | None, key_file: str | None) -> None:
        # Read the checkpoints first: a bad key or file stops before any chain is read.
        checkpoints = (
            audit_checkpoint.read(checkpoint_file, self._key(key_file)) if checkpoint_file else None
        )
        slugs = dict(Organisation.objects.values_list("pk", "slug"))
        broken = 0
        for report in audit.verify():
            slug = slugs.get(report.organisation_id, f"organisation-{report.organisation_id}")
            purged = (
                f" (records 1-{report.purged_through} purged by retention)"
                if report.purged_through
                else ""
            )
            if report.broken is None:
                self.stdout.write(f"{slug}: {report.records} records, ok{purged}")
                continue
            broken += 1
            self.stdout.write(
                f"{slug}: {report.records} records, BROKEN at record "
                f"{report.broken.sequence}: {report.broken.reason}{purged}"
            )
        missing = 0
        if checkpoints is not None:
            for finding in audit_checkpoint.compare(checkpoints):
                missing += 1
                self.stdout.write(f"{finding.slug}: MISSING AFTER CHECKPOINT: {finding.message}")
            if not missing:
                self.stdout.write(
                    f"Every record the {len(checkpoints)} checkpoint(s) in {checkpoint_file} "
                    "saw is still there."
                )
        if broken or missing:
            problems = [f"{broken} audit chain(s) broken"] if broken else []
            if missing:
                problems.append(f"{missing} chain(s) cut short since a checkpoint")
            raise CommandError("; ".join(problems) + ".", returncode=1)
        self.stdout.write("Every audit chain is intact.")

    def checkpoint(self, out: str, key_file: str | None) -> None:
        key = self._key(key_file)
        if out == "-":
            self.stdout.write(audit_checkpoint.as_line(audit_checkpoint.take(key)))
            return
        checkpoint = audit_checkpoint.write(out, key)
        self.stdout.write(
            f"Checkpoint of {len(checkpoint['chains'])} chain(s) at {checkpoint['taken_at']} "
            f"appended to {out}."
        )

    def purge(self, slug: str, before_text: str) -> None:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation {slug!r}.", returncode=2)
        try:
            before = datetime.fromisoformat(before_text)
        except ValueError as error:
            raise CommandError(
                f"--before must be an ISO date or date-time, not {before_text!r}.", returncode=2
            ) from error
        if before.tzinfo is None:
            before = before.replace(tzinfo=UTC)
        try:
            deleted = audit.purge(organisation=organisation, before=before, by=None)
        except audit.PurgeRefused as error:
            raise CommandError(str(error), returncode=2) from error
        self.stdout.write(f"{slug}: {deleted} audit records purged.")
