"""Screenshots of GUI tools: kept small in the results, shown by the report, never trusted.

A stand-in check saves ``screenshot.png`` in its output directory the way the ImageJ,
ITK-SNAP and dicompyler checks do; the file is the tool's output, so a link, a fake PNG
or a giant image is a note on the row and never changes its verdict.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
from pathlib import Path

import pytest
from PIL import Image
from report_pages import everything
from standins import fixture_set, write_manifest, write_python_tool

from harness.catalogue import load_catalogue
from harness.cli import main
from harness.merge import merge_results
from harness.report.render import render_reports
from harness.results import read_results
from harness.screenshots import MAX_WIDTH, ScreenshotError, scaled
from harness.single import tool_run

SAVE = """\
import json, shutil, sys
from pathlib import Path
output, pictures = Path(sys.argv[2]), Path({pictures!r})
{save}
print(json.dumps({{"ct.rows": 4, "dose.max_gy": {dose}}}))
"""
PICTURE = "shutil.copy(pictures / 'red.png', output / 'screenshot.png')"


def run_tool(project: Path, save: str, dose: float = 70.5) -> dict:
    """The stand-in GUI tool's check row; its program copies pictures the test drew."""
    pictures = project / "pictures"
    pictures.mkdir(exist_ok=True)
    Image.new("RGB", (1280, 1024), (200, 30, 30)).save(pictures / "red.png")
    Image.new("1", (9000, 9000)).save(pictures / "giant.png")
    write_python_tool(project, "gui", SAVE.format(save=save, dose=dose, pictures=str(pictures)))
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "gui"]) == 0
    return json.loads(results.read_text())["tools"][0]["checks"][0]


def test_a_saved_screenshot_is_kept_scaled_down_with_the_verdict_unchanged(project):
    check = run_tool(project, PICTURE)
    assert check["status"] == "pass"
    shot = check["screenshot"]
    assert (shot["width"], shot["height"], shot["original"]) == (MAX_WIDTH, 512, [1280, 1024])
    with Image.open(io.BytesIO(base64.b64decode(shot["png_base64"]))) as image:
        assert image.format == "PNG" and image.getpixel((10, 10)) == (200, 30, 30)


def test_a_check_that_saves_nothing_has_no_screenshot_and_no_note(project):
    check = run_tool(project, "pass")
    assert check["screenshot"] is None and check["screenshot_note"] is None


@pytest.mark.parametrize(("save", "note"), [
    ("(output / 'screenshot.png').symlink_to('/etc/passwd')", "not a regular file"),
    ("(output / 'screenshot.png').write_text('GIF89a not a png')", "not a PNG file"),
    ("(output / 'screenshot.png').write_bytes(b'\\x89PNG\\r\\n\\x1a\\n' + b'\\0' * 64)", "unreadable PNG"),
    ("shutil.copy(pictures / 'giant.png', output / 'screenshot.png')", "more than a screen"),
    ("(output / 'screenshot.png').mkdir()", "not a regular file"),
], ids=["symlink", "not-png", "truncated", "giant", "directory"])
def test_a_screenshot_that_cannot_be_kept_is_a_note_not_a_verdict(project, save, note):
    check = run_tool(project, save)
    assert check["status"] == "pass"
    assert check["screenshot"] is None
    assert note in check["screenshot_note"]


def test_the_report_shows_a_thumbnail_and_links_the_screenshot(project):
    run_tool(project, PICTURE, dose=99)  # a FAIL: what the tool showed is its evidence
    results = read_results(project / "results.json")
    report = project / "reports"
    render_reports(results, report, history=False)
    (png,) = (report / "screenshots").iterdir()
    with Image.open(png) as image:
        assert image.size == (MAX_WIDTH, 512)
    html = everything(report, "html")
    assert f'href="../screenshots/{png.name}"' in html and 'src="data:image/jpeg;base64,' in html
    # the thumbnail keeps the one-file page light: a few kB, not the screenshot
    thumbnail = html.split('src="data:image/jpeg;base64,')[1].split('"')[0]
    assert len(thumbnail) < 20_000
    assert f"(../screenshots/{png.name})" in everything(report)


def test_a_report_rendered_again_keeps_no_stale_screenshot_or_badge(project):
    """Screenshots, plots and badges are drawn wholly from the results: a check that no
    longer saves one, or a tool gone, leaves nothing behind (the history stays)."""
    run_tool(project, PICTURE, dose=99)
    report = project / "reports"
    render_reports(read_results(project / "results.json"), report)
    assert len(list((report / "screenshots").iterdir())) == 1
    run_tool(project, "pass")  # the same tool, now saving no screenshot
    render_reports(read_results(project / "results.json"), report)
    assert not (report / "screenshots").exists() or not list((report / "screenshots").iterdir())
    assert [p.name for p in (report / "badges").iterdir()] == ["gui.svg"]
    assert len(list((report / "history").iterdir())) == 2


