"""Reading manifests from disk, with problems reported as ``file:line: key: message``.

ruamel.yaml keeps the line of every key, so a pydantic error location such as
``('checks', 1, 'timout')`` maps back to the line a person has to edit.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError

from harness.manifest import Manifest, tool_id_from_path


# A manifest is a few KiB and a few hundred values; these bounds stop an alias bomb
# ("billion laughs"), a pathological nesting or a huge file before it costs memory or time.
MAX_BYTES = 256 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 64


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a manifest, located so a person can fix it."""

    file: Path
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {_one_line(self.key, 120) or '<file>'}: {_one_line(self.message, 500)}"


def _one_line(text: str, limit: int) -> str:
    """Hostile input may put newlines, control characters or a megabyte into a key or a
    message; the report line must stay one readable line."""
    text = " ".join(text.split())
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ManifestError(Exception):
    """A manifest that cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_manifest(path: Path) -> Manifest:
    """Parse and validate one manifest file; raise ManifestError listing every problem."""
    return load_manifest_and_lines(path)[0]


def line_of(data: Any, loc: tuple) -> int:
    """The 1-based line of ``loc`` (e.g. ``("checks", 2, "judge", 1)``) in parsed YAML."""
    return _line_of(data, loc)


def load_manifest_and_lines(path: Path) -> tuple[Manifest, Any]:
    """The manifest and the parsed YAML that knows each key's line (for later checks)."""
    data = _read_yaml(path)
    problems = _structure_problems(path, data)
    if problems:
        raise ManifestError(problems)
    try:
        manifest = Manifest.model_validate(_plain(data))
    except _TooLarge as exc:
        raise ManifestError([Problem(path, 1, "", str(exc))]) from None
    except ValidationError as exc:
        raise ManifestError(_validation_problems(path, data, exc)) from None
    if manifest.id != tool_id_from_path(path):
        raise ManifestError([Problem(path, _line_of(data, ("id",)), "id",
                                     f"{manifest.id!r} must match the file name {path.stem!r}")])
    return manifest, data


def _read_yaml(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError([Problem(path, 1, "", f"cannot read: {exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise ManifestError([Problem(path, 1, "", f"larger than {MAX_BYTES // 1024} KiB; a manifest is a few KiB")])
    if (deep := _flow_nesting_beyond(text, MAX_DEPTH)) is not None:
        # ruamel needs seconds to hit the recursion limit on a few thousand brackets.
        raise ManifestError([Problem(path, deep, "", f"nested deeper than {MAX_DEPTH} levels")])
    try:
        return YAML(typ="rt").load(text)
    except ReaderError as exc:  # a character YAML forbids; it knows the offset, not the line
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise ManifestError([Problem(path, line, "", f"invalid YAML: character {_codepoint(exc.character)} is not allowed")]) from None
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise ManifestError([Problem(path, line, "", f"invalid YAML: {exc.problem}")]) from None
    except Exception as exc:  # ruamel raises several unrelated types for odd input
        raise ManifestError([Problem(path, 1, "", f"invalid YAML: {exc}")]) from None


def _flow_nesting_beyond(text: str, limit: int) -> int | None:
    """The line where ``[``/``{`` nesting first exceeds ``limit`` (quotes and comments
    skipped roughly; exactness is not needed for a bound no real manifest comes near)."""
    depth, line, quote = 0, 1, ""
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"" and (i == 0 or text[i - 1] in " \t\n[{,:"):
            quote = c
        elif c in "[{":
            depth += 1
            if depth > limit:
                return line
        elif c in "]}":
            depth = max(depth - 1, 0)
    return None


def _codepoint(character: int | str) -> str:
    return f"#x{character if isinstance(character, int) else ord(character):04x}"


def _structure_problems(path: Path, data: Any) -> list[Problem]:
    if not isinstance(data, CommentedMap):
        return [Problem(path, 1, "", "expected a mapping of keys (id, name, install, checks ...)")]
    return []


def _validation_problems(path: Path, data: Any, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = _without_union_tags(error["loc"], data)
        key = ".".join(str(part) for part in loc)
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key" + _suggestion(loc, data)
        elif error["type"] == "missing":
            message = "required key is missing"
        elif error["type"] == "literal_error" and "expected" in error.get("ctx", {}):
            message = f"{error['input']!r} is not one of {error['ctx']['expected']}"
        problems.append(Problem(path, _line_of(data, loc), key, message))
    return sorted(problems, key=lambda p: p.line)


def _without_union_tags(loc: tuple, data: Any) -> tuple:
    """Drop the discriminator tags pydantic inserts (``install.virtualenv.packages``)."""
    cleaned: list = []
    node = data
    for part in loc:
        if isinstance(node, CommentedMap) and isinstance(part, str) and part not in node:
            if part in ("virtualenv", "debian", "source", "container", "unavailable") or "[" in part:
                continue
        cleaned.append(part)
        node = _child(node, part)
    return tuple(cleaned)


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, CommentedMap) and part in node:
        return node[part]
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _line_of(data: Any, loc: tuple) -> int:
    """The 1-based line of the deepest part of ``loc`` that exists in the YAML."""
    line = 1
    node = data
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
        else:
            break  # the key is absent: point at its parent's line
        node = node[part]
    return line


def _suggestion(loc: tuple, data: Any) -> str:
    model = _model_at(loc[:-1], data)
    if model is None:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_at(loc: tuple, data: Any) -> type[BaseModel] | None:
    """The model class that owns the mapping at ``loc``, to list its valid keys."""
    from harness import manifest as m

    model: type[BaseModel] | None = Manifest
    node = data
    for part in loc:
        node = _child(node, part)
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        if part == "install":
            backend = node.get("backend") if isinstance(node, CommentedMap) else None
            model = {
                "virtualenv": m.VirtualenvInstall, "debian": m.DebianInstall,
                "source": m.SourceInstall, "container": m.ContainerInstall,
                "unavailable": m.UnavailableInstall,
            }.get(backend)
        else:
            model = {"checks": m.Check, "restrictions": m.Restrictions, "version": m.VersionQuery,
                     "versions": m.ToolVersion, "xfail": m.XFail}.get(str(part))
    return model




class _TooLarge(Exception):
    pass


def _plain(node: Any, budget: list[int] | None = None, depth: int = 0) -> Any:
    """ruamel's round-trip containers to plain dicts and lists for pydantic, within bounds."""
    budget = [MAX_VALUES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge(f"more than {MAX_VALUES} values once aliases are expanded (a YAML alias bomb?)")
    if depth > MAX_DEPTH and isinstance(node, (dict, list)):
        raise _TooLarge(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(node, dict):
        return {str(k): _plain(v, budget, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v, budget, depth + 1) for v in node]
    return node
