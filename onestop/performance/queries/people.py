"""Whose individual figures a member of staff may see: the one place it is decided.

- Everyone with ``performance.own`` sees their own.
- Someone with ``performance.team`` (team leaders) also sees every member of the teams they
  belong to.
- Nobody sees anyone else's individual figures (managers and auditors see teams, not people).

``get_officer_for`` answers 404 for a person outside the viewer's organisation (or unknown) and
403 for a colleague whose figures the viewer may not see.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from onestop.core import permissions
from onestop.core.models import User
from onestop.directory.models import TeamMembership


def officers_visible_to(user: Any) -> set[int]:
    """The ids of the people whose individual figures ``user`` may see (maybe none)."""
    actions = permissions.actions_of(user)
    found: set[int] = set()
    if permissions.PERFORMANCE_OWN in actions:
        found.add(user.pk)
    if permissions.PERFORMANCE_TEAM in actions:
        memberships = TeamMembership.objects.for_organisation(user.organisation_id)
        teams = memberships.filter(user=user).values("team_id")
        found.update(memberships.filter(team_id__in=teams).values_list("user_id", flat=True))
    return found


def get_officer_for(user: Any, officer_id: object) -> User:
    """The member of staff ``officer_id`` if ``user`` may see their figures."""
    text = str(officer_id)[:12]
    if not text.isdigit():
        raise Http404
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        raise Http404
    officer = User.objects.filter(organisation_id=organisation_id, pk=int(text)).first()
    if officer is None:
        raise Http404
    if officer.pk not in officers_visible_to(user):
        raise PermissionDenied
    return officer
