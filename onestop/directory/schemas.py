"""API shapes of the directory (public contract: keep field names stable)."""

from __future__ import annotations

import datetime

from ninja import Schema


class LgslOut(Schema):
    code: int
    name: str


class ServiceOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    lgsl: LgslOut | None


class SessionOut(Schema):
    opens: datetime.time
    closes: datetime.time


class DayOut(Schema):
    weekday: int
    day: str
    sessions: list[SessionOut]


class ExceptionOut(Schema):
    date: datetime.date
    reason: str
    sessions: list[SessionOut]


class OutOfHoursOut(Schema):
    title: str
    contact: str
    phone: str
    details: str
    starts_weekday: int
    starts_at: datetime.time
    ends_weekday: int
    ends_at: datetime.time


class AccessPointOut(Schema):
    id: int
    kind: str
    name: str
    address: str
    phone: str
    organisation: str
    shared: bool


class AccessPointDetailOut(AccessPointOut):
    hours: list[DayOut]
    exceptions: list[ExceptionOut]
    out_of_hours: list[OutOfHoursOut]
