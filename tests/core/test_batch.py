"""``core.batch``: reads remembered for one batch of work, and read afresh outside it."""

from __future__ import annotations

import pytest

from onestop.core import batch


def test_outside_a_batch_every_read_reads() -> None:
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert [batch.remembered(("k",), read) for _ in range(3)] == [1, 2, 3]
    assert not batch.active()


def test_inside_a_batch_a_key_is_read_once_and_forgotten_after() -> None:
    reads: list[str] = []

    def read(value: str) -> str:
        reads.append(value)
        return value

    with batch.batch():
        assert batch.active()
        assert batch.remembered(("a", 1), lambda: read("first")) == "first"
        assert batch.remembered(("a", 1), lambda: read("second")) == "first"
        assert batch.remembered(("a", 2), lambda: read("other")) == "other"
        with batch.batch():  # nested: the outer batch's memory
            assert batch.remembered(("a", 1), lambda: read("third")) == "first"
    assert reads == ["first", "other"]
    assert not batch.active()
    assert batch.remembered(("a", 1), lambda: read("after")) == "after"


def test_a_read_that_fails_is_not_remembered() -> None:
    def fail() -> str:
        raise LookupError("no")

    with batch.batch():
        with pytest.raises(LookupError):
            batch.remembered(("b",), fail)
        assert batch.remembered(("b",), lambda: "found") == "found"


def _remember_then_fail() -> None:
    with batch.batch():
        batch.remembered(("c",), lambda: "kept")
        raise RuntimeError


def test_a_batch_forgets_when_its_block_raises() -> None:
    with pytest.raises(RuntimeError):
        _remember_then_fail()
    assert batch.remembered(("c",), lambda: "new") == "new"
