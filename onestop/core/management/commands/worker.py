"""``onestop worker``: run background tasks from the database queue (django-tasks-db).

Django's task framework defines tasks but no worker; this is the database backend's worker
under the project's name.  ``onestop worker --batch`` runs what is queued and exits (for cron).
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run OneStop's background tasks from the database queue (acknowledgements, imports)."
