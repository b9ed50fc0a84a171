#!/bin/sh
# ITK-SNAP opens the CT series under Xvfb; itksnap-wt (its workspace tool) reports the
# layer's geometry, and a screenshot of the window is kept in the output directory.
fixture="$1"; out="${2:-/output}"
first=$(ls "$fixture"/CT_*.dcm | head -n 1)
itksnap-wt -layers-add-anat "$first" -o "$out/ws.itksnap" >/dev/null 2>&1
info=$(itksnap-wt -i "$out/ws.itksnap" -layers-list 2>&1)
(xvfb-run -a -s "-screen 0 1280x1024x24" sh -c "itksnap -g '$first' & sleep 20; import -window root '$out/itksnap.png'") >/dev/null 2>&1
python3 - "$info" <<'PY'
import json, re, sys
info = sys.argv[1]
observed, errors = {}, {}
dims = re.search(r"(\d+)\s*x\s*(\d+)\s*x\s*(\d+)", info)
if dims:
    observed["ct.size_voxels"] = [int(v) for v in dims.groups()]
else:
    errors["read-ct"] = info.strip()[-300:] or "itksnap-wt printed nothing"
print(json.dumps({**observed, "_errors": errors}))
PY
