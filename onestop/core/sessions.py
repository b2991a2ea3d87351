"""The session engine (``SESSION_ENGINE``): Django's database sessions, the row read with its
SQL built once.

Every request that uses a session (a resident's form answers, a tracked request, a member of
staff's sign-in) reads its row.  Through the ORM most of that read is building the statement
(``Session.objects.get(session_key=..., expire_date__gt=now)``: the query's clone, lookups
and compiler), several times what the database takes to answer it.  Here the row's data and
expiry are read by its key with a ``core.prepared.PreparedRead``, as values, and the expiry
compared with the same clock the ORM's filter would have used (``timezone.now()``), so a
session is found exactly when Django's own engine would find it: every read still asks the
database, so nothing can be stale and any process sees another's change at once, whatever
cache is configured.  Writing, deleting, creating and clearing expired sessions are Django's
own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from onestop.core.prepared import PreparedRead

_SESSION = PreparedRead(
    Session,
    lambda key: Session.objects.filter(session_key=key).values_list("session_data", "expire_date"),
)


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        """The session's data while it has not expired; otherwise empty, the key forgotten (a
        new session gets a new key), as Django's database engine does.  Only the two columns
        are read, as values: no model instance is made."""
        found = _SESSION.rows(self.session_key) if self.session_key else []
        if not found or found[0][1] <= timezone.now():
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(found[0][0])
        return data
