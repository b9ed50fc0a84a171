"""What ``rtcompat run`` prints while it runs: one readable line per outcome, no line
repeated 38 times, an invalid manifest pointed at rather than cut mid-word, and this
machine's paths written as the results write them."""

from __future__ import annotations

import io
from pathlib import Path

from harness.progress import Progress
from harness.redact import Redactor


def record(tool: str, check: str, status: str, reason: str, kind: str = "check", **payload) -> dict:
    return {"kind": kind, "tool_id": tool, "path": f"/project/tool_manifests/{tool}.yaml", "tool": None,
            "payload": {"id": check, "status": status, "reason": reason, **payload}}


def lines_of(progress: Progress, stream: io.StringIO) -> list[str]:
    progress.pytest_sessionfinish(None)
    return [line.strip() for line in stream.getvalue().splitlines() if line.strip()]


def test_checks_skipped_for_their_tools_reason_are_said_once_with_a_count():
    stream = io.StringIO()
    progress = Progress(stream)
    progress._record(record("slicer", "", "skip", "needs the internet", kind="install"))
    for name in ("import-rt", "read-ct", "read-rtdose"):
        progress._record(record("slicer", name, "skip", "needs the internet; to enable: rtcompat run --tool slicer"))
    progress._record(record("slicer", "startup", "error", "engine down"))
    said = lines_of(progress, stream)
    assert said[:4] == ["slicer: install skip: needs the internet",
                        "slicer import-rt: skip - needs the internet; to enable: rtcompat run --tool slicer",
                        "slicer: 2 more checks skip for the same reason",
                        "slicer startup: error - engine down"]


def test_failures_are_never_collapsed_each_is_news():
    stream = io.StringIO()
    progress = Progress(stream)
    for name in ("a", "b"):
        progress._record(record("tool", name, "fail", "dose.max_gy not reported"))
    said = lines_of(progress, stream)
    assert said[:2] == ["tool a: FAIL - dose.max_gy not reported", "tool b: FAIL - dose.max_gy not reported"]


def test_an_invalid_manifest_points_at_validate_instead_of_cutting_its_message():
    stream = io.StringIO()
    progress = Progress(stream, portable=Redactor(Path("/project"), Path("/cache")).text)
    progress._record(record("bad", "", "error", "invalid manifest: /project/tool_manifests/bad.yaml:3: sumary: "
                            "unknown key (did you mean 'summary'?)", kind="invalid"))
    said = lines_of(progress, stream)
    assert said[0] == ("bad: invalid manifest, not run; its problems are listed at the end "
                       "(rtcompat validate tool_manifests/bad.yaml)")


def test_reasons_name_files_as_the_results_do_before_they_are_cut():
    stream = io.StringIO()
    progress = Progress(stream, portable=Redactor(Path("/project"), Path("/root/.cache/rtcompat")).text)
    progress._record(record("cerr", "read-ct", "error",
                            "cannot load /root/.cache/rtcompat/src/cerr/lib/libopencv_java.so: missing"))
    assert lines_of(progress, stream)[0] == ("cerr read-ct: error - cannot load "
                                             "$RTCOMPAT_CACHE/src/cerr/lib/libopencv_java.so: missing")


def test_a_check_line_gives_its_time_and_peak_memory_once_per_program_run():
    stream = io.StringIO()
    progress = Progress(stream)
    process = {"peak_memory_bytes": 1208 * 2**20}
    for name in ("read-ct", "dvh"):
        progress._record(record("cerr", name, "pass", "fine", duration=109.9, process=process, program_run="p@x"))
    progress._record(record("dcmtk", "read", "pass", "fine", duration=3.0, process={"peak_memory_bytes": None}))
    said = lines_of(progress, stream)
    assert said[:3] == ["cerr read-ct: pass - fine (109.9 s, 1208 MiB)", "cerr dvh: pass - fine (109.9 s, shared run)",
                        "dcmtk read: pass - fine (3.0 s)"]
