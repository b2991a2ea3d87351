"""Postcode districts' centres: reading a districts file or the ONS Postcode Directory,
``onestop directory import-postcode-districts``, and the centres a residents' map may use."""

from __future__ import annotations

import io
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from onestop.core import geo
from onestop.core.models import Organisation
from onestop.directory import postcodes, queries
from onestop.directory.models import PostcodeDistrict
from onestop.directory.postcodes import District, PostcodeFileError

DEMO = (
    Path(__file__).resolve().parents[2]
    / "onestop"
    / "directory"
    / "data"
    / "postcode-districts-demo.csv"
)
ONSPD_HEADER = b"pcd,pcd2,pcds,dointr,doterm,oscty,lat,long,imd\n"


def _read(content: bytes) -> postcodes.Reading:
    return postcodes.read(io.BytesIO(content))


def test_a_districts_file_gives_each_centre_to_six_places() -> None:
    reading = _read(
        b"\xef\xbb\xbfOutward_Code,Latitude,Longitude\nhp19,51.8236,-0.8311\n\nSW1A,51.501,-0.1419999\n"
    )
    assert reading.layout == "districts"
    assert reading.districts == [
        District("HP19", Decimal("51.823600"), Decimal("-0.831100"), 0),
        District("SW1A", Decimal("51.501000"), Decimal("-0.142000"), 0),
    ]


def test_the_onspd_gives_the_mean_of_each_districts_live_postcodes() -> None:
    content = ONSPD_HEADER + (
        # HP19: three live postcodes; the mean latitude 51.8200003333... rounds to 51.820000.
        b"HP198FF,HP19 8FF,HP19 8FF,199001,,E10000002,51.820001,-0.830000,1\n"
        b"HP199BX,HP19 9BX,HP19 9BX,199001,,E10000002,51.820000,-0.830001,1\n"
        b"HP1 9QQ,HP1  9QQ,HP1 9QQ,199001,,E10000002,51.750000,-0.470000,1\n"
        b'"HP197QQ","HP19 7QQ","HP19 7QQ","199001","","E10000002","51.820000","-0.830002",1\n'
        # terminated, no position, outside the UK (Guernsey): skipped and counted
        b"HP198AA,HP19 8AA,HP19 8AA,199001,200512,E10000002,52.000000,-0.900000,1\n"
        b"HP198AB,HP19 8AB,HP19 8AB,199001,,E10000002,99.999999,0.000000,1\n"
        b"GY1 1AA,GY1  1AA,GY1 1AA,199001,,L99999999,49.455000,-2.536000,1\n"
    )
    reading = _read(content)
    assert (reading.layout, reading.postcodes, reading.skipped) == ("onspd", 7, 3)
    assert reading.districts == [
        District("HP1", Decimal("51.750000"), Decimal("-0.470000"), 1),
        District("HP19", Decimal("51.820000"), Decimal("-0.830001"), 3),
    ]


