1;
% rtcompat check: Octave + octave-dicom reading the CT series of a fixture set.
% Usage: JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 timeout 300 octave-cli --norc --quiet read_ct.m DIR
% Loads every CT*.dcm with dicominfo/dicomread (octave-dicom), sorts by
% ImagePositionPatient z, converts stored values to HU with the header's
% RescaleSlope/Intercept (dicomread returns stored values, as in MATLAB).
% Prints ONE JSON line (last line of stdout).  Judges nothing.

addpath(fullfile(fileparts(mfilename('fullpath')), '..', '..', '_octave'));  % rtc_* helpers
out = containers.Map(); errs = containers.Map();
try
  d = rtc_fixture_dir();
  pkg load dicom
  out('octave.version') = OCTAVE_VERSION;
  out('octave.dicom_version') = pkg('list', 'dicom'){1}.version;
  f = dir([d 'CT*.dcm']);
  if isempty(f), error('no CT*.dcm files in %s', d); end
  n = numel(f);
  t0 = tic;
  infos = cell(n, 1); z = zeros(n, 1); vol = [];
  for k = 1:n
    fn = [d f(k).name];
    infos{k} = dicominfo(fn);
    img = dicomread(fn);
    if k == 1
      out('octave.dicomread_class') = class(img);
      vol = zeros(size(img, 1), size(img, 2), n);
    end
    sl = double(infos{k}.RescaleSlope); ic = double(infos{k}.RescaleIntercept);
    vol(:, :, k) = double(img) * sl + ic;
    z(k) = infos{k}.ImagePositionPatient(3);
  end
  out('octave.load_s') = toc(t0);
  [z, order] = sort(z);
  infos = infos(order); vol = vol(:, :, order);
  i1 = infos{1};
  out('ct.image_count') = n;
  out('ct.rows') = double(i1.Rows);
  out('ct.columns') = double(i1.Columns);
  out('octave.array_size') = size(vol);
  out('ct.size_voxels') = [double(i1.Columns), double(i1.Rows), n];
  ps = double(i1.PixelSpacing(:)');
  out('ct.pixel_spacing_mm') = ps;                     % [row spacing, col spacing]
  out('ct.slice_thickness_mm') = double(i1.SliceThickness);
  if n > 1
    dz = diff(z);
    out('ct.slice_spacing_mm') = (z(end) - z(1)) / (n - 1);
    out('octave.slice_spacing_minmax_mm') = [min(dz), max(dz)];
  end
  org = double(i1.ImagePositionPatient(:)');
  out('ct.origin_mm') = org;
  out('ct.orientation') = double(i1.ImageOrientationPatient(:)');
  out('ct.patient_position') = rtc_trim(i1.PatientPosition);
  out('ct.frame_of_reference_uid') = rtc_trim(i1.FrameOfReferenceUID);
  out('ct.patient_id') = rtc_trim(i1.PatientID);
  pn = i1.PatientName;
  if isstruct(pn), pn = pn.FamilyName; end   % octave-dicom gives a char here; MATLAB a struct
  out('ct.patient_name') = rtc_trim(pn);
  out('ct.study_instance_uid') = rtc_trim(i1.StudyInstanceUID);
  out('ct.rescale_slope') = double(i1.RescaleSlope);
  out('ct.rescale_intercept') = double(i1.RescaleIntercept);
  out('ct.pixel_representation') = double(i1.PixelRepresentation);
  out('ct.hu.min') = min(vol(:));
  out('ct.hu.max') = max(vol(:));
  out('ct.hu.mean') = mean(vol(:));
  inst = cellfun(@(s) double(s.InstanceNumber), infos);
  out('octave.instance_numbers_follow_z') = isequal(inst(:)', sort(inst(:)'));
catch e
  errs('load') = e.message;
  rtc_finish(out, errs); return;
end

% HU at the points of points.json (coordinates only): nearest voxel; body_interior = mean in ball
try
  pf = [d 'points.json'];
  if ~exist(pf, 'file'), error('no points.json'); end
  P = jsondecode(fileread(pf));
  % Voxel of a patient point from the standard's geometry (PS3.3 C.7.6.2.1.1): the slice
  % nearest it along the normal, then row and column along ImageOrientationPatient.
  iop = double(i1.ImageOrientationPatient(:)');
  rdir = iop(1:3); cdir = iop(4:6); ndir = cross(rdir, cdir);
  ipp = cell2mat(cellfun(@(s) double(s.ImagePositionPatient(:)'), infos, 'UniformOutput', false));
  names = fieldnames(P.ct);
  for k = 1:numel(names)
    p = P.ct.(names{k}); p = p(:)';
    [~, s] = min(abs((ipp - p) * ndir'));
    q = p - ipp(s, :);
    c = round(dot(q, rdir) / ps(2)) + 1; r = round(dot(q, cdir) / ps(1)) + 1;
    if c < 1 || r < 1 || c > size(vol, 2) || r > size(vol, 1)
      errs(['ct.hu.' names{k}]) = 'point outside CT grid';
    else
      out(['ct.hu.' names{k}]) = vol(r, c, s);
    end
  end
  if isfield(P, 'body_interior')
    bc = P.body_interior.centre(:)'; rad = P.body_interior.radius_mm;
    [C, R] = meshgrid(0:size(vol, 2) - 1, 0:size(vol, 1) - 1);
    m = false(size(vol));
    for s = 1:n
      X = ipp(s, 1) + C * ps(2) * rdir(1) + R * ps(1) * cdir(1);
      Y = ipp(s, 2) + C * ps(2) * rdir(2) + R * ps(1) * cdir(2);
      m(:, :, s) = (X - bc(1)).^2 + (Y - bc(2)).^2 + (ipp(s, 3) - bc(3)).^2 <= rad^2;
    end
    out('ct.hu.body_mean') = mean(vol(m));
    out('octave.body_mean_voxels') = nnz(m);
  end
catch e
  errs('points') = e.message;
end
rtc_finish(out, errs);
