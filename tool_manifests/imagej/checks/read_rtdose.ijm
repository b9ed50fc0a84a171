// rtcompat check: ImageJ (ij.jar) reading the RT Dose grid of a fixture set.
// Usage: timeout 300 xvfb-run -a java -jar /usr/share/java/ij.jar -batch read_rtdose.ijm /path/to/fixture_dir
// Opens RD*.dcm with ImageJ's own DICOM importer (File>Open -> ij.plugin.DICOM).
// dose.max_gy / dose.min_gy are ImageJ's CALIBRATED pixel values as ImageJ presents them
// (no manual scaling); dose.max_raw / dose.min_raw are the raw stored values;
// imagej.dose_scaling_applied tells whether ImageJ's calibration multiplies by DoseGridScaling.
// Header values (scaling, units, offsets) are read with ImageJ's getInfo("gggg,eeee").
// Prints ONE JSON line (last line of stdout).  Judges nothing.

var errs = "";
var out = "";

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
function nums(v) {
  a = split(v, "\\");
  r = newArray(a.length);
  for (i = 0; i < a.length; i++) r[i] = parseFloat(a[i]);
  return r;
}
function finish() {
  if (errs != "") put("_errors", "{" + errs + "}");
  print("{" + out + "}");
  exit();
}

dir = getArgument();
if (dir == "") { err("args", "no fixture directory argument"); finish(); }
if (!endsWith(dir, "/")) dir = dir + "/";
put("imagej.version", jstr(getVersion()));
list = getFileList(dir);
f = "";
for (i = 0; i < list.length; i++) if (startsWith(list[i], "RD") && endsWith(toLowerCase(list[i]), ".dcm")) { f = dir + list[i]; i = list.length; }
if (f == "") { err("load", "no RD*.dcm in " + dir); finish(); }
put("imagej.dose_file", jstr(f));

setBatchMode(true);
t0 = getTime();
open(f);
put("imagej.load_ms", num(getTime() - t0));
if (nImages == 0) { err("load", "open() returned no image for " + f); finish(); }
// NB: comparing a user-function result with a string inline (tag(x) != "RTDOSE") is a
// macro error -> dialog -> hang; assign first.
modality = tag("0008,0060");
put("dose.modality", jstr(modality));
if (modality != "RTDOSE") err("modality", "Modality is '" + modality + "'");

w = getWidth(); h = getHeight(); n = nSlices;
getVoxelSize(pw, ph, pd, unit);
put("dose.rows", num(h));
put("dose.columns", num(w));
put("dose.frames", num(n));
put("dose.size_voxels", arr(newArray(w, h, n)));
put("dose.pixel_spacing_mm", arr(newArray(ph, pw)));
put("imagej.voxel_size", arr(newArray(pw, ph, pd)));   // ImageJ's own voxel depth (pd) for the dose stack
put("imagej.bit_depth", num(bitDepth()));
put("dose.bits_allocated", num(parseFloat(tag("0028,0100"))));
put("dose.pixel_representation", num(parseFloat(tag("0028,0103"))));
ipp = nums(tag("0020,0032"));
if (ipp.length == 3) put("dose.origin_mm", arr(ipp)); else err("dose.origin_mm", "no Image Position (Patient)");
v = tag("3004,000C");
offs = newArray(0);
if (lengthOf(v) == 0) err("dose.grid_frame_offsets_mm", "tag 3004,000C not in ImageJ header");
else { offs = nums(v); put("dose.grid_frame_offsets_mm", arr(offs)); }
put("dose.frame_spacing_mm", num(pd));   // ImageJ's own voxel depth (it does not use 3004,000C)
if (offs.length > 1) put("imagej.frame_spacing_from_offsets_mm", num((offs[offs.length-1] - offs[0]) / (offs.length - 1)));
scaling = parseFloat(tag("3004,000E"));
if (isNaN(scaling)) err("dose.scaling", "tag 3004,000E not in ImageJ header");
put("dose.scaling", num(scaling));
put("dose.units", jstr(tag("3004,0002")));
put("dose.type", jstr(tag("3004,0004")));
put("dose.summation_type", jstr(tag("3004,000A")));

