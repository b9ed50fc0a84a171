"""Findings: known root causes that explain failing verdicts, declared as data.

After lintian's tags: each finding is one small YAML file under ``findings/`` (title,
explanation, the tools and truth keys it may explain, the rule that recognises it,
how to state the evidence, the tool's source line, an upstream link, or the call a
ready-to-file upstream report would name). The code here only applies the rules: it
says "finding X explains these verdicts, with this evidence". One finding per cause
per tool: ImageJ's ten unscaled dose values are one finding, shared with SimpleITK.

Rules (the ``rule`` of a declaration, with its ``parameters``):

``ratio``
    observed / expected equals a factor, e.g. ``1 / dose.scaling`` (within ``within``).
``value``
    the tool reported one of ``values`` (0 for a spacing it could not read, '' for an
    attribute it never sets).
``tool-error``
    the quantity was not reported and the tool's error matches ``pattern``.
``rounded``
    the tool reported the expected value rounded to ``decimals``.
``wrong``
    any failing verdict among the keys (a cause known for that tool, with its evidence);
    with ``ratio: [low, high]`` only numbers whose observed / expected lies within it
    (the effect the cause can have: a volume 1.5 times too large is not one of 0).
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from ruamel.yaml import YAML

from harness.judging.judge import ERRORS_KEY, STRUCTURE_SCOPES, Quantity, Verdict
from harness.manifest import Check
from harness.redact import head
from harness.results import FindingRef


class Declaration(BaseModel):
    """One finding as its YAML file declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    explanation: str
    tools: list[str] = Field(min_length=1, description="tool ids (glob patterns) the finding may explain")
    keys: list[str] = Field(min_length=1, description="truth keys (glob patterns) whose verdicts it explains")
    sets: list[str] = Field(default_factory=lambda: ["*"],
                            description="fixture sets (glob patterns) on which it explains them; all by default")
    rule: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    evidence: str = Field(description="format string over the rule's figures")
    severity: str = Field("defect", pattern=r"^(defect|limitation)$")
    source: dict[str, str] = Field(default_factory=dict, description="tool id -> source file and line, a URL")
    upstream: dict[str, HttpUrl] = Field(default_factory=dict, description="tool id -> upstream issue")
    call: dict[str, str] = Field(default_factory=dict, description="tool id -> the API call that shows it")

    def covers(self, tool_id: str, key: str, fixture: str) -> bool:
        return (any(fnmatch.fnmatchcase(tool_id, t) for t in self.tools)
                and any(fnmatch.fnmatchcase(key, k) for k in self.keys)
                and any(fnmatch.fnmatchcase(fixture, f) for f in self.sets))


@dataclass(frozen=True)
class Evidence:
    """What a rule saw: the verdicts it explains and the figures for the evidence line."""

    keys: list[str]
    figures: dict[str, Any]


Rule = Callable[[Declaration, list[Verdict], dict[str, Quantity], dict[str, Any]], Evidence | None]


def _ratio(declaration: Declaration, verdicts: list[Verdict], truth: dict[str, Quantity],
           observed: dict[str, Any]) -> Evidence | None:
    params = declaration.parameters
    base = truth.get(params["of"])
    if base is None or not isinstance(base.value, (int, float)) or base.value == 0:
        return None
    factor = 1.0 / base.value if params.get("inverse") else float(base.value)
    within = float(params.get("within", 1e-3))
    keys = [v.key for v in verdicts if _is_number(v.observed) and _is_number(v.expected) and v.expected
            and math.isclose(v.observed / v.expected, factor, rel_tol=within)]
    if not keys:
        return None
    return Evidence(keys, {"factor": factor, "base": base.value, "base_key": base.key, "count": len(keys)})


def _value(declaration: Declaration, verdicts: list[Verdict], truth: dict[str, Quantity],
           observed: dict[str, Any]) -> Evidence | None:
    wanted = declaration.parameters["values"]
    keys = [v.key for v in verdicts if v.observed is not None
            and any(type(v.observed) is type(w) and v.observed == w for w in wanted)]
    if not keys:
        return None
    first = next(v for v in verdicts if v.key == keys[0])
    return Evidence(keys, {"observed": first.observed, "expected": first.expected, "key": first.key,
                           "count": len(keys), "pairs": _pairs(verdicts, keys)})


def _tool_error(declaration: Declaration, verdicts: list[Verdict], truth: dict[str, Quantity],
                observed: dict[str, Any]) -> Evidence | None:
    pattern = re.compile(declaration.parameters["pattern"])
    errors = observed.get(ERRORS_KEY) if isinstance(observed.get(ERRORS_KEY), dict) else {}
    messages = [str(m) for m in errors.values() if pattern.search(str(m))]
    if not messages:
        return None
    keys = [v.key for v in verdicts if v.observed is None]
    if not keys:
        return None
    line = next(line for line in messages[0].splitlines() if pattern.search(line)).strip()
    return Evidence(keys, {"error": head(line, 200), "count": len(keys)})


