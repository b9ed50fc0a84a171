"""The rules ``rtcompat merge`` applies, each stated with the figures that decide it:
which shard's fixtures win, what an absent row says, when a digest is compared, and
what every refusal names."""

from __future__ import annotations

import pytest
from standins import write_tool
from test_merge import shard
from test_merge_audit import edited, shard_of

from harness.catalogue import load_catalogue
from harness.merge import (
    MergeError,
    merge_results,
    merged_run,
    missing_tool,
    read_shard,
)
from harness.results import InstallResult

CORRECT = 'print(\'{"ct.rows": 4, "dose.max_gy": 70.5}\')'
WRONG = 'print(\'{"ct.rows": 4, "dose.max_gy": 99.0}\')'


def genuine(project, tool="tool", source=CORRECT):
    return shard_of(project, tool, source)


def test_the_fixtures_of_the_shard_that_finished_last_win_whatever_the_order_given(project, tmp_path):
    early = shard(tmp_path, "z-early", "a", started="2026-03-01T01:00:00+00:00", finished="2026-03-01T01:10:00+00:00",
                  fixtures={"reference": "1" * 64})
    late = shard(tmp_path, "a-late", "b", started="2026-03-01T00:30:00+00:00", finished="2026-03-01T03:00:00+00:00",
                 fixtures={"reference": "2" * 64})
    for order in ([early, late], [late, early]):
        run = merged_run([read_shard(p) for p in order], [])
        assert run.fixtures == {"reference": "2" * 64}
        assert run.started == "2026-03-01T00:30:00+00:00" and run.finished == "2026-03-01T03:00:00+00:00"
        assert run.partial is False


def test_a_shard_without_a_finish_time_finishes_when_it_started(project, tmp_path):
    a = shard(tmp_path, "a-unfinished", "a", started="2026-03-01T05:00:00+00:00", finished=None, fixtures={"reference": "1" * 64})
    b = shard(tmp_path, "z-finished", "b", started="2026-03-01T01:00:00+00:00", finished="2026-03-01T02:00:00+00:00",
              fixtures={"reference": "2" * 64})
    run = merged_run([read_shard(a), read_shard(b)], [])
    assert run.fixtures == {"reference": "1" * 64} and run.finished == "2026-03-01T02:00:00+00:00"


@pytest.mark.parametrize("install", ["skip", "unavailable", "error", "fail"])
def test_a_row_a_shard_lacks_takes_the_tools_install_status_and_reason(project, install):
    path = genuine(project)
    path = edited(path, lambda r: (setattr(r.tools[0], "install", InstallResult(status=install, reason="why not")),
                            r.tools[0].checks.clear()))
    (check,) = merge_results([path])[0].tools[0].checks
    assert (check.status, check.reason) == (install, "why not")


def test_a_row_a_shard_lacks_for_an_installed_tool_is_an_error_saying_so(project):
    path = genuine(project)
    path = edited(path, lambda r: r.tools[0].checks.clear())
    (check,) = merge_results([path])[0].tools[0].checks
    assert (check.status, check.reason) == ("error", "the shard has no result for this check")


def test_a_tool_no_shard_reports_keeps_what_its_manifest_says(project):
    write_tool(project, "quiet", "exit 0")
    entry = next(e for e in load_catalogue() if e.tool_id == "quiet")
    row = missing_tool(entry)
    assert (row.name, row.section, row.in_source_catalogue, row.backend) == ("quiet", "Beyond the source catalogue",
                                                                             False, "debian")
    assert row.homepage == "https://example.org/quiet" and row.summary.startswith("A stand-in tool")
    assert row.install.status == "error"


def test_an_error_row_carrying_verdicts_on_a_tool_that_did_not_install_is_refused(project):
    path = genuine(project)

    def forge(results):
        results.tools[0].install = InstallResult(status="skip", reason="offline")
        results.tools[0].checks[0].status = "error"
    path = edited(path, forge)
    with pytest.raises(MergeError, match=r"tool/read\[tiny\] claims error although the tool's install is skip"):
        merge_results([path])


