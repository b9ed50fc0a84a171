"""The report's method section, generated from the fixture sets themselves.

What the reference data was (phantom, dose model, positions, transfer syntaxes), how
each expected value was derived, which tolerances apply in which units and why, where
to download the set and how to check it: all read from the set's own files (truth.json,
the DICOM headers, the contours), so the section cannot drift from the data it describes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from pydicom.multival import MultiValue

from harness.fixtures.checksum import fixture_set_checksum

REFERENCES = (
    ("Nelms BE et al. Methods, software and datasets to verify DVH calculations against analytical values: "
     "twenty years of experience. Med Phys 2015;42(8):4435-48", "https://doi.org/10.1118/1.4923175"),
    ("Fraass B et al. AAPM Radiation Therapy Committee Task Group 53: quality assurance for clinical "
     "radiotherapy treatment planning. Med Phys 1998;25(10):1773-829", "https://doi.org/10.1118/1.598373"),
)


@dataclass(frozen=True)
class ToleranceRow:
    family: str
    unit: str
    rule: str
    values: str
    count: int = 0
    #: one quantity's own derivation, as the truth file states it
    example: str = ""


@dataclass
class FixtureMethod:
    """What the report says about one fixture set."""

    name: str
    description: str = ""
    checksum: str = ""
    assumptions: dict[str, str] = field(default_factory=dict)
    facts: list[tuple[str, str]] = field(default_factory=list)
    tolerances: list[ToleranceRow] = field(default_factory=list)
    volume_rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    figure: str = ""
    problems: list[str] = field(default_factory=list)
    #: (path relative to the set, bytes, sha256) of every file
    files: list[tuple[str, int, str]] = field(default_factory=list)


def fixture_method(fixtures_root: Path, name: str) -> FixtureMethod:
    """Everything the method section states about ``fixtures_root/name``."""
    directory = fixtures_root / name
    method = FixtureMethod(name)
    try:
        truth = json.loads((directory / "truth.json").read_text())
    except (OSError, ValueError) as exc:
        method.problems.append(f"{directory / 'truth.json'}: {exc}")
        return method
    if not isinstance(truth, dict):
        method.problems.append(f"{directory / 'truth.json'}: not a JSON object")
        return method
    method.description = str(truth.get("description", ""))
    assumptions = truth.get("assumptions") or truth.get("conventions") or {}
    method.assumptions = {str(k): _text(v) for k, v in assumptions.items()} if isinstance(assumptions, dict) else {}
    method.checksum = fixture_set_checksum(directory)
    quantities = truth.get("quantities", {})
    quantities = quantities if isinstance(quantities, dict) else {}
    # Each part describes what it can: a set it cannot read in full still gets the rest.
    for part, compute in (("tolerances", lambda: tolerance_rows(quantities)),
                          ("volume_rows", lambda: volume_rows(quantities)),
                          ("facts", lambda: dicom_facts(directory)),
                          ("figure", lambda: phantom_svg(directory)),
                          ("files", lambda: set_files(directory))):
        try:
            setattr(method, part, compute())
        except Exception as exc:  # noqa: BLE001 - a report describes, it does not crash on odd data
            method.problems.append(f"{directory}: cannot describe its {part.replace('_', ' ')}: "
                                   f"{type(exc).__name__}: {exc}")
    return method


def set_files(directory: Path) -> list[tuple[str, int, str]]:
    """Every file of a set with its size and sha256: what a reader downloads and checks."""
    import hashlib

    return [(path.relative_to(directory).as_posix(), path.stat().st_size,
             hashlib.sha256(path.read_bytes()).hexdigest())
            for path in sorted(directory.rglob("*")) if path.is_file()]


def _text(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("description") or value.get("title") or json.dumps(value))
    return str(value)


def volume_rows(quantities: dict) -> list[tuple[str, str, str, str]]:
    """Structure volumes with and without end caps, where the truth carries both."""
    return [(key.split(".")[2], f"{q['value']:.2f}", f"{q['conventions']['no-end-caps']['value']:.2f}",
             f"{100 * q['tolerance']['rel']:.1f} %")
            for key, q in quantities.items()
            if key.startswith("rtstruct.roi.") and key.endswith(".volume_cc") and isinstance(q, dict)
            and "no-end-caps" in (q.get("conventions") or {})]


def tolerance_rows(quantities: dict) -> list[ToleranceRow]:
    """One row per family of quantities: what is judged, in which unit, within what."""
    families = {
        "CT geometry (rows, spacing, origin)": ("ct.", "mm or count", "exact counts; 0.001 mm"),
        "Hounsfield units at points": ("ct.hu.", "HU", "1 HU (constant regions)"),
        "structure names, numbers, types": ("rtstruct.roi_", "", "exact (trailing DICOM padding ignored)"),
        "structure volumes": (".volume_cc", "cm3, relative", "derived per structure from pixel-centre "
                                                             "rasterisation over 256 sub-pixel placements"),
        "dose grid geometry": ("dose.", "mm or count", "exact counts; 0.001 mm"),
        "point doses": ("dose.at.", "Gy", "1 % or 0.01 Gy (trilinear interpolation of a linear field is exact)"),
        "DVH doses (Dx, mean, min, max)": ("_gy", "Gy, absolute", "max(3 % of the value, the spread of five "
                                                                  "reading methods over 256 placements)"),
        "DVH volumes (Vx)": ("_pct", "percentage points", "max(3 % of the value, the same spread)"),
        "plan (beams, angles, MU, prescription)": ("plan.", "deg, MU, Gy", "0.001 deg, 0.01 MU, 0.01 Gy; names exact"),
    }
    rows = []
    for family, (needle, unit, rule) in families.items():
        matched = [(k, q) for k, q in quantities.items() if _family(k, needle)]
        values = sorted({_tolerance_text(q) for _, q in matched if isinstance(q, dict)})
        shown = ", ".join(values[:4]) + (f" ... ({len(values)} values)" if len(values) > 4 else "")
        derived = next(((k, q["method"]) for k, q in matched if isinstance(q, dict) and q.get("method")), None)
        example = f"{derived[0]}: {derived[1]}" if derived else ""
        rows.append(ToleranceRow(family, unit, rule, shown, len(matched), example))
    return rows


def _family(key: str, needle: str) -> bool:
    if needle == "dose.at.":
        return key.startswith("dose.at.")
    if needle == "dose.":
        return key.startswith("dose.") and not key.startswith("dose.at.")
    if needle == "ct.hu.":
        return key.startswith("ct.hu.")
    if needle == "ct.":
        return key.startswith("ct.") and not key.startswith("ct.hu.")
    if needle in ("_gy", "_pct"):
        return key.startswith("dvh.") and key.endswith(needle)
    if needle == ".volume_cc":
        return key.endswith(needle)
    return key.startswith(needle)


def _tolerance_text(quantity: dict) -> str:
    tolerance = quantity.get("tolerance") or {}
    unit = {"%": "pp", "": ""}.get(quantity.get("unit", ""), quantity.get("unit", ""))
    parts = []
    if tolerance.get("rel") is not None:
        parts.append(f"{100 * tolerance['rel']:g} %")
    if tolerance.get("abs") is not None:
        parts.append(f"{tolerance['abs']:g}{(' ' + unit) if unit else ''}")
    return " or ".join(parts) or "exact"


#: What :func:`dicom_facts` reads of each file (the rest of a file is not parsed).
FACT_TAGS = ["Modality", "DoseGridScaling", "Columns", "Rows", "NumberOfFrames", "BitsAllocated", "DoseUnits",
             "DoseType", "DoseSummationType", "PixelSpacing", "PatientPosition", "SliceThickness", "Manufacturer"]


def dicom_facts(directory: Path) -> list[tuple[str, str]]:
    """Patient position, transfer syntaxes and dose encoding, as the files carry them."""
    facts: list[tuple[str, str]] = []
    syntaxes: dict[str, str] = {}
    ct, ct_count = None, 0
    for path in sorted(directory.glob("*.dcm")):
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=FACT_TAGS)
        except Exception:  # noqa: BLE001 - a foreign file is not ours to describe
            continue
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        if syntax is not None:
            syntaxes.setdefault(f"{syntax.name} ({syntax})", str(ds.get("Modality", "")))
        modality = ds.get("Modality")
        if modality == "CT":
            ct = ct or ds
            ct_count += 1
        if modality == "RTDOSE" and "DoseGridScaling" in ds:
            facts.append(("RT Dose", f"{ds.Columns} x {ds.Rows} x {ds.NumberOfFrames}, {ds.BitsAllocated}-bit, "
                                     f"DoseGridScaling {ds.DoseGridScaling}, {ds.DoseUnits}, {ds.DoseType}, "
                                     f"{ds.DoseSummationType}, GridFrameOffsetVector relative"))
    if ct is not None and "PixelSpacing" in ct:
        facts.insert(0, ("patient position", str(ct.PatientPosition)))
        facts.insert(1, ("CT", f"{ct.Columns} x {ct.Rows} pixels of {ct.PixelSpacing[1]} x {ct.PixelSpacing[0]} mm, "
                               f"{ct.SliceThickness} mm slices, {ct_count} images; manufacturer "
                               f"{ct.get('Manufacturer') or 'not stated'}"))
    if syntaxes:
        facts.append(("transfer syntax", "; ".join(sorted(syntaxes))))
    return facts


def _contour_numbers(contour: pydicom.Dataset) -> list[float]:
    """A contour's ContourData as floats, read from the element's bytes: pydicom's own
    conversion checks every DS value and makes an object of each, which for a set's
    100,000 coordinates takes seconds, where this takes milliseconds."""
    element = contour.get_item("ContourData")
    if element is None:
        return []
    value = element.value
    if isinstance(value, bytes):
        return [float(part) for part in value.split(b"\\") if part.strip()]
    return [float(v) for v in (value if isinstance(value, list | tuple | MultiValue) else [value])]


def phantom_svg(directory: Path) -> str:
    """A side view (x across, z up) of the structures as their contours give them, over
    the dose gradient: drawn from RS.dcm and the linear dose, numbers only."""
    try:
        # RS*.dcm first: the sets name their structure set so, and a CT series is hundreds of files
        candidates = sorted(directory.glob("*.dcm"), key=lambda p: (p.name[:2] != "RS", p.name))
        rs = pydicom.dcmread(next(p for p in candidates if pydicom.dcmread(
            p, stop_before_pixels=True, specific_tags=["Modality"]).Modality == "RTSTRUCT"))
    except (StopIteration, Exception):  # noqa: BLE001
        return ""
    names = {roi.ROINumber: str(roi.ROIName) for roi in rs.StructureSetROISequence}
    spans: dict[str, list[tuple[float, float, float]]] = {}
    for roi in rs.ROIContourSequence:
        for contour in getattr(roi, "ContourSequence", []):
            xyz = _contour_numbers(contour)
            if len(xyz) < 3:
                continue
            xs, z = xyz[0::3], xyz[2]
            spans.setdefault(names[roi.ReferencedROINumber], []).append((z, min(xs), max(xs)))
    if not spans:
        return ""
    all_x = [x for rows in spans.values() for _, a, b in rows for x in (a, b)]
    all_z = [z for rows in spans.values() for z, _, _ in rows]
    x0, x1, z0, z1 = min(all_x) - 5, max(all_x) + 5, min(all_z) - 5, max(all_z) + 5
    width, height, pad = 360, 300, 30
    scale = min((width - 2 * pad) / (x1 - x0), (height - 2 * pad) / (z1 - z0))

    def px(x: float) -> float:
        return pad + (x - x0) * scale

    def pz(z: float) -> float:
        return height - pad - (z - z0) * scale

    colours = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="side view of the phantom structures over the dose gradient" '
             f'class="phantom"><defs><linearGradient id="dose" x1="0" y1="1" x2="0" y2="0">'
             f'<stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#fdd"/></linearGradient></defs>',
             f'<rect x="{pad}" y="{pad}" width="{width - 2 * pad}" height="{height - 2 * pad}" fill="url(#dose)" '
             f'stroke="#888"/>']
    for i, (name, rows) in enumerate(sorted(spans.items(), key=lambda item: -len(item[1]))):
        colour = colours[i % len(colours)]
        for z, a, b in rows:
            parts.append(f'<line x1="{px(a):.1f}" y1="{pz(z):.1f}" x2="{px(b):.1f}" y2="{pz(z):.1f}" '
                         f'stroke="{colour}" stroke-width="2"/>')
        top = max(z for z, _, _ in rows)
        left = min(a for _, a, _ in rows)
        label = "".join(c for c in name if c.isalnum())[:16]
        parts.append(f'<text x="{px(left):.1f}" y="{pz(top) - 4:.1f}" font-size="10" fill="{colour}">{label}</text>')
    parts.append(f'<text x="{width / 2:.0f}" y="{height - 8}" font-size="11" text-anchor="middle">x (mm), patient '
                 f'left to the right</text><text x="10" y="{height / 2:.0f}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 10 {height / 2:.0f})">z (mm), superior up; dose rises 1 Gy/mm</text>')
    parts.append("</svg>")
    return "".join(parts)
