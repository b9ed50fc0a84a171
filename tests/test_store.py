"""The environment cache: reused only when provably complete, never half-built or half-deleted."""

from __future__ import annotations

import json
import os

import pytest

from harness.store import RECORD, UMASK, atomic_write_text, cached_build

KEY = {"tool": "x", "packages": ["x==1"]}


def build_three_files(tmp):
    for name in ("a", "b", "c"):
        (tmp / name).write_text(name)


def test_a_fresh_build_is_published_whole_and_then_reused(tmp_path):
    final = tmp_path / "envs" / "x"
    final.parent.mkdir()
    assert cached_build(final, KEY, build_three_files) == (final, False)
    assert sorted(p.name for p in final.iterdir()) == [RECORD, "a", "b", "c"]
    assert cached_build(final, KEY, build_three_files) == (final, True)


def test_a_changed_key_builds_anew(tmp_path):
    final = tmp_path / "x"
    cached_build(final, KEY, build_three_files)
    assert cached_build(final, {**KEY, "packages": ["x==2"]}, build_three_files) == (final, False)


def test_an_environment_missing_files_since_it_was_published_is_never_reused(tmp_path):
    """What a SIGKILL during the removal of a stale environment could leave: the record
    still says the right key, but files are gone. It is rebuilt, not reused."""
    final = tmp_path / "x"
    cached_build(final, KEY, build_three_files)
    (final / "b").unlink()
    assert cached_build(final, KEY, build_three_files) == (final, False)
    assert (final / "b").read_text() == "b"


def test_files_added_after_publishing_do_not_spoil_reuse(tmp_path):
    """Bytecode caches appear as checks import modules; they are no reason to rebuild."""
    final = tmp_path / "x"
    cached_build(final, KEY, build_three_files)
    (final / "__pycache__").mkdir()
    (final / "__pycache__" / "a.pyc").write_bytes(b"\0")
    assert cached_build(final, KEY, build_three_files) == (final, True)


def test_an_old_style_record_without_a_file_count_is_rebuilt(tmp_path):
    final = tmp_path / "x"
    cached_build(final, KEY, build_three_files)
    (final / RECORD).write_text(json.dumps(KEY))
    assert cached_build(final, KEY, build_three_files) == (final, False)


def test_leftovers_of_killed_builds_and_removals_are_cleared_by_the_next_build(tmp_path):
    final = tmp_path / "x"
    (tmp_path / ".x.half-built").mkdir()
    (tmp_path / ".x.half-built" / "big").write_bytes(b"\0" * 1024)
    (tmp_path / ".x.trash-of-a-stale-env").mkdir()
    (tmp_path / ".other.keep").mkdir()
    cached_build(final, KEY, build_three_files)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.keep", "x", "x.lock"]


def test_a_failed_build_publishes_nothing(tmp_path):
    final = tmp_path / "x"

    def fails(tmp):
        (tmp / "a").write_text("a")
        raise RuntimeError("resolver failed")

    with pytest.raises(RuntimeError):
        cached_build(final, KEY, fails)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.lock"]


def test_atomic_writes_get_the_umasks_permissions(tmp_path):
    atomic_write_text(tmp_path / "report.md", "# report\n")
    assert (tmp_path / "report.md").stat().st_mode & 0o777 == 0o666 & ~UMASK
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
    assert os.access(tmp_path / "report.md", os.R_OK)


def test_a_staged_write_replaces_what_the_old_report_had_there_and_never_writes_through_a_link(tmp_path):
    from harness.store import write_staged

    outside = tmp_path / "outside.txt"
    outside.write_text("not the report's")
    staging = tmp_path / "staging"
    (staging / "tools").mkdir(parents=True)
    (staging / "tools" / "x.html").symlink_to(outside)
    write_staged(staging / "tools" / "x.html", "<p>page</p>")
    write_staged(staging / "new" / "y.json", b"{}")
    assert outside.read_text() == "not the report's"
    assert not (staging / "tools" / "x.html").is_symlink()
    assert (staging / "tools" / "x.html").read_text() == "<p>page</p>"
    assert (staging / "new" / "y.json").read_bytes() == b"{}"