def _rounded(declaration: Declaration, verdicts: list[Verdict], truth: dict[str, Quantity],
             observed: dict[str, Any]) -> Evidence | None:
    decimals = int(declaration.parameters.get("decimals", 0))

    def rounded(got, want) -> bool:
        if isinstance(want, list):
            return isinstance(got, list) and len(got) == len(want) and all(map(rounded, got, want))
        return _is_number(got) and _is_number(want) and math.isclose(got, _round_half_away(want, decimals),
                                                                     abs_tol=1e-9)

    keys = [v.key for v in verdicts if rounded(v.observed, v.expected)]
    if not keys:
        return None
    first = next(v for v in verdicts if v.key == keys[0])
    return Evidence(keys, {"observed": first.observed, "expected": first.expected, "key": first.key,
                           "count": len(keys)})


def _wrong(declaration: Declaration, verdicts: list[Verdict], truth: dict[str, Quantity],
           observed: dict[str, Any]) -> Evidence | None:
    bounds = declaration.parameters.get("ratio")
    if bounds is not None:
        low, high = (float(b) for b in bounds)
        # a value not reported is not an effect a ratio can describe
        verdicts = [v for v in verdicts if v.observed is not None
                    and (not (_is_number(v.observed) and _is_number(v.expected))
                         or (v.expected != 0 and low <= v.observed / v.expected <= high))]
    if not verdicts:
        return None
    first = verdicts[0]
    quantity = truth.get(first.key)
    alternatives = {a.name: a.value for a in quantity.alternatives} if quantity else {}
    keys = [v.key for v in verdicts]
    return Evidence(keys, {
        "observed": first.observed, "expected": first.expected, "key": first.key, "count": len(verdicts),
        "pairs": _pairs(verdicts, keys),
        "deviation": _relative(first.observed, first.expected),
        "no_end_caps": alternatives.get("no-end-caps"),
        "no_end_caps_deviation": _relative(first.observed, alternatives.get("no-end-caps")),
    })


def _renamed(declaration: Declaration, verdicts: list[Verdict], truth: dict[str, Quantity],
             observed: dict[str, Any]) -> Evidence | None:
    """Structure names the tool changed by replacing the characters ``pattern`` matches with
    ``by``: the names list is the renamed list, and a structure's quantity missing under its
    own name is there under the changed one (surrounding spaces aside: a padded name)."""
    pattern, by = re.compile(declaration.parameters["pattern"]), str(declaration.parameters.get("by", " "))

    def renamed(name: str) -> str:
        return pattern.sub(by, name).strip()

    keys, pairs = [], []
    for v in verdicts:
        if (isinstance(v.expected, list) and isinstance(v.observed, list) and len(v.observed) == len(v.expected)
                and all(isinstance(n, str) for n in [*v.observed, *v.expected])
                and [n.strip() for n in v.observed] == [renamed(n) for n in v.expected]):
            keys.append(v.key)
            pairs += [(e, o.strip()) for e, o in zip(v.expected, v.observed) if e != o.strip()]
        elif v.observed is None:
            for scope in STRUCTURE_SCOPES:
                name, _, leaf = v.key[len(scope):].rpartition(".") if v.key.startswith(scope) else ("", "", "")
                if name and renamed(name) != name and f"{scope}{renamed(name)}.{leaf}" in observed:
                    keys.append(v.key)
                    pairs.append((name, renamed(name)))
    if not keys:
        return None
    expected, got = pairs[0] if pairs else ("", "")
    return Evidence(keys, {"expected": expected, "observed": got, "count": len(keys),
                           "names": ", ".join(f"'{e}' as '{o}'" for e, o in dict(pairs).items())})


def _timeout(declaration: Declaration, verdicts: list[Verdict], truth: dict[str, Quantity],
             observed: dict[str, Any]) -> Evidence | None:
    return None  # a timed-out check has no verdicts: explain_timeout applies it


RULES: dict[str, Rule] = {"ratio": _ratio, "value": _value, "tool-error": _tool_error, "rounded": _rounded,
                          "wrong": _wrong, "timeout": _timeout, "renamed": _renamed}


def _pairs(verdicts: list[Verdict], keys: list[str], limit: int = 6) -> str:
    """``CylinderSI.D99_gy 0 (expected 38.64), ...`` for the evidence line."""
    chosen = [v for v in verdicts if v.key in keys]
    text = ", ".join(f"{v.key.removeprefix('dvh.')} {_num(v.observed)} (expected {_num(v.expected)})"
                     for v in chosen[:limit])
    return text + (f" and {len(chosen) - limit} more" if len(chosen) > limit else "")