def test_contradicted_verdicts_name_each_side_for_every_differing_key(project):
    path = genuine(project, source=WRONG)

    def forge(results):
        for verdict in results.tools[0].checks[0].verdicts:
            verdict.passed, verdict.outcome = False, "fail"
        results.tools[0].checks[0].status = "fail"
    path = edited(path, forge)
    with pytest.raises(MergeError) as caught:
        merge_results([path])
    assert str(caught.value).endswith("claims verdicts its observations contradict: ct.rows fail vs pass")


def test_verdicts_claimed_or_dropped_are_named_the_first_five_in_key_order(project):
    from harness.results import VerdictRecord

    path = genuine(project)

    def forge(results):
        check = results.tools[0].checks[0]
        check.verdicts = [v for v in check.verdicts if v.key != "ct.rows"]
        check.verdicts += [VerdictRecord(key=f"dose.invented{i}", passed=True, message="m") for i in range(5)]
    path = edited(path, forge)
    with pytest.raises(MergeError) as caught:
        merge_results([path])
    assert str(caught.value).endswith(
        "claims verdicts its observations contradict: ct.rows None vs pass, dose.invented0 pass vs None, "
        "dose.invented1 pass vs None, dose.invented2 pass vs None, dose.invented3 pass vs None")


def test_a_rejudged_row_keeps_the_program_and_the_tool_it_came_from(project):
    path = genuine(project)
    (check,) = merge_results([path])[0].tools[0].checks
    assert check.program == "tool/checks/check.py"


def test_the_definition_digest_is_compared_for_a_tool_with_only_known_failures(project):
    path = genuine(project, source=WRONG)

    def forge(results):
        results.tools[0].definition = "0" * 64
        results.tools[0].checks[0].status = "xfail"
    path = edited(path, forge)
    with pytest.raises(MergeError, match="ran with other check definitions than this checkout's"):
        merge_results([path])


def test_the_definition_digest_is_compared_for_a_tool_with_only_failures(project):
    path = edited(genuine(project, source=WRONG), lambda r: setattr(r.tools[0], "definition", "0" * 64))
    with pytest.raises(MergeError, match="ran with other check definitions than this checkout's"):
        merge_results([path])


def test_a_tool_that_did_not_install_and_judged_nothing_is_not_held_to_the_digest(project):
    path = genuine(project)

    def forge(results):
        results.tools[0].definition = "0" * 64
        results.tools[0].install = InstallResult(status="skip", reason="offline")
        results.tools[0].checks[0].status, results.tools[0].checks[0].verdicts = "skip", []
        results.tools[0].checks[0].reason = "offline"
    path = edited(path, forge)
    (check,) = merge_results([path])[0].tools[0].checks
    assert check.status == "skip"


def test_a_release_that_failed_to_install_keeps_its_fail_rows_but_may_not_claim_verdicts(project):
    from harness.results import CheckResult, VerdictRecord

    why = "cannot install: oldtool 0.4.2 is Python 2 code"

    def failed(results):
        results.tools[0].install = InstallResult(status="fail", reason=why)
        results.tools[0].checks[:] = [CheckResult(id="read", capability="read-rtdose", fixture="tiny", status="fail",
                                                  reason=why)]

    (check,) = merge_results([edited(genuine(project), failed)])[0].tools[0].checks
    assert (check.status, check.reason) == ("fail", why)

    def claims(results):
        failed(results)
        results.tools[0].checks[0].verdicts = [VerdictRecord(key="ct.rows", passed=False, outcome="fail",
                                                             message="ct.rows 3 vs 4")]

    with pytest.raises(MergeError, match="claims fail although the tool's install is fail"):
        merge_results([edited(genuine(project), claims)])
