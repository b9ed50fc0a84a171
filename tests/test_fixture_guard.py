"""The fixture guard's promises, one by one: a check sees a read-only copy without the
truth, a change to the copy is named and undone, a change to the committed set stops
the run naming the files."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pytest

from harness.fixture_guard import FixtureGuard, FixtureTampered

TRUTH = '{"schema_version": 1, "set": "s", "quantities": {"ct.rows": {"value": 4, "tolerance": {"abs": 0}}}}'
DICOM = b"\x00" * 128 + b"DICM" + b"\x00" * 16


@pytest.fixture
def root(tmp_path: Path) -> Path:
    directory = tmp_path / "fixtures" / "s"
    directory.mkdir(parents=True)
    (directory / "truth.json").write_text(TRUTH)
    for i in range(7):
        (directory / f"CT_{i}.dcm").write_bytes(DICOM + bytes([i]))
    return tmp_path / "fixtures"


def test_without_a_scratch_directory_the_guard_makes_its_own_named_temporary_one(root):
    guard = FixtureGuard(root)
    try:
        assert guard.scratch.is_dir() and guard.scratch.parent == Path(tempfile.gettempdir())
        assert guard.scratch.name.startswith("rtcompat-fixtures-")
    finally:
        guard.cleanup()
    assert not guard.scratch.exists()


def test_the_copy_a_check_sees_has_no_write_permission_and_no_truth(root, tmp_path):
    for path in (root / "s").iterdir():  # writable by anyone in the committed set: by no one in the copy
        path.chmod(0o666)
    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    copy = guard.checked_out("s")
    assert sorted(p.name for p in copy.iterdir()) == [f"CT_{i}.dcm" for i in range(7)]
    for path in [copy, *copy.iterdir()]:
        assert path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0, path


@pytest.mark.parametrize(("count", "shown"), [
    (5, "CT_0.dcm, CT_1.dcm, CT_2.dcm, CT_3.dcm, CT_4.dcm"),
    (6, "CT_0.dcm, CT_1.dcm, CT_2.dcm, CT_3.dcm, CT_4.dcm and 1 more"),
    (7, "CT_0.dcm, CT_1.dcm, CT_2.dcm, CT_3.dcm, CT_4.dcm and 2 more"),
])
def test_a_changed_copy_names_five_files_and_counts_the_rest_then_is_restored(root, tmp_path, count, shown):
    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    copy = guard.checked_out("s")
    for i in range(count):
        (copy / f"CT_{i}.dcm").chmod(0o644)
        (copy / f"CT_{i}.dcm").write_bytes(b"vandal")
    assert guard.verify_and_restore("s") == f"{count} file(s) changed: {shown}"
    assert (copy / "CT_0.dcm").read_bytes() == DICOM + b"\x00"
    assert (copy / "CT_0.dcm").stat().st_mode & stat.S_IWUSR == 0
    assert guard.verify_and_restore("s") is None


@pytest.mark.parametrize(("count", "more"), [(5, ""), (6, " and 1 more")])
def test_a_changed_committed_set_stops_the_run_naming_the_files_and_the_tool_and_is_put_back(
        root, tmp_path, count, more):
    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    guard.truth("s")
    guard.verify_committed("s")
    originals = {i: (root / "s" / f"CT_{i}.dcm").read_bytes() for i in range(count)}
    for i in range(count):
        (root / "s" / f"CT_{i}.dcm").write_bytes(b"vandal")
    with pytest.raises(FixtureTampered) as caught:
        guard.verify_committed("s", suspect="vandal's check 'read-ct'")
    shown = ", ".join(str(root / "s" / f"CT_{i}.dcm") for i in range(5))
    assert str(caught.value) == (f"the committed fixture set 's' changed during the run, after vandal's check "
                                 f"'read-ct': {shown}{more}; restored from the snapshot taken when the run began")
    assert {i: (root / "s" / f"CT_{i}.dcm").read_bytes() for i in range(count)} == originals
    guard.verify_committed("s")  # as it was: the next check is not stopped again


def test_a_rewritten_committed_truth_is_put_back_byte_for_byte(root, tmp_path):
    truth = root / "s" / "truth.json"
    before = truth.read_bytes()
    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    guard.truth("s")
    truth.write_text('{"quantities": {}}')
    with pytest.raises(FixtureTampered, match="truth.json; restored"):
        guard.verify_committed("s", suspect="x's check 'c'")
    assert truth.read_bytes() == before


def test_a_set_changed_before_the_run_began_is_what_the_run_uses(root, tmp_path):
    (root / "s" / "CT_0.dcm").write_bytes(b"before the run began")
    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    guard.verify_committed("s")
    assert guard.verify_and_restore("s") is None


def test_a_set_the_run_has_not_used_yet_that_changes_during_the_run_stops_it(root, tmp_path):
    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    guard.truth("s")
    (root / "other").mkdir()
    guard = FixtureGuard(root, scratch=tmp_path / "scratch2")
    guard.truth("s")
    (root / "other" / "truth.json").write_text("{}")
    with pytest.raises(FixtureTampered) as caught:
        guard.verify_committed("s", suspect="x's check 'c'")
    assert str(caught.value) == (f"the committed fixture set 'other' changed during the run, after x's check 'c': "
                                 f"{root / 'other' / 'truth.json'} (restore it with: rtcompat fixtures build "
                                 "--set other --overwrite)")


def test_a_known_set_the_run_has_not_used_yet_is_put_back_from_the_generator(tmp_path):
    from harness.fixtures.build import build_set

    root = tmp_path / "fixtures"
    build_set("reference", root / "reference")
    truth = root / "reference" / "truth.json"
    before = truth.read_bytes()
    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    truth.write_text("{}")
    (root / "reference" / "extra.dcm").write_bytes(b"x")
    with pytest.raises(FixtureTampered, match="restored from the fixture generator"):
        guard.verify_committed("elsewhere")
    assert truth.read_bytes() == before and not (root / "reference" / "extra.dcm").exists()


def test_a_copy_a_check_removed_altogether_is_named_file_by_file_and_restored(root, tmp_path):
    import shutil

    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    copy = guard.checked_out("s")
    copy.chmod(0o755)
    shutil.rmtree(copy)
    assert guard.verify_and_restore("s") == ("7 file(s) changed: CT_0.dcm, CT_1.dcm, CT_2.dcm, CT_3.dcm, "
                                             "CT_4.dcm and 2 more")
    assert sorted(p.name for p in copy.iterdir()) == [f"CT_{i}.dcm" for i in range(7)]


def test_a_file_that_cannot_be_read_is_not_shown_to_a_check(tmp_path):
    from harness.fixture_guard import is_check_visible

    assert is_check_visible(tmp_path / "gone.dcm") is False
    (tmp_path / "short.bin").write_bytes(b"\x00" * 10)
    assert is_check_visible(tmp_path / "short.bin") is False
    (tmp_path / "points.json").write_text("{}")
    assert is_check_visible(tmp_path / "points.json") is True
    for hidden in ("truth.json", "README.md"):
        (tmp_path / hidden).write_text("the truth")
        assert is_check_visible(tmp_path / hidden) is False


def test_a_dcm_file_without_preamble_is_shown_to_a_check_as_it_is(tmp_path):
    from harness.fixture_guard import is_check_visible

    (tmp_path / "RP.dcm").write_bytes(b"\x08\x00\x05\x00CS\x0a\x00ISO_IR 100")  # a dataset with no preamble
    assert is_check_visible(tmp_path / "RP.dcm") is True


@pytest.mark.parametrize("replacement", ["file", "link"])
def test_a_copy_a_check_replaced_with_a_file_or_a_link_is_named_and_restored(root, tmp_path, replacement):
    import shutil

    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    copy = guard.checked_out("s")
    copy.chmod(0o755)
    shutil.rmtree(copy)
    if replacement == "file":
        copy.write_text("not a directory")
    else:
        copy.symlink_to(root / "s")
    assert guard.verify_and_restore("s").startswith("7 file(s) changed: CT_0.dcm")
    assert copy.is_dir() and not copy.is_symlink()
    assert sorted(p.name for p in copy.iterdir()) == [f"CT_{i}.dcm" for i in range(7)]
    assert (root / "s" / "truth.json").exists()


@pytest.mark.parametrize("change", ["added", "removed"])
def test_a_file_added_to_or_removed_from_the_committed_set_stops_the_run(root, tmp_path, change):
    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    guard.truth("s")
    touched = root / "s" / ("CT_9.dcm" if change == "added" else "CT_6.dcm")
    if change == "added":
        touched.write_bytes(DICOM)
    else:
        touched.unlink()
    with pytest.raises(FixtureTampered, match=f"changed during the run: {touched}; restored"):
        guard.verify_committed("s")
    assert touched.exists() is (change == "removed")


def test_cleaning_up_twice_or_after_the_scratch_is_gone_is_harmless(root, tmp_path):
    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    guard.checked_out("s")
    guard.cleanup()
    assert not guard.scratch.exists()
    guard.cleanup()


def test_a_set_that_is_not_there_is_named_with_the_command_that_builds_it(root, tmp_path):
    guard = FixtureGuard(root, scratch=tmp_path / "scratch")
    with pytest.raises(FileNotFoundError) as missing:
        guard.checked_out("absent")
    assert str(missing.value) == f"no fixture set at {root / 'absent'} (rtcompat fixtures build)"
