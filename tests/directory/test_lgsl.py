"""The LGSL importer: the parser and ``onestop directory import-lgsl``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from onestop.directory.lgsl import MAX_BYTES, LgslFileError, parse_lgsl_csv
from onestop.directory.models import LgslService

SAMPLE = Path(__file__).resolve().parents[2] / "onestop" / "directory" / "data" / "lgsl-sample.csv"


def test_the_published_header_and_the_short_header_both_parse() -> None:
    assert parse_lgsl_csv(b"Identifier,Label\n524,Bins\n") == [(524, "Bins")]
    assert parse_lgsl_csv(b'\xef\xbb\xbfcode,name\n57,"Tax, council"\n') == [(57, "Tax, council")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"Name,Thing\n1,x\n", "the first row must be the header"),
        (b"Identifier,Label\nabc,Bins\n", "row 2: the identifier 'abc' is not a number"),
        (b"Identifier,Label\n-5,Bins\n", "row 2: the identifier '-5' is not a number"),
        (b"Identifier,Label\n1,Bins\n1,Bags\n", "row 3: the identifier 1 appears more than once"),
        (b"Identifier,Label\n1,  \n", "row 2: the label is empty"),
        (b"Identifier,Label\n1\n", "row 2: expected an identifier and a label"),
        (b'Identifier,Label\n1,"unclosed\n', "the file is not valid CSV"),
        (b"Identifier,Label\n1,\xff\xfe\n", "the file is not UTF-8 text"),
        (b"Identifier,Label\n1,a\x00b\n", "the file is not a text CSV file"),
        (b"Identifier,Label\n", "the file has no entries"),
        (b"Identifier,Label\n1," + b"x" * 301 + b"\n", "row 2: the label is longer than 300"),
        (b"x" * (MAX_BYTES + 1), "the file is larger than 5 MB"),
    ],
)
def test_doubtful_files_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(LgslFileError, match=message.replace("(", r"\(")):
        parse_lgsl_csv(content)


@given(st.binary(max_size=300))
def test_any_bytes_either_parse_or_are_refused_cleanly(content: bytes) -> None:
    try:
        entries = parse_lgsl_csv(content)
    except LgslFileError:
        return
    assert all(code >= 0 and name for code, name in entries)


def _run(path: Path) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("directory", "import-lgsl", str(path), stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_importing_the_sample_twice_is_idempotent() -> None:
    first = _run(SAMPLE)
    second = _run(SAMPLE)
    assert first == (0, "import-lgsl: 30 entries read: 30 added, 0 renamed, 0 unchanged.\n", "")
    assert second == (0, "import-lgsl: 30 entries read: 0 added, 0 renamed, 30 unchanged.\n", "")
    assert LgslService.objects.filter(code=524).values_list("name", flat=True).get() == (
        "Household waste collection"
    )


@pytest.mark.django_db
def test_a_renamed_entry_is_updated(tmp_path: Path) -> None:
    _run(SAMPLE)
    changed = tmp_path / "changed.csv"
    changed.write_text("code,name\n524,Bins\n9000,New service\n", encoding="utf-8")
    assert _run(changed)[1] == "import-lgsl: 2 entries read: 1 added, 1 renamed, 0 unchanged.\n"
    assert LgslService.objects.count() == 31


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"Identifier,Label\n1,Fine\nx,Bad\n", "row 3: the identifier 'x' is not a number"),
        (b"Identifier,Label\n1,Fine\n1,Again\n", "row 3: the identifier 1 appears more than once"),
        (
            b"=cmd|' /C calc'!A0,Label\n",
            "the first row must be the header Identifier,Label (or code,name)",
        ),
    ],
)
def test_a_refused_file_exits_2_with_one_line_and_changes_nothing(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    _run(SAMPLE)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    status, out, err = _run(bad)
    assert (status, out) == (2, "")
    assert err == f"import-lgsl: refused: {reason}; nothing was changed.\n"
    assert LgslService.objects.count() == 30


@pytest.mark.django_db
def test_an_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"Identifier,Label\n" + b"1,x\n" * (MAX_BYTES // 4 + 1))
    status, _out, err = _run(big)
    assert status == 2
    assert err == "import-lgsl: refused: the file is larger than 5 MB; nothing was changed.\n"
    assert LgslService.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    status, _out, err = _run(tmp_path / "absent.csv")
    assert status == 2
    assert err.startswith("import-lgsl: refused: cannot read")
