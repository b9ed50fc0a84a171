"""The history classes as a table, and what a regression says changed, to the letter."""

from __future__ import annotations

import json

import pytest

from harness.history import (
    RunRecord,
    ToolRecord,
    _dump,
    _mapping_changes,
    _parse_time,
    _slug,
    record_of,
    trend,
    what_changed,
)
from harness.results import CheckResult, InstallResult, Results, RunInfo, ToolResult


def runs_of(*statuses: str | None, **tool) -> list[RunRecord]:
    """One run per status of check 'c' of tool 't' (None: the check did not run)."""
    runs = []
    for day, status in enumerate(statuses, start=1):
        checks = {} if status is None else {"c": status}
        runs.append(RunRecord(started=f"2026-11-{day:02d}T00:00:00+00:00", host="ci", harness_version="1",
                              tools={"t": ToolRecord(install="pass", checks=checks, **tool)}))
    return runs


@pytest.mark.parametrize(("statuses", "kind"), [
    (("pass",), "new"),
    (("fail",), "new"),
    (("error",), "neutral"),
    (("pass", "skip"), "neutral"),
    (("pass", "xfail"), "neutral"),
    (("pass", None), "neutral"),
    (("pass", "pass"), "pass"),
    (("pass", "error", "pass"), "pass"),
    (("fail", "fail"), "always failing"),
    (("fail", "error", "skip", "fail"), "always failing"),
    (("pass", "fail"), "regression"),
    (("pass", "error", "fail"), "regression"),
    (("fail", "pass"), "recovered"),
    (("fail", "skip", "pass"), "recovered"),
    (("pass", "fail", "pass", "pass"), "pass"),
    (("pass", "fail", "pass", "fail"), "flaky"),
    (("pass", "fail", "error", "pass", "skip", "fail"), "flaky"),
    (("fail", "pass", "fail"), "regression"),
    ((), "neutral"),
], ids=lambda v: "-".join(map(str, v)) if isinstance(v, tuple) else v)
def test_history_classes(statuses, kind):
    """Only pass and fail are outcomes; error, skip, xfail and not-run are kept in the
    sparkline but change nothing."""
    found = trend(runs_of(*statuses), "t", "c")
    assert found.kind == kind
    assert found.statuses == tuple((r.label, s) for r, s in zip(runs_of(*statuses), statuses))


def test_a_regression_names_its_date_and_what_changed():
    runs = runs_of("pass", "fail")
    runs[0].tools["t"] = ToolRecord(install="pass", version="1.0", dependencies={"numpy": "1.26", "old": "1"},
                                    definition="a" * 64, checks={"c": "pass"})
    runs[1].tools["t"] = ToolRecord(install="pass", version="2.0", dependencies={"numpy": "2.0", "new": "1"},
                                    definition="b" * 64, checks={"c": "fail"})
    runs[0].fixtures, runs[1].fixtures = {"reference": "c" * 64}, {"reference": "d" * 64}
    runs[1].harness_version = "2"
    found = trend(runs, "t", "c")
    assert found.change == (
        "regression since 2026-11-02 00:00 UTC: t 1.0 -> 2.0; new 1 added; numpy 1.26 -> 2.0; old 1 removed; "
        f"manifest or check programs {'a' * 12} -> {'b' * 12}; fixture reference {'c' * 12} -> {'d' * 12}; "
        "rtcompat 1 -> 2")


def test_a_recovery_says_recovered_and_an_unknown_version_says_so():
    runs = runs_of("fail", "pass")
    runs[1].tools["t"] = ToolRecord(install="pass", version="2.0", checks={"c": "pass"})
    assert trend(runs, "t", "c").change == "recovered since 2026-11-02 00:00 UTC: t unknown -> 2.0"
    runs[0].tools["t"], runs[1].tools["t"] = (ToolRecord(install="pass", version="1.0", checks={"c": "fail"}),
                                              ToolRecord(install="pass", checks={"c": "pass"}))
    assert what_changed(runs[0], runs[1], "t") == "t 1.0 -> unknown"


