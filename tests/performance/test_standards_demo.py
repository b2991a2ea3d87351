"""The demo's comparator authorities are the seeds' numbers, exactly, and load idempotently."""

from __future__ import annotations

from decimal import Decimal

from onestop.core.models import Organisation
from onestop.performance import demo
from onestop.performance.models import Comparator


def _values(organisation: Organisation, measure: str) -> list[tuple[str, Decimal]]:
    return list(
        Comparator.objects.for_organisation(organisation)
        .filter(measure=measure)
        .order_by("-value", "id")
        .values_list("comparator", "value")
    )


def test_the_mori_table_and_northampton_2011_load_once(council: Organisation) -> None:
    assert demo.load_demo(council) == 73
    assert demo.load_demo(council) == 73
    assert Comparator.objects.for_organisation(council).count() == 73
    helpfulness = _values(council, "mori-helpfulness")
    assert len(helpfulness) == 19
    assert helpfulness[0] == ("Gateshead", Decimal("84.00"))
    assert ("Leicester", Decimal("70.00")) in helpfulness
    assert _values(council, "mori-efficiency")[9] == ("Leicester", Decimal("60.00"))
    assert len(_values(council, "mori-ease-of-contact")) == 19
    assert _values(council, "mori-satisfaction")[-1] == ("Manchester", Decimal("38.00"))
    assert {
        measure: value
        for _name, measure, value in Comparator.objects.for_organisation(council)
        .filter(comparator="Northampton Borough Council")
        .values_list("comparator", "measure", "value")
    } == {
        "calls": Decimal("359218.00"),
        "visits": Decimal("67000.00"),
        "emails": Decimal("21567.00"),
        "online-transactions": Decimal("5377.00"),
        "online-visits": Decimal("926529.00"),
    }
