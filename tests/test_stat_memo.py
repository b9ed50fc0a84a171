"""A digest is recomputed only when a file's status moved, and every way of changing a
file's bytes moves it: a rewrite of the same size, a rewrite with the old modification
time put back, a file added or replaced. The fixture guard relies on the same status to
skip hashing, so the same changes are caught there too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.fixture_guard import FixtureGuard, FixtureTampered, fixture_checksums
from harness.fixtures.checksum import fixture_set_checksum
from harness.fixtures.sums_memo import fixture_memo, remember_verified, unverified, verified
from harness.stat_memo import StatMemo, signature

TRUTH = '{"schema_version": 1, "set": "s", "quantities": {"ct.rows": {"value": 4, "tolerance": {"abs": 0}}}}'
DICOM = b"\x00" * 128 + b"DICM" + b"\x00" * 16


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    directory = tmp_path / "fixtures" / "s"
    directory.mkdir(parents=True)
    (directory / "truth.json").write_text(TRUTH)
    for i in range(3):
        (directory / f"CT_{i}.dcm").write_bytes(DICOM + bytes([i]))
    return tmp_path / "fixtures"


def same_size_rewrite(path: Path, keep_mtime: bool) -> None:
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    if keep_mtime:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


CHANGES = {
    "rewritten, same size": lambda d: same_size_rewrite(d / "CT_0.dcm", keep_mtime=False),
    "rewritten, mtime put back": lambda d: same_size_rewrite(d / "CT_0.dcm", keep_mtime=True),
    "file added": lambda d: (d / "extra.dcm").write_bytes(DICOM),
    "file replaced": lambda d: (d / "CT_1.dcm").unlink() or (d / "CT_1.dcm").write_bytes(DICOM + b"\x07"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_of_bytes_moves_the_signature(fixtures, change):
    before = signature(fixtures / "s")
    CHANGES[change](fixtures / "s")
    assert signature(fixtures / "s") != before


def test_reading_files_does_not_move_the_signature(fixtures):
    before = signature(fixtures / "s")
    for path in (fixtures / "s").iterdir():
        path.read_bytes()
    assert signature(fixtures / "s") == before


def test_a_remembered_checksum_is_reused_until_the_set_changes(fixtures, tmp_path):
    memo = StatMemo(tmp_path / "memo.json")
    computed = []

    def compute() -> str:
        computed.append(1)
        return fixture_set_checksum(fixtures / "s")

    first = memo.value("s", fixtures / "s", compute)
    assert StatMemo(tmp_path / "memo.json").value("s", fixtures / "s", compute) == first  # a later run
    assert len(computed) == 1
    same_size_rewrite(fixtures / "s" / "CT_2.dcm", keep_mtime=True)
    assert memo.value("s", fixtures / "s", compute) != first
    assert len(computed) == 2


def test_a_value_computed_while_the_directory_changed_is_not_remembered(fixtures, tmp_path):
    memo = StatMemo(tmp_path / "memo.json")

    def compute_while_someone_writes() -> str:
        value = fixture_set_checksum(fixtures / "s")
        (fixtures / "s" / "late.dcm").write_bytes(DICOM)
        return value

    memo.value("s", fixtures / "s", compute_while_someone_writes)
    assert StatMemo(tmp_path / "memo.json")._entries == {}


@pytest.mark.parametrize("content", ["", "{not json", '{"format": 99, "entries": {}}', '{"format": 1, "entries": 3}'])
def test_a_damaged_memo_only_means_computing_again(fixtures, tmp_path, content):
    (tmp_path / "memo.json").write_text(content)
    assert StatMemo(tmp_path / "memo.json").value("s", fixtures / "s", lambda: "fresh") == "fresh"


def test_recorded_fixture_checksums_are_the_same_with_and_without_the_memo(fixtures, tmp_path):
    memo = fixture_memo(tmp_path / "cache")
    assert fixture_checksums(fixtures, memo) == fixture_checksums(fixtures) == fixture_checksums(fixtures, memo)
    same_size_rewrite(fixtures / "s" / "CT_0.dcm", keep_mtime=True)
    assert fixture_checksums(fixtures, memo) == fixture_checksums(fixtures)


def test_an_on_demand_set_is_verified_again_once_it_or_its_sums_change(fixtures, tmp_path):
    memo = fixture_memo(tmp_path / "cache")
    sums = fixtures / "s.sha256"
    sums.write_text("0" * 64 + "  CT_0.dcm\n")
    assert unverified(fixtures, None, memo) == ["s"]
    remember_verified(fixtures / "s", sums, memo, signature(fixtures / "s"))
    assert unverified(fixtures, None, memo) == [] and unverified(fixtures, ["other"], memo) == []
    sums.write_text("1" * 64 + "  CT_0.dcm\n")  # new sums: the set must be checked against them
    assert not verified(fixtures / "s", sums, memo)
    remember_verified(fixtures / "s", sums, memo, signature(fixtures / "s"))
    same_size_rewrite(fixtures / "s" / "CT_1.dcm", keep_mtime=True)
    assert unverified(fixtures, None, memo) == ["s"]


@pytest.mark.parametrize("change", CHANGES)
def test_the_guard_catches_a_change_to_a_copy_that_keeps_sizes_and_times(fixtures, tmp_path, change):
    guard = FixtureGuard(fixtures, scratch=tmp_path / "scratch")
    copy = guard.checked_out("s")
    for path in copy.iterdir():
        path.chmod(0o644)
    copy.chmod(0o755)
    CHANGES[change](copy)
    assert guard.verify_and_restore("s") is not None
    assert guard.verify_and_restore("s") is None  # restored


@pytest.mark.parametrize("change", CHANGES)
def test_the_guard_catches_a_change_to_the_committed_set_that_keeps_sizes_and_times(fixtures, tmp_path, change):
    guard = FixtureGuard(fixtures, scratch=tmp_path / "scratch")
    guard.truth("s")
    guard.checked_out("s")
    CHANGES[change](fixtures / "s")
    with pytest.raises(FixtureTampered, match="changed during the run"):
        guard.verify_committed("s", suspect="a check")
    guard.verify_committed("s")  # put back: nothing to say any more


def test_a_committed_file_touched_but_not_changed_is_not_reported(fixtures, tmp_path):
    guard = FixtureGuard(fixtures, scratch=tmp_path / "scratch")
    guard.truth("s")
    os.utime(fixtures / "s" / "CT_0.dcm")
    guard.verify_committed("s")
    guard.verify_committed("s")
