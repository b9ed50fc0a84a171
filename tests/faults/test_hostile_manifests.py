"""Malformed and hostile manifests: every one is a list of ``file:line: key: message``
lines and exit 1 from ``rtcompat validate``, never a traceback, a hang or a blow-up.

Hypothesis draws from the shapes that break loaders: random bytes and text, YAML of
the wrong types, unknown keys, huge strings, deep nesting, invalid UTF-8, alias bombs
and tabs, alone and spliced into an otherwise valid manifest. ``RTCOMPAT_FUZZ_EXAMPLES``
raises the number of examples for a longer campaign.
"""

from __future__ import annotations

import io
import json
import os
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.cli import main
from standins import write_tool

EXAMPLES = int(os.environ.get("RTCOMPAT_FUZZ_EXAMPLES", "150"))
GOOD = """\
id: fuzzed
name: Fuzzed
summary: A tool that reads everything.
homepage: https://example.org
licence: MIT
section: Beyond the source catalogue
in_source_catalogue: false
install:
  backend: virtualenv
  packages: ["fuzzed==1.0"]
checks:
  - id: read-ct
    capability: read-ct
    program: checks/read_ct.py
    judge: ["ct.*"]
"""
KEYS = ["id", "name", "summary", "homepage", "licence", "section", "in_source_catalogue", "install",
        "backend", "packages", "checks", "capability", "program", "judge", "timeout", "xfail", "fixture",
        "restrictions", "version", "command", "python", "git", "commit", "dockerfile", "memory", "pids"]


def _alias_bomb(depth: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(9))}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40),
                    st.sampled_from(["virtualenv", "debian", "read-ct", "~", "null", "0x1F", "1e400", "2024-01-02"]))
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
hostile_text = st.one_of(
    st.text(max_size=300),
    st.builds(lambda d: "[" * d + "]" * d, st.integers(1, 3000)),                     # deep flow nesting
    st.builds(lambda d: "".join(f"{' ' * i}k:\n" for i in range(d)), st.integers(1, 700)),  # deep block nesting
    st.builds(_alias_bomb, st.integers(2, 12)),                                       # billion laughs
    st.builds(lambda n: f"id: fuzzed\nname: {'x' * n}\n", st.integers(10**5, 4 * 10**5)), # huge string
    st.builds(lambda s: GOOD.replace("  ", "\t", s % 5 + 1), st.integers(0, 100)),     # tabs
    st.builds(lambda k, v: GOOD + json.dumps({k: v}) + "\n", keys, values),           # unknown or repeated keys
)


@st.composite
def spliced(draw) -> bytes:
    """The valid manifest with one line replaced by hostile YAML."""
    lines = GOOD.splitlines()
    at = draw(st.integers(0, len(lines) - 1))
    key = draw(keys)
    value = json.dumps(draw(values), ensure_ascii=draw(st.booleans()))
    indent = re.match(r"\s*(- )?", lines[at]).group(0)
    lines[at] = f"{indent}{key if draw(st.booleans()) else lines[at].strip().split(':')[0]}: {value}"
    return ("\n".join(lines) + "\n").encode()


manifests = st.one_of(
    st.binary(max_size=400),
    hostile_text.map(str.encode),
    spliced(),
    st.builds(lambda v: json.dumps(v).encode(), values),                       # JSON is YAML: wrong types
    st.builds(lambda b, at: GOOD.encode()[:at] + b + GOOD.encode()[at:],       # invalid UTF-8 inside
              st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf"]),
              st.integers(0, len(GOOD))),
)

LINE = re.compile(r"^(?P<file>\S+\.yaml):(?P<line>\d+): (?P<key>[^\n]*?): (?P<message>.+)$")


def validate(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["validate", str(path)])
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(content=manifests)
def test_a_hostile_manifest_is_one_line_errors_and_exit_1(tmp_path_factory, monkeypatch, content):
    monkeypatch.setenv("RTCOMPAT_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))  # a crash log lands here
    path = tmp_path_factory.mktemp("m") / "fuzzed.yaml"
    path.write_bytes(content)
    try:
        code, out, err = validate(path)
    except BaseException as exc:  # main must never raise, whatever the file holds
        raise AssertionError(f"rtcompat validate raised {exc!r}") from None
    if code == 0:
        return  # hypothesis may stumble on a valid manifest; that one is fine
    assert code == 1, f"exit {code}: {err}"
    assert "Traceback" not in out + err
    *problems, summary = out.splitlines()
    assert summary == "0 valid, 1 invalid" and problems, "an invalid manifest must say why"
    for line in problems:
        match = LINE.match(line)
        assert match and match["file"] == str(path), f"not file:line: key: message: {line[:300]!r}"
        assert len(line) < 2000, "a message must stay readable"


def test_hostile_manifests_keep_their_rows_and_do_not_stop_the_others(project):
    write_tool(project, "fine", 'echo \'{"ct.rows": 4, "dose.max_gy": 70.5}\'')
    hostile = {"bomb": _alias_bomb(12).encode(), "binary": b"\xff\xfe\x00id: [", "deep": b"[" * 5000,
               "tabs": b"id: tabs\n\tname: x\n", "wrong-types": b"id: 7\nchecks: {a: 1}\n"}
    for name, content in hostile.items():
        (project / "tool_manifests" / f"{name}.yaml").write_bytes(content)
    results = project / "results.json"
    assert main(["run", "--results", str(results)]) == 1  # the others ran; the exit status names the bad ones
    tools = {t["id"]: t for t in json.loads(results.read_text())["tools"]}
    for name in hostile:
        assert tools[name]["install"]["status"] == "error"
        # paths in reasons are relative to the project, so a committed report carries none of this machine
        assert tools[name]["install"]["reason"].startswith(f"invalid manifest: tool_manifests/{name}.yaml:")
    assert tools["fine"]["checks"][0]["status"] == "pass"
