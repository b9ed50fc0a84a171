"""The status table of ``harness.judging.outcome``, row by row, with and without xfail.

Each row is one thing a check process can do; the table says the status it earns and
the words of its reason. ``error`` is the testbed's and never becomes ``xfail``; a
check marked xfail that passes is a pass (the defect is fixed) and says so.
"""

from __future__ import annotations

import pytest

from harness.judging.judge import Alternative, Quantity
from harness.judging.outcome import conclude
from harness.manifest import Check, Tolerance, XFail
from harness.results import ProcessFacts

TRUTH = {"ct.rows": Quantity("ct.rows", 4, Tolerance(abs=0)),
         "dose.max_gy": Quantity("dose.max_gy", 70.0, Tolerance(rel=0.03), unit="Gy")}
RIGHT = {"ct.rows": 4, "dose.max_gy": 70.5}
WRONG = {"ct.rows": 4, "dose.max_gy": 99.0}
CLEAN = ProcessFacts(returncode=0, stdout_bytes=40)

# what happened: (process facts, observations) -> (status, status when marked xfail, words of the reason)
TABLE = {
    "could not start": (ProcessFacts(launch_error="No such file or directory: 'octave'"), None,
                        "error", "error", "could not start the check: No such file"),
    "timed out": (ProcessFacts(timed_out=True, returncode=-9), None,
                  "fail", "xfail", "timed out after 30 s (process group killed)"),
    "printed nothing": (ProcessFacts(returncode=0), None, "fail", "xfail", "exit code 0 and no output"),
    "testbed incomplete": (CLEAN, {**RIGHT, "_testbed": "the checkout lacks lib/x.so"},
                           "error", "error", "testbed: the checkout lacks lib/x.so"),
    "a quantity wrong": (CLEAN, WRONG, "fail", "xfail", "1 of 2 wrong: dose.max_gy 99 Gy vs 70 Gy (+29 Gy, +41.4 %, tolerance 3 %)"),
    "nothing judged reported": (CLEAN, {"ct.other": 1}, "fail", "xfail", "ct.rows not reported"),
    "right, then crashed": (ProcessFacts(returncode=-11, signal=11, stdout_bytes=40), RIGHT,
                            "fail", "xfail", "2 quantities within tolerance, but the program then crashed (signal 11)"),
    "right, then exit 3": (ProcessFacts(returncode=3, stdout_bytes=40), RIGHT,
                           "fail", "xfail", "but the program then exited with code 3"),
    "right, then a limit": (ProcessFacts(returncode=-9, limit_hit="memory limit 2 GiB", stdout_bytes=40), RIGHT,
                            "fail", "xfail", "but the program was then stopped: memory limit 2 GiB"),
    "all right": (CLEAN, RIGHT, "pass", "pass", "2 quantities within tolerance"),
}


def check(xfail: bool) -> Check:
    return Check(id="read", capability="read-ct", program="p.py", judge=["ct.rows", "dose.max_gy"], timeout=30,
                 fixture="reference", xfail=XFail(reason="reads rows off by one") if xfail else None)


@pytest.mark.parametrize("what", TABLE)
def test_each_row_of_the_table_earns_its_status_and_says_why(what):
    facts, observed, status, _, words = TABLE[what]
    result = conclude(check(False), TRUTH, facts, observed)
    assert result.status == status
    assert words in result.reason


@pytest.mark.parametrize("what", TABLE)
def test_xfail_turns_only_failures_into_known_failures(what):
    facts, observed, _, status_when_known, words = TABLE[what]
    result = conclude(check(True), TRUTH, facts, observed)
    assert result.status == status_when_known
    assert words in result.reason
    if status_when_known == "xfail":
        assert result.reason.startswith("known: reads rows off by one (")
    if status_when_known == "pass":
        assert result.reason.startswith("passed although marked xfail (reads rows off by one); ")


def test_nothing_judged_is_never_a_pass_even_when_nothing_is_missing():
    optional_only = Check(id="read", capability="read-rtdose", program="p.py", judge=["dose.*"],
                          optional=["dose.*"], fixture="reference")
    result = conclude(optional_only, TRUTH, CLEAN, {"ct.rows": 4})
    assert result.status == "fail"
    assert result.reason.startswith("reported none of the judged quantities")


def test_a_result_carries_the_verdicts_it_rests_on_with_observed_and_expected_in_their_places():
    result = conclude(check(False), TRUTH, CLEAN, WRONG)
    verdicts = {v.key: v for v in result.verdicts}
    assert (verdicts["dose.max_gy"].observed, verdicts["dose.max_gy"].expected) == (99.0, 70.0)
    assert [verdicts["ct.rows"].passed, verdicts["dose.max_gy"].passed] == [True, False]
    assert result.expected == {"ct.rows": 4, "dose.max_gy": 70.0}
    assert result.observed == WRONG and result.returncode == 0 and result.process == CLEAN


def test_an_error_row_carries_no_verdicts():
    for facts, observed in ((ProcessFacts(launch_error="x"), RIGHT), (CLEAN, {**RIGHT, "_testbed": "lacks x"})):
        assert conclude(check(True), TRUTH, facts, observed).verdicts == []


