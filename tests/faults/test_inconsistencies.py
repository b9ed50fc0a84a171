"""Crashes and inconsistencies a hostile tester found: each now a clear outcome.

A report is all new or all old; odd observation keys and tool ids cannot crash it; two
reports at once do not mix; history files of different runs never collide; published
files are readable; settings and manifest values that make no sense are refused with
one line; ids that clash by case or extension are refused; apt waits for its lock.
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from faultkit import GOOD_JSON, harness_process, make_wheel, write_virtualenv_tool
from harness import apt
from harness.catalogue import load_catalogue
from harness.cli import main
from harness.history import RunRecord
from harness.matrix import job_matrix
from harness.report import render as render_module
from harness.report.render import when
from harness.results import read_results, write_results
from standins import write_tool


@pytest.fixture
def ran(project):
    write_tool(project, "one", GOOD_JSON)
    assert main(["run", "--results", str(project / "results.json")]) == 0
    return project


def _files(directory):
    return {p.relative_to(directory): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def test_an_absurd_observation_key_and_a_huge_tool_id_render(ran):
    results = read_results(ran / "results.json")
    results.tools[0].checks[0].observed["dvh.Sphere.V" + "9" * 400 + "gy_pct"] = 50.0
    results.tools[0].checks[0].observed["dvh.Sphere.curve"] = [[10 ** 400, 50.0], [1, 2]]
    results.tools[0].checks[0].capability = "dvh"
    results.tools[0].id = "t" * 245
    write_results(results, ran / "odd.json")
    assert main(["report", "--results", str(ran / "odd.json")]) == 0
    badges = list((ran / "reports" / "badges").iterdir())
    assert len(badges) == 1 and len(badges[0].name) < 100


def test_a_report_that_fails_half_way_leaves_the_old_one_whole(ran, monkeypatch):
    assert main(["report", "--results", str(ran / "results.json")]) == 0
    old = _files(ran / "reports")
    newer = read_results(ran / "results.json")
    newer.run.started = "2027-03-03T03:03:03+00:00"  # every page would say so

    def broken(*args, **kwargs):
        raise RuntimeError("a bug while writing badges")

    monkeypatch.setattr(render_module, "badge_svg", broken)
    with pytest.raises(RuntimeError):
        render_module.render_reports(newer, ran / "reports")
    assert _files(ran / "reports") == old
    assert not list(ran.glob(".reports.staging-*"))


@pytest.mark.harness_subprocess
def test_two_reports_at_once_never_mix_their_files(ran):
    for index in range(12):
        write_tool(ran, f"more-{index:02d}", GOOD_JSON)
    assert main(["run", "--results", str(ran / "a.json")]) == 0
    data = json.loads((ran / "a.json").read_text())
    data["run"]["started"] = "2027-02-02T02:02:02+00:00"
    (ran / "b.json").write_text(json.dumps(data))
    for _round in range(4):
        procs = [harness_process(ran, "report", "--results", str(ran / name)) for name in ("a.json", "b.json")]
        for proc in procs:
            output, _ = proc.communicate(timeout=300)
            assert proc.returncode == 0, output[-2000:]
        started = when(json.loads((ran / "reports" / "results.json").read_text())["run"]["started"])
        assert f"Run {started} on" in (ran / "reports" / "compatibility.md").read_text()
        assert f"Run {started} on" in (ran / "reports" / "index.html").read_text()


def test_runs_of_two_hosts_in_the_same_second_keep_two_history_files():
    one = RunRecord(started="2026-11-01T00:00:00+00:00", host="ci runner", harness_version="1")
    two = RunRecord(started="2026-11-01T00:00:00+00:00", host="ci-runner", harness_version="1")
    assert one.filename != two.filename


def test_published_files_are_readable_whatever_mkstemp_does(ran):
    old = os.umask(0o022)
    try:
        assert main(["report", "--results", str(ran / "results.json")]) == 0
    finally:
        os.umask(old)
    for path in [ran / "results.json", *(ran / "reports").rglob("*")]:
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044, path


def test_a_relative_cache_directory_works(project, monkeypatch, tmp_path_factory):
    """Checks run in their own directory: a cache given as a relative path must still
    lead to the environment's interpreter."""
    write_virtualenv_tool(project, "pyreader", str(make_wheel(tmp_path_factory.mktemp("wheel"))))
    monkeypatch.chdir(project)
    monkeypatch.setenv("RTCOMPAT_CACHE", "relative-cache")
    assert main(["run", "--results", str(project / "results.json")]) == 0
    (tool,) = json.loads((project / "results.json").read_text())["tools"]
    assert tool["checks"][0]["status"] == "pass", tool["checks"][0]["reason"]


