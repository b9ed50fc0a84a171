"""The CI job matrix: one job per installed version of each tool, with what its machine must provide.

``rtcompat matrix`` prints it as JSON for ``strategy.matrix`` in the nightly
workflow. A job's needs are what the manifest declares under ``restrictions`` plus
what its backend implies on a fresh CI runner, so a manifest that forgets to say
``root: true`` still gets a job able to install its packages:

- ``needs_root``: declared, or the install runs ``apt-get`` (``debian`` packages, a
  ``source`` runtime) or builds the container base image with ``mmdebstrap``;
- ``needs_engine``: declared, or the ``container`` backend;
- ``needs_display``: declared, or a ``debian`` install that runs under ``xvfb-run``;
- ``needs_network``: declared only (the harness probes it at run time).

An invalid manifest still gets a job, with backend ``invalid`` and no needs: its run
writes the error row the report must show.
"""

from __future__ import annotations

from typing import Any

from harness.catalogue import Entry
from harness.manifest import ContainerInstall, DebianInstall, Manifest, SourceInstall

INVALID_BACKEND = "invalid"
NEEDS = ("needs_engine", "needs_root", "needs_display", "needs_network")


def job_matrix(entries: list[Entry]) -> dict[str, list[dict[str, Any]]]:
    """``{"include": [job, ...]}``, one job per installed version, in key order (manifests
    whose ids clash are invalid entries, and get one job between them)."""
    jobs = {job["tool"].casefold(): job for entry in entries for job in jobs_for(entry)}
    return {"include": sorted(jobs.values(), key=lambda job: job["tool"])}


def jobs_for(entry: Entry) -> list[dict[str, Any]]:
    """The entry's jobs; ``tool`` is what ``rtcompat run --tool`` takes: the manifest's
    file stem, or ``stem@version`` for each version of a manifest that installs several."""
    if entry.manifest is None:
        return [{"tool": entry.path.stem, "backend": INVALID_BACKEND, **dict.fromkeys(NEEDS, False)}]
    return [{"tool": entry.path.stem + (f"@{one.variant}" if one.variant else ""), "backend": one.backend,
             **needs(one)} for one in entry.manifest.installs()]


def needs(manifest: Manifest) -> dict[str, bool]:
    """What one installed version (one of ``Manifest.installs()``) needs of its machine."""
    declared, install = manifest.restrictions, manifest.install
    runs_apt = isinstance(install, DebianInstall) or (
        isinstance(install, SourceInstall) and bool(install.runtime_packages))
    container = isinstance(install, ContainerInstall)
    return {
        "needs_engine": declared.container_engine or container,
        "needs_root": declared.root or runs_apt or container,
        "needs_display": declared.display or (isinstance(install, DebianInstall) and install.display),
        "needs_network": declared.network,
    }
