"""Running one tool: install it through its backend, run its checks, judge them.

Every outcome becomes a status with a reason. The rule that matters most: a testbed
fault (install failed, engine gone, a check program missing from our tree) is
``error``; only what the tool itself did wrong is ``fail``.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from harness import screenshots
from harness.backends import backend_for
from harness.backends.base import (
    Env,
    InstallContext,
    InstallError,
    Mounts,
    SkipTool,
    ToolBroken,
    ToolUnavailable,
)
from harness.fixture_guard import FixtureGuard, FixtureTampered
from harness.fixture_sets import REFERENCE
from harness.judging.judge import (
    JudgeError,
    TruthError,
    looser_tolerances,
    parse_observations,
)
from harness.judging.outcome import conclude, facts_of, observe
from harness.manifest import Check, Manifest, manifest_dir
from harness.process import Completed
from harness.redact import head
from harness.results import CheckResult, InstallResult, ScreenshotRecord, ToolResult

DEFAULT_COMMANDS: dict[str, list[str]] = {
    ".py": ["{python}", "{program}", "{fixture}", "{output}"],
    ".m": ["octave-cli", "--norc", "--quiet", "--no-window-system", "{program}", "{fixture}", "{tool_home}"],
    ".ijm": ["java", "-Xmx1g", "-jar", "/usr/share/java/ij.jar", "-batch", "{program}", "{fixture}"],
    ".sh": ["bash", "{program}", "{fixture}", "{output}"],
}


@dataclass(frozen=True)
class ProgramRun:
    """One execution of a check program on one fixture set. Every check naming the same
    program, set and command is judged from it: a program that prints everything it read
    (CERR's import) runs once, not once per capability."""

    done: Completed
    tampered: str | None
    key: tuple
    screenshot: ScreenshotRecord | None = None
    #: why a screenshot the program saved was not kept
    screenshot_note: str | None = None

    @property
    def label(self) -> str:
        program, fixture, command = self.key
        return f"{program}@{fixture}" + (f" {' '.join(command)}" if command else "")


def program_key(check: Check) -> tuple:
    return (check.program, check.fixture, tuple(check.command or ()))


@dataclass
class ToolRun:
    """One tool in one run; installs at most once and remembers the outcome."""

    manifest: Manifest
    manifest_path: Path
    context: InstallContext
    guard: FixtureGuard
    outputs: Path
    #: called with (argv, environment, process) after each check program ran (rtcompat check)
    observer: Callable[[list[str], Env, Completed], None] | None = None
    #: own data: record what the tool reported, judge after the run (no truth to judge against)
    observe_only: bool = False
    _installed: tuple[InstallResult, Env | None] | None = field(default=None, init=False)
    #: program runs so far, by (program, fixture set, command): each runs once per tool run
    _runs: dict[tuple, ProgramRun] = field(default_factory=dict, init=False)
    #: program runs whose screenshot a check result already carries (one copy per run)
    _shown: set[tuple] = field(default_factory=set, init=False)

    @property
    def backend(self) -> ModuleType:
        return backend_for(self.manifest.backend)

    def install(self) -> tuple[InstallResult, Env | None]:
        if self._installed is None:
            self._installed = self._install()
        return self._installed

    def _install(self) -> tuple[InstallResult, Env | None]:
        start = time.monotonic()
        try:
            if self.manifest.restrictions.network and not self.context.host.network:
                raise SkipTool("needs the internet to download the tool; this machine is offline",
                               f"rtcompat run --tool {self.manifest.key}  (on a machine with internet access)")
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
        except ToolBroken as exc:  # the release itself, with the evidence: the tool's failure
            return InstallResult(status="fail", reason=str(exc), seconds=time.monotonic() - start), None
        except (InstallError, OSError) as exc:  # OSError: the cache's own writes (a full disk)
            if (blocked := network_failure(str(exc))) and not self.context.host.network:
                # Offline is one status everywhere: a tool that needed the internet is skipped.
                return InstallResult(status="skip", reason=f"needs the internet to install ({blocked}); this "
                                                           f"machine is offline",
                                     enable=f"rtcompat run --tool {self.manifest.key}  (on a machine with internet "
                                            f"access)", seconds=time.monotonic() - start), None
            return InstallResult(status="error", reason=f"install failed: {exc}",
                                 seconds=time.monotonic() - start), None
        except Exception as exc:  # a bug of ours: still an error row, with what it was
            return InstallResult(status="error", reason=f"install failed unexpectedly: {type(exc).__name__}: {exc}",
                                 seconds=time.monotonic() - start), None
        return InstallResult(status="pass", reason="installed" if not env.reused else "reused cached environment",
                             seconds=env.install_seconds, reused=env.reused,
                             installer=env.details.get("installer")), env

    def run_check(self, check: Check) -> CheckResult:
        """The check's result; whatever goes wrong on our side becomes its ``error`` row,
        never a missing row (a tool with a lost row would show a pass it did not earn).
        A tampered committed fixture set is the one exception: it stops the run."""
        if check.fixture is None:  # a check not planned over the sets runs on the reference
            check = check.model_copy(update={"fixture": REFERENCE})
        base = dict(id=check.id, capability=check.capability, fixture=check.fixture,
                    program=f"{self.manifest.id}/{check.program}",
                    xfail_issue=str(check.xfail.issue) if check.xfail and check.xfail.issue else None)
        try:
            return self._run_check(check, base)
        except FixtureTampered:
            raise
        except Exception as exc:  # a bug of ours, or a manifest we failed to refuse earlier
            return CheckResult(status="error", reason=f"harness error while running the check: "
                                                      f"{type(exc).__name__}: {_short(exc)}", **base)

    def _run_check(self, check: Check, base: dict) -> CheckResult:
        install, env = self.install()
        if env is None:  # the install's status and reason: skip, unavailable, error, or a release's fail
            reason = install.reason + (f"; to enable: {install.enable}" if install.enable else "")
            return CheckResult(status=install.status, reason=reason, **base)
        try:
            truth = self.guard.truth(check.fixture)
            fixture = self.guard.checked_out(check.fixture)
        except (TruthError, OSError) as exc:
            return CheckResult(status="error", reason=f"fixture set {check.fixture!r}: {exc}", **base)
        looser = looser_tolerances(check, truth)
        if looser:
            pattern, key = looser[0]
            return CheckResult(status="error", reason=f"manifest tolerance {pattern!r} is looser than the truth's "
                                                      f"derived tolerance for {key} (a manifest may only tighten)", **base)
        program = manifest_dir(self.manifest_path) / check.program
        if not program.is_file():
            return CheckResult(status="error", reason=f"check program missing: {check.program}", **base)
        key = program_key(check)
        shared = self._runs.get(key)
        if shared is None:
            output = self._output_dir(check)
            mounts = Mounts(fixture=fixture, output=output, checks=manifest_dir(self.manifest_path))
            argv = self._argv(check, env, mounts)
            timeout = max([check.timeout, *(c.timeout for c in self.manifest.checks
                                            if (c.program, c.command) == (check.program, check.command))])
            try:
                done = self.backend.run(env, argv, mounts, timeout)
            except Exception as exc:  # ours or the testbed's, never the tool's: the row must survive
                return CheckResult(status="error", reason=f"testbed failed while running the check: {exc}", **base)
            if self.observer is not None:
                self.observer(argv, env, done)
            self.guard.verify_committed(check.fixture, suspect=f"{self.manifest.id}'s check {check.id!r}")
            shot, note = self._screenshot(output)
            shared = ProgramRun(done, self.guard.verify_and_restore(check.fixture), key, shot, note)
            self._runs[key] = shared
        try:
            if self.observe_only:
                result = observe(check, facts_of(shared.done), parse_observations(shared.done.stdout),
                                 program=base["program"])
            else:
                result = conclude(check, truth, facts_of(shared.done), parse_observations(shared.done.stdout),
                                  tool_id=self.manifest.id, program=base["program"])
        except JudgeError as exc:
            return CheckResult(status="error", reason=f"the check cannot be judged as declared: {exc}", **base)
        result = result.model_copy(update={"program_run": shared.label, "screenshot_note": shared.screenshot_note})
        if (shared.screenshot is not None and shared.key not in self._shown
                and (self._main_row(check) or result.status != "pass")):
            # a variant set's pass adds nothing to look at; a FAIL shows what the tool showed;
            # checks judged from one program run saw one screen: the first carries it
            result = result.model_copy(update={"screenshot": shared.screenshot})
            self._shown.add(shared.key)
        if shared.tampered:
            return result.model_copy(update={"status": "fail", "reason": f"modified the fixture set: {shared.tampered}"})
        return result

    def tool_result(self) -> ToolResult:
        """The tool's row without its checks: each check's row travels on its own record
        and the plugin puts them under it (a run interrupted midway keeps those it has)."""
        install, env = self.install()
        m = self.manifest
        return ToolResult(
            id=m.id, variant=m.variant, name=m.name, section=m.section, in_source_catalogue=m.in_source_catalogue,
            homepage=str(m.homepage), summary=m.summary, backend=m.backend,
            version=env.version if env else None, runtime=env.details.get("runtime") if env else None,
            dependencies=env.dependencies if env else {},
            definition=definition_digest(self.manifest_path), install=install,
        )

    def _main_row(self, check: Check) -> bool:
        """The check's row on the reference set, or on the one set its manifest names."""
        return check.fixture == REFERENCE or any(c.id == check.id and c.fixture for c in self.manifest.checks)

    def _screenshot(self, output: Path) -> tuple[ScreenshotRecord | None, str | None]:
        """What the tool displayed, if its check saved it. Own data is never kept: a
        screenshot of a patient's images cannot be de-identified."""
        if self.observe_only:
            return None, None
        try:
            return screenshots.collect(output), None
        except screenshots.ScreenshotError as exc:
            return None, str(exc)

    def _output_dir(self, check: Check) -> Path:
        """One scratch directory per program run (its checks share it)."""
        path = self.outputs / self.manifest.path_name / check.fixture / check.id
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def _argv(self, check: Check, env: Env, mounts: Mounts) -> list[str]:
        return self.program_argv(check.program, check.command, env, mounts)

    def program_argv(self, program: str, command: list[str] | None, env: Env, mounts: Mounts) -> list[str]:
        """The argv of a program beside the manifest (a check's or a producer's), as the
        backend shows the mounts to it: its ``command`` template, else its suffix's default."""
        seen = self.backend.visible_mounts(env, mounts)
        template = command or DEFAULT_COMMANDS.get(Path(program).suffix, ["{program}", "{fixture}"])
        values = {"python": "python3", "tool_home": "", **env.placeholders,
                  "program": str(seen.checks / program), "fixture": str(seen.fixture),
                  "output": str(seen.output)}
        return render_command(template, values)


def render_command(template: list[str], values: dict[str, str]) -> list[str]:
    """The argv from a command template. A placeholder with nothing behind it ({tool_home}
    outside the source backend) is dropped rather than passed as an empty argument."""
    return [rendered for part in template if (rendered := part.format(**values)) or part == ""]


_NETWORK_FAILURES = (
    (re.compile(r"Name or service not known|Temporary failure in name resolution|getaddrinfo failed|"
                r"nodename nor servname|Could not resolve host(?:: (?P<host>\S+))?"), "a host name did not resolve"),
    (re.compile(r"Network is unreachable|No route to host"), "the network is unreachable"),
    (re.compile(r"Failed to connect to (?P<host>\S+)"), "a connection failed"),
)


PUNCTUATION = "\"'.,;:"


def network_failure(text: str) -> str | None:
    """What an installer's failure says about the network, or None: an install that
    could not reach a server on an offline machine is a skip, not a testbed error."""
    for pattern, what in _NETWORK_FAILURES:
        if match := pattern.search(text):
            host = match.groupdict().get("host")
            return f"{what}: {host.strip(PUNCTUATION)}" if host else what
    return None


def _short(exc: Exception, limit: int = 300) -> str:
    return head(" ".join(str(exc).split()), limit, "...")


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
