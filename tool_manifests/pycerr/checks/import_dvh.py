"""rtcompat check: pyCERR (PyPI ``pycerr``) imports a DICOM-RT directory and reports.

Run with the pyCERR venv's interpreter:  python import_dvh.py FIXTURE_DIR
Prints noise (pyCERR prints each DICOM group it imports), then ONE JSON line.
Judges nothing. Every value comes from pyCERR's own objects / functions:

* import    cerr.plan_container.loadDcmDir(dir)
* CT        planC.scan[0]  (getScanSize, scanInfo, getSitkImage, getScanArray, cerrToDcmTransM)
* RTSTRUCT  planC.structure[i]  (structureName, contour, cerr.contour.rasterseg.getStrMask)
* RTDOSE    planC.dose[0]  (doseArray [Gy], sizeOfDimension1..3, getDoseAt)
* DVH       cerr.dvh.getDVH / doseHist / meanDose / minDose / maxDose / Dx / Vx
* RTPLAN    planC.beams[0]  (BeamSequence, FractionGroupSequence, ...)

If loadDcmDir fails on the whole directory (pyCERR's RTPLAN reader is strict:
it reads BeamSequence[i].Manufacturer, a Type 3 attribute), the failure goes to
``_errors["import"]`` and the import is retried with the same API on the
directory's non-RTPLAN files, so CT/RS/RD/DVH results are still reported.

Point coordinates come from the fixture set's points.json.
"""
import glob
import json
import os
import sys
import traceback

_POINTS = json.loads(open(os.path.join(sys.argv[1], "points.json")).read())
# A set may lack a dose (a CT + RTSTRUCT export) or a CT: its probes are then absent, and
# the stages that need them report nothing rather than the program dying before the CT.
HU_POINTS_MM = {k: tuple(v) for k, v in (_POINTS.get("ct") or {}).items()}
DOSE_POINTS_MM = {k: tuple(v) for k, v in (_POINTS.get("dose") or {}).items() if isinstance(v, list)}
BODY_MEAN_RADIUS_MM = (_POINTS.get("body_interior") or {}).get("radius_mm", 10.0)
BODY_MEAN_CENTRE_MM = (_POINTS.get("body_interior") or {}).get("centre")


OUT = {}
ERR = {}
META = {}

DVH_BIN_GY = 0.001  # cerr.dvh.Dx/minDose/maxDose return bin centres: +bin/2 offset
D_LEVELS_PCT = (99, 95, 50, 5, 1)


