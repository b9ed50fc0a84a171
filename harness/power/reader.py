"""A reader of the fixture sets written from the DICOM standard, one step per method.

Why: a pass means something only if the fixtures make a wrong reader fail. This
reader is correct (the suite checks that it passes every judged quantity of every
set); :mod:`harness.power.bugs` replaces one of its steps at a time with a plausible
reader bug and counts how many the fixtures catch. Each step is therefore a method
named for the one thing it decides (which way slices are stacked, where the first
voxel is, how stored values become Gy).

It observes what the check programs observe, from the same files and ``points.json``
only, never the truth, and reports it under the truth's keys. It shares no code with the
generator (:mod:`harness.fixtures`), not even a shoelace area, so that a mistake there
cannot hide in both. PS3.3 references:
C.7.6.2.1.1 (Image Plane: ImagePositionPatient is the centre of the first voxel,
PixelSpacing is row spacing then column spacing), C.11.1.1.2 (Modality LUT: HU =
stored x RescaleSlope + RescaleIntercept), C.8.8.3.2 (RT Dose: GridFrameOffsetVector,
DoseGridScaling), C.8.8.6 (ROI Contour).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset


@dataclass
class LoadedSet:
    """One fixture set's files, parsed and decoded once (a bug must never modify them)."""

    directory: Path
    ct: list[tuple[str, Dataset, np.ndarray]]
    rtstruct: Dataset | None
    rtplan: Dataset | None
    doses: list[tuple[str, Dataset, np.ndarray]]
    points: dict

    @classmethod
    def read(cls, directory: Path) -> LoadedSet:
        directory = Path(directory)
        ct, doses, rtstruct, rtplan = [], [], None, None
        for path in sorted(directory.glob("*.dcm")):
            # PS3.10 asks for a preamble and file meta; a bare data set (as some planning
            # systems write) is implicit VR little endian, PS3.5 A.1
            ds = pydicom.dcmread(path, force=True)
            if "TransferSyntaxUID" not in ds.file_meta:
                ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
            modality = str(ds.Modality)
            if modality in ("CT", "MR"):  # the primary image series
                pixels = ds.pixel_array
                pixels.setflags(write=False)
                ct.append((path.name, ds, pixels))
            elif modality == "RTDOSE":
                pixels = ds.pixel_array
                pixels.setflags(write=False)
                doses.append((path.name, ds, pixels))
            elif modality == "RTSTRUCT":
                rtstruct = ds
            elif modality == "RTPLAN":
                rtplan = ds
        points = json.loads((directory / "points.json").read_text())
        return cls(directory, ct, rtstruct, rtplan, doses, points)


@dataclass
class Grid:
    """Where a reader puts a volume's voxels: the centre of voxel (k, r, c) is
    ``positions[k] + c * column_spacing * row_dir + r * row_spacing * col_dir``."""

    values: np.ndarray  # (slices or frames, rows, columns), in HU or Gy
    positions: np.ndarray  # (slices, 3): the centre of each plane's first voxel
    row_dir: np.ndarray
    col_dir: np.ndarray
    row_spacing: float
    column_spacing: float

    @property
    def normal(self) -> np.ndarray:
        return np.cross(self.row_dir, self.col_dir)

    def fractional_index(self, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(plane, row, column) of patient points (n, 3), as fractions: planes by linear
        interpolation between the planes' positions along the normal."""
        xyz = np.atleast_2d(np.asarray(xyz, dtype=float))
        along = self.positions @ self.normal
        order = np.argsort(along)
        d = xyz @ self.normal
        plane = np.interp(d, along[order], np.arange(len(along))[order].astype(float)) if len(along) > 1 \
            else np.zeros(len(xyz))
        k0 = np.clip(np.floor(plane).astype(int), 0, len(along) - 1)
        k1 = np.clip(k0 + 1, 0, len(along) - 1)
        t = plane - k0
        first = self.positions[k0] * (1 - t)[:, None] + self.positions[k1] * t[:, None]
        offset = xyz - first
        return plane, offset @ self.col_dir / self.row_spacing, offset @ self.row_dir / self.column_spacing

    def nearest(self, xyz) -> np.ndarray:
        plane, row, column = self.fractional_index(xyz)
        k = np.clip(np.rint(plane).astype(int), 0, self.values.shape[0] - 1)
        r = np.clip(np.rint(row).astype(int), 0, self.values.shape[1] - 1)
        c = np.clip(np.rint(column).astype(int), 0, self.values.shape[2] - 1)
        return self.values[k, r, c]

    def trilinear(self, xyz) -> np.ndarray:
        plane, row, column = self.fractional_index(xyz)
        out = np.zeros(len(plane))
        index = []
        for value, size in zip((plane, row, column), self.values.shape):
            i0 = np.clip(np.floor(value).astype(int), 0, max(size - 2, 0))
            index.append((i0, value - i0))
        (k0, tk), (r0, tr), (c0, tc) = index
        for a in (0, 1):
            for b in (0, 1):
                for c in (0, 1):
                    weight = (tk if a else 1 - tk) * (tr if b else 1 - tr) * (tc if c else 1 - tc)
                    kk = np.clip(k0 + a, 0, self.values.shape[0] - 1)
                    rr = np.clip(r0 + b, 0, self.values.shape[1] - 1)
                    cc = np.clip(c0 + c, 0, self.values.shape[2] - 1)
                    out += weight * self.values[kk, rr, cc]
        return out


def _floats(values) -> np.ndarray:
    return np.array([float(v) for v in values], dtype=float)


def polygon_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)))


