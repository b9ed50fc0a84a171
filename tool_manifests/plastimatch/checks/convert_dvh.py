"""rtcompat check: plastimatch (PyPI ``plastimatch`` wheel, ships the static binary).

Run with the plastimatch venv's interpreter:  python convert_dvh.py FIXTURE_DIR
Drives the tool's own CLI (the wheel's console script next to sys.executable):
  plastimatch convert --input DIR --output-img ct.nrrd --output-dose-img dose.nrrd
                      --output-ss-img ss.nrrd --output-ss-list ss.txt --output-prefix structs
  plastimatch header / stats   (geometry, dose max/min, voxel counts of each structure mask)
  plastimatch probe --location "x y z;..."   (HU and dose at the probe points, through
                                              plastimatch's own image geometry)
  plastimatch dvh --input DIR --output-csv dvh.csv --bin-width B --num-bins N --normalization vox
Dx / mean are read off plastimatch's own cumulative DVH table (no re-computation from voxels).
Prints ONE JSON line at the end. Judges nothing.
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile

OUT, ERR, META = {}, {}, {}
BIN_GY = 0.01
D_LEVELS_PCT = (99, 95, 50, 5, 1)


def exe():
    p = os.path.join(os.path.dirname(sys.executable), "plastimatch")
    return p if os.path.exists(p) else "plastimatch"


def run(*args):
    r = subprocess.run([exe(), *args], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"plastimatch {args[0]} rc={r.returncode}: {(r.stderr or r.stdout)[-400:]}")
    return r.stdout


def header(path):
    h = {}
    for line in run("header", path).splitlines():
        if "=" in line:
            k, v = [x.strip() for x in line.split("=", 1)]
            h[k] = v
    return h


def stats(path, *extra):
    out = run("stats", *extra, path)
    m = re.search(r"MIN\s+(\S+)\s+AVE\s+(\S+)\s+MAX\s+(\S+)\s+NONZERO\s+(\S+)\s+NUMVOX\s+(\S+)", out)
    if not m:
        raise RuntimeError(f"unparsed stats output: {out[-200:]}")
    return dict(zip(("min", "mean", "max", "nonzero", "numvox"), (float(x) for x in m.groups())))


def probe(path, points):
    """plastimatch's value at each named patient point (mm), through its own geometry."""
    names = list(points)
    out = run("probe", "--location", ";".join(" ".join(repr(float(v)) for v in points[n]) for n in names), path)
    values = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\d+):.*;\s*(\S+)\s*$", line)
        if m and m.group(2) == "N/A":  # plastimatch's answer: the point is outside its image
            ERR[f"probe.{names[int(m.group(1))]}"] = (f"plastimatch probe: N/A at {points[names[int(m.group(1))]]} "
                                                     f"(outside its image of {os.path.basename(path)})")
        elif m:
            values[names[int(m.group(1))]] = float(m.group(2))
    return values


