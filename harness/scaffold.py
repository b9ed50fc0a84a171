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
    judge: ["ct.rows", "ct.columns", "ct.image_count"]
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
"""Observe the CT series with {tool_id}'s own API; print one JSON line. Judge nothing."""
import json
import sys
from pathlib import Path

fixture = Path(sys.argv[1])
observed, errors = {{}}, {{}}
try:
    slices = sorted(fixture.glob("CT_*.dcm"))
    observed["ct.image_count"] = len(slices)
    # TODO: load the slices with the tool and report ct.rows, ct.columns ...
except Exception as exc:  # report, never crash: the harness judges what is missing
    errors["read-ct"] = f"{{type(exc).__name__}}: {{exc}}"
print(json.dumps({{**observed, "_errors": errors}}))
'''

SHELL_CHECK = '''\
#!/bin/sh
# Observe the CT series with {tool_id}; print one JSON line. Judge nothing.
fixture="$1"
count=$(ls "$fixture"/CT_*.dcm | wc -l)
echo "{{\\"ct.image_count\\": $count}}"
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
