"""The ``onestop`` command: Django's management commands under the project's own name.

``onestop --help`` lists every subcommand; ``onestop migrate``, ``onestop demo``,
``onestop audit verify`` and the rest are management commands of the OneStop apps.

``onestop migrate`` and ``onestop db`` connect as the tables' owner,
``ONESTOP_MIGRATE_DATABASE_URL``, when it is set; every other command, like the web
application, connects with ``DATABASE_URL`` (see docs/operators/database.md).
"""

from __future__ import annotations

import os
import sys

# The commands that change the schema or the grants run as the tables' owner.
OWNER_COMMANDS = frozenset({"migrate", "db"})

#: Exit status of a command refused for a missing or bad setting (as for bad usage).
SETTING_ERROR = 2


def main(argv: list[str] | None = None) -> None:
    """Run one subcommand.  A missing or bad setting, or a database that is not there or not
    migrated, ends in one plain line naming what to set or run (exit status 2), never a
    traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError, ProgrammingError

    arguments = list(sys.argv if argv is None else argv)
    arguments[0] = "onestop"
    if len(arguments) == 1 or arguments[1] in {"--help", "-h"}:
        arguments[1:2] = ["help"]
    owner_url = os.environ.get("ONESTOP_MIGRATE_DATABASE_URL", "")
    if owner_url and arguments[1] in OWNER_COMMANDS:
        os.environ["DATABASE_URL"] = owner_url
    try:
        execute_from_command_line(arguments)
    except ImproperlyConfigured as error:
        _fail(str(error))
    except (OperationalError, ProgrammingError) as error:
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        _fail(
            f"the database is not ready ({first_line}): check DATABASE_URL and run "
            "onestop migrate (make run does both)."
        )


def _fail(message: str) -> None:
    sys.stderr.write(f"onestop: {message}\n")
    sys.exit(SETTING_ERROR)


if __name__ == "__main__":
    main()
