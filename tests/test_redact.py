"""Paths of this machine never reach a committed report, whichever field carries them;
the values the verdicts were judged on stay as the tool reported them."""

from __future__ import annotations

from pathlib import Path

from harness.redact import Redactor, error_summary, head
from harness.results import CheckResult, FindingRef, InstallResult, ToolResult, VerdictRecord

CACHE = Path("/root/.cache/rtcompat")


def tool_with(observed: dict, verdict_keys=("ct.rows",)) -> ToolResult:
    check = CheckResult(id="c", capability="read-ct", status="fail", reason=f"see {CACHE}/envs/x",
                        observed=observed, screenshot_note=f"{CACHE}/shot.png too big",
                        findings=[FindingRef(id="f", evidence=f"at {CACHE}/src/dicompyler--main (7 values)")],
                        verdicts=[VerdictRecord(key=k, passed=False, message=f"{k} not reported") for k in verdict_keys])
    return ToolResult(id="t", name="T", section="s", in_source_catalogue=False, backend="source",
                      install=InstallResult(status="pass"), checks=[check])


def test_every_field_that_is_not_a_judged_value_is_made_portable():
    observed = {"ct.rows": f"{CACHE}/judged", "versions": {"dicompyler_src": f"{CACHE}/src/dicompyler--main/x"},
                "_errors": {"ct": f"{CACHE}/lib/libopencv_java.so: missing"}}
    clean = Redactor(Path("/work/project"), CACHE).tool(tool_with(observed)).checks[0]
    assert clean.observed["ct.rows"] == f"{CACHE}/judged"  # what the verdict was made on
    assert clean.observed["versions"] == {"dicompyler_src": "$RTCOMPAT_CACHE/src/dicompyler--main/x"}
    assert clean.observed["_errors"] == {"ct": "$RTCOMPAT_CACHE/lib/libopencv_java.so: missing"}
    assert clean.reason == "see $RTCOMPAT_CACHE/envs/x"
    assert clean.findings[0].evidence == "at $RTCOMPAT_CACHE/src/dicompyler--main (7 values)"
    assert clean.screenshot_note == "$RTCOMPAT_CACHE/shot.png too big"


def test_outside_a_run_cutting_is_plain_and_an_error_summary_keeps_every_line():
    assert head("abcdef", 4, "...") == "a..." and head("abc", 4) == "abc"
    assert error_summary("first\n\n second") == "first / second"