def test_a_tool_version_change_is_not_repeated_among_its_dependencies():
    before = runs_of("pass")[0]
    after = runs_of("fail")[0]
    before.tools["t"] = ToolRecord(install="pass", version="1", dependencies={"t": "1", "x": "1"})
    after.tools["t"] = ToolRecord(install="pass", version="2", dependencies={"t": "2", "x": "1"})
    assert what_changed(before, after, "t") == "t 1 -> 2"


def test_nothing_recorded_changing_is_said_in_words():
    before, after = runs_of("pass", "fail")
    assert what_changed(before, after, "t") == (
        "no recorded change (same tool, dependencies, checks, fixtures and harness)")


def test_mapping_changes_are_sorted_and_shortened_only_when_asked():
    old, new = {"b": "x" * 20, "a": "1"}, {"b": "y" * 20, "c": "3"}
    assert _mapping_changes(old, new) == ["a 1 removed", f"b {'x' * 20} -> {'y' * 20}", "c 3 added"]
    assert _mapping_changes(old, new, short=True)[1] == f"b {'x' * 12} -> {'y' * 12}"
    assert _mapping_changes(old, new, skip={"b"}) == ["a 1 removed", "c 3 added"]


@pytest.fixture(params=["UTC", "America/New_York"])
def local_zone(request, monkeypatch):
    """The machine's time zone, which must change nothing (a runner far from UTC)."""
    import time

    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_times_without_a_zone_are_utc_and_others_are_converted(local_zone):
    assert _parse_time("2026-11-01T02:00:00+02:00").isoformat() == "2026-11-01T00:00:00+00:00"
    assert _parse_time("2026-11-01T00:00:00").isoformat() == "2026-11-01T00:00:00+00:00"
    assert _parse_time("last tuesday").year == 1970
    record = RunRecord(started="2026-11-01T02:00:00+02:00", host="ci", harness_version="1")
    assert record.filename.startswith("20261101T000000Z-ci-")


@pytest.mark.parametrize(("text", "slug"), [
    ("runner-1.example.org", "runner-1.example.org"), ("Runner One", "Runner-One"),
    ("..--odd--..", "odd"), ("x" * 50, "x" * 40), ("///", "run"), ("", "run"), ("BOX-", "BOX")])
def test_history_slugs(text, slug):
    assert _slug(text) == slug


def test_a_record_keeps_what_a_regression_needs_and_dumps_sorted_and_indented():
    tool = ToolResult(id="t", name="T", section="s", in_source_catalogue=False, backend="debian", version="1.0",
                      dependencies={"x": "1"}, definition="d" * 64, install=InstallResult(status="pass"),
                      checks=[CheckResult(id="c", capability="read-ct", status="fail", reason="r")])
    run = RunInfo(started="2026-11-01T00:00:00+00:00", host="ci", platform="p", python="3", harness_version="1",
                  fixtures={"reference": "f" * 64}, partial=True)
    record = record_of(Results(run=run, tools=[tool]))
    assert record.partial is True and record.fixtures == {"reference": "f" * 64}
    assert record.tools["t"] == ToolRecord(version="1.0", dependencies={"x": "1"}, definition="d" * 64,
                                           install="pass", checks={"c": "fail"})
    text = _dump(record)
    assert text.endswith("}\n") and text.startswith('{\n "fixtures"')
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_pruning_removes_a_record_by_the_name_it_was_loaded_from(tmp_path):
    """A record written under an older naming scheme is still pruned once it falls out
    of the window: by its own file name, not the name today's scheme would give it."""
    from harness.history import load_history, record_run

    legacy = tmp_path / "legacy-name.json"
    legacy.write_text(_dump(RunRecord(started="2026-01-01T00:00:00+00:00", host="old", harness_version="1")))
    for day in (2, 3):
        info = RunInfo(started=f"2026-01-{day:02d}T00:00:00+00:00", host="ci", platform="L", python="3",
                       harness_version="1")
        record_run(tmp_path, Results(run=info, tools=[]), keep=2)
    assert not legacy.exists()
    assert [r.started[:10] for r in load_history(tmp_path).runs] == ["2026-01-02", "2026-01-03"]


