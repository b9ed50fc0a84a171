#!/usr/bin/env python3
"""rtcompat check: read-ct with ITK-SNAP 3.6 (Debian bullseye package), reported by ITK-SNAP itself.

usage: read_ct.py FIXTURE_DIR OUTPUT_DIR

ITK-SNAP has no command-line reporter, but its GUI binary carries its own test driver
(`itksnap --test SCRIPT.js`, a QJSEngine with the main window exposed as `mainwin`).
This check
  1. copies the CT_*.dcm files into a scratch directory (with RTDOSE/RTPLAN/RTSTRUCT in
     the same directory, ITK-SNAP 3.6 picks the first "series" it parsed and segfaults
     in GuidedNativeImageIO::ReadNativeImageHeader),
  2. writes a one-layer workspace whose IO hint says "DICOM Image Series" (with `-g FILE`
     ITK-SNAP 3.6 has no format hint, uses ITK's factory and loads ONE slice),
  3. runs ITK-SNAP under its own Xvfb with a generated test script that reads the Layer
     Inspector's "Info" tab (dimensions, spacing, origin, RAI code), derives the voxel ->
     patient mapping from the "World (ITK)" cursor coordinates that ITK-SNAP shows at the
     image corners, moves the cursor to the voxel holding each points.json point and reads
     the intensity from the cursor inspector table,
  4. takes a screenshot of the main window with the CT loaded (OUTPUT_DIR/screenshot.png).
Every number comes from ITK-SNAP's widgets; this program only parses its output.
"""
import json
import os
import re
import shutil
import signal
import tempfile
import subprocess
import sys
import time
from pathlib import Path

ITKSNAP_TIMEOUT = 150      # seconds for the whole ITK-SNAP run
SCREENSHOT_MARK = "SCREENSHOT_NOW"

PREFERENCES = """<?xml version="1.0" encoding="UTF-8" ?>
<registry>
  <folder key="System" >
    <entry key="CreatedBySNAPVersion" value="20170401" />
  </folder>
  <folder key="UserInterface" >
    <folder key="DefaultBehavior" >
      <entry key="CheckForUpdates" value="No" />
    </folder>
  </folder>
</registry>
"""

WORKSPACE = """<?xml version="1.0" encoding="UTF-8" ?>
<registry>
  <entry key="SaveLocation" value="{dir}" />
  <entry key="Version" value="20170401" />
  <folder key="Layers" >
    <folder key="Layer[000]" >
      <entry key="AbsolutePath" value="{file}" />
      <entry key="Role" value="MainRole" />
      <folder key="IOHints" >
        <entry key="Format" value="DICOM Image Series" />
      </folder>
    </folder>
  </folder>
</registry>
"""

