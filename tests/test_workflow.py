"""The nightly workflow: valid for GitHub, in step with the matrix, and its flow run locally.

The end-to-end test does what the workflow does, on stand-in tools: compute the
matrix, run each job's tool on its own into a shard (``python -m harness.cli run``,
one process and cache per job, in parallel, as on separate runners), merge the shards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from standins import write_tool

from harness.catalogue import load_catalogue
from harness.matrix import NEEDS, job_matrix
from harness.merge import merge_results
from harness.results import read_results, write_results

# These tests start the harness as a separate process.
pytestmark = pytest.mark.harness_subprocess

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "nightly.yml"
GOOD_JSON = 'echo \'{"ct.rows": 4, "dose.max_gy": 70.5}\''
WRONG_JSON = 'echo \'{"ct.rows": 4, "dose.max_gy": 99}\''


def workflow() -> dict:
    return YAML(typ="safe").load(WORKFLOW.read_text())


def steps_text(job: dict) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


def test_the_workflow_validates_against_the_github_workflow_schema():
    checker = shutil.which("check-jsonschema")
    if checker is None:
        pytest.skip("check-jsonschema is not installed (pip install -e .[test])")
    done = subprocess.run([checker, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_it_runs_nightly_and_on_demand():
    triggers = workflow()["on"]
    assert set(triggers) == {"schedule", "workflow_dispatch"} and triggers["schedule"][0]["cron"]


def test_the_tool_jobs_come_from_the_matrix_job_and_do_not_stop_each_other():
    jobs = workflow()["jobs"]
    assert "rtcompat matrix" in steps_text(jobs["matrix"])
    assert jobs["matrix"]["outputs"]["matrix"] == "${{ steps.matrix.outputs.matrix }}"
    strategy = jobs["tool"]["strategy"]
    assert strategy["matrix"] == "${{ fromJSON(needs.matrix.outputs.matrix) }}"
    assert strategy["fail-fast"] is False
    run = steps_text(jobs["tool"])
    assert 'rtcompat run --allow-apt --tool "$TOOL" --results "shards/$TOOL.json"' in run
    assert jobs["tool"]["env"]["TOOL"] == "${{ matrix.tool }}"


def test_the_report_job_merges_whatever_shards_there_are():
    report = workflow()["jobs"]["report"]
    assert "tool" in report["needs"] and "always()" in report["if"]
    run = steps_text(report)
    assert "rtcompat merge shards/*.json" in run and "--output results/merged.json" in run
    assert "rtcompat report --results results/merged.json" in run


def test_every_matrix_key_the_workflow_reads_is_one_the_matrix_writes():
    read = set(re.findall(r"(?<![\w.])matrix\.(\w+)", WORKFLOW.read_text()))  # not needs.matrix.result
    written = {"tool", "backend", *NEEDS}
    assert read and read <= written, f"the workflow reads {sorted(read - written)}, which rtcompat matrix never writes"


def test_every_action_is_an_official_one_pinned_to_a_major_version():
    uses = [step["uses"] for job in workflow()["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses
    for action in uses:
        assert re.fullmatch(r"actions/[a-z-]+@v\d+", action), action


def test_every_rtcompat_command_the_workflow_runs_exists():
    from harness.cli import build_parser

    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    used = set(re.findall(r"rtcompat (\w+)", WORKFLOW.read_text()))
    assert used <= set(subparsers.choices), f"not in harness/cli.py: {sorted(used - set(subparsers.choices))}"


def run_job(project: Path, tool: str) -> subprocess.Popen:
    """One tool job: its own process and cache, writing shards/TOOL.json."""
    env = {**os.environ, "RTCOMPAT_CACHE": str(project / "cache" / tool)}
    return subprocess.Popen([sys.executable, "-m", "harness.cli", "run", "--tool", tool, "--results",
                             f"shards/{tool}.json"], cwd=project, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_the_nightly_flow_end_to_end_on_stand_in_tools(project):
    write_tool(project, "correct", GOOD_JSON)
    write_tool(project, "wrong", WRONG_JSON)
    write_tool(project, "closed", GOOD_JSON)
    closed = project / "tool_manifests" / "closed.yaml"
    closed.write_text(closed.read_text().replace("  backend: debian\n  packages: [coreutils]\n",
                                                 "  backend: unavailable\n  reason: needs Windows\n"))
    (project / "tool_manifests" / "broken.yaml").write_text("id: broken\nname: [unclosed\n")

    jobs = job_matrix(load_catalogue())["include"]
    assert [job["tool"] for job in jobs] == ["broken", "closed", "correct", "wrong"]
    runs = {job["tool"]: run_job(project, job["tool"]) for job in jobs}  # in parallel, as on separate runners
    for tool, process in runs.items():
        out, err = process.communicate(timeout=300)
        # the invalid manifest's job goes red (its shard is still written and merged)
        assert process.returncode == (1 if tool == "broken" else 0), f"{tool}: {out[-2000:]}{err[-2000:]}"

    shards = sorted((project / "shards").glob("*.json"))
    merged, warnings = merge_results(shards, expected=load_catalogue())
    assert warnings == []
    write_results(merged, project / "results" / "merged.json")
    merged = read_results(project / "results" / "merged.json")

    tools = {tool.id: tool for tool in merged.tools}
    assert list(tools) == ["broken", "closed", "correct", "wrong"]
    assert tools["broken"].install.status == "error" and "invalid manifest" in tools["broken"].install.reason
    assert tools["closed"].install.status == "unavailable" and tools["closed"].checks[0].status == "unavailable"
    assert tools["correct"].install.status == "pass" and tools["correct"].checks[0].status == "pass"
    assert tools["wrong"].checks[0].status == "fail" and "dose.max_gy 99 Gy" in tools["wrong"].checks[0].reason
    # the broken manifest's row has no checks, yet the reader sees its error: it is counted
    assert merged.counts() == {"pass": 1, "fail": 1, "error": 1, "skip": 0, "unavailable": 1, "xfail": 0}
    assert merged.run.partial is False and set(merged.run.fixtures) == {"tiny"}
    assert all(str(path) in merged.run.note for path in shards)


def test_the_tool_jobs_run_in_the_debian_release_of_a_local_run_with_environments_cached_by_definition():
    tool_job = workflow()["jobs"]["tool"]
    assert tool_job["container"]["image"] == "debian:12"
    cache = next(step for step in tool_job["steps"] if str(step.get("uses", "")).startswith("actions/cache@"))
    assert "hashFiles(" in cache["with"]["key"] and "matrix.tool" in cache["with"]["key"]
    assert "sudo" not in steps_text(tool_job)  # root in the container


def test_a_night_commits_only_its_history_record_and_results_index_and_publishes_the_site():
    jobs = workflow()["jobs"]
    run = steps_text(jobs["report"])
    assert "git add reports/history reports/nightly.json" in run and "git add reports/\n" not in run
    uses = [str(step.get("uses", "")) for step in jobs["report"]["steps"] + jobs["pages"]["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