def test_a_mean_exactly_half_way_rounds_to_even() -> None:
    content = ONSPD_HEADER + (
        b"HP198FF,,HP19 8FF,,,,51.000001,-0.000001,\nHP198FG,,HP19 8FG,,,,51.000002,-0.000002,\n"
    )
    # (51.000001 + 51.000002) / 2 = 51.0000015: half way, to the even 51.000002.
    assert _read(content).districts[0].latitude == Decimal("51.000002")
    assert _read(content).districts[0].longitude == Decimal("-0.000002")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\n  \n", "the file is empty"),
        (b"district,lat,lng\nHP19,51,0\n", "the first row must be the header"),
        (b"outward_code,latitude,longitude\n", "the file has no districts"),
        (b"outward_code,latitude,longitude\nHP19,51.8\n", "line 2: expected an outward code"),
        (b"outward_code,latitude,longitude\nHP19 8FF,51.8,-0.8\n", "line 2: 'HP19 8FF' is not"),
        (b"outward_code,latitude,longitude\n=cmd(),51.8,-0.8\n", "line 2: '=cmd()' is not"),
        (b"outward_code,latitude,longitude\nHP19,1e1,-0.8\n", "line 2: the latitude '1e1'"),
        (b"outward_code,latitude,longitude\nHP19,51.8,nan\n", "line 2: the longitude 'nan'"),
        (
            b"outward_code,latitude,longitude\nHP19,51.8,-0.8\nhp19,51.7,-0.7\n",
            "line 3: the district HP19 is given twice",
        ),
        (
            b"outward_code,latitude,longitude\nHP19,48.8,2.3\n",
            "line 2: the centre of HP19 is outside",
        ),
        (b"outward_code,latitude,longitude\nHP19,\xff,0\n", "line 2 is not UTF-8 text"),
        (b"outward_code,latitude,longitude\nHP19,5\x001,0\n", "line 2 is not text"),
        (b'outward_code,latitude,longitude\nHP19,"51\n', "line 2 is not valid CSV"),
        (
            b"outward_code,latitude,longitude\nHP19," + b"1" * 9000 + b"\n",
            "line 2 is longer than 8192",
        ),
        (ONSPD_HEADER + b"HP198FF,,HP19 8FF\n", "line 2: expected 8 columns or more, found 3"),
        (
            ONSPD_HEADER + b"HP198FF,,NOTAPOSTCODE,,,,51.8,-0.8,\n",
            "line 2: 'NOTAPOSTCODE' is not a postcode",
        ),
        (ONSPD_HEADER + b"HP198FF,,HP19 8FF,,,,51.8,west,\n", "line 2: the longitude 'west'"),
        (ONSPD_HEADER + b"HP198FF,,HP19 8FF,,,,99.999999,0,\n", "no postcodes with a position"),
    ],
)
def test_doubtful_files_are_refused_with_the_line(content: bytes, message: str) -> None:
    with pytest.raises(PostcodeFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _read(content)


def test_a_file_of_too_many_districts_is_refused_without_holding_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postcodes, "MAX_DISTRICTS", 2)
    onspd = ONSPD_HEADER + b"".join(
        f"X,,{code} 1AA,,,,51.5,-0.1,\n".encode() for code in ("HP1", "HP2", "HP3")
    )
    with pytest.raises(PostcodeFileError, match="more than 2 districts"):
        _read(onspd)
    districts = b"outward_code,latitude,longitude\nHP1,51,0\nHP2,51,0\nHP3,51,0\n"
    with pytest.raises(PostcodeFileError, match="more than 2 districts"):
        _read(districts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HP19 8FF", "HP19"),
        ("hp198ff", "HP19"),
        (" SW1A  1AA ", "SW1A"),
        ("M1 1AE", "M1"),
        ("B33 8TH", "B33"),
        ("HP19", None),
        ("HP19 8F", None),
        ("HP19 FFF", None),
        ("1P19 8FF", None),
        ("", None),
    ],
)
def test_the_outward_code_of_a_postcode(text: str, expected: str | None) -> None:
    assert postcodes.outward_code(text) == expected


@given(st.binary(max_size=400))
def test_any_bytes_either_read_or_are_refused_cleanly(content: bytes) -> None:
    try:
        reading = _read(content)
    except PostcodeFileError:
        return
    assert reading.districts