# ITK-SNAP's test-script reader turns every blank line into engine.sleep(500), every
# "//=== text" into a print, and any line with the word i-n-c-l-u-d-e and a quoted string
# into a file inclusion: the script below has none of those.
SCRIPT = r"""
var POINTS = %(points)s;
function out(k, v) { engine.print("RESULT " + k + "=" + JSON.stringify(v)); }
function fail(k, msg) { engine.print("PROBEERROR " + k + "=" + msg); }
try {
  engine.findChild(mainwin, "actionLayerInspector").trigger();
  engine.sleep(1000);
  var dlg = engine.findChild(mainwin, "dlgLayerInspector");
  var info = engine.findChild(dlg, "cmpInfo");
  engine.findChild(dlg, "tabWidget").setCurrentWidget(info);
  engine.sleep(1000);
  function txt(n) { return engine.findChild(info, n).text; }
  function vec(p) { return [parseFloat(txt(p + "X")), parseFloat(txt(p + "Y")), parseFloat(txt(p + "Z"))]; }
  var dims = [parseInt(txt("outDimX")), parseInt(txt("outDimY")), parseInt(txt("outDimZ"))];
  out("dimensions", dims);
  out("spacing", vec("outSpacing"));
  out("origin", vec("outOrigin"));
  out("min_max", [parseFloat(txt("outMin")), parseFloat(txt("outMax"))]);
  out("rai_code", txt("outRAI"));
  var cx = engine.findChild(mainwin, "inCursorX"), cy = engine.findChild(mainwin, "inCursorY"), cz = engine.findChild(mainwin, "inCursorZ");
  var table = engine.findChild(mainwin, "tableVoxelUnderCursor");
  function setCursor(c) { cx.value = c[0]; cy.value = c[1]; cz.value = c[2]; engine.sleep(300); }
  function cursorNow() { return [cx.value, cy.value, cz.value]; }
  out("initial_cursor", cursorNow());
  setCursor([1, 1, 1]);
  var w0 = vec("outItk");
  out("world_of_first_voxel", w0);
  var cols = [];
  for (var a = 0; a < 3; a++) {
    var c = [1, 1, 1]; c[a] = dims[a];
    setCursor(c);
    var w = vec("outItk");
    cols.push(dims[a] > 1 ? [0, 1, 2].map(function (i) { return (w[i] - w0[i]) / (dims[a] - 1); }) : null);
  }
  var sp = vec("outSpacing");
  for (var a = 0; a < 3; a++) {
    if (cols[a] === null) {
      var u = cols[(a + 1) %% 3], v = cols[(a + 2) %% 3];
      var n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
      var len = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      cols[a] = n.map(function (x) { return x / len * sp[a]; });
    }
  }
  out("voxel_to_world_columns", cols);
  var m = [[cols[0][0], cols[1][0], cols[2][0]], [cols[0][1], cols[1][1], cols[2][1]], [cols[0][2], cols[1][2], cols[2][2]]];
  var det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  var inv = [
    [(m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det, (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det, (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det],
    [(m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det, (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det, (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det],
    [(m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det, (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det, (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det]];
  for (var name in POINTS) {
    var p = POINTS[name], d = [p[0] - w0[0], p[1] - w0[1], p[2] - w0[2]];
    var idx = [0, 1, 2].map(function (r) { return Math.round(inv[r][0] * d[0] + inv[r][1] * d[1] + inv[r][2] * d[2]) + 1; });
    if (idx.some(function (x, i) { return x < 1 || x > dims[i]; })) { fail("point." + name, "outside the image at voxel " + idx); continue; }
    setCursor(idx);
    out("point." + name, {"requested_mm": p, "cursor_1based": cursorNow(), "voxel_world_mm": vec("outItk"), "intensity": engine.tableItemText(table, 0, 1), "layer": engine.tableItemText(table, 0, 0)});
  }
  var meta = engine.findChild(dlg, "cmpMetadata");
  engine.findChild(dlg, "tabWidget").setCurrentWidget(meta);
  engine.sleep(1000);
  var tbl = engine.findChild(meta, "tblMetaData"), rows = [];
  for (var r = 0; r < 2000; r++) {
    var k = engine.tableItemText(tbl, r, 0);
    if (k === undefined || k === null) break;
    rows.push([String(k), String(engine.tableItemText(tbl, r, 1))]);
  }
  out("metadata", rows);
  engine.invoke(dlg, "close");
  setCursor([Math.round((dims[0] + 1) / 2), Math.round((dims[1] + 1) / 2), Math.round((dims[2] + 1) / 2)]);
  engine.sleep(2000);
  engine.print("%(mark)s");
  engine.sleep(5000);
} catch (e) {
  fail("script", String(e));
  engine.print("%(mark)s");
  engine.sleep(5000);
}
"""


def start_xvfb(log):
    """Xvfb on a display it picks itself (-displayfd): no clash with other X servers."""
    try:  # as non-root Xvfb cannot create it (it still works over the abstract socket)
        os.makedirs("/tmp/.X11-unix", mode=0o1777, exist_ok=True)
    except OSError:
        pass
    rfd, wfd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(wfd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            pass_fds=(wfd,), stdout=log, stderr=log, start_new_session=True)
    os.close(wfd)
    number = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not number.endswith(b"\n"):
        chunk = os.read(rfd, 16)
        if not chunk:
            break
        number += chunk
    os.close(rfd)
    if not number.strip():
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    return proc, ":" + number.decode().strip()


