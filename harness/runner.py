"""Running one tool: install it through its backend, run its checks, judge them.

Every outcome becomes a status with a reason. The rule that matters most: a testbed
fault (install failed, engine gone, a check program missing from our tree) is
``error``; only what the tool itself did wrong is ``fail``.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from harness.backends import backend_for
from harness.backends.base import Env, InstallContext, InstallError, Mounts, SkipTool, ToolUnavailable
from harness.fixture_guard import FixtureGuard
from harness.judge import ERRORS_KEY, TruthError, judge, judged_keys, load_truth, parse_observations
from harness.manifest import Check, Manifest, manifest_dir
from harness.process import Completed
from harness.results import CheckResult, InstallResult, ToolResult, VerdictRecord

DEFAULT_COMMANDS: dict[str, list[str]] = {
    ".py": ["{python}", "{program}", "{fixture}", "{output}"],
    ".m": ["octave-cli", "--norc", "--quiet", "--no-window-system", "{program}", "{fixture}", "{tool_home}"],
    ".ijm": ["java", "-Xmx1g", "-jar", "/usr/share/java/ij.jar", "-batch", "{program}", "{fixture}"],
    ".sh": ["bash", "{program}", "{fixture}", "{output}"],
}


@dataclass
class ToolRun:
    """One tool in one run; installs at most once and remembers the outcome."""

    manifest: Manifest
    manifest_path: Path
    context: InstallContext
    guard: FixtureGuard
    outputs: Path
    _installed: tuple[InstallResult, Env | None] | None = field(default=None, init=False)

    @property
    def backend(self) -> ModuleType:
        return backend_for(self.manifest.install.backend)

    def install(self) -> tuple[InstallResult, Env | None]:
        if self._installed is None:
            self._installed = self._install()
        return self._installed

    def _install(self) -> tuple[InstallResult, Env | None]:
        start = time.monotonic()
        try:
            if self.manifest.restrictions.network and not self.context.host.network:
                raise SkipTool("needs the internet to download the tool; this machine is offline",
                               f"rtcompat run --tool {self.manifest.id}  (on a machine with internet access)")
            why_not = self.backend.available(self.context.host)
            if why_not:
                raise SkipTool(why_not)
            env = self.backend.install(self.manifest, self.context)
            problem = self.backend.health_check(env)
            if problem:
                raise InstallError(f"fresh environment is unhealthy: {problem}")
        except SkipTool as exc:
            return InstallResult(status="skip", reason=exc.reason, enable=exc.command,
                                 seconds=time.monotonic() - start), None
        except ToolUnavailable as exc:
            return InstallResult(status="unavailable", reason=str(exc)), None
        except (InstallError, OSError) as exc:  # OSError: the cache's own writes (a full disk)
            return InstallResult(status="error", reason=f"install failed: {exc}",
                                 seconds=time.monotonic() - start), None
        except Exception as exc:  # a bug of ours: still an error row, with what it was
            return InstallResult(status="error", reason=f"install failed unexpectedly: {type(exc).__name__}: {exc}",
                                 seconds=time.monotonic() - start), None
        return InstallResult(status="pass", reason="installed" if not env.reused else "reused cached environment",
                             seconds=env.install_seconds, reused=env.reused,
                             installer=env.details.get("installer")), env

    def run_check(self, check: Check) -> CheckResult:
        install, env = self.install()
        base = dict(id=check.id, capability=check.capability, fixture=check.fixture,
                    xfail_issue=str(check.xfail.issue) if check.xfail and check.xfail.issue else None)
        if env is None:
            status = install.status if install.status != "pass" else "error"
            reason = install.reason + (f"; to enable: {install.enable}" if install.enable else "")
            return CheckResult(status=status, reason=reason, **base)
        try:
            truth = load_truth(self.guard.source_dir(check.fixture))
            fixture = self.guard.checked_out(check.fixture)
        except (TruthError, OSError) as exc:
            return CheckResult(status="error", reason=f"fixture set {check.fixture!r}: {exc}", **base)
        program = manifest_dir(self.manifest_path) / check.program
        if not program.is_file():
            return CheckResult(status="error", reason=f"check program missing: {program}", **base)
        output = self._output_dir(check)
        mounts = Mounts(fixture=fixture, output=output, checks=manifest_dir(self.manifest_path))
        argv = self._argv(check, env, mounts)
        try:
            done = self.backend.run(env, argv, mounts, check.timeout)
        except Exception as exc:  # ours or the testbed's, never the tool's: the row must survive
            return CheckResult(status="error", reason=f"testbed failed while running the check: {exc}", **base)
        tampered = self.guard.verify_and_restore(check.fixture)
        result = _judge_run(check, truth, done, base)
        if tampered:
            return result.model_copy(update={"status": "fail", "reason": f"modified the fixture set: {tampered}"})
        return result

    def tool_result(self, checks: list[CheckResult]) -> ToolResult:
        install, env = self.install()
        m = self.manifest
        return ToolResult(
            id=m.id, name=m.name, section=m.section, in_source_catalogue=m.in_source_catalogue,
            homepage=str(m.homepage), summary=m.summary, backend=m.install.backend,
            version=env.version if env else None, dependencies=env.dependencies if env else {},
            definition=definition_digest(self.manifest_path), install=install, checks=checks,
        )

    def _output_dir(self, check: Check) -> Path:
        path = self.outputs / self.manifest.id / check.id
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def _argv(self, check: Check, env: Env, mounts: Mounts) -> list[str]:
        seen = self.backend.visible_mounts(env, mounts)
        template = check.command or DEFAULT_COMMANDS.get(Path(check.program).suffix, ["{program}", "{fixture}"])
        values = {"python": "python3", "tool_home": "", **env.placeholders,
                  "program": str(seen.checks / check.program), "fixture": str(seen.fixture),
                  "output": str(seen.output)}
        # A placeholder with nothing behind it ({tool_home} outside the source backend)
        # is dropped rather than passed as an empty argument.
        return [rendered for part in template if (rendered := part.format(**values)) or part == ""]


def definition_digest(manifest_path: Path) -> str:
    """What the harness asked of the tool: the manifest and every file beside it (checks,
    Dockerfile), so a regression can say when our side of the question changed."""
    digest = hashlib.sha256(manifest_path.read_bytes())
    directory = manifest_dir(manifest_path)
    for path in sorted(directory.rglob("*")) if directory.is_dir() else []:
        if path.is_file():
            digest.update(f"\0{path.relative_to(directory)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _judge_run(check: Check, truth, done: Completed, base: dict) -> CheckResult:
    common = dict(returncode=done.returncode, duration=round(done.duration, 3),
                  stderr_tail=done.tail("stderr", lines=8)[-2000:], **base)
    expected = {**{k: truth[k].value for k in judged_keys(check, truth)}, **check.expect}
    if done.launch_error:
        return CheckResult(status="error", reason=f"could not start the check: {done.launch_error}",
                           expected=expected, **common)
    if done.timed_out:
        hit = f"; {done.limit_hit}" if done.limit_hit else ""
        return _xfail_or(check, CheckResult(status="fail", expected=expected, **common,
                                            reason=f"timed out after {check.timeout:g} s (process group killed){hit}"))
    observed = parse_observations(done.stdout)
    if observed is None:
        return _xfail_or(check, CheckResult(status="fail", reason=_no_output_reason(done), expected=expected, **common))
    verdicts = judge(check, truth, observed)
    failed = [v for v in verdicts if not v.passed]
    records = [VerdictRecord(key=v.key, passed=v.passed, observed=v.observed, expected=v.expected,
                             message=v.message) for v in verdicts]
    notes = _run_notes(done, observed)
    if not verdicts:
        result = CheckResult(status="fail", reason="reported none of the judged quantities" + notes,
                             observed=observed, expected=expected, **common)
    elif failed:
        reason = f"{len(failed)} of {len(verdicts)} wrong: " + "; ".join(v.message for v in failed[:3])
        result = CheckResult(status="fail", reason=reason + notes, observed=observed, expected=expected,
                             verdicts=records, **common)
    else:
        reason = f"{len(verdicts)} quantities within tolerance" + notes
        result = CheckResult(status="pass", reason=reason, observed=observed, expected=expected,
                             verdicts=records, **common)
    return _xfail_or(check, result)


def _xfail_or(check: Check, result: CheckResult) -> CheckResult:
    if check.xfail is None:
        return result
    if result.status == "fail":
        return result.model_copy(update={"status": "xfail", "reason": f"known: {check.xfail.reason} ({result.reason})"})
    if result.status == "pass":
        return result.model_copy(update={"reason": f"passed although marked xfail ({check.xfail.reason})"})
    return result


def last_line(message: object) -> str:
    """The telling line of a tool's error: a traceback's last line, not its first frame."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _no_output_reason(done: Completed) -> str:
    if done.limit_hit:
        return done.limit_hit + (f"; stderr: {done.tail(lines=2)[-300:]}" if done.stderr.strip() else "")
    if done.signalled:
        return f"crashed (signal {done.signalled}) without observations; stderr: {done.tail(lines=2)[-300:]}"
    if not done.stdout.strip():
        return f"exit code {done.returncode} and no output" + (f"; stderr: {done.tail(lines=2)[-300:]}" if done.stderr.strip() else "")
    size = f"{done.stdout_bytes} bytes" + (" (truncated)" if done.output_truncated else "")
    return f"printed no JSON observations ({size}, exit code {done.returncode}); last line: {done.tail('stdout', 1)[:200]!r}"


def _run_notes(done: Completed, observed: dict) -> str:
    notes = []
    if done.limit_hit:
        notes.append(done.limit_hit)
    if done.returncode:
        notes.append(f"exit code {done.returncode}")
    if done.output_truncated:
        notes.append(f"output truncated at {done.stdout_bytes} bytes")
    errors = observed.get(ERRORS_KEY)
    if isinstance(errors, dict) and errors:
        notes.append("tool errors: " + "; ".join(f"{k}: {last_line(v)[:160]}" for k, v in list(errors.items())[:3]))
    return f" [{'; '.join(notes)}]" if notes else ""