def test_a_merged_shard_keeps_its_screenshot(project):
    run_tool(project, PICTURE)
    merged, _ = merge_results([project / "results.json"], catalogue=load_catalogue(),
                              fixtures_root=project / "fixtures" / "dicom")
    assert merged.tools[0].checks[0].screenshot is not None


def test_scaling_refuses_what_is_not_a_png():
    with pytest.raises(ScreenshotError, match="not a PNG"):
        scaled(b"\xff\xd8\xff\xe0 a jpeg")


def test_a_run_on_own_data_never_keeps_a_screenshot(project, tmp_path):
    """A GUI tool's screenshot of a patient's export shows the patient: it cannot be
    de-identified, so an observe-only run (own data) drops it."""
    run_tool(project, PICTURE)
    for observe_only, kept in ((False, True), (True, False)):
        run = dataclasses.replace(tool_run("gui", False, tmp_path / f"run-{observe_only}"), observe_only=observe_only)
        result = run.run_check(run.manifest.checks[0])
        assert result.status == ("observed" if observe_only else "pass")
        assert (result.screenshot is not None) == kept


def test_a_16_bit_png_is_stretched_over_its_range_not_clipped_to_white():
    """A tool that saves its data instead of its screen (a 16-bit CT slice, values up to
    2024) still gives a picture: its range mapped to 0-255."""
    image = Image.new("I;16", (40, 20))
    image.paste(2024, (20, 0, 40, 20))  # left half 0, right half 2024
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    record = scaled(buffer.getvalue())
    with Image.open(io.BytesIO(base64.b64decode(record.png_base64))) as kept:
        assert (kept.getpixel((5, 5)), kept.getpixel((35, 5))) == ((0, 0, 0), (255, 255, 255))


def test_checks_judged_from_one_program_run_carry_its_screenshot_once(project):
    """Two capabilities read from one run of a GUI program saw one screen: one copy."""
    pictures = project / "pictures"
    pictures.mkdir()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(pictures / "small.png")
    program = project / "tool_manifests" / "twice" / "checks" / "both.py"
    program.parent.mkdir(parents=True)
    program.write_text(SAVE.format(save="shutil.copy(pictures / 'small.png', output / 'screenshot.png')", dose=70.5,
                                   pictures=str(pictures)))
    write_manifest(project, "twice", """\
        - {id: rows, capability: read-ct, program: checks/both.py, fixture: tiny, judge: [ct.rows]}
        - {id: dose, capability: read-rtdose, program: checks/both.py, fixture: tiny, judge: [dose.max_gy]}
        """)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "twice"]) == 0
    checks = json.loads(results.read_text())["tools"][0]["checks"]
    assert [c["status"] for c in checks] == ["pass", "pass"]
    assert [c["screenshot"] is not None for c in checks] == [True, False]


def test_a_pass_on_a_variant_set_keeps_no_screenshot_the_reference_row_does(project):
    fixture_set(project, "reference", {"ct.rows": 4})
    fixture_set(project, "no-plan", {"ct.rows": 4}, probes=["read-ct"])
    pictures = project / "pictures"
    pictures.mkdir()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(pictures / "red.png")
    checks = project / "tool_manifests" / "sets" / "checks"
    checks.mkdir(parents=True)
    (checks / "read.py").write_text(
        "import json, shutil, sys\nfrom pathlib import Path\n"
        f"shutil.copy(Path({str(pictures)!r}) / 'red.png', Path(sys.argv[2]) / 'screenshot.png')\n"
        "print(json.dumps({'ct.rows': 4}))\n")
    write_manifest(project, "sets", """\
        - id: read-ct
          capability: read-ct
          program: checks/read.py
          judge: [ct.rows]
        - id: pinned
          capability: read-rtdose
          program: checks/read.py
          fixture: tiny
          judge: [ct.rows]
        """)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "sets"]) == 0
    rows = {(c["id"], c["fixture"]): c for c in json.loads(results.read_text())["tools"][0]["checks"]}
    assert {key: row["status"] for key, row in rows.items()} == {
        ("read-ct", "reference"): "pass", ("read-ct", "no-plan"): "pass", ("pinned", "tiny"): "pass"}
    assert rows[("read-ct", "reference")]["screenshot"] is not None
    assert rows[("pinned", "tiny")]["screenshot"] is not None
    assert rows[("read-ct", "no-plan")]["screenshot"] is None
