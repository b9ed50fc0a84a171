"""rtcompat check: slicer-core (PyPI ``slicer-core``, 3D Slicer's MRML/logic libraries
as a standalone Python wheel, no Qt application) reads the CT series (and, raw, the RTDOSE).

Run with the slicer-core venv's interpreter:  python read_ct.py FIXTURE_DIR
Prints ONE JSON line at the end. Judges nothing.

API used (the same a Slicer module uses under the hood):
  scene = vtkMRMLScene(); vtkSlicerApplicationLogic (+ Colors logic);
  vtkSlicerVolumesLogic.AddArchetypeVolume(first_file, name, options, fileList)
  -> vtkMRMLScalarVolumeNode (ITK/GDCM archetype reader), geometry in RAS.
slicer.util.loadVolume() is not used: it needs slicer.app, the Qt application, which the
wheel does not contain. There is no DICOM-RT import (SlicerRT is not in the wheel):
RTSTRUCT/DVH/plan are not attempted, and what the wheel cannot do is stated under
``_meta.limits``, not as tool errors. The RTDOSE file is read as a plain volume, which
yields stored pixel values without DoseGridScaling, so no Gy quantity is reported for it.
HU / dose probe points come from the fixture set's points.json.
"""
import glob
import json
import os
import sys
import traceback

_POINTS = json.loads(open(os.path.join(sys.argv[1], "points.json")).read())
# a set without a dose (own data: a CT with its structures) names no dose points
HU_POINTS_MM = {k: tuple(v) for k, v in _POINTS.get("ct", {}).items()}
DOSE_POINTS_MM = {k: tuple(v) for k, v in _POINTS.get("dose", {}).items()}
BODY_MEAN_RADIUS_MM = _POINTS.get("body_interior", {}).get("radius_mm")
BODY_MEAN_CENTRE_MM = _POINTS.get("body_interior", {}).get("centre")


OUT, ERR, META = {}, {}, {}


