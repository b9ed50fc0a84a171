"""Plausible reader bugs, each planted into the correct reference reader alone.

Why these: each is a way real DICOM-RT readers have gone wrong, reported upstream or
found by this harness (the ``seen`` line says where), and each silently moves a number
rather than crashing. A bug is a subclass of :class:`Reader` that replaces exactly one
step; ``concerns`` names the fixture set built to expose it (the reference set for
most). The suite (:mod:`harness.power.suite`) requires every one to turn at least one
judged quantity to FAIL on the reference set or on the set it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset

from .reader import Reader, _floats, polygon_area


@dataclass(frozen=True)
class PlantedBug:
    """One reader bug: what it does, where it was seen, and the set built to catch it."""

    id: str
    title: str
    reader: type[Reader]
    concerns: str = "reference"
    seen: str = ""


def _regular(reader: Reader, slices) -> np.ndarray:
    """Positions as a naive volume reader assumes them: the first slice's, then one
    SpacingBetweenSlices (or SliceThickness) per slice along the normal."""
    first = slices[0][1]
    step = float(getattr(first, "SpacingBetweenSlices", None) or first.SliceThickness)
    normal = np.cross(*reader.directions(first))
    return np.array([reader.first_voxel(first) + k * step * normal for k in range(len(slices))])


class MirrorX(Reader):
    def image(self, ds, stored):
        return stored[:, ::-1]


class FlipY(Reader):
    def image(self, ds, stored):
        return stored[::-1, :]


class ReverseZ(Reader):
    def stack(self, slices):
        return super().stack(slices)[::-1]


class Rotate90(Reader):
    def image(self, ds, stored):
        rotated = np.rot90(stored)
        return rotated[: stored.shape[0], : stored.shape[1]] if rotated.shape != stored.shape else rotated


class SwapPixelSpacing(Reader):
    def in_plane_spacing(self, ds):
        row, column = super().in_plane_spacing(ds)
        return column, row


class PixelSpacingIgnored(Reader):
    def in_plane_spacing(self, ds):
        return 1.0, 1.0


class HalfVoxelShift(Reader):
    """ImagePositionPatient taken for the corner of the first voxel, not its centre."""

    def first_voxel(self, ds):
        row, col = self.directions(ds)
        row_spacing, column_spacing = self.in_plane_spacing(ds)
        return super().first_voxel(ds) + row * column_spacing / 2.0 + col * row_spacing / 2.0


class OriginIgnored(Reader):
    """The image's first voxel placed at x = y = 0."""

    def first_voxel(self, ds):
        position = super().first_voxel(ds)
        return np.array([0.0, 0.0, position[2]])


class OrientationIgnored(Reader):
    """Every image taken as axial head-first supine."""

    def directions(self, ds):
        return np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])


class RescaleSlopeIgnored(Reader):
    def to_hu(self, ds, stored):
        return stored + float(ds.RescaleIntercept)


class RescaleInterceptIgnored(Reader):
    def to_hu(self, ds, stored):
        return stored * float(ds.RescaleSlope)


class SliceThicknessAsSpacing(Reader):
    def plane_positions(self, slices):
        first = slices[0][1]
        normal = np.cross(*self.directions(first))
        return np.array([self.first_voxel(first) + k * float(first.SliceThickness) * normal
                         for k in range(len(slices))])


class StackedAlongTheNormal(Reader):
    """The slices placed along the first image's normal, as far apart as their positions
    are: a gantry-tilted (sheared) stack read as a box, as ITK does."""

    def plane_positions(self, slices):
        positions = super().plane_positions(slices)
        normal = np.cross(*self.directions(slices[0][1]))
        step = float(np.linalg.norm(positions[1] - positions[0]))
        return np.array([positions[0] + k * step * normal for k in range(len(positions))])


class SortedByFileName(Reader):
    def order_slices(self, slices):
        return sorted(slices, key=lambda item: item[0])

    def plane_positions(self, slices):
        return _regular(self, slices)


