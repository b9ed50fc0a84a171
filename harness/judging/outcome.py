"""From what a check process did and printed to the check's status: one rule table.

The same function decides a status during a run and when ``rtcompat merge`` judges a
CI shard again, so a shard cannot claim a status its own observations contradict.

The rules, in order (the first that applies decides):

=========================================  ========  ====================================
what happened                              status    why
=========================================  ========  ====================================
the program could not be started           error     our testbed's fault, not the tool's
it died in its own code (Python traceback  error     the check program's mistake, not the
whose innermost frame is the program)                tool's: never blamed on the tool
it timed out                               fail      the tool hung (xfail if known)
it printed no JSON observations            fail      crash, garbage, silence (xfail if known)
it says the testbed lacks something        error     ``_testbed``: a file the checkout should hold
it misnamed a judged key (``dose.max_cgy``  error     the check program's typo, with a
for ``dose.max_gy``)                                 did-you-mean
a judged quantity is wrong or missing      fail      xfail if the check is marked known
nothing judged was reported                fail      a pass must rest on something
it printed, then crashed or exited non-0   fail      a crash is a failure, whatever it printed
every judged quantity is right             pass      also when marked xfail (it is fixed)
=========================================  ========  ====================================

``error`` is never turned into ``xfail``: a known defect of the tool says nothing about
a broken testbed.
"""

from __future__ import annotations

import math
import re
from pathlib import PurePosixPath
from typing import Any

from harness.judging.findings import explain, explain_timeout
from harness.judging.judge import ERRORS_KEY, Quantity, Verdict, judge, judged_keys
from harness.manifest import Check
from harness.process import Completed
from harness.redact import error_summary, head, tail
from harness.results import CheckResult, ProcessFacts, VerdictRecord

#: The observation a check program sets when the testbed, not the tool, stops it.
TESTBED_KEY = "_testbed"
#: How many wrong verdicts the reason line names before "and N more".
SHOWN_IN_REASON = 3


def facts_of(done: Completed) -> ProcessFacts:
    """What judging needs to remember of a finished process."""
    last = done.tail("stdout", 1)
    return ProcessFacts(returncode=done.returncode, signal=done.signalled, timed_out=done.timed_out,
                        limit_hit=done.limit_hit, launch_error=done.launch_error,
                        output_truncated=done.output_truncated, stdout_bytes=done.stdout_bytes,
                        stdout_last_line=head(last, 200), stderr_tail=tail(done.tail("stderr", lines=8), 2000),
                        duration=round(done.duration, 3), peak_memory_bytes=done.peak_memory_bytes)


def conclude(check: Check, truth: dict[str, Quantity], facts: ProcessFacts,
             observed: dict[str, Any] | None, tool_id: str = "", program: str | None = None) -> CheckResult:
    """The check's result from the process facts and its observations (None: none printed)."""
    common = {**_common(check, facts, program), "expected": _expected(check, truth)}
    if (decided := _process_outcome(check, facts, observed, common, tool_id)) is not None:
        return decided
    assert observed is not None  # no observations is decided above
    verdicts = judge(check, truth, observed)
    records = [_record(v) for v in verdicts]
    failed = [v for v in verdicts if not v.passed]
    conventions = sorted({v.convention for v in verdicts if v.convention})
    findings = explain(tool_id, check, truth, observed, verdicts)
    judged = dict(observed=observed, verdicts=records, conventions=conventions, findings=findings)
    notes = run_notes(facts, observed)
    if failed:
        shown = "; ".join(v.message for v in failed[:SHOWN_IN_REASON])
        more = f"; and {len(failed) - SHOWN_IN_REASON} more" if len(failed) > SHOWN_IN_REASON else ""
        result = CheckResult(status="fail", reason=f"{len(failed)} of {len(verdicts)} wrong: {shown}{more}{notes}",
                             **judged, **common)
    elif not verdicts:
        result = CheckResult(status="fail", reason="reported none of the judged quantities" + notes,
                             **judged, **common)
    elif crashed := crash_after_output(facts):
        result = CheckResult(status="fail", reason=f"{len(verdicts)} quantities within tolerance, but {crashed}",
                             **judged, **common)
    else:
        under = f" ({len([v for v in verdicts if v.convention])} under convention: {', '.join(conventions)})" \
            if conventions else ""
        result = CheckResult(status="pass", reason=f"{len(verdicts)} quantities within tolerance{under}{notes}",
                             **judged, **common)
    return _xfail_or(check, result)


def observe(check: Check, facts: ProcessFacts, observed: dict[str, Any] | None, program: str | None = None
            ) -> CheckResult:
    """The check's result on own data, before any judging: the process rules of
    :func:`conclude` (a crash, a timeout, silence), and otherwise ``observed``, keeping
    what the tool reported for the judging that follows the run (harness.owndata)."""
    common = _common(check, facts, program)
    if (decided := _process_outcome(check, facts, observed, common)) is not None:
        return decided
    assert observed is not None  # no observations is decided above
    notes = run_notes(facts, observed)
    if crashed := crash_after_output(facts):
        return _xfail_or(check, CheckResult(status="fail", reason=f"reported, but {crashed}{notes}", observed=observed,
                                            **common))
    count = len([k for k in observed if not k.startswith("_")])
    return CheckResult(status="observed", reason=f"{count} values reported{notes}", observed=observed, **common)


