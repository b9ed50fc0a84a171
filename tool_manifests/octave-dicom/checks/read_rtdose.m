1;
% rtcompat check: Octave + octave-dicom reading the RT Dose grid of a fixture set.
% Usage: JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 timeout 300 octave-cli --norc --quiet read_rtdose.m DIR
% dicominfo/dicomread (octave-dicom). dicomread returns the stored values (uint32);
% dose.*_gy = stored x DoseGridScaling, applied here as any Octave user must
% (octave.dose_scaling_applied_by_dicomread reports whether dicomread did it).
% dose.at.* = trilinear interpolation (interpn) at points.json "dose" coordinates.
% Prints ONE JSON line (last line of stdout).  Judges nothing.

addpath(fullfile(fileparts(mfilename('fullpath')), '..', '..', '_octave'));  % rtc_* helpers
out = containers.Map(); errs = containers.Map();
try
  d = rtc_fixture_dir();
  pkg load dicom
  out('octave.version') = OCTAVE_VERSION;
  out('octave.dicom_version') = pkg('list', 'dicom'){1}.version;
  f = dir([d 'RD*.dcm']);
  if isempty(f), error('no RD*.dcm in %s', d); end
  % the plan's dose, as a user picks it: DoseSummationType PLAN when beam doses sit beside it
  fn = [d f(1).name];
  for k = 1:numel(f)
    candidate = dicominfo([d f(k).name]);
    if strcmp(rtc_trim(candidate.DoseSummationType), 'PLAN'), fn = [d f(k).name]; break; end
  end
  t0 = tic;
  info = dicominfo(fn);
  raw = dicomread(fn);
  out('octave.load_s') = toc(t0);
  out('octave.dicomread_class') = class(raw);
  out('octave.dicomread_size') = size(raw);
  raw = squeeze(raw);                 % rows x cols x frames (a 4-D r x c x 1 x f is squeezed)
  out('dose.modality') = rtc_trim(info.Modality);
  out('dose.rows') = double(info.Rows);
  out('dose.columns') = double(info.Columns);
  nf = 1; if isfield(info, 'NumberOfFrames'), nf = double(info.NumberOfFrames); end
  out('dose.frames') = nf;
  out('dose.size_voxels') = [double(info.Columns), double(info.Rows), nf];
  ps = double(info.PixelSpacing(:)');
  out('dose.pixel_spacing_mm') = ps;
  org = double(info.ImagePositionPatient(:)');
  out('dose.origin_mm') = org;
  out('dose.orientation') = double(info.ImageOrientationPatient(:)');
  offs = double(info.GridFrameOffsetVector(:)');
  out('dose.grid_frame_offsets_mm') = offs;
  if numel(offs) > 1, out('dose.frame_spacing_mm') = (offs(end) - offs(1)) / (numel(offs) - 1); end
  out('dose.units') = rtc_trim(info.DoseUnits);
  out('dose.type') = rtc_trim(info.DoseType);
  out('dose.summation_type') = rtc_trim(info.DoseSummationType);
  out('dose.bits_allocated') = double(info.BitsAllocated);
  out('dose.pixel_representation') = double(info.PixelRepresentation);
  sc = double(info.DoseGridScaling);
  out('dose.scaling') = sc;
  out('dose.max_raw') = double(max(raw(:)));
  out('dose.min_raw') = double(min(raw(:)));
  out('octave.dose_scaling_applied_by_dicomread') = ~isinteger(raw);
  dose = double(raw) * sc;
  out('dose.max_gy') = max(dose(:));
  out('dose.min_gy') = min(dose(:));
  out('dose.mean_gy') = mean(dose(:));
  if ~isequal(size(dose), [double(info.Rows), double(info.Columns), nf])
    errs('dose.array') = sprintf('dicomread size %s, expected rows x cols x frames', mat2str(size(dose)));
  end
catch e
  errs('load') = e.message;
  rtc_finish(out, errs); return;
end

try
  pf = [d 'points.json'];
  if ~exist(pf, 'file'), error('no points.json'); end
  P = jsondecode(fileread(pf));
  % Grid coordinates from the standard's geometry (PS3.3 C.7.6.2.1.1, C.8.8.3.2): in-plane
  % along ImageOrientationPatient, frames along the image normal at GridFrameOffsetVector
  % (relative to ImagePositionPatient, or absolute z when its first value is not 0).
  iop = double(info.ImageOrientationPatient(:)');
  rdir = iop(1:3); cdir = iop(4:6); ndir = cross(rdir, cdir);
  fo = offs;
  if fo(1) ~= 0, fo = fo - org(3); end
  names = fieldnames(P.dose);
  for k = 1:numel(names)
    p = P.dose.(names{k});
    q = p(:)' - org;
    cc = dot(q, rdir) / ps(2); rr = dot(q, cdir) / ps(1); along = dot(q, ndir);
    if fo(end) < fo(1), ff = interp1(fliplr(fo), fliplr(0:numel(fo) - 1), along);
    else, ff = interp1(fo, 0:numel(fo) - 1, along); end
    v = interpn(0:size(dose, 1) - 1, 0:size(dose, 2) - 1, 0:size(dose, 3) - 1, dose, rr, cc, ff, 'linear');
    if isnan(v), errs(['dose.at.' names{k} '_gy']) = 'point outside dose grid';
    else, out(['dose.at.' names{k} '_gy']) = v; end
  end
catch e
  errs('points') = e.message;
end
rtc_finish(out, errs);
