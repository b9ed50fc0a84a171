"""Every FAIL in the producer x consumer matrix says whose fault it is: the producer's
(the object does not hold the phantom, or an invalid object could not be read), the
reader's own defect seen on the reference set too, or the reader's misreading of a
valid, faithful object. A cell's state and worst deviation are what its checks show."""

from __future__ import annotations

from harness.interop.matrix import (
    CONSUMER,
    CONSUMER_ALSO,
    PRODUCER,
    blames,
    cell_state,
    matrices,
    worst_deviation,
)
from harness.results import (
    CheckResult,
    ProductionRecord,
    Results,
    RunInfo,
    ToolResult,
    VerdictRecord,
)

RUN = RunInfo(started="2026-12-07T00:00:00+00:00", host="h", platform="p", python="3.11", harness_version="0")


def verdict(key: str, passed: bool, margin: float = 0.5, observed=1.0) -> VerdictRecord:
    return VerdictRecord(key=key, passed=passed, margin=margin, observed=observed, deviation=f"{key} off",
                         message=f"{key} {'ok' if passed else 'wrong'}")


def check(status: str, *verdicts: VerdictRecord, fixture: str = "by-w-write-rtdose", capability="read-rtdose",
          reason: str = "r") -> CheckResult:
    return CheckResult(id=capability, capability=capability, status=status, reason=reason, fixture=fixture,
                       verdicts=list(verdicts))


def production(failed=(), valid=True) -> ProductionRecord:
    return ProductionRecord(tool="w", producer="write-rtdose", object="rtdose", status="pass", reason="",
                            fixture="by-w-write-rtdose", validation={"valid": valid},
                            fidelity={"judged": 10, "failed": list(failed), "messages": []})


def reader(*checks: CheckResult) -> ToolResult:
    return ToolResult.model_validate({"id": "reader", "name": "Reader", "section": "Beyond the source catalogue",
                                      "in_source_catalogue": False, "homepage": "https://example.org",
                                      "summary": "a reader", "backend": "debian",
                                      "install": {"status": "pass"}, "checks": [c.model_dump() for c in checks]})


def test_a_quantity_the_object_does_not_hold_is_the_producers():
    failed = [check("fail", verdict("dose.max_gy", False))]
    assert [b.party for b in blames(failed, production(failed=["dose.max_gy"]), reader())] == [PRODUCER]


def test_any_deviation_on_an_object_that_does_not_hold_the_phantom_is_the_producers():
    # a structure written off its place loses volume in a reader that rasterises on the CT grid
    failed = [check("fail", verdict("rtstruct.roi.BODY.volume_cc", False))]
    assert [b.party for b in blames(failed, production(failed=["dvh.BODY.mean_gy"]), reader())] == [PRODUCER]


def test_a_quantity_the_reader_also_fails_on_the_reference_set_is_its_own_defect():
    failed = [check("fail", verdict("dose.max_gy", False))]
    on_reference = reader(check("fail", verdict("dose.max_gy", False), fixture="reference"))
    assert [b.party for b in blames(failed, production(failed=["dose.max_gy"]), on_reference)] == [CONSUMER_ALSO]


def test_a_valid_faithful_object_misread_is_the_readers_exchange_defect():
    failed = [check("fail", verdict("dose.max_gy", False), verdict("dose.min_gy", True))]
    on_reference = reader(check("pass", verdict("dose.max_gy", True), fixture="reference"))
    assert [b.party for b in blames(failed, production(), on_reference)] == [CONSUMER]


def test_nothing_read_from_an_invalid_object_is_the_producers_and_from_a_valid_one_the_readers():
    failed = [check("fail", verdict("dose.max_gy", False, margin=None, observed=None))]
    assert [b.party for b in blames(failed, production(valid=False), reader())] == [PRODUCER]
    assert [b.party for b in blames(failed, production(valid=True), reader())] == [CONSUMER]


def test_a_reader_that_crashed_is_blamed_by_the_same_rules():
    crashed = [check("fail", reason="exited with status 1")]
    assert [b.party for b in blames(crashed, production(valid=False), reader())] == [PRODUCER]
    assert [b.party for b in blames(crashed, production(), reader())] == [CONSUMER]
    crashed_there_too = reader(check("fail", fixture="reference"))
    assert [b.party for b in blames(crashed, production(valid=False), crashed_there_too)] == [CONSUMER_ALSO]


def test_a_known_incompatibility_is_attributed_like_any_fail():
    known = [check("xfail", verdict("dose.max_gy", False))]
    assert [b.party for b in blames(known, production(), reader())] == [CONSUMER]
    assert cell_state(known) == "fail"


def test_an_error_of_ours_is_blamed_on_no_one():
    assert blames([check("error", reason="testbed failed")], production(valid=False), reader()) == []


def test_a_cells_state_is_what_its_checks_show():
    assert cell_state([check("pass"), check("pass")]) == "pass"
    assert cell_state([check("pass"), check("fail")]) == "partial"
    assert cell_state([check("fail"), check("fail")]) == "fail"
    assert cell_state([check("error")]) == "error"
    assert cell_state([check("skip")]) == "not run"
    assert cell_state([check("pass"), check("error")]) == "partial"


def test_the_worst_deviation_is_the_quantity_nearest_or_furthest_past_its_tolerance():
    checks = [check("fail", verdict("dose.max_gy", True, margin=0.2), verdict("dose.at.x_gy", False, margin=3.0))]
    assert worst_deviation(checks) == "dose.at.x_gy off (dose.at.x_gy)"
    assert worst_deviation([check("error")]) == ""


def test_the_matrix_has_a_row_per_producer_and_a_column_per_reader_that_read_it():
    made = production(failed=["dose.max_gy"])
    exchange = Results(run=RUN, tools=[reader(check("fail", verdict("dose.max_gy", False)))], productions=[made])
    (matrix,) = matrices(exchange, Results(run=RUN, tools=[reader(check("pass", fixture="reference"))]))
    assert matrix.object == "rtdose" and [p.producer for p in matrix.producers] == ["write-rtdose"]
    cell = matrix.cell(made, matrix.consumers[0])
    assert cell.state == "fail" and cell.parties == [PRODUCER]
    assert cell.anchor == "exchange-by-w-write-rtdose--reader"