def stop(proc):
    if proc and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def main():
    fixture, out = Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else "/output")
    out.mkdir(parents=True, exist_ok=True)
    observed, errors, diag = {}, {}, {}
    points = json.loads((fixture / "points.json").read_text()).get("ct", {}) if (fixture / "points.json").exists() else {}
    # scratch in $TMPDIR (a tmpfs in the container): the series copy, HOME, the workspace
    work = Path(tempfile.mkdtemp(prefix="itksnap-"))
    series, home = work / "ct", work / "home"
    series.mkdir(parents=True)
    (home / ".itksnap.org" / "ITK-SNAP").mkdir(parents=True)
    (home / ".itksnap.org" / "ITK-SNAP" / "UserPreferences.xml").write_text(PREFERENCES)
    files = sorted(fixture.glob("CT_*.dcm"))
    for f in files:
        shutil.copy(f, series / f.name)
    if not files:
        shutil.rmtree(work, ignore_errors=True)
        print(json.dumps({"_errors": {"read-ct": "no CT_*.dcm in the fixture"}}))
        return
    (work / "ct.itksnap").write_text(WORKSPACE.format(dir=series, file=series / files[0].name))
    (work / "probe.js").write_text(SCRIPT % {"points": json.dumps(points), "mark": SCREENSHOT_MARK})
    shutil.copy(work / "probe.js", out / "probe.js")
    shutil.copy(work / "ct.itksnap", out / "ct.itksnap")
    log_path, xlog_path = out / "itksnap.log", out / "xvfb.log"
    xvfb = snap = None
    started = time.monotonic()
    try:
        with open(xlog_path, "wb") as xlog, open(log_path, "wb") as log:
            xvfb, display = start_xvfb(xlog)
            env = {**os.environ, "DISPLAY": display, "HOME": str(home), "XDG_RUNTIME_DIR": str(work),
                   "QT_X11_NO_MITSHM": "1"}
            snap = subprocess.Popen(["itksnap", "--no-fork", "-w", str(work / "ct.itksnap"),
                                     "--test", str(work / "probe.js")],
                                    env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            shot = False
            while snap.poll() is None and time.monotonic() - started < ITKSNAP_TIMEOUT:
                if not shot and SCREENSHOT_MARK in log_path.read_text(errors="replace"):
                    subprocess.run(["import", "-window", "root", str(out / "screenshot.png")], env=env,
                                   timeout=30, capture_output=True)
                    shot = True
                time.sleep(0.5)
            if snap.poll() is None:
                errors["itksnap"] = f"ITK-SNAP still running after {ITKSNAP_TIMEOUT}s (a dialog?)"
                subprocess.run(["import", "-window", "root", str(out / "screenshot-timeout.png")], env=env,
                               timeout=30, capture_output=True)
            elif snap.returncode != 0:
                errors["itksnap"] = f"ITK-SNAP exited with {snap.returncode}"
            if not shot and not (out / "screenshot.png").exists():
                errors["screenshot"] = "no screenshot taken"
    except Exception as exc:
        errors["itksnap"] = f"{type(exc).__name__}: {exc}"
    finally:
        stop(snap)
        stop(xvfb)
        shutil.rmtree(work, ignore_errors=True)
    diag["elapsed_s"] = round(time.monotonic() - started, 1)
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    results = {}
    for line in text.splitlines():
        # qDebug() prints a QString in double quotes with \" and \\ escaped
        line = line.strip()
        if line.startswith('"') and line.endswith('"'):
            line = line[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        found = re.match(r"RESULT (\S+)=(.*)$", line)
        if found:
            try:
                results[found.group(1)] = json.loads(found.group(2))
            except ValueError:
                errors[found.group(1)] = "unparsable: " + found.group(2)[:200]
        found = re.match(r"PROBEERROR (\S+)=(.*)$", line)
        if found:
            errors[found.group(1)] = found.group(2)
    if "Segmentation fault" in text or "exception" in text.lower():
        errors.setdefault("itksnap", "")
        errors["itksnap"] += " | " + " ".join(l for l in text.splitlines() if "libpng" not in l)[-400:]
    if "dimensions" in results:
        dims, sp, org = results["dimensions"], results["spacing"], results["origin"]
        observed["ct.size_voxels"] = dims
        observed["ct.pixel_spacing_mm"] = [sp[1], sp[0]]     # DICOM order: row spacing, column spacing
        observed["ct.slice_spacing_mm"] = sp[2]
        observed["ct.origin_mm"] = org
        observed["ct.rows"], observed["ct.columns"] = dims[1], dims[0]
        observed["ct.image_count"] = dims[2]     # slices ITK-SNAP put in the volume it loaded
    else:
        errors.setdefault("read-ct", "ITK-SNAP reported no image information")
    cols = results.get("voxel_to_world_columns")
    if cols:
        unit = [[c / (sum(x * x for x in col) ** 0.5) for c in col] for col in cols]
        observed["ct.orientation"] = [round(v, 6) + 0.0 for v in unit[0] + unit[1]]
        if len(unit) >= 3:  # the volume's column, row and slice axes: how ITK-SNAP laid it out
            observed["ct.volume_directions"] = [round(v, 6) + 0.0 for v in unit[0] + unit[1] + unit[2]]
    for name in points:
        got = results.get("point." + name)
        if not got:
            errors.setdefault("ct.hu." + name, "not reported")
            continue
        try:
            observed["ct.hu." + name] = float(got["intensity"])
        except (TypeError, ValueError):
            errors["ct.hu." + name] = f"intensity text {got['intensity']!r}"
    diag.update({k: v for k, v in results.items() if k not in ("metadata",)})
    # Layer Inspector > Metadata tab: the DICOM header of the series' first file as ITK-SNAP shows it
    meta = {k: v.strip() for k, v in (results.get("metadata") or [])}
    diag["metadata_rows"] = len(meta)
    diag["metadata_sample"] = {k: meta[k] for k in ("Image Position (Patient)", "Image Orientation (Patient)",
                               "Pixel Spacing", "Slice Thickness", "Rescale Intercept", "Rescale Slope") if k in meta}
    if "Patient Position" in meta:
        observed["ct.patient_position"] = meta["Patient Position"]
    if "Frame of Reference UID" in meta:
        observed["ct.frame_of_reference_uid"] = meta["Frame of Reference UID"]
    try:
        observed["ct.slice_thickness_mm"] = float(meta["Slice Thickness"])
    except (KeyError, ValueError):
        pass
    print(json.dumps({**observed, "_itksnap": diag, "_errors": errors}))


if __name__ == "__main__":
    main()
