"""The published results: a small index and one detail file per tool row, read back whole,
and refused with the file's name when a part is missing, changed or points elsewhere."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image

from harness.results import (
    CheckResult,
    InstallResult,
    Results,
    ResultsError,
    RunInfo,
    ScreenshotRecord,
    ToolResult,
    VerdictRecord,
    read_results,
)
from harness.split_results import write_split


def _png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (1, 2, 3)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def results() -> Results:
    verdict = VerdictRecord(key="dose.max_gy", passed=False, outcome="fail", observed=1.0, expected=2.0, message="m")
    checks = [CheckResult(id="read-rtdose", capability="read-rtdose", status="fail", reason="r", verdicts=[verdict],
                          observed={"dose.max_gy": 1.0}, stderr_tail="x" * 100,
                          screenshot=ScreenshotRecord(png_base64=_png(), width=8, height=6)),
              CheckResult(id="read-ct", capability="read-ct", status="pass", reason="", fixture="ct-big-endian")]
    tools = [ToolResult(id="pyrt", name="PyRT", section="s", in_source_catalogue=True, backend="virtualenv",
                        version="1.0", install=InstallResult(status="pass"), checks=checks),
             ToolResult(id="itk-snap", variant="3.6.0", name="ITK-SNAP", section="s", in_source_catalogue=True,
                        backend="debian", install=InstallResult(status="skip", reason="no root"))]
    run = RunInfo(started="2026-01-01T00:00:00+00:00", host="h", platform="Linux", python="3.11",
                  harness_version="0.1.0", fixtures={"reference": "ab" * 32})
    return Results(run=run, tools=tools)


def test_the_index_and_its_details_read_back_as_the_same_results(tmp_path):
    write_split(results(), tmp_path)
    assert read_results(tmp_path / "results.json") == results()


def test_the_index_keeps_statuses_and_leaves_observations_verdicts_and_screenshots_to_the_details(tmp_path):
    write_split(results(), tmp_path)
    index = json.loads((tmp_path / "results.json").read_text())
    assert index["layout"] == "split"
    assert index["tools"][0]["checks"] == [
        {"id": "read-rtdose", "fixture": "reference", "capability": "read-rtdose", "status": "fail"},
        {"id": "read-ct", "fixture": "ct-big-endian", "capability": "read-ct", "status": "pass"}]
    text = (tmp_path / "results.json").read_text()
    assert "verdicts" not in text and "png_base64" not in text and "stderr_tail" not in text
    detail = (tmp_path / index["tools"][0]["detail"]).read_text()
    assert "png_base64" not in detail
    assert len(detail.splitlines()) == 2 + 2 + 1  # the row, the list's opening, one line per check, its end
    (shot,) = (tmp_path / "screenshots").iterdir()
    assert shot.read_bytes().startswith(b"\x89PNG") and f'"file":"screenshots/{shot.name}"' in detail


def test_a_changed_detail_file_is_refused_naming_it(tmp_path):
    write_split(results(), tmp_path)
    detail = tmp_path / "tools" / "pyrt.json"
    detail.write_text(detail.read_text().replace('"fail"', '"pass"'))
    with pytest.raises(ResultsError, match=r"tools/pyrt\.json: does not match the sha256"):
        read_results(tmp_path / "results.json")


def test_a_missing_detail_file_or_screenshot_is_refused_naming_it(tmp_path):
    write_split(results(), tmp_path)
    (shot,) = (tmp_path / "screenshots").iterdir()
    shot.unlink()
    with pytest.raises(ResultsError, match=f"{shot.name}: cannot read the screenshot"):
        read_results(tmp_path / "results.json")
    (tmp_path / "tools" / "pyrt.json").unlink()
    with pytest.raises(ResultsError, match=r"tools/pyrt\.json: cannot read"):
        read_results(tmp_path / "results.json")


def test_a_detail_named_outside_the_report_is_refused(tmp_path):
    write_split(results(), tmp_path)
    index = json.loads((tmp_path / "results.json").read_text())
    index["tools"][0]["detail"] = "../../etc/passwd"
    (tmp_path / "results.json").write_text(json.dumps(index))
    with pytest.raises(ResultsError, match="points outside"):
        read_results(tmp_path / "results.json")
