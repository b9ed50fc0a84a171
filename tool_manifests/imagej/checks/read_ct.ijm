// rtcompat check: ImageJ (ij.jar) reading the CT series of a fixture set.
// Usage: timeout 300 xvfb-run -a java -jar /usr/share/java/ij.jar -batch read_ct.ijm /path/to/fixture_dir
// Loads CT_*.dcm with ImageJ's own "Image Sequence..." importer (ij.plugin.FolderOpener
// + ij.plugin.DICOM), uses ImageJ's calibration (Rescale Slope/Intercept -> HU) and
// ImageJ's own voxel depth.  Prints ONE JSON line (last line of stdout).  Judges nothing.
// HU at the points of <dir>/points.json ("ct" block: nearest voxel; "body_interior":
// mean over voxel centres inside the ball) is sampled with ImageJ's calibrated pixel values.

var errs = "";
var out = "";
var outdir = "";  // global: functions see only var-declared variables

function num(x) {
  if (isNaN(x)) return "null";
  if (x == round(x) && abs(x) < 1e15) return d2s(x, 0);
  if (abs(x) >= 0.001) {
    s = d2s(x, 9);
    while (endsWith(s, "0")) s = substring(s, 0, lengthOf(s) - 1);
    if (endsWith(s, ".")) s = substring(s, 0, lengthOf(s) - 1);
    return s;
  }
  return d2s(x, -9);
}
function jstr(s) {
  s = replace(s, "\\\\", "\\\\\\\\");
  s = replace(s, "\"", "\\\\\"");
  s = replace(s, "\n", " ");
  return "\"" + s + "\"";
}
// NB: never pass a comparison directly as a function argument (print(1==1) is a macro
// error -> modal dialog -> hang under xvfb); assign it to a variable first.
function jb(b) { if (b) return "true"; return "false"; }
function put(k, v) { if (out != "") out = out + ", "; out = out + jstr(k) + ": " + v; }
function err(k, m) { if (errs != "") errs = errs + ", "; errs = errs + jstr(k) + ": " + jstr(m); }
function arr(a) { s = "["; for (i = 0; i < a.length; i++) { if (i > 0) s = s + ", "; s = s + num(a[i]); } return s + "]"; }
function tag(t) { return String.trim(getInfo(t)); }
function tripleOf(t) {
  v = tag(t); a = split(v, "\\");
  r = newArray(NaN, NaN, NaN);
  if (a.length >= 3) for (i = 0; i < 3; i++) r[i] = parseFloat(a[i]);
  return r;
}
function finish() {
  if (errs != "") put("_errors", "{" + errs + "}");
  print("{" + out + "}");
  exit();
}

// Argument: FIXTURE_DIR, or FIXTURE_DIR|OUTPUT_DIR to also save what ImageJ displays.
dir = getArgument();
bar = indexOf(dir, "|");
if (bar >= 0) { outdir = substring(dir, bar + 1); dir = substring(dir, 0, bar); }
if (dir == "") { err("args", "no fixture directory argument"); finish(); }
if (!endsWith(dir, "/")) dir = dir + "/";
if (!File.isDirectory(dir)) { err("args", "not a directory: " + dir); finish(); }
put("imagej.version", jstr(getVersion()));

list = getFileList(dir);
nct = 0;
for (i = 0; i < list.length; i++) if (startsWith(list[i], "CT") && endsWith(toLowerCase(list[i]), ".dcm")) nct++;
put("imagej.ct_files_found", num(nct));
if (nct == 0) { err("load", "no CT*.dcm files in " + dir); finish(); }
// Preflight: Image Sequence on a non-DICOM/unreadable file opens a modal dialog and the
// macro hangs until killed; refuse to load if any CT*.dcm lacks the Part 10 "DICM" magic.
nbad = 0; bad = "";
for (i = 0; i < list.length; i++) if (startsWith(list[i], "CT") && endsWith(toLowerCase(list[i]), ".dcm")) {
  h = File.openAsRawString(dir + list[i], 132);
  magic = "";   // NB: macro || does not short-circuit, so no substring() in the same test
  if (lengthOf(h) >= 132) magic = substring(h, 128, 132);
  if (magic != "DICM") { nbad++; bad = bad + list[i] + " "; }
}
if (nbad > 0) { err("load", "not DICOM Part 10 (no DICM at byte 128), not loaded: " + bad); finish(); }

