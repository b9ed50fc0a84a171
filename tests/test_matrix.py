"""The CI job matrix: one job per manifest, needs from the restrictions and the backend."""

from __future__ import annotations

import json
from pathlib import Path

from standins import write_tool

from harness.catalogue import load_catalogue, manifest_paths
from harness.matrix import NEEDS, job_matrix
from harness.paths import manifests_dir, project_root


def committed_jobs() -> dict[str, dict]:
    directory = manifests_dir(project_root(Path(__file__).parent))
    return {job["tool"]: job for job in job_matrix(load_catalogue(manifest_paths(directory)))["include"]}


def test_every_committed_manifest_gets_one_job_per_version():
    directory = manifests_dir(project_root(Path(__file__).parent))
    single = {p.stem for p in manifest_paths(directory)} - {"itk-snap", "dicompyler"}
    assert sorted(committed_jobs()) == sorted([*single, "itk-snap@3.6.0", "itk-snap@4.2.0",
                                               "dicompyler@0.4.2", "dicompyler@main"])


def test_jobs_say_what_the_runner_must_provide():
    jobs = committed_jobs()
    assert jobs["itk-snap@4.2.0"]["needs_network"] and jobs["itk-snap@4.2.0"]["needs_engine"]
    # Debian 11's build comes from the archive: an engine, no internet
    assert not jobs["itk-snap@3.6.0"]["needs_network"] and jobs["itk-snap@3.6.0"]["needs_engine"]
    assert jobs["dicompyler@main"]["backend"] == "source" and jobs["dicompyler@main"]["needs_root"]
    assert jobs["imagej"]["needs_display"] and jobs["imagej"]["needs_root"]  # apt-get install imagej
    assert jobs["pydicom"] == {"tool": "pydicom", "backend": "virtualenv", "needs_engine": False,
                               "needs_root": False, "needs_display": False, "needs_network": False}
    assert jobs["eclipse-scripting-api"]["backend"] == "unavailable"


def test_every_job_has_the_same_keys_and_the_matrix_is_one_line_of_json():
    matrix = job_matrix(load_catalogue(manifest_paths(manifests_dir(project_root(Path(__file__).parent)))))
    assert {tuple(job) for job in matrix["include"]} == {("tool", "backend", *NEEDS)}
    text = json.dumps(matrix)
    assert "\n" not in text and json.loads(text) == matrix  # what $GITHUB_OUTPUT takes


def test_jobs_come_in_tool_order(project):
    for tool in ("zeta", "alpha", "mid"):
        write_tool(project, tool, "exit 0")
    assert [job["tool"] for job in job_matrix(load_catalogue())["include"]] == ["alpha", "mid", "zeta"]


def test_the_backend_adds_needs_the_manifest_does_not_declare(project):
    write_tool(project, "packaged", "exit 0")  # debian backend: apt-get install needs root
    jobs = {job["tool"]: job for job in job_matrix(load_catalogue())["include"]}
    assert jobs["packaged"]["backend"] == "debian"
    assert jobs["packaged"]["needs_root"] and not jobs["packaged"]["needs_engine"]


def test_an_invalid_manifest_still_gets_a_job_so_its_error_row_appears(project):
    write_tool(project, "fine", "exit 0")
    (project / "tool_manifests" / "broken.yaml").write_text("id: broken\nname: [unclosed\n")
    jobs = {job["tool"]: job for job in job_matrix(load_catalogue())["include"]}
    assert jobs["broken"] == {"tool": "broken", "backend": "invalid", **dict.fromkeys(NEEDS, False)}
    assert "fine" in jobs


def test_an_empty_catalogue_is_an_empty_matrix(project):
    assert job_matrix(load_catalogue()) == {"include": []}
