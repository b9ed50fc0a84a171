"""``rtcompat merge`` judges every shard again: each refusal, to the letter, and what it keeps.

The shards are genuine (stand-in tools run through the real harness), then edited the
way a stale, foreign or forged shard would differ.
"""

from __future__ import annotations

import pytest
from standins import write_python_tool, write_tool

from harness.cli import main
from harness.merge import MergeError, merge_results
from harness.results import CheckResult, ProcessFacts, read_results, write_results
from harness.runner import definition_digest

CORRECT = 'print(\'{"ct.rows": 4, "dose.max_gy": 70.5}\')'
WRONG = 'print(\'{"ct.rows": 4, "dose.max_gy": 99.0}\')'


def shard_of(project, tool: str, source: str, **kwargs):
    write_python_tool(project, tool, source, **kwargs)
    path = project / f"{tool}.json"
    assert main(["run", "--tool", tool, "--results", str(path)]) == 0
    return path


def edited(path, change):
    results = read_results(path)
    change(results)
    out = path.with_name("edited-" + path.name)
    write_results(results, out)
    return out


@pytest.mark.parametrize(("source", "status"), [(CORRECT, "pass"), (WRONG, "fail")])
def test_a_genuine_shard_merges_with_its_checks_judged_again(project, source, status):
    merged, warnings = merge_results([shard_of(project, "tool", source)])
    (check,) = merged.tools[0].checks
    assert check.status == status and warnings == []


def test_a_known_failure_stays_xfail_when_judged_again(project):
    path = shard_of(project, "known", WRONG, check_lines="xfail: {reason: 'scaling ignored'}\n")
    (check,) = merge_results([path])[0].tools[0].checks
    assert check.status == "xfail" and check.reason.startswith("known: scaling ignored")


def test_a_failure_judged_again_keeps_the_finding_that_explains_it(project, monkeypatch):
    from harness.judging import findings

    scaled = findings.Declaration(id="scaled", title="t", explanation="e", tools=["tool"], keys=["dose.*"],
                                  rule="wrong", evidence="{count} wrong")
    monkeypatch.setattr(findings, "declarations", lambda: [scaled])
    (check,) = merge_results([shard_of(project, "tool", WRONG)])[0].tools[0].checks
    assert check.status == "fail" and [f.id for f in check.findings] == ["scaled"]


def test_each_claimed_status_must_be_what_its_observations_judge(project):
    path = shard_of(project, "tool", WRONG)
    for claim in ("pass", "xfail"):
        forged = edited(path, lambda r: setattr(r.tools[0].checks[0], "status", claim))
        with pytest.raises(MergeError) as caught:
            merge_results([forged])
        assert str(caught.value).startswith(f"{forged}: tool/read[tiny] claims {claim}; its own observations judge fail: "
                                            "1 of 2 wrong: dose.max_gy 99 Gy vs 70 Gy")


def test_a_shard_from_other_check_definitions_is_refused_naming_both_digests(project):
    path = shard_of(project, "tool", CORRECT)
    program = project / "tool_manifests" / "tool" / "checks" / "check.py"
    old = read_results(path).tools[0].definition
    program.write_text(program.read_text() + "# edited\n")
    new = definition_digest(project / "tool_manifests" / "tool.yaml")
    with pytest.raises(MergeError) as caught:
        merge_results([path])
    assert str(caught.value) == (f"{path}: tool 'tool' ran with other check definitions than this checkout's "
                                 f"(digest {old[:12]} vs {new[:12]})")


def test_a_check_the_manifest_does_not_declare_is_refused(project):
    path = shard_of(project, "tool", CORRECT)
    forged = edited(path, lambda r: setattr(r.tools[0].checks[0], "id", "invented"))
    with pytest.raises(MergeError) as caught:
        merge_results([forged])
    assert str(caught.value) == f"{forged}: tool/invented[tiny] is not a check of its manifest on a fixture set it applies to"


def test_a_judged_claim_without_process_facts_is_refused(project):
    forged = edited(shard_of(project, "tool", CORRECT), lambda r: setattr(r.tools[0].checks[0], "process", None))
    with pytest.raises(MergeError) as caught:
        merge_results([forged])
    assert str(caught.value) == f"{forged}: tool/read[tiny] claims pass without the process facts to judge it by"


def test_an_unjudged_status_carrying_verdicts_is_refused(project):
    def skip_with_verdicts(results):
        results.tools[0].checks[0].status = "skip"
    forged = edited(shard_of(project, "tool", CORRECT), skip_with_verdicts)
    with pytest.raises(MergeError) as caught:
        merge_results([forged])
    assert str(caught.value) == f"{forged}: tool/read[tiny] claims skip but carries verdicts"


def test_a_verdict_on_a_tool_whose_install_failed_is_refused(project):
    def uninstalled(results):
        results.tools[0].install.status = "skip"
    forged = edited(shard_of(project, "tool", CORRECT), uninstalled)
    with pytest.raises(MergeError) as caught:
        merge_results([forged])
    assert str(caught.value) == f"{forged}: tool/read[tiny] claims pass although the tool's install is skip"


def test_a_shard_judged_against_another_fixture_set_is_refused_naming_both_checksums(project):
    path = shard_of(project, "tool", CORRECT)
    local = read_results(path).run.fixtures["tiny"]
    forged = edited(path, lambda r: r.run.fixtures.update(tiny="f" * 64))
    with pytest.raises(MergeError) as caught:
        merge_results([forged])
    assert str(caught.value) == (f"{forged}: tool/read[tiny] was judged against fixture set 'tiny' {'f' * 12}, this "
                                 f"checkout has {local[:12]}; it cannot be judged again here")
    unnamed = edited(path, lambda r: r.run.fixtures.clear())
    with pytest.raises(MergeError, match="fixture set 'tiny' unnamed, this checkout has"):
        merge_results([unnamed])


def test_a_check_missing_from_a_shard_becomes_an_error_row_and_a_skipped_tool_keeps_its_reason(project):
    path = shard_of(project, "tool", CORRECT)
    dropped = edited(path, lambda r: r.tools[0].checks.clear())
    (check,) = merge_results([dropped])[0].tools[0].checks
    assert (check.id, check.status, check.reason) == ("read", "error", "the shard has no result for this check")

    def skipped(results):
        results.tools[0].install.status, results.tools[0].install.reason = "skip", "no display here"
        results.tools[0].checks.clear()
    (check,) = merge_results([edited(path, skipped)])[0].tools[0].checks
    assert (check.status, check.reason, check.capability, check.fixture) == ("skip", "no display here",
                                                                           "read-rtdose", "tiny")


def test_an_unjudged_row_needs_no_process_facts_and_is_kept_as_it_is(project):
    write_tool(project, "kept", "exit 0")

    def errored(results):
        results.tools[0].install.status = "error"
        results.tools[0].checks = [CheckResult(id="read", capability="read-rtdose", fixture="tiny", status="error",
                                               reason="engine down", process=None)]
    forged = edited(shard_of(project, "tool", CORRECT), errored)
    (check,) = merge_results([forged])[0].tools[0].checks
    assert (check.status, check.reason) == ("error", "engine down")


def test_a_skipped_row_is_kept_without_judging(project):
    def skipped(results):
        results.tools[0].install.status = "skip"
        results.tools[0].checks = [CheckResult(id="read", capability="read-rtdose", fixture="tiny", status="skip", reason="x",
                                               process=ProcessFacts())]
    forged = edited(shard_of(project, "tool", CORRECT), skipped)
    assert merge_results([forged])[0].tools[0].checks[0].status == "skip"
