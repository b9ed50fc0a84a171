#!/usr/bin/env python3
"""Producer: RT Structure Set from mask images via the plastimatch CLI.

usage: python3 produce_rtstruct.py INPUTS OUTPUT

The per-ROI masks (INPUTS/masks/<ROI>.mha, uint8 0/1 on the CT grid) are packed
into one plastimatch "ss-img" (bit i = i-th structure of structures.json) and an
"ss-list" (bit|R G B|name), then

  plastimatch convert --input-ss-img ss_img.mha --input-ss-list ss_list.txt
                      --referenced-ct INPUTS/ct --output-dicom TMP

The rtss*.dcm that plastimatch writes is moved to OUTPUT/RS.dcm; everything else
is discarded.  Note: with --input-ss-list plastimatch numbers the ROIs by ss-list
line, starting at 0 (ROI Number 0..N-1), and leaves RTROIInterpretedType empty.
(--input-prefix also works, but in 1.10.0 it numbers the ROIs 1..N in
directory-listing order, names them after the files and ignores --input-ss-list,
so the colours are plastimatch's default palette.)
"""
import json
import sys
import tempfile
import zlib
from pathlib import Path

from _plastimatch import convert, require_ct


def read_mha_uchar(path):
    """Minimal MetaImage reader (MET_UCHAR, LOCAL or external raw, optional zlib)."""
    path = Path(path)
    data = path.read_bytes()
    hdr = {}
    pos = 0
    while True:
        nl = data.index(b"\n", pos)
        line = data[pos:nl].decode("latin-1").strip()
        pos = nl + 1
        if "=" in line:
            k, v = line.split("=", 1)
            hdr[k.strip()] = v.strip()
            if k.strip() == "ElementDataFile":
                break
    if hdr.get("ElementType") not in ("MET_UCHAR", "MET_CHAR"):
        raise ValueError(f"{path}: ElementType {hdr.get('ElementType')} not supported")
    if int(hdr.get("ElementNumberOfChannels", "1")) != 1:
        raise ValueError(f"{path}: multi-channel image not supported")
    edf = hdr["ElementDataFile"]
    raw = data[pos:] if edf == "LOCAL" else (path.parent / edf).read_bytes()
    if hdr.get("CompressedData", "False").lower() == "true":
        raw = zlib.decompress(raw)
    dims = [int(x) for x in hdr["DimSize"].split()]
    n = dims[0] * dims[1] * dims[2]
    if len(raw) < n:
        raise ValueError(f"{path}: truncated pixel data")
    geom = {
        "DimSize": dims,
        "ElementSpacing": [float(x) for x in hdr.get("ElementSpacing", hdr.get("ElementSize", "1 1 1")).split()],
        "Offset": [float(x) for x in hdr.get("Offset", hdr.get("Origin", "0 0 0")).split()],
        "TransformMatrix": [float(x) for x in hdr.get("TransformMatrix", "1 0 0 0 1 0 0 0 1").split()],
    }
    return geom, raw[:n]


def same_geom(a, b, tol=1e-4):
    if a["DimSize"] != b["DimSize"]:
        return False
    for k in ("ElementSpacing", "Offset", "TransformMatrix"):
        if any(abs(x - y) > tol for x, y in zip(a[k], b[k])):
            return False
    return True


def write_mha(path, geom, element_type, payload):
    fmt = lambda v: " ".join(repr(float(x)) if not float(x).is_integer() else str(int(x)) for x in v)
    comp = zlib.compress(payload, 6)
    hdr = (
        "ObjectType = Image\nNDims = 3\nBinaryData = True\n"
        "BinaryDataByteOrderMSB = False\nCompressedData = True\n"
        f"CompressedDataSize = {len(comp)}\n"
        f"TransformMatrix = {fmt(geom['TransformMatrix'])}\n"
        f"Offset = {fmt(geom['Offset'])}\n"
        "CenterOfRotation = 0 0 0\nAnatomicalOrientation = RAI\n"
        f"ElementSpacing = {fmt(geom['ElementSpacing'])}\n"
        f"DimSize = {' '.join(str(d) for d in geom['DimSize'])}\n"
        f"ElementType = {element_type}\nElementDataFile = LOCAL\n"
    )
    Path(path).write_bytes(hdr.encode("ascii") + comp)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: produce_rtstruct.py INPUTS OUTPUT")
    inputs, output = Path(sys.argv[1]), Path(sys.argv[2])
    output.mkdir(parents=True, exist_ok=True)
    ct_dir = require_ct("produce_rtstruct", inputs)
    meta = json.loads((inputs / "structures.json").read_text())
    structs = meta["structures"]
    if len(structs) > 32:
        sys.exit("produce_rtstruct: more than 32 structures not supported by this producer")

    geom0 = None
    packed = None
    wide = len(structs) > 8
    for bit, s in enumerate(structs):
        geom, vox = read_mha_uchar(inputs / s.get("mask", f"masks/{s['name']}.mha"))
        if geom0 is None:
            geom0 = geom
            packed = [0] * len(vox) if wide else bytearray(len(vox))
        elif not same_geom(geom0, geom):
            sys.exit(f"produce_rtstruct: mask {s['name']} is not on the same grid as the first mask")
        flag = 1 << bit
        # vox is bytes; set bit where voxel != 0
        for i in (i for i, v in enumerate(vox) if v):
            packed[i] |= flag
    if wide:
        payload = b"".join(v.to_bytes(4, "little") for v in packed)
        etype = "MET_UINT"
    else:
        payload = bytes(packed)
        etype = "MET_UCHAR"

    work = Path(tempfile.mkdtemp(prefix="pm_rtss_"))
    ss_img = work / "ss_img.mha"
    ss_list = work / "ss_list.txt"
    write_mha(ss_img, geom0, etype, payload)
    with open(ss_list, "w", newline="\n") as f:
        for bit, s in enumerate(structs):
            r, g, b = (int(c) for c in s.get("color", (255, 0, 0)))
            # 1.10.0 only parses "R G B" here; "R\\G\\B" silently gives wrong colours
            f.write(f"{bit}|{r} {g} {b}|{s['name']}\n")
    ss_list_text = ss_list.read_text().splitlines()
    cmd, rtss_name = convert("produce_rtstruct", ["--input-ss-img", str(ss_img), "--input-ss-list", str(ss_list),
                                                  "--referenced-ct", str(ct_dir)], "rtss*.dcm", output / "RS.dcm",
                             work=work)

    print(json.dumps({
        "wrote": ["RS.dcm"],
        "command": cmd,
        "plastimatch_file": rtss_name,
        "ss_list": ss_list_text,
    }))


if __name__ == "__main__":
    main()