def inside_polygon(polygon: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Even-odd ray casting for every point."""
    inside = np.zeros(np.shape(x), dtype=bool)
    for (x0, y0), (x1, y1) in zip(polygon, np.roll(polygon, -1, axis=0)):
        crosses = (y0 > y) != (y1 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (x < at)
    return inside


@dataclass
class Reader:
    """A correct reader; every method is one step a planted bug may replace."""

    data: LoadedSet
    observed: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ CT
    def order_slices(self, slices: list[tuple[str, Dataset, np.ndarray]]):
        """Slices in space: by position along the image normal."""
        def along(item):
            ds = item[1]
            row, col = self.directions(ds)
            return float(_floats(ds.ImagePositionPatient) @ np.cross(row, col))
        return sorted(slices, key=along)

    def directions(self, ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
        """Row and column direction cosines (ImageOrientationPatient)."""
        iop = _floats(ds.ImageOrientationPatient)
        return iop[:3], iop[3:]

    def in_plane_spacing(self, ds: Dataset) -> tuple[float, float]:
        """(row spacing, column spacing): PixelSpacing in the standard's order."""
        spacing = _floats(ds.PixelSpacing)
        return float(spacing[0]), float(spacing[1])

    def first_voxel(self, ds: Dataset) -> np.ndarray:
        """ImagePositionPatient: the centre of the first transmitted voxel."""
        return _floats(ds.ImagePositionPatient)

    def plane_positions(self, slices) -> np.ndarray:
        """Each slice's own first-voxel position (no regular spacing assumed)."""
        return np.array([self.first_voxel(ds) for _, ds, _ in slices])

    def to_hu(self, ds: Dataset, stored: np.ndarray) -> np.ndarray:
        """The Modality LUT where the image has one (CT); an MR image's values are its own."""
        return stored * float(ds.get("RescaleSlope", 1)) + float(ds.get("RescaleIntercept", 0))

    def image(self, ds: Dataset, stored: np.ndarray) -> np.ndarray:
        """The slice's pixels as (rows, columns)."""
        return stored

    def stack(self, slices) -> np.ndarray:
        return np.stack([self.to_hu(ds, self.image(ds, stored)) for _, ds, stored in slices])

    def slice_spacing(self, slices, positions: np.ndarray) -> float:
        normal = np.cross(*self.directions(slices[0][1]))
        steps = np.diff(positions @ normal)
        return float(np.median(np.abs(steps))) if len(steps) else 0.0

    def ct_grid(self) -> tuple[Grid, list]:
        slices = self.order_slices(self.data.ct)
        first = slices[0][1]
        row, col = self.directions(first)
        row_spacing, column_spacing = self.in_plane_spacing(first)
        return Grid(self.stack(slices), self.plane_positions(slices), row, col, row_spacing, column_spacing), slices

    def read_ct(self) -> None:
        grid, slices = self.ct_grid()
        first = slices[0][1]
        obs = self.observed
        obs["ct.image_count"] = len(slices)
        obs["ct.rows"], obs["ct.columns"] = int(first.Rows), int(first.Columns)
        obs["ct.pixel_spacing_mm"] = [grid.row_spacing, grid.column_spacing]
        if first.get("SliceThickness") not in (None, ""):  # Type 2: present, but may be empty
            obs["ct.slice_thickness_mm"] = float(first.SliceThickness)
        obs["ct.slice_spacing_mm"] = self.slice_spacing(slices, grid.positions)
        obs["ct.slice_positions_mm"] = sorted(float(p[2]) for p in grid.positions)
        # the truth's origin is the most inferior slice's ImagePositionPatient
        obs["ct.origin_mm"] = [float(v) for v in grid.positions[int(np.argmin(grid.positions[:, 2]))]]
        obs["ct.orientation"] = [float(v) for v in (*grid.row_dir, *grid.col_dir)]
        obs["ct.size_voxels"] = [grid.values.shape[2], grid.values.shape[1], grid.values.shape[0]]
        obs["ct.frame_of_reference_uid"] = str(first.FrameOfReferenceUID)
        obs["ct.patient_position"] = str(first.get("PatientPosition", ""))
        for name, xyz in self.data.points["ct"].items():
            obs[f"ct.hu.{name}"] = float(grid.nearest([xyz])[0])
        obs["ct.hu.body_mean"] = self.body_mean(grid)

    def body_mean(self, grid: Grid) -> float:
        disc = self.data.points["body_interior"]
        rows, columns = grid.values.shape[1:]
        r, c = np.mgrid[0:rows, 0:columns]
        values = []
        for k in range(grid.values.shape[0]):
            xyz = (grid.positions[k][:, None, None] + (c * grid.column_spacing)[None] * grid.row_dir[:, None, None]
                   + (r * grid.row_spacing)[None] * grid.col_dir[:, None, None])
            inside = np.hypot(xyz[0] - disc["centre"][0], xyz[1] - disc["centre"][1]) <= disc["radius_mm"]
            values.append(grid.values[k][inside])
        inside_body = np.concatenate(values)
        # a reader that moves the image off the body (a planted bug) has nothing inside it
        return float(inside_body.mean()) if inside_body.size else float("nan")

    # ------------------------------------------------------------------ RT Structure Set
    def roi_names(self) -> dict[int, str]:
        return {int(r.ROINumber): str(r.ROIName) for r in self.data.rtstruct.StructureSetROISequence}

    def contour_planes(self, roi: Dataset) -> list[tuple[float, np.ndarray]]:
        """Closed planar contours of three points or more, as (z, polygon) in z order
        (INTERPOLATED_PLANAR, a term some systems write, read as its polygon)."""
        planes = []
        for contour in getattr(roi, "ContourSequence", []):
            points = _floats(contour.ContourData).reshape(-1, 3)
            if str(contour.ContourGeometricType) in ("CLOSED_PLANAR", "INTERPOLATED_PLANAR") and len(points) >= 3:
                planes.append((float(points[0, 2]), points[:, :2]))
        return sorted(planes, key=lambda p: p[0])

    def signs(self, planes) -> np.ndarray:
        """+1 for an outline, -1 for a hole: a contour inside an odd number of others on
        its plane is a hole (the even-odd rule the ring structures of clinics rely on)."""
        out = []
        for index, (z, polygon) in enumerate(planes):
            depth = sum(bool(inside_polygon(other, polygon[:1, 0], polygon[:1, 1])[0])
                        for j, (other_z, other) in enumerate(planes) if j != index and abs(other_z - z) < 1e-6)
            out.append(-1.0 if depth % 2 else 1.0)
        return np.array(out)

    def plane_spacing(self, planes) -> float:
        z = sorted({round(p[0], 3) for p in planes})
        return float(np.median(np.diff(z))) if len(z) > 1 else 0.0

    def slab_weights(self, planes) -> np.ndarray:
        """How much of the slice spacing each contour stands for: all of it (end caps)."""
        return np.ones(len(planes))

    def volume_cc(self, planes) -> float:
        spacing = self.plane_spacing(planes)
        weights = self.slab_weights(planes) * self.signs(planes)
        return float(sum(w * polygon_area(poly) for w, (_, poly) in zip(weights, planes)) * spacing / 1000.0)

    def read_rtstruct(self) -> None:
        rs, obs = self.data.rtstruct, self.observed
        names = self.roi_names()
        obs["rtstruct.roi_count"] = len(names)
        obs["rtstruct.roi_names"] = [names[n] for n in sorted(names)]
        for number, name in names.items():
            obs[f"rtstruct.roi.{name}.number"] = number
        for item in rs.RTROIObservationsSequence:
            obs[f"rtstruct.roi.{names[int(item.ReferencedROINumber)]}.type"] = str(item.RTROIInterpretedType)
        for roi in rs.ROIContourSequence:
            name = names[int(roi.ReferencedROINumber)]
            obs[f"rtstruct.roi.{name}.contour_count"] = len(getattr(roi, "ContourSequence", []))
            planes = self.contour_planes(roi)
            if len(planes) > 1:
                obs[f"rtstruct.roi.{name}.volume_cc"] = self.volume_cc(planes)

    # ------------------------------------------------------------------ RT Dose
    def plan_dose(self) -> tuple[str, Dataset, np.ndarray]:
        """The plan's dose: DoseSummationType PLAN when there are several RT Doses."""
        plans = [d for d in self.data.doses if str(d[1].DoseSummationType) in ("PLAN", "MULTI_PLAN")]
        return (plans or self.data.doses)[0]

    def stored_dose(self, ds: Dataset, stored: np.ndarray) -> np.ndarray:
        return stored.reshape(int(getattr(ds, "NumberOfFrames", 1)), int(ds.Rows), int(ds.Columns))

    def dose_values(self, ds: Dataset, stored: np.ndarray) -> np.ndarray:
        return self.stored_dose(ds, stored).astype(np.float64) * float(ds.DoseGridScaling)

    def frame_offsets(self, ds: Dataset) -> np.ndarray:
        """GridFrameOffsetVector relative to the first frame (C.8.8.3.2: absolute values
        are allowed for an axial grid, where the first equals ImagePositionPatient z)."""
        offsets = _floats(ds.GridFrameOffsetVector)
        if offsets[0] != 0:
            offsets = offsets - _floats(ds.ImagePositionPatient)[2]
        return offsets

    def dose_grid(self) -> Grid:
        _, ds, stored = self.plan_dose()
        row, col = self.directions(ds)
        row_spacing, column_spacing = self.in_plane_spacing(ds)
        origin = self.first_voxel(ds)
        positions = origin[None, :] + self.frame_offsets(ds)[:, None] * np.cross(row, col)[None, :]
        return Grid(self.dose_values(ds, stored), positions, row, col, row_spacing, column_spacing)

    def dose_at(self, grid: Grid, xyz) -> np.ndarray:
        return grid.trilinear(xyz)

    def read_rtdose(self) -> None:
        _, ds, _ = self.plan_dose()
        grid, obs = self.dose_grid(), self.observed
        offsets = self.frame_offsets(ds)
        obs["dose.rows"], obs["dose.columns"] = int(ds.Rows), int(ds.Columns)
        obs["dose.frames"] = int(ds.NumberOfFrames)
        obs["dose.pixel_spacing_mm"] = [grid.row_spacing, grid.column_spacing]
        obs["dose.frame_spacing_mm"] = float(np.median(np.abs(np.diff(offsets)))) if len(offsets) > 1 else 0.0
        obs["dose.origin_mm"] = [float(v) for v in grid.positions[0]]
        obs["dose.orientation"] = [float(v) for v in (*grid.row_dir, *grid.col_dir)]
        obs["dose.size_voxels"] = [grid.values.shape[2], grid.values.shape[1], grid.values.shape[0]]
        obs["dose.grid_frame_offsets_mm"] = [float(v) for v in _floats(ds.GridFrameOffsetVector)]
        obs["dose.units"], obs["dose.type"] = str(ds.DoseUnits), str(ds.DoseType)
        obs["dose.summation_type"] = str(ds.DoseSummationType)
        obs["dose.bits_allocated"] = int(ds.BitsAllocated)
        obs["dose.scaling"] = float(ds.DoseGridScaling)
        obs["dose.max_gy"], obs["dose.min_gy"] = float(grid.values.max()), float(grid.values.min())
        for name, xyz in self.data.points["dose"].items():
            obs[f"dose.at.{name}_gy"] = float(self.dose_at(grid, [xyz])[0])

    # ------------------------------------------------------------------ RT Plan
    def beam_metersets(self, rp: Dataset, beams) -> list[float]:
        by_number = {int(rb.ReferencedBeamNumber): float(rb.BeamMeterset)
                     for rb in rp.FractionGroupSequence[0].ReferencedBeamSequence}
        return [by_number[int(b.BeamNumber)] for b in beams]

    def gantry_angles(self, beams) -> list[float]:
        return [float(self.control_points(b)[0].GantryAngle) for b in beams]

    @staticmethod
    def control_points(beam: Dataset):
        """A photon beam's ControlPointSequence, an ion beam's IonControlPointSequence."""
        return beam.IonControlPointSequence if "IonControlPointSequence" in beam else beam.ControlPointSequence

    def read_rtplan(self) -> None:
        rp, obs = self.data.rtplan, self.observed
        if "ApplicationSetupSequence" in rp:
            return self.read_brachy_plan(rp, obs)
        beams = sorted(rp.IonBeamSequence if "IonBeamSequence" in rp else rp.BeamSequence,
                       key=lambda b: int(b.BeamNumber))
        metersets = self.beam_metersets(rp, beams)
        obs["plan.label"] = str(rp.RTPlanLabel)
        obs["plan.beam_count"] = len(beams)
        obs["plan.beam_names"] = [str(b.BeamName) for b in beams]
        obs["plan.gantry_angles_deg"] = self.gantry_angles(beams)
        obs["plan.beam_meterset_mu"] = metersets
        obs["plan.total_meterset_mu"] = round(sum(metersets), 6)
        obs["plan.fraction_count"] = int(rp.FractionGroupSequence[0].NumberOfFractionsPlanned)
        obs["plan.radiation_type"] = str(beams[0].RadiationType)
        first = self.control_points(beams[0])[0]
        obs["plan.energy_mev" if "IonBeamSequence" in rp else "plan.energy_mv"] = float(first.NominalBeamEnergy)
        obs["plan.isocentre_mm"] = [float(v) for v in first.IsocenterPosition]
        obs["plan.prescription_gy"] = float(next(d.TargetPrescriptionDose for d in rp.DoseReferenceSequence
                                                 if "TargetPrescriptionDose" in d))
        leaves = [int(d.NumberOfLeafJawPairs) for d in beams[0].get("BeamLimitingDeviceSequence", [])
                  if str(d.RTBeamLimitingDeviceType).startswith("MLC")]
        if leaves:  # a scanned ion beam has none
            obs["plan.mlc_leaf_pairs"] = leaves[0]

    @staticmethod
    def read_brachy_plan(rp: Dataset, obs: dict) -> None:
        """A brachytherapy plan: no beams; a source and catheters with dwell positions."""
        channels = [c for setup in rp.ApplicationSetupSequence for c in setup.ChannelSequence]
        obs["plan.label"] = str(rp.RTPlanLabel)
        obs["plan.beam_count"] = len(rp.get("BeamSequence", []))
        obs["plan.fraction_count"] = int(rp.FractionGroupSequence[0].NumberOfFractionsPlanned)
        obs["plan.prescription_gy"] = float(next(d.TargetPrescriptionDose for d in rp.DoseReferenceSequence
                                                 if "TargetPrescriptionDose" in d))
        obs["brachy.treatment_type"] = str(rp.BrachyTreatmentType)
        obs["brachy.technique"] = str(rp.BrachyTreatmentTechnique)
        obs["brachy.source_isotope"] = str(rp.SourceSequence[0].SourceIsotopeName)
        obs["brachy.channel_count"] = len(channels)
        obs["brachy.dwell_position_count"] = sum(
            len({tuple(float(v) for v in p.ControlPoint3DPosition) for p in c.BrachyControlPointSequence})
            for c in channels)
        obs["brachy.total_time_s"] = sum(float(c.ChannelTotalTime) for c in channels)

    # ------------------------------------------------------------------ DVH
    def structure_voxels(self, ct: Grid, planes) -> tuple[np.ndarray, np.ndarray]:
        """CT pixel centres inside each contour, on the contour's plane: (n, 3) points and
        each one's volume (the CT pixel times the slab its contour stands for)."""
        spacing = self.plane_spacing(planes)
        weights = self.slab_weights(planes)
        rows, columns = ct.values.shape[1:]
        r, c = np.mgrid[0:rows, 0:columns]
        corner = ct.positions[0]
        x = corner[0] + c * ct.column_spacing * ct.row_dir[0] + r * ct.row_spacing * ct.col_dir[0]
        y = corner[1] + c * ct.column_spacing * ct.row_dir[1] + r * ct.row_spacing * ct.col_dir[1]
        points, volumes = [], []
        for weight, (z, polygon) in zip(weights, planes):
            near = ((x >= polygon[:, 0].min() - 1) & (x <= polygon[:, 0].max() + 1)
                    & (y >= polygon[:, 1].min() - 1) & (y <= polygon[:, 1].max() + 1))
            xs, ys = x[near], y[near]
            inside = inside_polygon(polygon, xs, ys)
            n = int(inside.sum())
            points.append(np.column_stack([xs[inside], ys[inside], np.full(n, z)]))
            volumes.append(np.full(n, ct.row_spacing * ct.column_spacing * spacing * weight))
        return np.concatenate(points), np.concatenate(volumes)

    def dvh_mean(self, dose: np.ndarray, volume: np.ndarray) -> float:
        return float((dose * volume).sum() / volume.sum())

    def read_dvh(self) -> None:
        ct, _ = self.ct_grid()
        grid, obs = self.dose_grid(), self.observed
        names = self.roi_names()
        levels = self.data.points["dvh"]
        for roi in self.data.rtstruct.ROIContourSequence:
            name = names[int(roi.ReferencedROINumber)]
            if name not in levels["dose_levels_gy"]:
                continue
            planes = self.contour_planes(roi)
            points, volume = self.structure_voxels(ct, planes)
            dose = self.dose_at(grid, points)
            order = np.argsort(dose)[::-1]
            hot, cumulative = dose[order], np.cumsum(volume[order])
            total = cumulative[-1]

            def covering(need: float) -> float:
                return float(hot[min(np.searchsorted(cumulative, need - 1e-9), len(hot) - 1)])

            p = f"dvh.{name}."
            obs[p + "volume_cc"] = float(total / 1000.0)
            obs[p + "min_gy"], obs[p + "max_gy"] = float(dose.min()), float(dose.max())
            obs[p + "mean_gy"] = self.dvh_mean(dose, volume)
            for pct in levels["volume_levels_pct"]:
                obs[f"{p}D{pct:g}_gy"] = covering(total * pct / 100.0)
            for cc in levels["volume_levels_cc"]:
                obs[f"{p}D{cc:g}cc_gy"] = covering(min(total, cc * 1000.0))
            for level in levels["dose_levels_gy"][name]:
                obs[f"{p}V{level:g}gy_pct"] = float(100.0 * volume[dose >= level].sum() / total)

    # ------------------------------------------------------------------
    def read(self, capability: str) -> dict[str, Any]:
        """Observations for one capability; a failure is recorded as the reader's error."""
        step = {"read-ct": self.read_ct, "read-rtstruct": self.read_rtstruct, "read-rtdose": self.read_rtdose,
                "read-rtplan": self.read_rtplan, "dvh": self.read_dvh}[capability]
        self.observed = {}
        try:
            step()
        except Exception as exc:  # a planted bug may break the reading itself: that is a loud failure
            self.observed["_errors"] = {capability: f"{type(exc).__name__}: {exc}"}
        return self.observed


def finite(value: float) -> bool:
    return isinstance(value, float) and math.isfinite(value)