// Stack statistics: calibrated (what ImageJ shows as pixel value) and raw
cmin = 1e30; cmax = -1e30; rmin = 1e30; rmax = -1e30; csum = 0; cnt = 0;
for (s = 1; s <= n; s++) {
  setSlice(s);
  getStatistics(area, mean, mn, mx);
  if (mn < cmin) cmin = mn; if (mx > cmax) cmax = mx;
  csum += mean * w * h; cnt += w * h;
  getRawStatistics(area, mean, mn, mx);
  if (mn < rmin) rmin = mn; if (mx > rmax) rmax = mx;
}
put("dose.max_gy", num(cmax));
put("dose.min_gy", num(cmin));
put("dose.mean_gy", num(csum / cnt));
put("dose.max_raw", num(rmax));
put("dose.min_raw", num(rmin));
iscal = (calibrate(0) != 0 || calibrate(1) != 1);
put("imagej.calibrated", jb(iscal));
put("imagej.calibrate_1000", num(calibrate(1000)));
if (!isNaN(scaling)) {
  applied = abs(calibrate(1000) - 1000 * scaling) <= 1e-6 * abs(1000 * scaling);
  put("imagej.dose_scaling_applied", jb(applied));
  // user-side workaround (raw x DoseGridScaling), reported separately, never as dose.max_gy
  put("imagej.max_raw_times_scaling", num(rmax * scaling));
  put("imagej.min_raw_times_scaling", num(rmin * scaling));
}
// Dose at the named points of <dir>/points.json ("dose" block): trilinear interpolation of
// ImageJ's calibrated pixel values (same semantics as dose.max_gy: no manual scaling).
// z positions from the header's Grid Frame Offset Vector (ImageJ's voxel depth is unusable).
pp = dir + "points.json";
if (!File.exists(pp)) err("points", "no points.json in " + dir);
else if (ipp.length != 3 || offs.length != n) err("dose.at", "no usable origin/frame offsets");
else {
  body = section(File.openAsString(pp), "dose");
  while (lengthOf(body) > 0) {
    q0 = indexOf(body, "\""); if (q0 < 0) break;
    q1 = indexOf(body, "\"", q0 + 1);
    name = substring(body, q0 + 1, q1);
    a0 = indexOf(body, "[", q1); a1 = indexOf(body, "]", a0);
    c = split(substring(body, a0 + 1, a1), ",");
    d = sample(parseFloat(String.trim(c[0])), parseFloat(String.trim(c[1])), parseFloat(String.trim(c[2])), ipp, offs, pw, ph);
    if (isNaN(d)) err("dose.at." + name + "_gy", "point outside dose grid");
    else put("dose.at." + name + "_gy", num(d));
    body = substring(body, a1 + 1);
  }
}
finish();

function section(txt, key) {
  k = indexOf(txt, "\"" + key + "\"");
  if (k < 0) return "";
  b0 = indexOf(txt, "{", k); b1 = indexOf(txt, "}", b0);
  if (b0 < 0 || b1 < 0) return "";
  return substring(txt, b0 + 1, b1);
}
// Patient geometry is the macro's arithmetic on the header (ImageJ has none, PS3.3
// C.7.6.2.1.1 and C.8.8.3.2): in-plane along Image Orientation (Patient); frame k at z =
// ipp z + offset_k x the normal's z (relative offsets), or at z = offset_k (absolute: the
// first offset is not 0).
function sample(x, y, z, ipp, offs, pw, ph) {
  v = split(tag("0020,0037"), "\\");
  o = newArray(6); for (i = 0; i < 6; i++) o[i] = parseFloat(v[i]);
  nz = o[0] * o[4] - o[1] * o[3];
  fx = ((x - ipp[0]) * o[0] + (y - ipp[1]) * o[1]) / pw;
  fy = ((x - ipp[0]) * o[3] + (y - ipp[1]) * o[4]) / ph;
  fz = NaN;
  for (k = 0; k < offs.length - 1; k++) {
    if (offs[0] != 0) { z0 = offs[k]; z1 = offs[k+1]; }
    else { z0 = ipp[2] + offs[k] * nz; z1 = ipp[2] + offs[k+1] * nz; }
    if ((z - z0) * (z - z1) <= 0 && z0 != z1) { fz = k + (z - z0) / (z1 - z0); k = offs.length; }
  }
  if (isNaN(fz) || fx < 0 || fy < 0 || fx > getWidth() - 1 || fy > getHeight() - 1) return NaN;
  x0 = floor(fx); y0 = floor(fy); k0 = floor(fz);
  x1 = minOf(x0 + 1, getWidth() - 1); y1 = minOf(y0 + 1, getHeight() - 1); k1 = minOf(k0 + 1, offs.length - 1);
  tx = fx - x0; ty = fy - y0; tz = fz - k0;
  setSlice(k0 + 1); a = bil(x0, y0, x1, y1, tx, ty);
  setSlice(k1 + 1); b = bil(x0, y0, x1, y1, tx, ty);
  return a * (1 - tz) + b * tz;
}
function bil(x0, y0, x1, y1, tx, ty) {
  v00 = calibrate(getPixel(x0, y0)); v10 = calibrate(getPixel(x1, y0));
  v01 = calibrate(getPixel(x0, y1)); v11 = calibrate(getPixel(x1, y1));
  return (v00 * (1 - tx) + v10 * tx) * (1 - ty) + (v01 * (1 - tx) + v11 * tx) * ty;
}