def test_an_unreadable_record_is_a_warning_naming_its_file_and_first_line(tmp_path):
    from harness.history import load_history

    (tmp_path / "bad.json").write_text("{not json")
    history = load_history(tmp_path)
    assert history.runs == []
    [warning] = history.warnings
    assert warning.startswith(f"{tmp_path / 'bad.json'}: unreadable history record, ignored (")
    assert warning.endswith("(1 validation error for RunRecord)")  # the first line of the error only


def test_a_tool_missing_from_either_run_changes_nothing_but_the_run_wide_facts():
    before = RunRecord(started="2026-01-01T00:00:00+00:00", host="ci", harness_version="1",
                       tools={"t": ToolRecord(install="pass", version="1", definition="a" * 64)})
    after = RunRecord(started="2026-01-02T00:00:00+00:00", host="ci", harness_version="2", tools={})
    assert what_changed(before, after, "t") == "rtcompat 1 -> 2"
    after.tools["t"] = ToolRecord(install="pass", version="1", definition=None)
    assert what_changed(before, after, "t") == "rtcompat 1 -> 2"


def test_dependencies_are_compared_even_when_the_tool_version_is_unchanged():
    before = RunRecord(started="2026-01-01T00:00:00+00:00", host="ci", harness_version="1",
                       tools={"t": ToolRecord(install="pass", version="1", dependencies={"t": "1", "numpy": "1"})})
    after = RunRecord(started="2026-01-02T00:00:00+00:00", host="ci", harness_version="1",
                      tools={"t": ToolRecord(install="pass", version="1", dependencies={"t": "2", "numpy": "2"})})
    assert what_changed(before, after, "t") == "numpy 1 -> 2; t 1 -> 2"


def test_a_run_older_than_the_window_is_recorded_and_pruned_at_once(tmp_path):
    from harness.history import load_history, record_run

    for day in (2, 3):
        info = RunInfo(started=f"2026-01-{day:02d}T00:00:00+00:00", host="ci", platform="L", python="3",
                       harness_version="1")
        record_run(tmp_path, Results(run=info, tools=[]), keep=2)
    late = RunInfo(started="2026-01-01T00:00:00+00:00", host="late-shard", platform="L", python="3",
                   harness_version="1")
    assert [r.started[:10] for r in record_run(tmp_path, Results(run=late, tools=[]), keep=2).runs] == ["2026-01-01"]
    assert [r.host for r in load_history(tmp_path).runs] == ["ci", "ci"]


def test_pruning_tolerates_a_record_another_run_removed_first(tmp_path, monkeypatch):
    from harness import history

    for day in (1, 2):
        info = RunInfo(started=f"2026-01-{day:02d}T00:00:00+00:00", host="ci", platform="L", python="3",
                       harness_version="1")
        history.record_run(tmp_path, Results(run=info, tools=[]), keep=2)
    loaded = history.load_history

    def raced(directory):
        found = loaded(directory)
        min(directory.glob("*.json")).unlink()  # a concurrent run pruned the oldest meanwhile
        return found
    monkeypatch.setattr(history, "load_history", raced)
    info = RunInfo(started="2026-01-03T00:00:00+00:00", host="ci", platform="L", python="3", harness_version="1")
    assert len(history.record_run(tmp_path, Results(run=info, tools=[]), keep=2).runs) == 2


def test_a_tool_absent_from_a_run_has_no_status_there():
    runs = [RunRecord(started="2026-10-31T00:00:00+00:00", host="ci", harness_version="1"), *runs_of("pass", "fail")]
    assert [status for _, status in trend(runs, "t", "c").statuses] == [None, "pass", "fail"]
