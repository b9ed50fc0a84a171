"""``rtcompat new ID``: a manifest and a check program to fill in.

Both are valid as written except for what only a person can know, marked TODO (the
display name, the summary, the homepage, the licence, the release to install, the
tool's API calls): ``rtcompat validate`` names each of those at its line, so the scaffold
is also the to-do list.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.manifest import CAPABILITIES, MAX_ID_LENGTH, SLUG, TYPICAL_KEYS
from harness.manifest_loader import load_manifest
from harness.paths import manifests_dir

#: What the scaffold leaves for a person to fill in; ``rtcompat validate`` names each one.
PLACEHOLDER = "TODO"

MANIFEST_TEMPLATE = """\
# {tool_id}: replace every TODO (rtcompat validate names each one at its line), then
# rtcompat check {tool_id} {capability}. Field reference: docs/manifest-fields.md
id: {tool_id}
name: TODO display name of {tool_id}
summary: TODO one or two sentences, in our own words, on what the tool does.
homepage: https://TODO.example.org/{tool_id}
licence: TODO-SPDX-id
section: Beyond the source catalogue
in_source_catalogue: false
install:
{install}
restrictions:
  network: false
checks:
  - id: {capability}
    capability: {capability}
    program: checks/{program}
    {judged_by}
    timeout: 300
"""

INSTALLS = {
    "virtualenv": "  backend: virtualenv\n  packages: [\"TODO-{tool_id}==0.0.0\"]  # pin the release to test",
    "debian": "  backend: debian\n  packages: [TODO-{tool_id}]  # Debian package names",
    "source": ("  backend: source\n  git: https://github.com/TODO/{tool_id}.git\n"
               "  commit: \"0000000\"  # pin a commit\n  runtime_packages: [octave]"),
    "container": "  backend: container\n  dockerfile: Dockerfile",
}

PYTHON_CHECK = '''\
\"\"\"rtcompat check: {capability} with {tool_id}'s own API; print one JSON line.

The check program contract (README, "Check programs"):
* argv[1] is a read-only copy of the fixture set: its DICOM files and points.json
  (where to measure), never the truth. argv[2] is a scratch directory to write into.
* Every value comes from {tool_id}'s own API. If it has no reader for this object, it
  has no {capability} capability: remove this check rather than read it some other way.
* Print ONE JSON object on the last line of stdout, keys named after truth quantities
  ({keys}). Anything printed before it is ignored.
* Put what the tool failed at under "_errors" (key -> message); keys starting with "_"
  are never judged. Judge nothing yourself.
* Exit 0. A crash or a non-zero exit after printing is a FAIL, with what you printed kept.
\"\"\"
import json
import sys
from pathlib import Path

fixture, scratch = Path(sys.argv[1]), Path(sys.argv[2])
points = json.loads((fixture / "points.json").read_text()) if (fixture / "points.json").exists() else {{}}
observed, errors = {{}}, {{}}
try:
    import {module}  # TODO: the tool's import name
    # TODO: read the fixture with it and report what it says, e.g.
    # thing = {module}.read(fixture); observed["{first_key}"] = thing.some_attribute
    errors["{capability}"] = "TODO: not written yet"
except Exception as exc:  # report, never crash: the harness judges what is missing
    errors["{capability}"] = f"{{type(exc).__name__}}: {{exc}}"
print(json.dumps({{**observed, "_errors": errors}}))
'''

SHELL_CHECK = '''\
#!/bin/sh
# rtcompat check: {capability} with {tool_id}; print one JSON line. Judge nothing.
# $1: read-only copy of the fixture set (DICOM files and points.json, never the truth);
# $2: a scratch directory. Every value comes from the tool; the last stdout line is one
# JSON object whose keys name truth quantities ({keys}).
fixture="$1"
# TODO: run {tool_id} on the fixture and print what it says, e.g.
# echo "{{\\"{first_key}\\": $({tool_id} --count "$fixture"), \\"_errors\\": {{}}}}"
echo "{{\\"_errors\\": {{\\"{capability}\\": \\"TODO: not written yet\\"}}}}"
'''


class ScaffoldError(Exception):
    """The scaffold would overwrite something."""


def scaffold(tool_id: str, backend: str, directory: Path | None = None, capability: str = "read-ct") -> list[Path]:
    if not re.fullmatch(SLUG, tool_id) or len(tool_id) > MAX_ID_LENGTH:
        raise ScaffoldError(f"{tool_id!r} is not a tool id: lower-case letters, digits and dashes, "
                            f"starting with a letter or digit, at most {MAX_ID_LENGTH} characters (e.g. rt-utils)")
    directory = directory or manifests_dir()
    manifest = directory / f"{tool_id}.yaml"
    if manifest.exists():
        raise ScaffoldError(f"{manifest} already exists; pick another id or edit it")
    if capability not in CAPABILITIES:
        raise ScaffoldError(f"{capability!r} is not a capability (one of {', '.join(CAPABILITIES)})")
    suffix = ".py" if backend == "virtualenv" else ".sh"
    program = f"{capability.replace('-', '_')}{suffix}"
    check = directory / tool_id / "checks" / program
    check.parent.mkdir(parents=True, exist_ok=True)
    install = INSTALLS[backend].format(tool_id=tool_id)
    keys = TYPICAL_KEYS[capability] or [f"{tool_id}.started"]
    if TYPICAL_KEYS[capability]:
        judged_by = ("judge: [" + ", ".join(f'"{k}"' for k in keys) + "]"
                     "  # truth keys (fixtures/dicom/reference/truth.json); a subset is fine")
    else:
        judged_by = f"expect: {{{keys[0]}: true}}  # facts about the tool that no fixture truth states"
    manifest.write_text(MANIFEST_TEMPLATE.format(tool_id=tool_id, install=install, capability=capability,
                                                 program=program, judged_by=judged_by))
    fill = dict(tool_id=tool_id, capability=capability, keys=", ".join(keys[:3]) + ", ...",
                first_key=keys[0].replace("*", "Sphere"), module=tool_id.replace("-", "_"))
    check.write_text((PYTHON_CHECK if suffix == ".py" else SHELL_CHECK).format(**fill))
    written = [manifest, check]
    if backend == "container":
        dockerfile = directory / tool_id / "Dockerfile"
        dockerfile.write_text("FROM rtcompat/debian-base:bookworm\n"
                              "RUN apt-get update && apt-get install -y --no-install-recommends TODO\n"
                              "RUN useradd --create-home --uid 1000 rtcompat\n")
        written.append(dockerfile)
    load_manifest(manifest)  # the scaffold must validate; a failure here is our bug
    return written