setBatchMode(true);
t0 = getTime();
// ImageJ 1.53t FolderOpener: 'filter' = name contains, 'sort' = numeric name sort.
// For DICOM, FolderOpener then sorts by Image Number (0020,0013), not by position.
run("Image Sequence...", "dir=[" + dir + "] filter=CT sort");
put("imagej.load_ms", num(getTime() - t0));
if (nImages == 0) { err("load", "Image Sequence opened nothing"); finish(); }

n = nSlices; w = getWidth(); h = getHeight();
getVoxelSize(pw, ph, pd, unit);
put("ct.image_count", num(n));
put("ct.rows", num(h));
put("ct.columns", num(w));
put("ct.size_voxels", arr(newArray(w, h, n)));
put("ct.pixel_spacing_mm", arr(newArray(ph, pw)));   // DICOM order [row spacing, col spacing]
put("imagej.voxel_size", arr(newArray(pw, ph, pd)));
put("imagej.unit", jstr(unit));
put("imagej.bit_depth", num(bitDepth()));
put("ct.slice_spacing_mm", num(pd));                 // ImageJ's own voxel depth (DicomTools.getVoxelDepth)
setSlice(1);
put("ct.slice_thickness_mm", num(parseFloat(tag("0018,0050"))));
put("ct.patient_position", jstr(tag("0018,5100")));
iop = split(tag("0020,0037"), "\\");
if (iop.length == 6) { o = newArray(6); for (i = 0; i < 6; i++) o[i] = parseFloat(iop[i]); put("ct.orientation", arr(o)); }
else err("ct.orientation", "no Image Orientation (Patient)");
put("ct.frame_of_reference_uid", jstr(tag("0020,0052")));
put("ct.patient_id", jstr(tag("0010,0020")));
put("ct.patient_name", jstr(tag("0010,0010")));
put("ct.study_instance_uid", jstr(tag("0020,000D")));
put("ct.rescale_slope", num(parseFloat(tag("0028,1053"))));
put("ct.rescale_intercept", num(parseFloat(tag("0028,1052"))));
put("imagej.calibrate_0", num(calibrate(0)));
put("imagej.calibrate_slope", num(calibrate(1) - calibrate(0)));
iscal = (calibrate(0) != 0 || calibrate(1) != 1);
put("imagej.calibrated", jb(iscal));

// Per-slice geometry and HU statistics (getStatistics = calibrated values, i.e. HU)
zs = newArray(n); inst = newArray(n);
zmin = 1e30; imin = -1; sum = 0; cnt = 0; vmin = 1e30; vmax = -1e30;
for (s = 1; s <= n; s++) {
  setSlice(s);
  p = tripleOf("0020,0032");
  zs[s-1] = p[2]; inst[s-1] = parseFloat(tag("0020,0013"));
  if (p[2] < zmin) { zmin = p[2]; imin = s; origin = p; }
  getStatistics(area, mean, mn, mx);
  np = getWidth() * getHeight();
  sum += mean * np; cnt += np;
  if (mn < vmin) vmin = mn; if (mx > vmax) vmax = mx;
}
if (imin < 0) err("ct.origin_mm", "no Image Position (Patient) in slice headers");
else put("ct.origin_mm", arr(origin));
put("imagej.stack_z_order_mm", arr(zs));
put("imagej.stack_instance_numbers", arr(inst));
mono = 1; for (i = 1; i < n; i++) if (zs[i] <= zs[i-1]) mono = 0;
put("imagej.stack_sorted_by_z", jb(mono));
if (n > 1) put("ct.slice_spacing_from_ipp_mm", num((zs[n-1] - zs[0]) / (n - 1)));
put("ct.hu.min", num(vmin));
put("ct.hu.max", num(vmax));
put("ct.hu.mean", num(sum / cnt));

// HU at the named points of <dir>/points.json (coordinates only, never answers).
pp = dir + "points.json";
if (File.exists(pp) && imin >= 0) {
  txt = File.openAsString(pp);
  huPoints(section(txt, "ct"), origin, zs, pw, ph);
  bi = section(txt, "body_interior");
  if (lengthOf(bi) > 0) huBall(bi, origin, zs, pw, ph);
} else if (imin >= 0) err("points", "no points.json in " + dir);
screenshot();
finish();

