"""Named conventions and synonyms: the legitimate alternatives a correct reader may follow.

A value that misses the truth but matches a named alternative is neither a plain pass
nor a FAIL: it is ``pass (convention: ...)``, kept distinct in the results and shown in
the report, so a reader sees which convention the tool follows. Declared once here
(as lintian declares its tags) and used by the fixture generator, which writes the
alternative values into truth.json, and by the judge, which recognises them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Convention:
    """A way of reading DICOM-RT that real systems use and that changes the numbers.

    Attributes
    ----------
    name : str
        Stable id, as it appears in truth.json, results and the report.
    title : str
        What the report shows after ``pass (convention: ...)``.
    explanation : str
        What the convention is and who uses it.
    references : tuple of str
        Where it is described.
    """

    name: str
    title: str
    explanation: str
    references: tuple[str, ...] = ()


NO_END_CAPS = Convention(
    "no-end-caps", "no end caps",
    "The structure ends at its first and last contour plane: contours are joined between "
    "consecutive planes and nothing is added beyond the end contours. The reference truth "
    "extends each end contour by half a slice instead (Nelms et al. 2015). Both are in "
    "clinical use; for a 24 mm structure on 2 mm slices they differ by 4 to 12 %. Credited "
    "only when the check's manifest declares, citing the tool's code or manual, that the tool "
    "follows it (a reader that drops the end caps silently is a planted bug, and fails); a DVH "
    "value also needs the tool's own DVH volume of the structure to be the no-end-caps volume.",
    ("Nelms et al. 2015, Med Phys 42(8):4435, doi:10.1118/1.4923175",),
)
HISTOGRAM_BIN = Convention(
    "histogram-bin", "histogram bin",
    "The tool reads DVH doses off a histogram of the bin width it reports (observation "
    "dvh.bin_width_gy, accepted up to 0.1 Gy): a Dx, a mean or an extreme taken from it may lie "
    "anywhere within one bin of the true value (an extreme is often the far edge of its bin).",
)

VOLUME_ORIGIN = Convention(
    "volume-origin", "volume origin",
    "The tool gives the origin of the CT as a volume: the first voxel in its index order, "
    "walking the slices along the image normal (ITK, SimpleITK, plastimatch, 3D Slicer). "
    "For a feet-first series the normal points inferior, so that is the most superior "
    "slice's ImagePositionPatient; the truth names the most inferior slice's. Both locate "
    "the same voxels. Credited only when declared in the check's manifest and the tool's "
    "volume axes (ct.volume_directions) are the image's row, column and normal directions.",
    ("ITK Software Guide, 'Image' (origin, spacing, direction)",),
)
LOWEST_CORNER = Convention(
    "lowest-corner", "lowest corner",
    "The tool reorients the series to its own axes and gives the origin as the voxel centre "
    "with the lowest x, y and z (matRad's world coordinates). For a series whose rows or "
    "columns run towards -x or -y that is another corner than ImagePositionPatient names. "
    "Credited only when declared in the check's manifest and the tool's volume axes "
    "(ct.volume_directions) are +x, +y and +z.",
)

CONVENTIONS: dict[str, Convention] = {c.name: c for c in (NO_END_CAPS, HISTOGRAM_BIN, VOLUME_ORIGIN,
                                                           LOWEST_CORNER)}

#: The largest histogram bin width, in Gy, for which the histogram-bin convention applies;
#: a coarser histogram cannot claim its extremes are right.
MAX_BIN_WIDTH_GY = 0.1
#: The observation a check prints to say which histogram bin width its tool used.
BIN_WIDTH_KEY = "dvh.bin_width_gy"
#: The observation a check prints to say how its tool's CT volume is laid out: the
#: patient-space directions of its column, row and slice index axes (9 numbers), the
#: evidence an origin convention needs.
EVIDENCE_AXES = "ct.volume_directions"
#: Observations a check may print beside the truth's keys: evidence, not judged.
AUXILIARY_KEYS = (BIN_WIDTH_KEY, EVIDENCE_AXES)


@dataclass(frozen=True)
class Synonyms:
    """Spellings of one enumerated DICOM value that tools use interchangeably."""

    keys: tuple[str, ...]
    value: str
    spellings: tuple[str, ...]
    source: str


#: DoseUnits (3004,0002) is GY or RELATIVE in the standard; CERR and pyCERR map
#: GY, GYS, GRAY and GRAYS to 'GRAYS' on import on purpose.
SYNONYMS: tuple[Synonyms, ...] = (
    Synonyms(("dose.units",), "GY", ("GY", "GYS", "GRAY", "GRAYS"),
             "CERR populate_planC_dose_field.m and pyCERR cerr/dataclasses/dose.py map these to 'GRAYS'"),
)


def synonym_of(key: str, expected: str, observed: str) -> Synonyms | None:
    """The declared synonym set that makes ``observed`` another spelling of ``expected``
    (spellings are exact: DICOM code strings are upper case)."""
    for entry in SYNONYMS:
        if key in entry.keys and expected == entry.value and observed in entry.spellings:
            return entry
    return None
