"""The session engine (``SESSION_ENGINE``): Django's database sessions, the row read with its
SQL built once.

Every request that uses a session (a resident's form answers, a tracked request, a member of
staff's sign-in) reads its row.  Through the ORM most of that read is building the statement
(``Session.objects.get(session_key=..., expire_date__gt=now)``: the query's clone, lookups
and compiler), several times what the database takes to answer it.  Here the row is read by
its key with a ``core.prepared.PreparedRead`` and its expiry compared with the same clock
the ORM's filter would have used (``timezone.now()``), so a session is found exactly when
Django's own engine would find it: every read still asks the database, so nothing can be
stale and any process sees another's change at once, whatever cache is configured.  Writing,
deleting, creating and clearing expired sessions are Django's own.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from onestop.core.prepared import PreparedRead

_SESSION = PreparedRead(Session, lambda key: Session.objects.filter(session_key=key))


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        """The session's row while it has not expired; otherwise ``None``, the key forgotten
        (a new session gets a new key), as Django's database engine does."""
        found = _SESSION.first(self.session_key) if self.session_key else None
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return None
        return found
