"""Time what the asymmetric phantom costs: building its truth, and the discriminating-power suite.

Prints, from one invocation:
  * the time to render the reference set (DICOM objects, the DVH integrals and the
    tolerance derivation over every reading method and placement) in a fresh process
    state, and to render every variant after it (the derivations shared per process);
  * the time of the discriminating-power suite (the reference reader on every set, then
    each planted bug on the reference set and the set it concerns), and per reader run;
  * the size of one CT image and of the RT Dose (the phantom's grids).

Usage: python benchmarks/fixtures_and_power.py [--skip-build]
Numbers vary with the machine; nothing here asserts a limit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.fixtures import SET_NAMES, render_set  # noqa: E402
from harness.power import suite  # noqa: E402
from harness.power.bugs import BUGS  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="time the power suite only")
    args = parser.parse_args()
    fixtures = ROOT / "fixtures" / "dicom"
    if not args.skip_build:
        started = time.perf_counter()
        files = render_set("reference")
        reference = time.perf_counter() - started
        started = time.perf_counter()
        for name in SET_NAMES[1:]:
            render_set(name)
        variants = time.perf_counter() - started
        ct = next(v for k, v in files.items() if k.startswith("CT_"))
        print(f"reference set rendered in {reference:.1f} s ({len(files)} files; one CT image {len(ct) / 1024:.0f} KiB, "
              f"the RT Dose {len(files['RD.dcm']) / 1024:.0f} KiB)")
        print(f"{len(SET_NAMES) - 1} variant sets rendered in {variants:.1f} s after it")
    started = time.perf_counter()
    report = suite.run(fixtures)
    elapsed = time.perf_counter() - started
    runs = len(report.control) + sum(len(b.outcomes) for b in report.bugs)
    print(f"discriminating-power suite: {elapsed:.1f} s for {runs} reader runs ({elapsed / runs:.2f} s each, "
          f"reading included); {report.caught} of {len(BUGS)} planted bugs caught")
    return 0


if __name__ == "__main__":
    sys.exit(main())