class SortedByInstanceNumber(Reader):
    def order_slices(self, slices):
        return sorted(slices, key=lambda item: int(item[1].InstanceNumber))

    def plane_positions(self, slices):
        return _regular(self, slices)


class LastSliceDropped(Reader):
    def order_slices(self, slices):
        return super().order_slices(slices)[:-1]


class DoseScalingIgnored(Reader):
    def dose_values(self, ds, stored):
        return self.stored_dose(ds, stored).astype(np.float64)


class DoseTakenAsCentigray(Reader):
    """Stored doses scaled, then divided by 100 as if DoseUnits were cGy."""

    def dose_values(self, ds, stored):
        return super().dose_values(ds, stored) / 100.0


class SignedDose(Reader):
    """32-bit dose values decoded as signed integers."""

    def stored_dose(self, ds, stored):
        values = super().stored_dose(ds, stored)
        return values.view(np.int32) if values.dtype.itemsize == 4 else values


class TransposedDose(Reader):
    """The dose frames read column-major: rows and columns exchanged."""

    def stored_dose(self, ds, stored):
        frames = int(getattr(ds, "NumberOfFrames", 1))
        return np.ascontiguousarray(stored.reshape(frames, int(ds.Rows), int(ds.Columns))).reshape(
            frames, int(ds.Columns), int(ds.Rows)).transpose(0, 2, 1)


class NearestNeighbourDose(Reader):
    def dose_at(self, grid, xyz):
        return grid.nearest(xyz)


class AbsoluteOffsetsReadAsRelative(Reader):
    def frame_offsets(self, ds):
        return _floats(ds.GridFrameOffsetVector)


class DoseFrameSpacingFromSliceThickness(Reader):
    """Frames placed SliceThickness apart (empty in an RT Dose: the CT's thickness used)."""

    def frame_offsets(self, ds):
        thickness = float(self.data.ct[0][1].SliceThickness)
        return np.arange(int(ds.NumberOfFrames)) * thickness


class FramesOffByOne(Reader):
    def frame_offsets(self, ds):
        offsets = super().frame_offsets(ds)
        return offsets + (offsets[1] - offsets[0])


class LastDoseFrameDropped(Reader):
    def stored_dose(self, ds, stored):
        return super().stored_dose(ds, stored)[:-1]

    def frame_offsets(self, ds):
        return super().frame_offsets(ds)[:-1]


class DoseOriginFromCt(Reader):
    """The dose grid placed at the CT's first voxel."""

    def dose_grid(self):
        grid = super().dose_grid()
        ct = self.order_slices(self.data.ct)[0][1]
        grid.positions = grid.positions - grid.positions[0] + self.first_voxel(ct)
        return grid


class FirstRtDoseTaken(Reader):
    """The first RT Dose in file-name order, whatever its DoseSummationType."""

    def plan_dose(self):
        return self.data.doses[0]


class FramesAsUniform(Reader):
    """Dose frames placed at one spacing, the first step's (a regular volume assumed)."""

    def frame_offsets(self, ds):
        offsets = super().frame_offsets(ds)
        return np.arange(len(offsets)) * (offsets[1] - offsets[0]) if len(offsets) > 1 else offsets


class HolesFilled(Reader):
    """Every contour of a plane added, a hole inside an outline too (union, not even-odd)."""

    def signs(self, planes):
        return np.ones(len(planes))


class InterpolatedPlanarSkipped(Reader):
    """Only CLOSED_PLANAR contours read: INTERPOLATED_PLANAR ones are skipped as unknown,
    and a structure left without contours is an empty mask (0 cm3)."""

    def contour_planes(self, roi: Dataset):
        plain = Dataset()
        plain.ContourSequence = [c for c in getattr(roi, "ContourSequence", [])
                                 if str(c.ContourGeometricType) == "CLOSED_PLANAR"]
        return super().contour_planes(plain)

    def read_rtstruct(self) -> None:
        super().read_rtstruct()
        names = self.roi_names()
        for roi in self.data.rtstruct.ROIContourSequence:
            key = f"rtstruct.roi.{names[int(roi.ReferencedROINumber)]}.volume_cc"
            if getattr(roi, "ContourSequence", None) and key not in self.observed:
                self.observed[key] = 0.0


