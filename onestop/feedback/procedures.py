"""The three complaints procedures an organisation starts from (stages and timescales as data).

Every amount is in working days, counted by ``standards.clock`` on the organisation's calendar
(bank holidays of its nation and its closure days).  ``response_from`` says which event starts a
stage's response clock: the receipt (the stage opening: the complaint received, or escalated), or
the acknowledgement.

- ``seeds``: the source councils' procedure.  An informal stage answered by the front line or a
  team leader (Northampton, 003 question 10), answered within 10 working days like any letter
  (Leicester's standard, 001); then formal stages 1 and 2, each acknowledged within 5 and answered
  within 15 working days of receipt (Rossendale, 004: "acknowledged within 5 working days of
  receipt", "a full response within 15 working days").
- ``complaint-handling-code``: the Complaint Handling Code of the Local Government and Social
  Care Ombudsman and the Housing Ombudsman (England, councils from April 2026).  No informal
  stage 0 (a complaint resolved at first contact is still a stage 1 complaint); acknowledged
  within 5 working days; stage 1 answered within 10 working days of the acknowledgement, one
  extension of at most 10 more; stage 2 acknowledged within 5 and answered within 20 working days
  of the acknowledgement, one extension of at most 20 more.
- ``scottish-chp``: the Scottish model complaints handling procedure.  Stage 1 (frontline)
  answered within 5 working days of receipt (no separate acknowledgement), extension at most 5
  more; stage 2 (investigation) acknowledged within 3 and answered within 20 working days of
  receipt, extension at most 20 more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onestop.feedback.models import ClockFrom, Preset


@dataclass(frozen=True)
class StageRule:
    stage: int
    label: str
    acknowledge_days: int | None
    response_days: int
    response_from: str
    extension_days: int

    def as_data(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "label": self.label,
            "acknowledge_days": self.acknowledge_days,
            "response_days": self.response_days,
            "response_from": self.response_from,
            "extension_days": self.extension_days,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> StageRule:
        return cls(
            stage=int(data["stage"]),
            label=str(data["label"]),
            acknowledge_days=None
            if data.get("acknowledge_days") is None
            else int(data["acknowledge_days"]),
            response_days=int(data["response_days"]),
            response_from=str(data["response_from"]),
            extension_days=int(data.get("extension_days", 0)),
        )


RECEIPT, ACKNOWLEDGEMENT = ClockFrom.RECEIPT.value, ClockFrom.ACKNOWLEDGEMENT.value

PRESETS: dict[str, tuple[StageRule, ...]] = {
    Preset.SEEDS: (
        StageRule(0, "the informal stage", None, 10, RECEIPT, 0),
        StageRule(1, "stage 1", 5, 15, RECEIPT, 10),
        StageRule(2, "stage 2", 5, 15, RECEIPT, 10),
    ),
    Preset.CODE: (
        StageRule(1, "stage 1", 5, 10, ACKNOWLEDGEMENT, 10),
        StageRule(2, "stage 2", 5, 20, ACKNOWLEDGEMENT, 20),
    ),
    Preset.SCOTTISH: (
        StageRule(1, "stage 1 (frontline response)", None, 5, RECEIPT, 5),
        StageRule(2, "stage 2 (investigation)", 3, 20, RECEIPT, 20),
    ),
}

# The preset an organisation without a procedure of its own follows, by its nation.
BY_NATION: dict[str, str] = {
    "england": Preset.CODE,
    "scotland": Preset.SCOTTISH,
}
DEFAULT_PRESET = Preset.SEEDS


def preset_for_nation(nation: str) -> str:
    return BY_NATION.get(nation, DEFAULT_PRESET)


def stages_of(preset: str) -> tuple[StageRule, ...]:
    return PRESETS[preset]
