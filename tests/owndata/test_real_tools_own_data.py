"""Real tools on a committed variant set fed in as foreign data, its truth hidden: what
the own-data judging concludes must agree with the truth it never saw.

The export carries DVHs built from the analytic curves (the "planning system's"), new
UIDs and a patient's identity. Every vendor value must lie within the truth's tolerance,
every consensus too, and every tool named an outlier must really be wrong by the truth.
Marked ``catalogue``: it installs and runs real tools (cached after the first run).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from export import make_export

from harness.cli import main
from harness.judging.judge import compare, load_truth

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.catalogue
TOOLS = ("pydicom", "dicompyler-core", "simpleitk", "plastimatch", "pycerr", "octave-dicom")
#: A head-first prone and a feet-first supine set, where the tools part ways; every
#: committed set with RTCOMPAT_OWN_DATA_SETS=all (about 15 s a set).
VARIANTS = (sorted(p.name for p in (ROOT / "fixtures" / "dicom").iterdir() if (p / "truth.json").is_file())
            if os.environ.get("RTCOMPAT_OWN_DATA_SETS") == "all" else ("position-hfp", "position-ffs"))
#: What the export rewrote (a plan label with the patient's name): not the truth's values any more.
REWRITTEN = ("plan.label", "rtstruct.label")


def hidden_truth(variant: str):
    truth = load_truth(ROOT / "fixtures" / "dicom" / variant)
    return {k: q for k, q in truth.items() if k not in REWRITTEN}


def against_truth(truth, key: str, value):
    """The truth's verdict; ROI names are compared as a set (the own-data report sorts them)."""
    quantity = truth[key]
    if key == "rtstruct.roi_names" and isinstance(value, list):
        return compare(key, sorted(value), replace(quantity, value=sorted(quantity.value)), quantity.tolerance)
    verdict = compare(key, value, quantity, quantity.tolerance)
    # a consensus of tools that follow a named convention (a reoriented volume's origin)
    # agrees with the truth under it; the tools' declarations are not part of own data
    for alternative in () if verdict.passed else quantity.alternatives:
        other = compare(key, value, replace(quantity, value=alternative.value, alternatives=()), alternative.tolerance)
        if other.passed:
            return other
    return verdict


@pytest.fixture(scope="module", params=VARIANTS)
def judged(request, tmp_path_factory) -> tuple[str, dict]:
    root = tmp_path_factory.mktemp("foreign")
    make_export(request.param, root / "data")
    args = ["run", "--data", str(root / "data"), "--output", str(root / "out"), "--keep-roi-names"]
    for tool in TOOLS:
        args += ["--tool", tool]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RTCOMPAT_ROOT", str(ROOT))
        assert main(args) == 0
    sets = json.loads((root / "out" / "own-data.json").read_text())["sets"]
    # The truth describes the plan's dose: a set per beam dose (dose-summation-beam) is another question.
    (own_set,) = [s for s in sets if "(PLAN" in s["description"]] if len(sets) > 1 else sets
    return request.param, own_set


def test_each_vendor_value_lies_within_the_hidden_truth(judged):
    variant, judged = judged
    truth = hidden_truth(variant)
    compared = [against_truth(truth, v["key"], v["value"]) for v in judged["vendor"] if v["key"] in truth]
    assert [v.message for v in compared if not v.passed] == []


def test_each_consensus_lies_within_the_hidden_truth(judged):
    variant, judged = judged
    truth = hidden_truth(variant)
    formed = [c for c in judged["consensus"] if c["formed"] and c["key"] in truth]
    wrong = [against_truth(truth, c["key"], c["value"]) for c in formed]
    assert len(formed) >= 10 and [v.message for v in wrong if not v.passed] == []


def test_a_tool_the_judging_blames_is_wrong_by_the_hidden_truth(judged):
    variant, judged = judged
    truth = hidden_truth(variant)
    blamed = [(c["tool"], v) for c in judged["checks"] for v in c["verdicts"] if not v["passed"] and v["key"] in truth]
    innocent = [f"{tool}: {v['message']} [{v['source']}]" for tool, v in blamed
                if against_truth(truth, v["key"], v["observed"]).passed]
    assert innocent == []