def test_a_timeout_names_the_limit_it_hit_and_only_then():
    plain = conclude(check(False), TRUTH, ProcessFacts(timed_out=True), None)
    assert plain.reason.endswith("timed out after 30 s (process group killed)")
    limited = conclude(check(False), TRUTH, ProcessFacts(timed_out=True, limit_hit="pids limit 64"), None)
    assert limited.reason.endswith("(process group killed); pids limit 64")


def test_the_reason_names_three_wrong_quantities_and_counts_the_rest_exactly():
    truth = {f"k{i}": Quantity(f"k{i}", 1, Tolerance(abs=0)) for i in range(5)}
    many = Check(id="read", capability="read-ct", program="p.py", judge=[f"k{i}" for i in range(5)],
                 fixture="reference")
    three = conclude(many, truth, CLEAN, {"k0": 2, "k1": 2, "k2": 2, "k3": 1, "k4": 1})
    assert three.reason.startswith("3 of 5 wrong: ") and "more" not in three.reason
    four = conclude(many, truth, CLEAN, {"k0": 2, "k1": 2, "k2": 2, "k3": 2, "k4": 1})
    assert four.reason.endswith("; and 1 more")


def test_the_tools_own_errors_are_quoted_after_the_reason():
    result = conclude(check(False), TRUTH, CLEAN, {**RIGHT, "_errors": {"dvh.Sphere": "Traceback\nZeroDivisionError"}})
    assert result.status == "pass"
    assert result.reason == "2 quantities within tolerance [tool errors: dvh.Sphere: ZeroDivisionError]"


def test_a_truncated_output_and_the_tools_errors_are_both_noted():
    facts = ProcessFacts(returncode=0, stdout_bytes=4096, output_truncated=True)
    result = conclude(check(False), TRUTH, facts, {**RIGHT, "_errors": {"dvh": "no DVH", "ct": "slow"}})
    assert result.reason == ("2 quantities within tolerance [output truncated at 4096 bytes; "
                             "tool errors: dvh: no DVH; ct: slow]")


def test_a_pass_under_conventions_counts_them_and_names_each_once():
    truth = {key: Quantity(key, 60.0, Tolerance(abs=0.5), "Gy", bin_convention=True)
             for key in ("dvh.A.max_gy", "dvh.B.max_gy")}
    truth["dvh.C.volume_cc"] = Quantity("dvh.C.volume_cc", 10.0, Tolerance(rel=0.01), "cm3",
                                        alternatives=(Alternative("no-end-caps", 9.0, Tolerance(rel=0.01)),))
    truth["ct.rows"] = Quantity("ct.rows", 4, Tolerance(abs=0))
    checked = Check(id="dvh", capability="dvh", program="p.py", judge=["dvh.*", "ct.rows"], fixture="reference",
                    conventions={"no-end-caps": "tool.py: end contours count half"})
    result = conclude(checked, truth, CLEAN, {"dvh.A.max_gy": 60.54, "dvh.B.max_gy": 59.46, "dvh.C.volume_cc": 9.0,
                                              "ct.rows": 4, "dvh.bin_width_gy": 0.1})
    assert (result.status, result.reason, result.conventions) == (
        "pass", "4 quantities within tolerance (3 under convention: histogram-bin, no-end-caps)",
        ["histogram-bin", "no-end-caps"])


def test_a_check_whose_every_judged_quantity_is_optional_and_unreported_fails_keeping_what_it_said():
    optional = Check(id="read", capability="read-ct", program="p.py", judge=["ct.rows"], optional=["ct.*"],
                     fixture="reference")
    result = conclude(optional, TRUTH, CLEAN, {"ct.other": 1})
    assert (result.status, result.reason, result.observed, result.verdicts) == (
        "fail", "reported none of the judged quantities", {"ct.other": 1}, [])


def test_the_tools_errors_are_quoted_three_at_most_each_cut_at_160_characters():
    errors = {"a": "x" * 200, "b": "two", "c": "three", "d": "four"}
    result = conclude(check(False), TRUTH, CLEAN, {**RIGHT, "_errors": errors})
    assert result.reason == f"2 quantities within tolerance [tool errors: a: {'x' * 157}...; b: two; c: three]"


@pytest.mark.parametrize("errors", ["a string", ["a", "list"], {}])
def test_tool_errors_that_are_not_a_mapping_of_stages_add_no_note(errors):
    result = conclude(check(False), TRUTH, CLEAN, {**RIGHT, "_errors": errors})
    assert result.reason == "2 quantities within tolerance"


def test_the_stderr_kept_of_a_process_is_its_last_2000_characters():
    from harness.judging.outcome import facts_of
    from harness.process import Completed

    lines = [f"{i}" * 300 for i in range(8)]
    done = Completed(argv=("tool",), returncode=1, stdout="", stderr="\n".join(lines), duration=0.5)
    assert facts_of(done).stderr_tail == "\n".join(lines)[-2000:]


def test_a_check_without_a_named_set_is_recorded_on_the_reference_set():
    unnamed = Check(id="read", capability="read-ct", program="p.py", judge=["ct.rows"])
    assert conclude(unnamed, TRUTH, CLEAN, {"ct.rows": 4}).fixture == "reference"