def _num(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else repr(value)


def _round_half_away(value: float, decimals: int) -> float:
    """MATLAB's and Octave's round(): halves away from zero (Python rounds to even)."""
    scale = 10 ** decimals
    return math.copysign(math.floor(abs(value) * scale + 0.5), value) / scale


def _relative(observed: Any, expected: Any) -> float | None:
    if _is_number(observed) and _is_number(expected) and expected:
        return 100.0 * (observed - expected) / abs(expected)
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class FindingError(Exception):
    """A finding declaration that cannot be used (names the file)."""


def declarations() -> tuple[Declaration, ...]:
    """Every declared finding, in id order: the central ones (``harness/judging/findings``)
    and each tool's own (``tool_manifests/<tool>/findings``), so that a pull request that
    adds a tool can explain its FAIL without touching the harness; a bad file is an error
    naming it."""
    from harness.paths import manifests_dir

    directory = manifests_dir()
    files = tuple(tool_finding_files(directory))
    return _declarations(files)


declarations.cache_clear = lambda: _declarations.cache_clear()  # type: ignore[attr-defined]


@lru_cache(maxsize=8)
def _declarations(tool_files: tuple[tuple[str, str, str], ...]) -> tuple[Declaration, ...]:
    central = [(f"findings/{entry.name}", entry.read_text(), None)
               for entry in resources.files("harness.judging").joinpath("findings").iterdir()
               if entry.name.endswith((".yaml", ".yml"))]
    found: dict[str, tuple[str, Declaration]] = {}
    for where, text, tool in sorted(central, key=lambda c: c[0]) + list(tool_files):
        declaration = load_declaration(where, text, tool)
        if declaration.id in found:
            raise FindingError(f"{where}: id {declaration.id!r} is declared already in {found[declaration.id][0]}")
        found[declaration.id] = (where, declaration)
    return tuple(declaration for _, (_, declaration) in sorted(found.items()))


def tool_finding_files(tool_manifests: Path) -> list[tuple[str, str, str]]:
    """(where, text, tool id) of every ``tool_manifests/<tool>/findings/*.yaml``."""
    if not tool_manifests.is_dir():
        return []
    files = []
    for path in sorted(tool_manifests.glob("*/findings/*")):
        if path.suffix in (".yaml", ".yml") and path.is_file():
            files.append((f"tool_manifests/{path.parent.parent.name}/findings/{path.name}",
                          path.read_text(errors="replace"), path.parent.parent.name))
    return files


def load_declaration(where: str, text: str, tool: str | None = None) -> Declaration:
    """One finding file, checked: its id is its file name, its rule exists, and a tool's
    own finding concerns that tool alone (``tool`` or ``tool@version``)."""
    try:
        declaration = Declaration.model_validate(YAML(typ="safe").load(text))
    except Exception as exc:
        raise FindingError(f"{where}: {exc}") from None
    stem = where.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if declaration.id != stem:
        raise FindingError(f"{where}: id {declaration.id!r} must match the file name")
    if declaration.rule not in RULES:
        raise FindingError(f"{where}: unknown rule {declaration.rule!r} (one of {', '.join(RULES)})")
    if tool is not None:
        foreign = [t for t in declaration.tools if t != tool and not t.startswith(f"{tool}@")]
        if foreign:
            raise FindingError(f"{where}: tools {foreign} are not {tool!r}: a finding beside a tool's manifest "
                               f"explains that tool only (a finding shared by several tools goes in "
                               f"harness/judging/findings/)")
    return declaration


def by_id() -> dict[str, Declaration]:
    return {d.id: d for d in declarations()}


def explain(tool_id: str, check: Check, truth: dict[str, Quantity], observed: dict[str, Any],
            verdicts: list[Verdict]) -> list[FindingRef]:
    """The findings that explain this check's failing verdicts; each verdict goes to the
    first finding whose rule recognises it: those that match the tool's own error message
    first (a value the tool never showed is explained by why it did not, not by how a
    shown one would have been wrong), then those declared for the check's fixture sets
    (a beam dose taken for the plan's is what went wrong on that set, before a method
    error the tool makes everywhere), then in id order."""
    failing = [v for v in verdicts if not v.passed]
    explained: set[str] = set()
    refs = []
    for declaration in sorted(declarations(), key=lambda d: (d.rule != "tool-error", d.sets == ["*"])):
        candidates = [v for v in failing if v.key not in explained
                      and declaration.covers(tool_id, v.key, check.fixture or "reference")]
        if not candidates:
            continue
        evidence = RULES[declaration.rule](declaration, candidates, truth, observed)
        if evidence is None:
            continue
        explained.update(evidence.keys)
        refs.append(FindingRef(id=declaration.id, keys=evidence.keys,
                               evidence=_format(declaration.evidence, evidence.figures)))
    return refs


def explain_timeout(tool_id: str, check: Check) -> list[FindingRef]:
    """A finding whose rule is ``timeout`` explains a check that timed out, for the tools
    and fixture sets it names (a tool known to hang there, e.g. on a modal dialog)."""
    for declaration in declarations():
        if declaration.rule == "timeout" and declaration.covers(tool_id, declaration.keys[0], check.fixture or "reference"):
            figures = {"seconds": check.timeout, "fixture": check.fixture or "reference"}
            return [FindingRef(id=declaration.id, keys=[], evidence=_format(declaration.evidence, figures))]
    return []


def _format(template: str, figures: dict[str, Any]) -> str:
    try:
        return template.format(**figures)
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        return f"{template} (figures {figures}; {type(exc).__name__})"


def unexplained(verdicts: list[Verdict] | list, refs: list[FindingRef]) -> list[str]:
    """Keys of failing verdicts no finding explains."""
    covered = {key for ref in refs for key in ref.keys}
    return [v.key for v in verdicts if not v.passed and v.key not in covered]
