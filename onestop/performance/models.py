"""The performance app's own records (figures are computed from the other apps' raw records)."""

from __future__ import annotations
