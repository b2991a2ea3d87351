"""The ``onestop`` command: Django's management commands under the project's own name.

``onestop --help`` lists every subcommand; ``onestop migrate``, ``onestop demo``,
``onestop audit verify`` and the rest are management commands of the OneStop apps.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    from django.core.management import execute_from_command_line

    arguments = list(sys.argv if argv is None else argv)
    arguments[0] = "onestop"
    if len(arguments) == 1 or arguments[1] in {"--help", "-h"}:
        arguments[1:2] = ["help"]
    execute_from_command_line(arguments)


if __name__ == "__main__":
    main()
