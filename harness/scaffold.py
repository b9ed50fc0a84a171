"""``rtcompat new ID``: a manifest and a check program that validate out of the box."""

from __future__ import annotations

import re
from pathlib import Path

from harness.manifest import MAX_ID_LENGTH, SLUG
from harness.manifest_loader import load_manifest
from harness.paths import manifests_dir

MANIFEST_TEMPLATE = """\
# {tool_id}: edit every line marked TODO, then run `rtcompat validate` and
# `rtcompat run --tool {tool_id}`. Field reference: docs/manifest-fields.md
id: {tool_id}
name: {tool_id}  # TODO: display name
summary: TODO one or two sentences, in our own words, on what the tool does.
homepage: https://example.org/{tool_id}  # TODO
licence: TODO-SPDX-id
section: Beyond the source catalogue
in_source_catalogue: false
install:
{install}
restrictions:
  network: false
checks:
  - id: read-ct
    capability: read-ct
    program: checks/read_ct{suffix}
    judge: ["ct.rows", "ct.columns", "ct.image_count"]  # truth keys, see fixtures/dicom/reference/truth.json
    timeout: 300
"""

INSTALLS = {
    "virtualenv": "  backend: virtualenv\n  packages: [\"{tool_id}==0.0.0\"]  # TODO: pin the release to test",
    "debian": "  backend: debian\n  packages: [{tool_id}]  # TODO: Debian package names",
    "source": ("  backend: source\n  git: https://github.com/TODO/{tool_id}.git\n"
               "  commit: \"0000000\"  # TODO: pin a commit\n  runtime_packages: [octave]"),
    "container": "  backend: container\n  dockerfile: Dockerfile",
}

PYTHON_CHECK = '''\
"""rtcompat check: observe the CT series with {tool_id}'s own API; print one JSON line.

The check program contract (README, "Check programs"):
* argv[1] is a read-only copy of the fixture set: its DICOM files and points.json
  (where to measure), never the truth. argv[2] is a scratch directory to write into.
* Print ONE JSON object on the last line of stdout, keys named after truth quantities
  (ct.rows, dose.max_gy, dvh.Sphere.D95_gy ...). Anything printed before it is ignored.
* Put what the tool failed at under "_errors" (key -> message); keys starting with "_"
  are never judged. Judge nothing yourself.
* Exit 0. A crash or a non-zero exit after printing is a FAIL, with what you printed kept.
"""
import json
import sys
from pathlib import Path

fixture, scratch = Path(sys.argv[1]), Path(sys.argv[2])
points = json.loads((fixture / "points.json").read_text()) if (fixture / "points.json").exists() else {{}}
observed, errors = {{}}, {{}}
try:
    slices = sorted(fixture.glob("CT_*.dcm"))
    observed["ct.image_count"] = len(slices)
    # TODO: load the slices with {tool_id} and report what it says, e.g.
    # image = {tool_id}.read(slices); observed["ct.rows"] = image.rows; observed["ct.columns"] = image.columns
except Exception as exc:  # report, never crash: the harness judges what is missing
    errors["read-ct"] = f"{{type(exc).__name__}}: {{exc}}"
print(json.dumps({{**observed, "_errors": errors}}))
'''

SHELL_CHECK = '''\
#!/bin/sh
# rtcompat check: observe the CT series with {tool_id}; print one JSON line. Judge nothing.
# $1: read-only copy of the fixture set (DICOM files and points.json, never the truth);
# $2: a scratch directory. The last stdout line is one JSON object named after truth keys.
fixture="$1"
count=$(ls "$fixture"/CT_*.dcm | wc -l)
echo "{{\\"ct.image_count\\": $count, \\"_errors\\": {{}}}}"
'''


class ScaffoldError(Exception):
    """The scaffold would overwrite something."""


def scaffold(tool_id: str, backend: str, directory: Path | None = None) -> list[Path]:
    if not re.fullmatch(SLUG, tool_id) or len(tool_id) > MAX_ID_LENGTH:
        raise ScaffoldError(f"{tool_id!r} is not a tool id: lower-case letters, digits and dashes, "
                            f"starting with a letter or digit, at most {MAX_ID_LENGTH} characters (e.g. rt-utils)")
    directory = directory or manifests_dir()
    manifest = directory / f"{tool_id}.yaml"
    if manifest.exists():
        raise ScaffoldError(f"{manifest} already exists; pick another id or edit it")
    suffix = ".py" if backend == "virtualenv" else ".sh"
    check = directory / tool_id / "checks" / f"read_ct{suffix}"
    check.parent.mkdir(parents=True, exist_ok=True)
    install = INSTALLS[backend].format(tool_id=tool_id)
    manifest.write_text(MANIFEST_TEMPLATE.format(tool_id=tool_id, install=install, suffix=suffix))
    check.write_text((PYTHON_CHECK if suffix == ".py" else SHELL_CHECK).format(tool_id=tool_id))
    written = [manifest, check]
    if backend == "container":
        dockerfile = directory / tool_id / "Dockerfile"
        dockerfile.write_text("FROM rtcompat/debian-base:bookworm\n"
                              "RUN apt-get update && apt-get install -y --no-install-recommends TODO\n"
                              "RUN useradd --create-home --uid 1000 rtcompat\n")
        written.append(dockerfile)
    load_manifest(manifest)  # the scaffold must validate; a failure here is our bug
    return written