class NoEndCaps(Reader):
    """The structure ends at its first and last contour: the end contours stand for
    half a slab (trapezoid rule), silently, as a reader's own choice."""

    def slab_weights(self, planes):
        weights = np.ones(len(planes))
        if len(planes) > 1:
            weights[0] = weights[-1] = 0.5
        return weights


class EndContoursDropped(Reader):
    def contour_planes(self, roi: Dataset):
        planes = super().contour_planes(roi)
        return planes[1:-1] if len(planes) > 2 else planes


class ContourPlanesSortedAsStrings(Reader):
    """Each contour's slab reaches to the next plane in string order of z (the keys of a
    dict of planes sorted as text), so the slabs around zero are wrong."""

    def volume_cc(self, planes):
        keyed = sorted(planes, key=lambda p: f"{p[0]:.2f}")
        total = 0.0
        for k, (z, polygon) in enumerate(keyed):
            neighbour = keyed[k + 1][0] if k + 1 < len(keyed) else keyed[k - 1][0]
            total += polygon_area(polygon) * abs(neighbour - z)
        return total / 1000.0


class MeanAsMidRange(Reader):
    def dvh_mean(self, dose, volume):
        return float((dose.min() + dose.max()) / 2.0)


class FirstBeamMetersetForAll(Reader):
    def beam_metersets(self, rp, beams):
        metersets = super().beam_metersets(rp, beams)
        return [metersets[0]] * len(metersets)


class FirstGantryAngleForAll(Reader):
    def gantry_angles(self, beams):
        angles = super().gantry_angles(beams)
        return [angles[0]] * len(angles)