@pytest.mark.parametrize(("line", "key"), [
    ("    timeout: 1e-300\n", "checks.0.timeout: Input should be greater than or equal to 1"),
    ("    timeout: true\n", "checks.0.timeout: Value error, must be a number, not True"),
    ("    program: !!binary aGVsbG8=\n", "checks.0.program: Input should be a valid string"),
], ids=["tiny-timeout", "boolean-timeout", "binary-program"])
def test_manifest_values_that_make_no_sense_are_refused(project, capsys, line, key):
    manifest = write_tool(project, "odd", GOOD_JSON)
    text = manifest.read_text()
    field = line.split(":")[0]
    text = "\n".join(l for l in text.splitlines() if not l.startswith(field + ":")) + "\n" + line
    manifest.write_text(text)
    assert main(["validate", str(manifest)]) == 1
    assert key in capsys.readouterr().out


def test_a_report_directory_that_cannot_be_written_is_one_line(ran, capsys):
    (ran / "reports").write_text("a file where the directory should be")
    assert main(["report", "--results", str(ran / "results.json")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rtcompat: error: cannot write the report into") and err.count("\n") == 1


def test_a_results_path_that_is_no_file_is_one_line(project, capsys):
    assert main(["report", "--results", "/dev/zero"]) == 1
    assert "/dev/zero: not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize("names", [("good.yaml", "Good.yaml"), ("x.yaml", "x.yml")])
def test_ids_that_clash_by_case_or_extension_are_both_refused_and_get_one_job(project, names):
    for name in names:
        (project / "tool_manifests" / name).write_text(
            write_tool(project, "template", GOOD_JSON).read_text().replace("id: template", f"id: {name.split('.')[0]}"))
    (project / "tool_manifests" / "template.yaml").unlink()
    entries = load_catalogue()
    assert all(entry.manifest is None for entry in entries)
    assert all("name the same tool id" in str(entry.problems[0]) for entry in entries)
    assert len(job_matrix(entries)["include"]) == 1


@pytest.mark.parametrize("names", [("dup.yaml", "dup.yml"), ("dup.yaml", "Dup.yaml")])
def test_validate_refuses_two_files_that_define_the_same_tool(project, names, capsys):
    for name in names:
        (project / "tool_manifests" / name).write_text(
            write_tool(project, "template", GOOD_JSON).read_text().replace("id: template", f"id: {name.split('.')[0]}"))
    (project / "tool_manifests" / "template.yaml").unlink()
    capsys.readouterr()
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert out.count("name the same tool id") == 2 and out.splitlines()[-1] == "0 valid, 2 invalid"


def test_apt_waits_for_another_clients_lock(monkeypatch):
    """Unattended upgrades or a second run holding the dpkg lock: apt-get waits for it."""
    from types import SimpleNamespace

    calls = []
    first_try = {"done": False}

    def fake_run(argv, **kwargs):
        calls.append(argv)
        failed = "install" in argv and not first_try["done"]
        first_try["done"] = first_try["done"] or "install" in argv
        return SimpleNamespace(returncode=1 if failed else 0, timed_out=False, tail=lambda lines=3: "")

    states = iter([["x"], []])
    monkeypatch.setattr(apt, "missing", lambda packages: next(states))
    monkeypatch.setattr(apt, "run_bounded", fake_run)
    apt.ensure(["x"], SimpleNamespace(apt_get=True, is_root=True), allow_apt=True)
    assert [argv[argv.index("-o") + 1] for argv in calls] == ["DPkg::Lock::Timeout=600"] * 3
    assert [argv[3] for argv in calls] == ["install", "update", "install"]
