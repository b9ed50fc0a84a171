#!/bin/sh
# Observe a fixture set's headers as DCMTK reads them: one JSON line on stdout.
#
# Usage: read_headers.sh FIXTURE_DIR
#
# Every value comes from dcmdump's output; python3 only arranges those strings into
# JSON (numbers parsed from dcmdump's text, nothing read from the files directly).
# Objects are told apart by Modality, not by file name, so variant sets with other
# names work too. Judges nothing: the harness compares with truth.json.
set -eu
fixture=${1:?usage: read_headers.sh FIXTURE_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/read_headers.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Selected tags of every object (+F: a "# dcmdump (i/n): FILE" line before each file).
dcmdump -q +U8 +L +F \
    +P 0008,0060 +P 0010,0010 +P 0010,0020 +P 0020,000d +P 0020,0052 +P 0018,5100 \
    +P 0028,0010 +P 0028,0011 +P 0028,0008 +P 0028,0030 +P 0018,0050 +P 0028,0100 \
    +P 3004,000e +P 3004,0002 +P 3004,0004 +P 3004,000a \
    +P 3006,0026 +P 300a,0002 +P 300a,00c6 \
    "$fixture"/*.dcm > "$work/tags.txt"

# Gantry angles belong to control points inside beams: the plan is dumped whole so
# each angle can be attributed to the beam whose item it sits in.
for file in "$fixture"/*.dcm; do
    case "$(dcmdump -q +P 0008,0060 "$file")" in
        *"[RTPLAN]"*) echo "# plan: $file"; dcmdump -q +U8 +L "$file" ;;
    esac
done > "$work/plan.txt"

python3 - "$work/tags.txt" "$work/plan.txt" <<'PY'
import json, re, sys

LINE = re.compile(r"^\s*\(([0-9a-f]{4}),([0-9a-f]{4})\) (\w\w) (.*?)\s+#\s*\d+,\s*\d+ (\w+)\s*$")


def value(raw):
    if raw.startswith("("):  # "(no value available)"
        return None
    return raw[1:raw.rindex("]")] if raw.startswith("[") else raw


def elements(lines):
    for line in lines:
        found = LINE.match(line)
        if found:
            yield found.group(5), value(found.group(4))


def numbers(text):
    return [float(part) for part in text.split("\\")] if text else []


def objects(path):
    """{file: {keyword: [values]}} from the +F +P dump."""
    files, current = {}, None
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("# dcmdump"):
            current = files.setdefault(line.split(": ", 1)[1].strip(), {})
        elif current is not None:
            for keyword, text in elements([line]):
                current.setdefault(keyword, []).append(text)
    return files


def first(obj, keyword):
    values = obj.get(keyword) or [None]
    return values[0]


def beams(path):
    """(name, first gantry angle) per beam, in plan order."""
    found = []
    for keyword, text in elements(open(path, encoding="utf-8", errors="replace")):
        if keyword == "BeamName":
            found.append([text, None])
        elif keyword == "GantryAngle" and found and found[-1][1] is None and text is not None:
            found[-1][1] = float(text)
    return found


files = objects(sys.argv[1])
by_modality = {}
for name in sorted(files):
    by_modality.setdefault(first(files[name], "Modality"), []).append(files[name])
out = {"set.object_count": len(files)}
anyone = next(iter(files.values()), {})
for key, keyword in (("set.patient_id", "PatientID"), ("set.patient_name", "PatientName"),
                     ("set.study_instance_uid", "StudyInstanceUID")):
    if first(anyone, keyword) is not None:
        out[key] = first(anyone, keyword)

cts = by_modality.get("CT", [])
if cts:
    ct = cts[0]
    out.update({
        "ct.image_count": len(cts), "ct.rows": int(first(ct, "Rows")), "ct.columns": int(first(ct, "Columns")),
        "ct.pixel_spacing_mm": numbers(first(ct, "PixelSpacing")),
        "ct.slice_thickness_mm": float(first(ct, "SliceThickness")),
        "ct.patient_position": first(ct, "PatientPosition"),
        "ct.frame_of_reference_uid": first(ct, "FrameOfReferenceUID"),
    })
    out["set.frame_of_reference_uid"] = first(ct, "FrameOfReferenceUID")

# The plan's dose: DoseSummationType PLAN when the export holds beam doses beside it.
doses = by_modality.get("RTDOSE", [])
for dose in ([d for d in doses if first(d, "DoseSummationType") == "PLAN"] or doses)[:1]:
    out.update({
        "dose.rows": int(first(dose, "Rows")), "dose.columns": int(first(dose, "Columns")),
        "dose.frames": int(first(dose, "NumberOfFrames") or 1),
        "dose.pixel_spacing_mm": numbers(first(dose, "PixelSpacing")),
        "dose.scaling": float(first(dose, "DoseGridScaling")), "dose.units": first(dose, "DoseUnits"),
        "dose.type": first(dose, "DoseType"), "dose.summation_type": first(dose, "DoseSummationType"),
        "dose.bits_allocated": int(first(dose, "BitsAllocated")),
    })

for rs in by_modality.get("RTSTRUCT", [])[:1]:
    names = [n for n in rs.get("ROIName", []) if n is not None]
    out.update({"rtstruct.roi_names": names, "rtstruct.roi_count": len(names)})

for plan in by_modality.get("RTPLAN", [])[:1]:
    found = beams(sys.argv[2])
    out.update({
        "plan.label": first(plan, "RTPlanLabel"), "plan.beam_count": len(found),
        "plan.beam_names": [name for name, _ in found],
        "plan.gantry_angles_deg": [angle for _, angle in found],
        "plan.radiation_type": first(plan, "RadiationType"),
    })

print(json.dumps(out, sort_keys=True))
PY