def test_the_facts_kept_of_a_process_are_what_it_left_behind():
    from harness.judging.outcome import facts_of
    from harness.process import Completed

    done = Completed(argv=("octave",), returncode=-9, stdout="noise\n" + "x" * 300 + "\n",
                     stderr="\n".join(f"line {i}" for i in range(12)), duration=1.23456, timed_out=True,
                     stdout_bytes=307, output_truncated=True, launch_error="no octave", limit_hit="killed: memory")
    assert facts_of(done) == ProcessFacts(returncode=-9, signal=9, timed_out=True, limit_hit="killed: memory",
                                          launch_error="no octave", output_truncated=True, stdout_bytes=307,
                                          stdout_last_line="x" * 200,
                                          stderr_tail="\n".join(f"line {i}" for i in range(4, 12)), duration=1.235)


OWN_DATA = {  # what happened -> (status, reason) of a check run on own data
    "could not start": ("error", "could not start the check: No such file or directory: 'octave'"),
    "timed out": ("fail", "timed out after 30 s (process group killed)"),
    "printed nothing": ("fail", "exit code 0 and no output"),
    "testbed incomplete": ("error", "testbed: the checkout lacks lib/x.so"),
    "right, then crashed": ("fail", "reported, but the program then crashed (signal 11)"),
    "all right": ("observed", "2 values reported"),
}


@pytest.mark.parametrize("what", OWN_DATA)
def test_on_own_data_the_process_rules_hold_and_a_clean_run_is_observed_not_judged(what):
    from harness.judging.outcome import observe

    facts, observed = TABLE[what][:2]
    result = observe(check(False), facts, observed, program="tool/p.py")
    assert (result.status, result.reason) == OWN_DATA[what]
    assert (result.program, result.fixture, result.process) == ("tool/p.py", "reference", facts)


def test_a_concluded_row_carries_every_field_the_report_shows():
    from harness.results import CheckResult, VerdictRecord

    facts = ProcessFacts(returncode=0, stdout_bytes=40, stderr_tail="a warning", duration=1.5)
    observed = {"ct.rows": 5, "dose.max_gy": 99.0, "_errors": {"dvh": "Traceback\nValueError: boom"}}
    known = check(False).model_copy(update={"xfail": XFail(reason="scaling ignored",
                                                           issue="https://example.org/issues/7")})
    result = conclude(known, TRUTH, facts, observed, tool_id="t", program="t/p.py")
    assert result == CheckResult(
        id="read", capability="read-ct", fixture="reference", status="xfail", program="t/p.py",
        reason=("known: scaling ignored (2 of 2 wrong: ct.rows 5 vs 4 (+1, tolerance 0); dose.max_gy 99 Gy vs 70 Gy "
                "(+29 Gy, +41.4 %, tolerance 3 %) [tool errors: dvh: ValueError: boom])"),
        xfail_issue="https://example.org/issues/7", returncode=0, duration=1.5, stderr_tail="a warning",
        process=facts, observed=observed, expected={"ct.rows": 4, "dose.max_gy": 70.0},
        verdicts=[VerdictRecord(key="ct.rows", passed=False, outcome="fail", observed=5, expected=4, tolerance="0",
                                unit="", margin=None, deviation="+1", message="ct.rows 5 vs 4 (+1, tolerance 0)"),
                  VerdictRecord(key="dose.max_gy", passed=False, outcome="fail", observed=99.0, expected=70.0,
                                tolerance="3 %", unit="Gy", margin=13.809524, deviation="+29 Gy, +41.4 %",
                                message="dose.max_gy 99 Gy vs 70 Gy (+29 Gy, +41.4 %, tolerance 3 %)")])


@pytest.mark.parametrize(("facts", "observed", "status"), [
    (ProcessFacts(returncode=-11, signal=11, stdout_bytes=40), RIGHT, "fail"),
    (CLEAN, {**RIGHT, "_testbed": "lacks " + "x" * 500}, "error"),
])
def test_a_row_decided_by_the_process_keeps_what_the_tool_reported(facts, observed, status):
    from harness.judging.outcome import observe

    for result in (conclude(check(False), TRUTH, facts, observed), observe(check(False), facts, observed)):
        assert (result.status, result.observed) == (status, observed)
        assert len(result.reason) <= len("testbed: ") + 400


def test_a_timed_out_check_carries_the_finding_that_explains_the_hang(monkeypatch):
    from harness.judging import findings

    hang = findings.Declaration(id="modal", title="t", explanation="e", tools=["gui"], keys=["*"],
                                rule="timeout", evidence="no answer in {seconds:g} s")
    monkeypatch.setattr(findings, "declarations", lambda: [hang])
    result = conclude(check(False), TRUTH, ProcessFacts(timed_out=True, returncode=-9), None, tool_id="gui")
    assert [(f.id, f.evidence) for f in result.findings] == [("modal", "no answer in 30 s")]
    assert conclude(check(False), TRUTH, ProcessFacts(timed_out=True, returncode=-9), None, tool_id="cli").findings == []
