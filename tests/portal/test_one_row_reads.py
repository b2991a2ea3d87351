"""The residents' pages' reads of one row by a unique key (a reference, a complaint's stage,
a "Your requests" session's key) sort nothing: a model's default ordering starts with its
organisation's name, so sorting that one row joined the organisation's table to every such
read, on every visit.  (The session's read also joined it to fill in its organisation, which
the page has already.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS

from onestop.feedback import queries as feedback_queries
from onestop.portal import queries, queries_track

READS: dict[str, Any] = {
    "the confirmation's case": queries._REPORTED_CASE,
    "the tracked case": queries_track._CASE,
    "the tracked feedback": queries_track._FEEDBACK,
    "a case of Your requests": queries_track._CASE_RAISED_WITH,
    "feedback of Your requests": queries_track._FEEDBACK_RAISED_WITH,
    "the feedback's confirmation": feedback_queries._SENT_FEEDBACK,
    "a complaint's stage": feedback_queries._STAGE,
    "a resident's session": queries_track._RESIDENT_SESSION,
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", READS)
def test_a_read_of_one_row_by_its_unique_key_sorts_nothing_and_joins_no_organisation(
    name: str,
) -> None:
    sql = READS[name]._statement(DEFAULT_DB_ALIAS).sql

    assert "ORDER BY" not in sql
    assert "core_organisation" not in sql
    assert sql.endswith("LIMIT 1")