BUGS: tuple[PlantedBug, ...] = (
    PlantedBug("mirror-x", "images mirrored left/right (columns reversed)", MirrorX,
               seen="rt-utils#84, rt-utils#102: masks written flipped"),
    PlantedBug("flip-y", "images flipped anterior/posterior (rows reversed)", FlipY,
               seen="platipy structures upside down in Slicer (TotalSegmentator#140)"),
    PlantedBug("reverse-z", "slices stacked in reverse order against their positions", ReverseZ,
               seen="rt-utils#128: masks in reversed slice order"),
    PlantedBug("rotate-90", "images rotated by 90 degrees", Rotate90, seen="rt-utils#102"),
    PlantedBug("swap-pixel-spacing", "PixelSpacing read as (column, row) instead of (row, column)",
               SwapPixelSpacing, seen="CERR, pyCERR (finding pixel-spacing-read-as-column-row)"),
    PlantedBug("pixel-spacing-ignored", "pixels taken as 1 mm squares", PixelSpacingIgnored),
    PlantedBug("half-voxel-shift", "ImagePositionPatient taken as the first voxel's corner, not its centre",
               HalfVoxelShift),
    PlantedBug("origin-ignored", "the first voxel placed at x = y = 0", OriginIgnored),
    PlantedBug("orientation-ignored", "ImageOrientationPatient ignored: every image taken as HFS", OrientationIgnored,
               concerns="position-hfp", seen="dicompyler-core#29, dicompyler-core#144"),
    PlantedBug("rescale-slope-ignored", "RescaleSlope ignored", RescaleSlopeIgnored),
    PlantedBug("rescale-intercept-ignored", "RescaleIntercept ignored", RescaleInterceptIgnored),
    PlantedBug("slice-thickness-as-spacing", "SliceThickness taken for the distance between slices",
               SliceThicknessAsSpacing, seen="matRad (finding slice-thickness-from-one-image)"),
    PlantedBug("stacked-along-the-normal", "a gantry-tilted (sheared) stack read as a box along the image normal",
               StackedAlongTheNormal, concerns="ct-gantry-tilt",
               seen="Slicer#4409; SimpleITK, ITK-SNAP, plastimatch (finding gantry-tilt-read-as-a-box-along-the-normal)"),
    PlantedBug("sorted-by-file-name", "slices stacked in file-name order at regular steps", SortedByFileName,
               seen="slicer-core (finding archetype-reader-stacks-files-by-name)"),
    PlantedBug("sorted-by-instance-number", "slices stacked in InstanceNumber order at regular steps",
               SortedByInstanceNumber),
    PlantedBug("last-slice-dropped", "the last CT slice lost (an off-by-one in the series)", LastSliceDropped),
    PlantedBug("dose-scaling-ignored", "DoseGridScaling not applied", DoseScalingIgnored,
               seen="ImageJ, SimpleITK (finding dose-grid-scaling-not-applied)"),
    PlantedBug("dose-taken-as-cgy", "dose divided by 100 as if stored in cGy", DoseTakenAsCentigray),
    PlantedBug("signed-dose", "32-bit dose decoded as signed integers", SignedDose, concerns="dose-scaling-tiny",
               seen="dicompyler#78"),
    PlantedBug("transposed-dose", "dose frames read with rows and columns exchanged", TransposedDose),
    PlantedBug("nearest-neighbour-dose", "point doses read from the nearest dose node", NearestNeighbourDose),
    PlantedBug("absolute-offsets-as-relative", "absolute GridFrameOffsetVector read as relative offsets",
               AbsoluteOffsetsReadAsRelative, concerns="dose-absolute-offsets",
               seen="dicompyler-core#284 (finding absolute-frame-offsets-read-as-relative)"),
    PlantedBug("dose-frame-spacing-from-slice-thickness", "dose frames placed SliceThickness apart",
               DoseFrameSpacingFromSliceThickness, seen="ImageJ (finding dose-frame-spacing-from-slice-thickness)"),
    PlantedBug("frames-off-by-one", "dose frames shifted by one frame", FramesOffByOne),
    PlantedBug("last-dose-frame-dropped", "the last dose frame lost", LastDoseFrameDropped),
    PlantedBug("dose-origin-from-ct", "the dose grid placed at the CT's origin", DoseOriginFromCt),
    PlantedBug("first-rt-dose-taken", "the first RT Dose found taken for the plan dose", FirstRtDoseTaken,
               concerns="dose-summation-beam",
               seen="DVH-Analytics#68; plastimatch (finding beam-dose-read-as-plan-dose)"),
    PlantedBug("frames-as-uniform", "dose frames placed at the first step's spacing", FramesAsUniform,
               concerns="dose-uneven-frames", seen="dicom_tools#22, amide#1"),
    PlantedBug("holes-filled", "a hole inside an outline added to the structure, not subtracted", HolesFilled,
               concerns="contours-holes", seen="platipy#244, dcmrtstruct2nii#31, SlicerRT#171"),
    PlantedBug("interpolated-planar-skipped", "INTERPOLATED_PLANAR contours skipped as an unknown type",
               InterpolatedPlanarSkipped, concerns="contours-interpolated", seen="dcmrtstruct2nii#2"),
    PlantedBug("no-end-caps", "structures end at their end contours (trapezoid rule), undeclared", NoEndCaps),
    PlantedBug("end-contours-dropped", "the first and last contour of each structure lost", EndContoursDropped),
    PlantedBug("contour-planes-sorted-as-strings", "contour slabs taken between planes sorted as text",
               ContourPlanesSortedAsStrings, seen="dicompyler-core (finding contour-planes-sorted-as-strings)"),
    PlantedBug("mean-as-mid-range", "DVH mean dose taken as (min + max) / 2", MeanAsMidRange),
    PlantedBug("first-beam-meterset-for-all", "every beam given the first beam's meterset", FirstBeamMetersetForAll),
    PlantedBug("first-gantry-angle-for-all", "every beam given the first beam's gantry angle", FirstGantryAngleForAll),
)