def stage(name):
    """Decorator-ish helper: run fn, record exception under _errors[name]."""
    def wrap(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - a check records, never raises
            ERR[name] = f"{type(e).__name__}: {e}"
            META.setdefault("tracebacks", {})[name] = traceback.format_exc(limit=4)[-1500:]
        return fn
    return wrap


def f(x):
    return None if x is None else float(x)


def main(fixture_dir):
    import numpy as np

    try:
        from importlib.metadata import version
        META["tool"] = "pycerr"
        META["tool_version"] = version("pycerr")
        META["pydicom_version"] = version("pydicom")
    except Exception as e:  # noqa: BLE001
        ERR["version"] = repr(e)

    from cerr import plan_container as pc
    from cerr import dvh

    state = {}

    @stage("import")
    def _import():
        state["planC"] = pc.loadDcmDir(fixture_dir)

    if "planC" not in state:
        @stage("import_without_rtplan")
        def _import2():
            import pydicom
            files = []
            for p in sorted(glob.glob(os.path.join(fixture_dir, "**", "*"), recursive=True)):
                if not os.path.isfile(p):
                    continue
                try:
                    mod = pydicom.dcmread(p, stop_before_pixels=True).Modality
                except Exception:  # noqa: BLE001 - not DICOM (truth.json, README.md)
                    continue
                if mod != "RTPLAN":
                    files.append(p)
            META["import_mode"] = "loadDcmDir(non-RTPLAN file list) after full-dir failure"
            state["planC"] = pc.loadDcmDir(files)
    else:
        META["import_mode"] = "loadDcmDir(dir)"

    planC = state.get("planC")
    if planC is None:
        return

    META["counts"] = {"scan": len(planC.scan), "structure": len(planC.structure),
                      "dose": len(planC.dose), "beams": len(planC.beams)}

    # ---------------- CT
    @stage("ct")
    def _ct():
        s = planC.scan[0]
        nrow, ncol, nslc = [int(v) for v in s.getScanSize()]
        OUT["ct.rows"] = nrow
        OUT["ct.columns"] = ncol
        OUT["ct.image_count"] = len(s.scanInfo)
        OUT["ct.size_voxels"] = [ncol, nrow, nslc]
        si = s.scanInfo[0]
        OUT["ct.pixel_spacing_mm"] = [f(si.grid1Units) * 10, f(si.grid2Units) * 10]  # row, col (cm -> mm)
        OUT["ct.slice_thickness_mm"] = f(si.sliceThickness) * 10
        zV = np.asarray([x.zValue for x in s.scanInfo], dtype=float)
        OUT["ct.slice_spacing_mm"] = float(np.median(np.abs(np.diff(zV)))) * 10
        OUT["ct.orientation"] = [float(v) for v in np.ravel(si.imageOrientationPatient)]
        OUT["ct.patient_position"] = str(si.patientPosition)
        img = s.getSitkImage()
        OUT["ct.origin_mm"] = [float(v) for v in img.GetOrigin()]
        # the directions of the exported volume's column, row and slice axes
        OUT["ct.volume_directions"] = [float(img.GetDirection()[i]) for i in (0, 3, 6, 1, 4, 7, 2, 5, 8)]
        META["ct.sitk_size"] = list(img.GetSize())
        META["ct.sitk_spacing"] = [float(v) for v in img.GetSpacing()]

    @stage("ct_hu")
    def _hu():
        s = planC.scan[0]
        a = s.getScanArray().astype(float)  # [row, col, slice], HU
        OUT["ct.hu.mean"] = float(a.mean())
        xV, yV, zV = s.getScanXYZVals()  # CERR virtual cm
        inv = np.linalg.inv(np.asarray(s.cerrToDcmTransM, dtype=float))  # DICOM mm -> CERR cm
        dcm2cerr = lambda p: (inv @ np.array([p[0], p[1], p[2], 1.0]))[:3]
        for name, p in HU_POINTS_MM.items():
            x, y, z = dcm2cerr(p)
            r = int(np.argmin(np.abs(yV - y))); c = int(np.argmin(np.abs(xV - x))); k = int(np.argmin(np.abs(zV - z)))
            OUT[f"ct.hu.{name}"] = float(a[r, c, k])
        # in-plane disc about the body axis points.json names: map CERR voxel centres to DICOM
        M = np.asarray(s.cerrToDcmTransM, dtype=float)
        X, Y = np.meshgrid(xV, yV)  # [row, col]
        k0 = len(zV) // 2
        pts = np.stack([X.ravel(), Y.ravel(), np.full(X.size, zV[k0]), np.ones(X.size)])
        d = M @ pts
        disc = (np.hypot(d[0] - BODY_MEAN_CENTRE_MM[0], d[1] - BODY_MEAN_CENTRE_MM[1])
                <= BODY_MEAN_RADIUS_MM).reshape(X.shape)
        OUT["ct.hu.body_mean"] = float(a[disc, :].mean())
        META["ct.hu.body_mean_def"] = (f"all slices, in-plane within {BODY_MEAN_RADIUS_MM} mm of "
                                       f"{BODY_MEAN_CENTRE_MM[:2]} (DICOM)")

    # ---------------- RTSTRUCT
    names = [str(st.structureName) for st in planC.structure]
    OUT["rtstruct.roi_count"] = len(names)
    OUT["rtstruct.roi_names"] = names

    @stage("rtstruct_volume")
    def _vol():
        from cerr.contour import rasterseg as rs
        s = planC.scan[0]
        xV, yV, zV = s.getScanXYZVals()
        dx, dy = abs(xV[1] - xV[0]), abs(yV[1] - yV[0])
        # slab per slice: pyCERR's raster segments carry each slice's voxelThickness (the distance
        # between its neighbours' centres), which getDVH's voxel volumes use; do the same
        thick = np.asarray([si.voxelThickness for si in s.scanInfo], dtype=float)
        for i, name in enumerate(names):
            try:
                m = rs.getStrMask(i, planC)
                OUT[f"rtstruct.roi.{name}.volume_cc"] = float((m.sum(axis=(0, 1)) * thick).sum() * dx * dy)
                ctrs = planC.structure[i].contour
                OUT[f"rtstruct.roi.{name}.contour_count"] = int(sum(
                    len(c.segments) for c in ctrs if not isinstance(c, list) and hasattr(c, "segments")))
            except Exception as e:  # noqa: BLE001
                ERR[f"rtstruct_volume.{name}"] = f"{type(e).__name__}: {e}"

    # ---------------- RTDOSE
    # The plan's dose, as a user picks it among pyCERR's doses: DoseSummationType PLAN.
    plan_dose = next((i for i, d in enumerate(planC.dose) if str(getattr(d, "doseSummationType", "")) == "PLAN"), 0)
    META["dose.index"] = plan_dose

    @stage("dose")
    def _dose():
        d = planC.dose[plan_dose]
        arr = np.asarray(d.doseArray, dtype=float)
        OUT["dose.max_gy"] = float(arr.max())
        OUT["dose.min_gy"] = float(arr.min())
        OUT["dose.size_voxels"] = [int(d.sizeOfDimension1), int(d.sizeOfDimension2), int(d.sizeOfDimension3)]
        OUT["dose.columns"] = int(d.sizeOfDimension1)
        OUT["dose.rows"] = int(d.sizeOfDimension2)
        OUT["dose.frames"] = int(d.sizeOfDimension3)
        OUT["dose.units"] = str(d.doseUnits)
        OUT["dose.type"] = str(d.doseType)
        OUT["dose.summation_type"] = str(d.doseSummationType)
        OUT["dose.scaling"] = float(d.doseScale)
        OUT["dose.pixel_spacing_mm"] = [abs(float(d.verticalGridInterval)) * 10, abs(float(d.horizontalGridInterval)) * 10]
        OUT["dose.origin_mm"] = [float(v) for v in np.ravel(d.imagePositionPatient)]
        if np.size(getattr(d, "imageOrientationPatient", [])) == 6:
            OUT["dose.orientation"] = [float(v) for v in np.ravel(d.imageOrientationPatient)]
        META["dose.array_shape"] = list(arr.shape)

    @stage("dose_at")
    def _dose_at():
        d = planC.dose[plan_dose]
        M = np.asarray(d.cerrToDcmTransM if np.size(d.cerrToDcmTransM) else planC.scan[0].cerrToDcmTransM, dtype=float)
        inv = np.linalg.inv(M)
        for name, p in DOSE_POINTS_MM.items():
            x, y, z = (inv @ np.array([p[0], p[1], p[2], 1.0]))[:3]
            v = d.getDoseAt(np.array([x]), np.array([y]), np.array([z]))
            OUT[f"dose.at.{name}_gy"] = float(np.ravel(v)[0])

    # ---------------- DVH
    OUT["dvh.bin_width_gy"] = DVH_BIN_GY  # the histogram pyCERR's minDose/maxDose/Dx read
    if planC.dose:
        for i, name in enumerate(names):
            try:
                dosesV, volsV, isErr = dvh.getDVH(i, plan_dose, planC)
                if isErr or len(dosesV) == 0:
                    ERR[f"dvh.{name}"] = f"getDVH isError={isErr}, voxels={len(dosesV)}"
                    continue
                b, h = dvh.doseHist(dosesV, volsV, DVH_BIN_GY)
                p = f"dvh.{name}"
                OUT[f"{p}.volume_cc"] = float(np.sum(volsV))
                OUT[f"{p}.mean_gy"] = float(dvh.meanDose(b, h))
                OUT[f"{p}.min_gy"] = float(dvh.minDose(b, h))
                OUT[f"{p}.max_gy"] = float(dvh.maxDose(b, h))
                for x in D_LEVELS_PCT:
                    OUT[f"{p}.D{x}_gy"] = float(dvh.Dx(b, h, x, 1))
                OUT[f"{p}.D0.03cc_gy"] = float(dvh.Dx(b, h, 0.03, 0))
                lo, hi = int(np.floor(np.min(dosesV))), int(np.ceil(np.max(dosesV)))
                for g in range(max(lo - 1, 0), hi + 2):
                    OUT[f"{p}.V{g}gy_pct"] = 100.0 * float(dvh.Vx(b, h, g, 1))  # Vx(...,1) is a 0-1 fraction
                # pyCERR's own cumulative curve, for the report's plot over the analytic one
                OUT[f"{p}.curve"] = [[round(float(g), 3), round(100.0 * float(dvh.Vx(b, h, g, 1)), 4)]
                                     for g in np.linspace(lo - 1, hi + 1, 61)]
            except Exception as e:  # noqa: BLE001
                ERR[f"dvh.{name}"] = f"{type(e).__name__}: {e}"

    # ---------------- RTPLAN
    @stage("plan")
    def _plan():
        if not planC.beams:
            # Ask the same reader directly so its exact failure is on record.
            import pydicom
            from cerr.dataclasses import beams as bms
            rps = []
            for p in sorted(glob.glob(os.path.join(fixture_dir, "**", "*"), recursive=True)):
                try:
                    if os.path.isfile(p) and pydicom.dcmread(p, stop_before_pixels=True).Modality == "RTPLAN":
                        rps.append(p)
                except Exception:  # noqa: BLE001
                    pass
            if not rps:
                raise RuntimeError("no RTPLAN in directory")
            planC.beams = list(bms.load_beams(rps))
        bm = planC.beams[0]
        # a brachytherapy plan has no BeamSequence: no beams, not a failure to read them
        beams = getattr(bm, "BeamSequence", None)  # pyCERR keeps sequences as numpy arrays
        seq = list(beams) if beams is not None else []
        seq.sort(key=lambda b: int(b.BeamNumber))
        OUT["plan.label"] = str(bm.RTPlanLabel)
        OUT["plan.beam_count"] = len(seq)
        if seq:
            OUT["plan.beam_names"] = [str(b.BeamName) for b in seq]
            OUT["plan.gantry_angles_deg"] = [float(b.ControlPointSequence[0].GantryAngle) for b in seq]
            OUT["plan.radiation_type"] = min(str(b.RadiationType) for b in seq)
            OUT["plan.energy_mv"] = float(seq[0].ControlPointSequence[0].NominalBeamEnergy)
            OUT["plan.isocentre_mm"] = [float(v) for v in seq[0].ControlPointSequence[0].IsocenterPosition]
        fg = list(bm.FractionGroupSequence)
        if fg:
            OUT["plan.fraction_count"] = int(fg[0].NumberOfFractionsPlanned)
            # pyCERR keeps only ReferencedBeamSequence[0] (RefBeamSeq), so one meterset at most
            rb = getattr(fg[0], "RefBeamSeq", None)
            if rb is not None:
                META["plan.first_beam_meterset_mu"] = f(getattr(rb, "BeamMeterset", None))
        drs = list(getattr(bm, "DoseReferenceSequence", []) or [])
        if drs and getattr(drs[0], "TargetPrescriptionDose", None) not in (None, ""):
            OUT["plan.prescription_gy"] = float(drs[0].TargetPrescriptionDose)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("usage: python import_dvh.py FIXTURE_DIR", file=sys.stderr)
        sys.exit(2)
    try:
        main(os.path.abspath(sys.argv[1]))
    except Exception as e:  # noqa: BLE001
        ERR["fatal"] = f"{type(e).__name__}: {e}"
    OUT["_errors"] = ERR
    OUT["_meta"] = META
    sys.stdout.flush()
    print(json.dumps(OUT, separators=(",", ":"), default=str))