def _common(check: Check, facts: ProcessFacts, program: str | None) -> dict[str, Any]:
    return dict(id=check.id, capability=check.capability, fixture=check.fixture or "reference", program=program,
                xfail_issue=str(check.xfail.issue) if check.xfail and check.xfail.issue else None,
                returncode=facts.returncode, duration=facts.duration, stderr_tail=facts.stderr_tail, process=facts)


def _process_outcome(check: Check, facts: ProcessFacts, observed: dict[str, Any] | None, common: dict[str, Any],
                     tool_id: str = "") -> CheckResult | None:
    """The first four rules of the table, which need no truth: the status when the
    process itself decides it, else None."""
    if facts.launch_error:
        return CheckResult(status="error", reason=f"could not start the check: {facts.launch_error}", **common)
    if (observed is None or facts.returncode) and (own := check_program_crash(facts, common.get("program"))):
        # the check program's own mistake is never the tool's failure
        return CheckResult(status="error", reason=f"the check program failed in its own code: {own}",
                           observed=observed or {}, **common)
    if facts.timed_out:
        hit = f"; {facts.limit_hit}" if facts.limit_hit else ""
        return _xfail_or(check, CheckResult(status="fail", **common, findings=explain_timeout(tool_id, check),
                                            reason=f"timed out after {check.timeout:g} s (process group killed){hit}"))
    if observed is None:
        return _xfail_or(check, CheckResult(status="fail", reason=no_output_reason(facts), **common))
    if isinstance(observed.get(TESTBED_KEY), str) and observed[TESTBED_KEY].strip():
        # The program found our testbed incomplete (a mirror without the file the tool needs):
        # no verdict on the tool either way.
        return CheckResult(status="error", reason=f"testbed: {head(' '.join(observed[TESTBED_KEY].split()), 400)}",
                           observed=observed, **common)
    return None


def _expected(check: Check, truth: dict[str, Quantity]) -> dict[str, Any]:
    return {**{k: truth[k].value for k in judged_keys(check, truth)}, **check.expect}


def _record(v: Verdict) -> VerdictRecord:
    margin = v.margin if v.margin is None or math.isfinite(v.margin) else None
    return VerdictRecord(key=v.key, passed=v.passed, outcome=v.outcome, convention=v.convention,
                         observed=v.observed, expected=v.expected, tolerance=v.tolerance, unit=v.unit,
                         margin=None if margin is None else round(margin, 6), deviation=v.deviation,
                         message=v.message)


_FRAME = re.compile(r'File "([^"]+)", line (\d+)')
_TRACEBACK = "Traceback (most recent call last):"


def check_program_crash(facts: ProcessFacts, program: str | None) -> str | None:
    """Where a Python check program died in its own code: the innermost frame of the last
    traceback on stderr is the program itself (not the tool's library), as
    ``read_ct.py line 42: KeyError: 'dose'``; None otherwise."""
    if not program or _TRACEBACK not in facts.stderr_tail:
        return None
    last = facts.stderr_tail.rsplit(_TRACEBACK, 1)[1]
    frames = _FRAME.findall(last)
    name = PurePosixPath(program).name
    if not frames or not frames[-1][0].replace("\\", "/").endswith(f"checks/{name}"):
        return None
    lines = [line.strip() for line in last.splitlines() if line.strip()]
    return f"{name} line {frames[-1][1]}: {head(lines[-1], 200)}"


def crash_after_output(facts: ProcessFacts) -> str | None:
    """Why a process that printed observations still failed: a signal, a limit, an exit code."""
    if facts.signal:
        return f"the program then crashed (signal {facts.signal})"
    if facts.limit_hit:
        return f"the program was then stopped: {facts.limit_hit}"
    if facts.returncode:
        return f"the program then exited with code {facts.returncode}"
    return None


def _xfail_or(check: Check, result: CheckResult) -> CheckResult:
    if check.xfail is None:
        return result
    if result.status == "fail":
        return result.model_copy(update={"status": "xfail", "reason": f"known: {check.xfail.reason} ({result.reason})"})
    if result.status == "pass":
        return result.model_copy(update={"reason": f"passed although marked xfail ({check.xfail.reason}); "
                                                   + result.reason})
    return result


def no_output_reason(facts: ProcessFacts) -> str:
    stderr = f"; stderr: {tail(facts.stderr_tail.splitlines()[-1], 300)}" if facts.stderr_tail.strip() else ""
    if facts.limit_hit:
        return facts.limit_hit + stderr
    if facts.signal:
        return f"crashed (signal {facts.signal}) without observations{stderr}"
    if not facts.stdout_bytes:
        return f"exit code {facts.returncode} and no output{stderr}"
    size = f"{facts.stdout_bytes} bytes" + (" (truncated)" if facts.output_truncated else "")
    return (f"printed no JSON observations ({size}, exit code {facts.returncode}); "
            f"last line: {head(facts.stdout_last_line, 200)!r}")


def run_notes(facts: ProcessFacts, observed: dict) -> str:
    notes = []
    if facts.output_truncated:
        notes.append(f"output truncated at {facts.stdout_bytes} bytes")
    errors = observed.get(ERRORS_KEY)
    if isinstance(errors, dict) and errors:
        notes.append("tool errors: " + "; ".join(f"{k}: {error_summary(v, 160)}" for k, v in list(errors.items())[:3]))
    return f" [{'; '.join(notes)}]" if notes else ""