def stage(name, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        ERR[name] = f"{type(e).__name__}: {e}"


POINTS = {}


def main(d):
    from importlib.metadata import version
    POINTS.update(json.load(open(os.path.join(d, "points.json"))))
    META["tool"] = "plastimatch"
    META["tool_version"] = version("plastimatch")
    META["binary_version"] = run("--version").strip()
    tmp = tempfile.mkdtemp(prefix="pm_")
    p = lambda n: os.path.join(tmp, n)

    def conv():
        run("convert", "--input", d, "--output-img", p("ct.nrrd"), "--output-dose-img", p("dose.nrrd"),
            "--output-ss-img", p("ss.nrrd"), "--output-ss-list", p("ss.txt"), "--output-prefix", p("structs"))
    stage("convert", conv)

    def ct():
        h = header(p("ct.nrrd"))
        size = [int(x) for x in h["Size"].split()]
        sp = [float(x) for x in h["Spacing"].split()]
        OUT["ct.size_voxels"] = size
        OUT["ct.columns"], OUT["ct.rows"], OUT["ct.image_count"] = size
        OUT["ct.pixel_spacing_mm"] = [sp[1], sp[0]]
        OUT["ct.slice_spacing_mm"] = sp[2]
        OUT["ct.origin_mm"] = [float(x) for x in h["Origin"].split()]
        dirs = [float(x) for x in h["Direction"].split()]
        OUT["ct.orientation"] = [dirs[0], dirs[3], dirs[6], dirs[1], dirs[4], dirs[7]]
        # the directions of the volume's column, row and slice axes: how plastimatch laid it out
        OUT["ct.volume_directions"] = [dirs[i] for i in (0, 3, 6, 1, 4, 7, 2, 5, 8)]
        OUT["ct.hu.mean"] = stats(p("ct.nrrd"))["mean"]
        for n, v in probe(p("ct.nrrd"), POINTS["ct"]).items():
            OUT[f"ct.hu.{n}"] = v
    stage("ct", ct)

    def dose():
        h = header(p("dose.nrrd"))
        size = [int(x) for x in h["Size"].split()]
        sp = [float(x) for x in h["Spacing"].split()]
        OUT["dose.size_voxels"] = size
        OUT["dose.columns"], OUT["dose.rows"], OUT["dose.frames"] = size
        OUT["dose.pixel_spacing_mm"] = [sp[1], sp[0]]
        OUT["dose.frame_spacing_mm"] = sp[2]
        OUT["dose.origin_mm"] = [float(x) for x in h["Origin"].split()]
        dirs = [float(x) for x in h["Direction"].split()]
        OUT["dose.orientation"] = [dirs[0], dirs[3], dirs[6], dirs[1], dirs[4], dirs[7]]
        for n, v in probe(p("dose.nrrd"), POINTS["dose"]).items():
            OUT[f"dose.at.{n}_gy"] = v
        s = stats(p("dose.nrrd"))
        OUT["dose.max_gy"], OUT["dose.min_gy"] = s["max"], s["min"]
    stage("dose", dose)

    names = []

    def ss():
        for line in open(p("ss.txt")):
            parts = line.rstrip("\n").split("|")
            if len(parts) >= 3:
                names.append(parts[2])
        OUT["rtstruct.roi_count"] = len(names)
        OUT["rtstruct.roi_names"] = names
        h = header(p("ct.nrrd"))
        sp = [float(x) for x in h["Spacing"].split()]
        vox_cc = sp[0] * sp[1] * sp[2] / 1000.0
        for n in names:
            try:
                mask = os.path.join(p("structs"), f"{n}.mha")
                OUT[f"rtstruct.roi.{n}.volume_cc"] = stats(mask)["nonzero"] * vox_cc
            except Exception as e:  # noqa: BLE001
                ERR[f"rtstruct_volume.{n}"] = f"{type(e).__name__}: {e}"
    stage("rtstruct", ss)

    def dvh():
        nbins = int((OUT.get("dose.max_gy", 200.0) + 5) / BIN_GY) + 1
        run("dvh", "--input", d, "--output-csv", p("dvh.csv"), "--bin-width", str(BIN_GY),
            "--num-bins", str(nbins), "--normalization", "vox")
        META["dvh"] = {"num_bins": nbins, "csv": "cumulative, voxel counts, dose column = bin lower edge"}
        OUT["dvh.bin_width_gy"] = BIN_GY
        rows = list(csv.reader(open(p("dvh.csv"))))
        hdr = rows[0]
        data = [[float(x) for x in r] for r in rows[1:] if r]
        dose = [r[0] for r in data]
        for ci, n in enumerate(hdr[1:], 1):
            cum = [r[ci] for r in data]  # voxels receiving >= dose[i]
            tot = cum[0]
            if tot <= 0:
                ERR[f"dvh.{n}"] = "empty structure in plastimatch dvh"
                continue
            q = f"dvh.{n.strip()}"
            nz = [i for i, c in enumerate(cum) if c > 0]
            OUT[f"{q}.max_gy"] = dose[nz[-1]]
            OUT[f"{q}.min_gy"] = dose[next(i for i, c in enumerate(cum) if c < tot) - 1] if any(c < tot for c in cum) else dose[0]
            # mean from the differential histogram (bin lower edges)
            diff = [cum[i] - (cum[i + 1] if i + 1 < len(cum) else 0) for i in range(len(cum))]
            OUT[f"{q}.mean_gy"] = sum(dd * w for dd, w in zip(dose, diff)) / tot
            for x in D_LEVELS_PCT:
                thr = tot * x / 100.0
                OUT[f"{q}.D{x}_gy"] = dose[max(i for i, c in enumerate(cum) if c >= thr)]
            for g in range(int(OUT[f"{q}.min_gy"]) - 1, int(OUT[f"{q}.max_gy"]) + 3):
                i = min(range(len(dose)), key=lambda k: abs(dose[k] - g))
                OUT[f"{q}.V{g}gy_pct"] = 100.0 * cum[i] / tot
            # plastimatch's own cumulative curve, for the report's plot over the analytic one
            lo, hi = OUT[f"{q}.min_gy"] - 2, OUT[f"{q}.max_gy"] + 2
            span = [i for i, dd in enumerate(dose) if lo <= dd <= hi]
            step = max(1, len(span) // 60)
            OUT[f"{q}.curve"] = [[round(dose[i], 4), round(100.0 * cum[i] / tot, 4)] for i in span[::step]]
    stage("dvh", dvh)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("usage: python convert_dvh.py FIXTURE_DIR", file=sys.stderr)
        sys.exit(2)
    try:
        main(os.path.abspath(sys.argv[1]))
    except Exception as e:  # noqa: BLE001
        ERR["fatal"] = f"{type(e).__name__}: {e}"
    OUT["_errors"] = ERR
    OUT["_meta"] = META
    print(json.dumps(OUT, separators=(",", ":"), default=str))
