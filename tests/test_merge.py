"""Merging CI shards: one run spanning them all, and bad input named by file and value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from standins import write_tool

from harness.catalogue import load_catalogue
from harness.cli import main
from harness.merge import NO_SHARD, MergeError, merge_results
from harness.results import (
    CheckResult,
    InstallResult,
    Results,
    RunInfo,
    ToolResult,
    read_results,
    write_results,
)

REFERENCE = "ab" * 32
GOOD_JSON = 'echo \'{"ct.rows": 4, "dose.max_gy": 70.5}\''


@pytest.fixture(autouse=True)
def _in_a_project(project):
    """Merging judges every shard again against the checkout's manifests: the synthetic
    shards below name stand-in tools that exist in a throw-away project."""
    return project


def shard(directory: Path, name: str, *tools: str, started: str = "2026-03-01T02:00:00+00:00",
          finished: str | None = "2026-03-01T02:10:00+00:00", version: str = "0.1.0",
          fixtures: dict[str, str] | None = None, partial: bool = False, note: str = "") -> Path:
    """A shard whose tools were skipped at install (nothing to judge again): the run
    metadata is what these tests are about."""
    run = RunInfo(started=started, finished=finished, host=f"runner-{name}", platform="Linux", python="3.11.9",
                  harness_version=version, fixtures={"reference": REFERENCE} if fixtures is None else fixtures,
                  partial=partial, note=note)
    root = Path(os.environ["RTCOMPAT_ROOT"])
    for tool in tools:
        if not (root / "tool_manifests" / f"{tool}.yaml").exists():
            write_tool(root, tool, "exit 0")
    results = Results(run=run, tools=[
        ToolResult(id=tool, name=tool.title(), section="Integration Components", in_source_catalogue=True,
                   backend="debian", install=InstallResult(status="skip", reason="not here"),
                   checks=[CheckResult(id="read", capability="read-rtdose", fixture="tiny", status="skip", reason="not here")])
        for tool in tools])
    path = directory / f"{name}.json"
    write_results(results, path)
    return path


def test_the_merged_run_spans_its_shards(tmp_path):
    a = shard(tmp_path, "a", "zeta", started="2026-03-01T02:05:00+00:00", finished="2026-03-01T02:30:00+00:00")
    b = shard(tmp_path, "b", "alpha", "mid", started="2026-03-01T02:01:00+00:00",
              finished="2026-03-01T02:20:00+00:00", partial=True)
    merged, warnings = merge_results([a, b])
    assert warnings == []
    assert [t.id for t in merged.tools] == ["alpha", "mid", "zeta"]
    assert merged.run.started == "2026-03-01T02:01:00+00:00"
    assert merged.run.finished == "2026-03-01T02:30:00+00:00"
    assert merged.run.partial is True
    assert merged.run.note == f"merged from 2 shards: {a}, {b}; partial shards: {b}"
    assert merged.run.host == "runner-a, runner-b" and merged.run.python == "3.11.9"
    assert merged.run.fixtures == {"reference": REFERENCE} and merged.run.harness_version == "0.1.0"


def test_every_partial_shard_is_named(tmp_path):
    a = shard(tmp_path, "a", "one", partial=True)
    b = shard(tmp_path, "b", "two", partial=True)
    merged, _ = merge_results([a, b])
    assert merged.run.note == f"merged from 2 shards: {a}, {b}; partial shards: {a}, {b}"


def test_shards_that_never_finished_merge_to_a_run_without_a_finish_time(tmp_path):
    a = shard(tmp_path, "a", "one", started="2026-03-01T02:05:00+00:00", finished=None, partial=True)
    b = shard(tmp_path, "b", "two", started="2026-03-01T02:01:00+00:00", finished=None, partial=True)
    merged, _ = merge_results([a, b])
    assert (merged.run.started, merged.run.finished) == ("2026-03-01T02:01:00+00:00", None)


def test_times_compare_as_times_not_strings(tmp_path):
    early = shard(tmp_path, "early", "a", started="2026-03-01T03:00:00+02:00", finished="2026-03-01T03:01:00+02:00")
    late = shard(tmp_path, "late", "b", started="2026-03-01T02:00:00+00:00", finished="2026-03-01T02:01:00+00:00")
    merged, _ = merge_results([late, early])
    assert merged.run.started == "2026-03-01T03:00:00+02:00"  # 01:00 UTC
    assert merged.run.finished == "2026-03-01T02:01:00+00:00"


def test_a_time_without_a_zone_is_utc_among_times_with_one(tmp_path):
    naive = shard(tmp_path, "naive", "a", started="2026-03-01T01:30:00", finished="2026-03-01T02:00:00")
    zoned = shard(tmp_path, "zoned", "b", started="2026-03-01T03:00:00+02:00", finished="2026-03-01T03:50:00+02:00")
    merged, _ = merge_results([naive, zoned])
    assert (merged.run.started, merged.run.finished) == ("2026-03-01T03:00:00+02:00", "2026-03-01T02:00:00")


def test_one_shard_merges_to_itself_and_a_file_given_twice_counts_once(tmp_path):
    a = shard(tmp_path, "a", "pydicom", partial=False)
    merged, _ = merge_results([a, a])
    assert [t.id for t in merged.tools] == ["pydicom"] and merged.run.partial is False
    assert merged.run.note == f"merged from 1 shard: {a}"


def test_different_harness_versions_name_the_files_and_the_versions(tmp_path):
    a = shard(tmp_path, "a", "one")
    b = shard(tmp_path, "b", "two", version="0.2.0")
    with pytest.raises(MergeError) as excinfo:
        merge_results([a, b])
    message = str(excinfo.value)
    assert "different harness versions" in message and "\n" not in message
    assert f"0.1.0 in {a}" in message and f"0.2.0 in {b}" in message and "--allow-mixed" in message


def test_disagreements_name_each_value_with_its_files(tmp_path):
    a, b, c = shard(tmp_path, "a", "one"), shard(tmp_path, "b", "two", version="0.2.0"), shard(tmp_path, "c", "three", version="0.2.0")
    with pytest.raises(MergeError) as caught:
        merge_results([a, b, c])
    assert str(caught.value) == (f"shards from different harness versions: 0.1.0 in {a}; 0.2.0 in {b}, {c} "
                                 "(--allow-mixed merges them anyway)")
    d = shard(tmp_path, "d", "four", fixtures={"reference": "cd" * 32})
    with pytest.raises(MergeError) as caught:
        merge_results([a, d])
    assert str(caught.value) == (f"shards with different checksums of fixture set 'reference': {'ab' * 6}… in {a}; "
                                 f"{'cd' * 6}… in {d} (--allow-mixed merges them anyway)")


def test_different_fixture_checksums_name_the_set_and_the_files(tmp_path):
    a = shard(tmp_path, "a", "one")
    b = shard(tmp_path, "b", "two", fixtures={"reference": "cd" * 32})
    with pytest.raises(MergeError, match=r"fixture set 'reference'.*ababababab.*a\.json.*cdcdcdcd.*b\.json"):
        merge_results([a, b])


def test_a_fixture_set_only_one_shard_has_is_no_conflict(tmp_path):
    a = shard(tmp_path, "a", "one")
    b = shard(tmp_path, "b", "two", fixtures={"reference": REFERENCE, "tiny": "ef" * 32})
    merged, warnings = merge_results([a, b])
    assert warnings == [] and merged.run.fixtures == {"reference": REFERENCE, "tiny": "ef" * 32}


def test_allow_mixed_merges_with_a_warning_recorded_in_the_note(tmp_path):
    a = shard(tmp_path, "a", "one", finished="2026-03-01T02:10:00+00:00")
    b = shard(tmp_path, "b", "two", version="0.2.0", fixtures={"reference": "cd" * 32},
              finished="2026-03-01T02:50:00+00:00")
    merged, warnings = merge_results([a, b], allow_mixed=True)
    assert len(warnings) == 2 and "harness versions" in warnings[0] and "fixture set" in warnings[1]
    assert merged.run.harness_version == "0.1.0, 0.2.0"
    assert merged.run.fixtures == {"reference": "cd" * 32}  # the last shard to finish
    assert "warning: shards from different harness versions" in merged.run.note


@pytest.mark.parametrize(
    ("content", "expected"),
    [('{"schema_version": 1, "run": {"started": "2026', "not JSON (truncated?)"),
     ("", "not JSON"),
     ('{"schema_version": 1, "run": {}}', "run.started"),
     ('{"schema_version": 7, "run": {}}', "results schema version 7")],
    ids=["truncated", "empty", "incomplete", "future-schema"],
)
def test_a_bad_shard_is_an_error_naming_the_file(tmp_path, content, expected):
    good = shard(tmp_path, "good", "one")
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(MergeError) as excinfo:
        merge_results([good, bad])
    assert str(excinfo.value).startswith(f"{bad}: ") and expected in str(excinfo.value)


def test_a_missing_shard_is_an_error_naming_the_file(tmp_path):
    with pytest.raises(MergeError, match=r"absent\.json: cannot read"):
        merge_results([tmp_path / "absent.json"])


def test_a_shard_with_an_unreadable_time_is_an_error_naming_the_file(tmp_path):
    path = shard(tmp_path, "odd", "one", started="last tuesday")
    with pytest.raises(MergeError, match=r"odd\.json: run time 'last tuesday' is not an ISO 8601"):
        merge_results([path])


def test_a_tool_in_two_shards_is_an_error_naming_the_tool_and_both_files(tmp_path):
    a = shard(tmp_path, "a", "pydicom", "dcmtk")
    b = shard(tmp_path, "b", "pydicom")
    with pytest.raises(MergeError) as excinfo:
        merge_results([a, b])
    assert str(excinfo.value) == f"tool 'pydicom' is in both {a} and {b}; remove the stale shard"


def test_no_shards_is_an_error():
    with pytest.raises(MergeError) as caught:
        merge_results([])
    assert str(caught.value) == "no shards to merge"


def test_a_catalogue_tool_without_a_shard_keeps_its_row_as_an_error(project):
    write_tool(project, "ran", "exit 0")
    write_tool(project, "vanished", "exit 0")
    (project / "tool_manifests" / "broken.yaml").write_text("id: broken\nname: [unclosed\n")
    only = shard(project, "ran", "ran")
    merged, warnings = merge_results([only], expected=load_catalogue())
    tools = {t.id: t for t in merged.tools}
    assert sorted(tools) == ["broken", "ran", "vanished"]
    assert tools["vanished"].install.status == "error" and tools["vanished"].install.reason == NO_SHARD
    assert tools["vanished"].name == "vanished" and tools["vanished"].backend == "debian"
    assert tools["broken"].install.status == "error"
    assert (tools["broken"].section, tools["broken"].in_source_catalogue, tools["broken"].backend) == (
        "Beyond the source catalogue", False, "?")
    assert merged.run.partial is True
    assert warnings == [f"broken: {NO_SHARD}", f"vanished: {NO_SHARD}"]


def test_a_judged_shard_tool_outside_the_catalogue_cannot_be_judged_again_and_is_refused(project):
    write_tool(project, "listed", GOOD_JSON)
    path = project / "listed.json"
    assert main(["run", "--tool", "listed", "--results", str(path)]) == 0
    (project / "tool_manifests" / "listed.yaml").unlink()
    with pytest.raises(MergeError, match="tool 'listed' has no valid manifest in this checkout"):
        merge_results([path], expected=load_catalogue())


@pytest.mark.parametrize("claim", ["installed", "judged", "verdicts"])
def test_any_claim_of_a_tool_outside_the_catalogue_is_refused(project, claim):
    write_tool(project, "listed", GOOD_JSON)
    path = project / "listed.json"
    assert main(["run", "--tool", "listed", "--results", str(path)]) == 0
    results = read_results(path)
    tool, check = results.tools[0], results.tools[0].checks[0]
    if claim != "installed":
        tool.install = InstallResult(status="skip", reason="offline")
    check.status = "fail" if claim == "judged" else "error"
    if claim != "verdicts":
        check.verdicts = []
    write_results(results, path)
    (project / "tool_manifests" / "listed.yaml").unlink()
    with pytest.raises(MergeError) as caught:
        merge_results([path], expected=load_catalogue())
    assert str(caught.value) == (f"{path}: tool 'listed' has no valid manifest in this checkout, so its results "
                                 "cannot be judged again; merge shards with the checkout that produced them")


def test_merging_judges_against_the_catalogue_it_is_given(project):
    write_tool(project, "listed", GOOD_JSON)
    path = project / "listed.json"
    assert main(["run", "--tool", "listed", "--results", str(path)]) == 0
    assert merge_results([path], catalogue=load_catalogue())[0].tools[0].checks[0].status == "pass"
    with pytest.raises(MergeError, match="tool 'listed' has no valid manifest in this checkout"):
        merge_results([path], catalogue=[])


def test_an_unjudged_row_of_a_tool_outside_the_catalogue_is_kept(project):
    path = shard(project, "old", "retired")
    (project / "tool_manifests" / "retired.yaml").unlink()
    merged, _ = merge_results([path])
    assert [(t.id, t.install.status) for t in merged.tools] == [("retired", "skip")]