// text inside the {...} that follows "key": in a JSON text (no nested objects expected)
function section(txt, key) {
  k = indexOf(txt, "\"" + key + "\"");
  if (k < 0) return "";
  b0 = indexOf(txt, "{", k); b1 = indexOf(txt, "}", b0);
  if (b0 < 0 || b1 < 0) return "";
  return substring(txt, b0 + 1, b1);
}
function vec(body, key) {
  k = indexOf(body, "\"" + key + "\"");
  a0 = indexOf(body, "[", k); a1 = indexOf(body, "]", a0);
  c = split(substring(body, a0 + 1, a1), ",");
  r = newArray(c.length); for (i = 0; i < c.length; i++) r[i] = parseFloat(String.trim(c[i]));
  return r;
}
// Patient geometry is the macro's arithmetic on the header (ImageJ has none): a pixel
// (col, row) of a slice lies at IPP + col * pw * rowdir + row * ph * coldir (PS3.3
// C.7.6.2.1.1), rowdir and coldir from Image Orientation (Patient).
function dirs() {
  v = split(tag("0020,0037"), "\\");
  r = newArray(6); for (i = 0; i < 6; i++) r[i] = parseFloat(v[i]);
  return r;
}
// nearest voxel, calibrated value (HU)
function huPoints(body, origin, zs, pw, ph) {
  o = dirs();
  while (lengthOf(body) > 0) {
    q0 = indexOf(body, "\""); if (q0 < 0) return;
    q1 = indexOf(body, "\"", q0 + 1);
    name = substring(body, q0 + 1, q1);
    a0 = indexOf(body, "[", q1); a1 = indexOf(body, "]", a0);
    c = split(substring(body, a0 + 1, a1), ",");
    x = parseFloat(String.trim(c[0])); y = parseFloat(String.trim(c[1])); z = parseFloat(String.trim(c[2]));
    col = round(((x - origin[0]) * o[0] + (y - origin[1]) * o[1]) / pw);
    row = round(((x - origin[0]) * o[3] + (y - origin[1]) * o[4]) / ph);
    best = -1; bd = 1e30;
    for (i = 0; i < zs.length; i++) if (abs(zs[i] - z) < bd) { bd = abs(zs[i] - z); best = i; }
    if (col < 0 || row < 0 || col >= getWidth() || row >= getHeight() || best < 0)
      err("ct.hu." + name, "point outside CT grid");
    else {
      setSlice(best + 1);
      put("ct.hu." + name, num(calibrate(getPixel(col, row))));
    }
    body = substring(body, a1 + 1);
  }
}
// ct.hu.body_mean: mean calibrated value of voxel centres within radius_mm of centre (3-D ball)
function huBall(body, origin, zs, pw, ph) {
  c = vec(body, "centre");
  k = indexOf(body, "\"radius_mm\""); k = indexOf(body, ":", k);
  e = indexOf(body, ",", k); if (e < 0) e = lengthOf(body);
  r = parseFloat(String.trim(substring(body, k + 1, e)));
  sum = 0; cnt = 0; o = dirs();
  for (s = 0; s < zs.length; s++) {
    dz = zs[s] - c[2]; if (abs(dz) > r) continue;
    setSlice(s + 1);
    for (row = 0; row < getHeight(); row++) {
      for (col = 0; col < getWidth(); col++) {
        dx = origin[0] + col * pw * o[0] + row * ph * o[3] - c[0];
        dy = origin[1] + col * pw * o[1] + row * ph * o[4] - c[1];
        if (dx*dx + dy*dy + dz*dz <= r*r) { sum += calibrate(getPixel(col, row)); cnt++; }
      }
    }
  }
  if (cnt == 0) err("ct.hu.body_mean", "no voxel centre within radius");
  else { put("ct.hu.body_mean", num(sum / cnt)); put("imagej.body_mean_voxels", num(cnt)); }
}

// The middle slice as ImageJ renders it (its calibration, its default display range), saved as
// OUTPUT_DIR/screenshot.png: what a user opening the same files sees.
function screenshot() {
  if (outdir == "") return;
  if (!endsWith(outdir, "/")) outdir = outdir + "/";
  setSlice(floor((nSlices + 1) / 2));
  resetMinAndMax();  // the display range ImageJ gives an image it opens: the slice's full range
  run("Duplicate...", "title=screenshot");  // the current slice only
  run("8-bit");  // through the display range, as the screen shows it (a PNG would keep 16 bits)
  saveAs("PNG", outdir + "screenshot.png");
  close();
}