def _run(path: Path) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("directory", "import-postcode-districts", str(path), stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _centres() -> dict[str, tuple[Decimal, Decimal, int]]:
    return {
        row.outward_code: (row.latitude, row.longitude, row.postcodes)
        for row in PostcodeDistrict.objects.all()
    }


@pytest.mark.django_db
def test_importing_twice_is_idempotent_and_a_moved_centre_is_updated(tmp_path: Path) -> None:
    assert _run(DEMO) == (
        0,
        "import-postcode-districts: 7 districts read: 7 added, 0 moved, 0 unchanged.\n",
        "",
    )
    assert _run(DEMO)[1] == (
        "import-postcode-districts: 7 districts read: 0 added, 0 moved, 7 unchanged.\n"
    )
    moved = tmp_path / "moved.csv"
    moved.write_text(
        "outward_code,latitude,longitude\nHP19,51.83,-0.84\nSW1A,51.501,-0.142\n", encoding="utf-8"
    )
    assert _run(moved)[1] == (
        "import-postcode-districts: 2 districts read: 1 added, 1 moved, 0 unchanged.\n"
    )
    centres = _centres()
    assert len(centres) == 8  # never deletes
    assert centres["HP19"] == (Decimal("51.830000"), Decimal("-0.840000"), 0)
    assert centres["HP20"] == (Decimal("51.819600"), Decimal("-0.800000"), 0)


@pytest.mark.django_db
def test_the_onspd_import_says_how_many_postcodes_it_read_and_skipped(tmp_path: Path) -> None:
    onspd = tmp_path / "ONSPD_NOV_2026_UK.csv"
    onspd.write_bytes(
        ONSPD_HEADER
        + b"HP198FF,,HP19 8FF,,,,51.820000,-0.830000,\n"
        + b"HP199BX,,HP19 9BX,,,,51.822000,-0.832000,\n"
        + b"HP198AB,,HP19 8AB,,,,99.999999,0.000000,\n"
    )
    assert _run(onspd) == (
        0,
        "import-postcode-districts: 1 districts read from 3 postcodes (1 skipped: no position, "
        "terminated or outside the United Kingdom): 1 added, 0 moved, 0 unchanged.\n",
        "",
    )
    assert _centres() == {"HP19": (Decimal("51.821000"), Decimal("-0.831000"), 2)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b"outward_code,latitude,longitude\nHP21,51.8,-0.8\nHP19,north,-0.8\n",
            "line 3: the latitude 'north' is not a number",
        ),
        (
            b'=HYPERLINK("x"),b\n',
            "the first row must be the header outward_code,latitude,longitude, or the ONS "
            "Postcode Directory's (with pcds, lat and long)",
        ),
    ],
)
def test_a_refused_file_exits_2_with_one_line_and_changes_nothing(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    _run(DEMO)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    assert _run(bad) == (
        2,
        "",
        f"import-postcode-districts: refused: {reason}; nothing was changed.\n",
    )
    assert len(_centres()) == 7
    assert _centres()["HP21"] == (Decimal("51.804000"), Decimal("-0.805000"), 0)


@pytest.mark.django_db
def test_an_oversized_districts_file_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    padding = "," + "x" * 8100
    big.write_text(
        "outward_code,latitude,longitude\n"
        + "".join(
            f"{chr(65 + number // 26)}{chr(65 + number % 26)}1,51.8,-0.8{padding}\n"
            for number in range(650)
        ),
        encoding="utf-8",
    )
    assert big.stat().st_size > postcodes.MAX_DISTRICTS_FILE_BYTES
    assert _run(big)[0::2] == (
        2,
        "import-postcode-districts: refused: a districts file must be 5 MB or smaller; "
        "nothing was changed.\n",
    )
    status, out, err = _run(tmp_path / "missing.csv")
    assert (status, out) == (2, "")
    assert err.startswith("import-postcode-districts: refused: cannot read ")
    assert PostcodeDistrict.objects.count() == 0


@pytest.mark.django_db
def test_the_centres_a_map_may_use_are_those_inside_the_boundary() -> None:
    _run(DEMO)
    organisation = Organisation.objects.create(name="Buckingham Council", slug="buckingham")
    assert set(queries.postcode_centres(organisation)) == {
        "HP17",
        "HP18",
        "HP19",
        "HP20",
        "HP21",
        "HP22",
        "MK18",
    }  # no boundary: every district loaded
    Organisation.objects.filter(pk=organisation.pk).update(
        boundary_south=Decimal("51.95"),
        boundary_north=Decimal("52.1"),
        boundary_west=Decimal("-1.1"),
        boundary_east=Decimal("-0.9"),
    )
    organisation.refresh_from_db()
    assert queries.postcode_centres(organisation) == {"MK18": ("51.999000", "-0.987000")}


@pytest.mark.django_db
def test_the_residents_map_keeps_its_centres_until_an_import_or_a_boundary_moves_them(
    tmp_path: Path,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onestop.directory import services
    from onestop.portal import queries as portal_queries

    _run(DEMO)
    organisation = Organisation.objects.create(
        name="Buckingham Council", slug="buckingham", type="district-council", nation="england"
    )

    def centres() -> dict[str, tuple[str, str]]:
        organisation.refresh_from_db()  # as a request reads its organisation's row
        return portal_queries.postcode_centres(organisation)

    assert centres()["MK18"] == ("51.999000", "-0.987000")
    with CaptureQueriesContext(connection) as reads:
        assert centres()["MK18"] == ("51.999000", "-0.987000")
    assert len(reads.captured_queries) == 1  # the organisation's row: the centres were kept

    moved = tmp_path / "moved.csv"
    moved.write_text("outward_code,latitude,longitude\nMK18,52.000100,-0.980000\n")
    assert _run(moved)[0] == 0
    assert centres()["MK18"] == ("52.000100", "-0.980000")  # the import is seen at once

    services.update_organisation(
        organisation,
        by=None,
        name=organisation.name,
        type=organisation.type,
        nation=organisation.nation,
        branding_text=organisation.branding_text,
        boundary=geo.Box(
            south=Decimal("51.95"),
            north=Decimal("52.1"),
            west=Decimal("-1.1"),
            east=Decimal("-0.9"),
        ),
    )
    assert centres() == {"MK18": ("52.000100", "-0.980000")}  # and so is the boundary