def stage(name):
    def wrap(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            ERR[name] = f"{type(e).__name__}: {e}"
            META.setdefault("tracebacks", {})[name] = traceback.format_exc(limit=4)[-1500:]
        return fn
    return wrap




def main(fixture_dir):
    from importlib.metadata import version
    META["tool"] = "slicer-core"
    META["tool_version"] = version("slicer-core")
    META["vtk_version"] = version("vtk")

    import numpy as np
    import vtk
    from vtk.util.numpy_support import vtk_to_numpy
    from slicer import vtkMRMLScene, vtkSlicerApplicationLogic, vtkSlicerVolumesLogic

    META["limits"] = {
        "slicer.util.loadVolume": "needs slicer.app (the Qt application), not part of the wheel",
        "rtstruct": "no DICOM-RT importer (SlicerRT is not part of the wheel)",
        "dose_gy": "RT Dose reads as a plain scalar volume of stored values (DoseGridScaling not applied)",
    }

    scene = vtkMRMLScene()
    app_logic = vtkSlicerApplicationLogic()
    app_logic.SetMRMLScene(scene)
    try:  # Colors logic silences "invalid Colors module logic" and gives display nodes a LUT
        cl = app_logic.GetColorLogic()
        cl.SetMRMLScene(scene)
        cl.AddDefaultColorNodes()
        app_logic.SetModuleLogic("Colors", cl)
    except Exception as e:  # noqa: BLE001
        META["colors_logic"] = repr(e)
    vlogic = vtkSlicerVolumesLogic()
    vlogic.SetMRMLApplicationLogic(app_logic)
    vlogic.SetMRMLScene(scene)

    def load(files, name, options=0):
        fl = vtk.vtkStringArray()
        for f in files:
            fl.InsertNextValue(f)
        node = vlogic.AddArchetypeVolume(files[0], name, options, fl)
        if node is None or node.GetImageData() is None:
            raise RuntimeError(f"AddArchetypeVolume returned no volume for {name}")
        return node

    def ras2lps(v):
        return [-float(v[0]), -float(v[1]), float(v[2])]

    state = {}

    @stage("ct")
    def _ct():
        files = sorted(glob.glob(os.path.join(fixture_dir, "CT_*.dcm")))
        if not files:
            raise RuntimeError("no CT_*.dcm in fixture dir")
        node = load(files, "CT")
        state["ct"] = node
        im = node.GetImageData()
        nx, ny, nz = im.GetDimensions()
        sp = node.GetSpacing()
        OUT["ct.size_voxels"] = [nx, ny, nz]
        OUT["ct.columns"], OUT["ct.rows"], OUT["ct.image_count"] = nx, ny, nz
        OUT["ct.pixel_spacing_mm"] = [float(sp[1]), float(sp[0])]  # DICOM order: row, column
        OUT["ct.slice_spacing_mm"] = float(sp[2])
        OUT["ct.origin_mm"] = ras2lps(node.GetOrigin())
        m = vtk.vtkMatrix4x4()
        node.GetIJKToRASDirectionMatrix(m)
        rowdir = ras2lps([m.GetElement(r, 0) for r in range(3)])  # +i (along a row)
        coldir = ras2lps([m.GetElement(r, 1) for r in range(3)])  # +j (down a column)
        slicedir = ras2lps([m.GetElement(r, 2) for r in range(3)])  # +k (the slices' order)
        OUT["ct.orientation"] = [round(v, 9) + 0.0 for v in rowdir + coldir]
        OUT["ct.volume_directions"] = [round(v, 9) + 0.0 for v in rowdir + coldir + slicedir]
        META["ct.scalar_type"] = im.GetScalarTypeAsString()

    @stage("ct_hu")
    def _hu():
        node = state["ct"]
        im = node.GetImageData()
        nx, ny, nz = im.GetDimensions()
        a = vtk_to_numpy(im.GetPointData().GetScalars()).reshape(nz, ny, nx).astype(float)  # [k, j, i]
        OUT["ct.hu.mean"] = float(a.mean())
        m = vtk.vtkMatrix4x4()
        node.GetRASToIJKMatrix(m)
        for name, (x, y, z) in HU_POINTS_MM.items():
            ijk = m.MultiplyPoint((-x, -y, z, 1.0))
            i, j, k = [int(round(v)) for v in ijk[:3]]
            if 0 <= i < nx and 0 <= j < ny and 0 <= k < nz:
                OUT[f"ct.hu.{name}"] = float(a[k, j, i])
            else:  # where slicer-core put the volume, the point is outside it
                ERR[f"ct.hu.{name}"] = f"({x}, {y}, {z}) mm falls at voxel {(i, j, k)}, outside the {nx}x{ny}x{nz} volume"
        mi = vtk.vtkMatrix4x4()
        node.GetIJKToRASMatrix(mi)
        I, J = np.meshgrid(np.arange(nx), np.arange(ny))
        pts = np.stack([I.ravel(), J.ravel(), np.zeros(I.size), np.ones(I.size)])
        M = np.array([[mi.GetElement(r, c) for c in range(4)] for r in range(4)])
        ras = M @ pts
        if BODY_MEAN_CENTRE_MM is not None:  # LPS x, y are minus RAS's
            disc = (np.hypot(-ras[0] - BODY_MEAN_CENTRE_MM[0], -ras[1] - BODY_MEAN_CENTRE_MM[1])
                    <= BODY_MEAN_RADIUS_MM).reshape(ny, nx)
            OUT["ct.hu.body_mean"] = float(a[:, disc].mean())
            META["ct.hu.body_mean_def"] = (f"all slices, in-plane within {BODY_MEAN_RADIUS_MM} mm of "
                                           f"{BODY_MEAN_CENTRE_MM[:2]} (LPS)")

    @stage("dose_volume")
    def _dose():
        # the plan's dose: RD.dcm by the fixture sets' naming (beam doses sit beside it)
        rd = [os.path.join(fixture_dir, "RD.dcm")]
        if not os.path.isfile(rd[0]):
            raise RuntimeError("no RD.dcm in fixture dir")
        node = load(rd[:1], "RD", 4)  # 4 = single file
        im = node.GetImageData()
        nx, ny, nz = im.GetDimensions()
        sp = node.GetSpacing()
        OUT["dose.size_voxels"] = [nx, ny, nz]
        OUT["dose.columns"], OUT["dose.rows"], OUT["dose.frames"] = nx, ny, nz
        OUT["dose.pixel_spacing_mm"] = [float(sp[1]), float(sp[0])]
        OUT["dose.frame_spacing_mm"] = float(sp[2])
        OUT["dose.origin_mm"] = ras2lps(node.GetOrigin())
        m = vtk.vtkMatrix4x4()
        node.GetIJKToRASDirectionMatrix(m)
        OUT["dose.orientation"] = [round(v, 9) + 0.0 for v in ras2lps([m.GetElement(r, 0) for r in range(3)])
                                   + ras2lps([m.GetElement(r, 1) for r in range(3)])]
        a = vtk_to_numpy(im.GetPointData().GetScalars())
        META["dose.stored_max"] = float(a.max())
        META["dose.stored_min"] = float(a.min())
        META["dose.scalar_type"] = im.GetScalarTypeAsString()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("usage: python read_ct.py FIXTURE_DIR", file=sys.stderr)
        sys.exit(2)
    try:
        main(os.path.abspath(sys.argv[1]))
    except Exception as e:  # noqa: BLE001
        ERR["fatal"] = f"{type(e).__name__}: {e}"
    OUT["_errors"] = ERR
    OUT["_meta"] = META
    sys.stdout.flush()
    print(json.dumps(OUT, separators=(",", ":"), default=str))
