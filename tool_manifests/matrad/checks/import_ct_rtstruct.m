% rtcompat check: matRad DICOM import of CT + RTSTRUCT (headless, Octave)
% usage: octave-cli --norc --quiet import_ct_rtstruct.m FIXTURE_DIR [MATRAD_DIR]
%   or env RTCOMPAT_FIXTURE / RTCOMPAT_TOOL_HOME
% Prints ONE JSON object on the last stdout line. Judges nothing.
1;
addpath(fullfile(fileparts(mfilename('fullpath')), '..', '..', '_octave'));  % rtc_args, rtc_emit, rtc_msg
addpath(fileparts(mfilename('fullpath')));  % matrad_start

t0 = tic;
obs = containers.Map('KeyType','char','ValueType','any');
errs = containers.Map('KeyType','char','ValueType','any');
[fix, tool] = rtc_args();
obs('_tool') = 'matRad'; obs('_check') = 'import_ct_rtstruct'; obs('_fixture') = fix;
ok = matrad_start(tool, obs, errs);
if ok
  try
    h = matRad_DicomImporter(fix);
    % restrict the import to CT + RTSTRUCT (RTPLAN / RTDOSE have their own checks)
    h.importFiles.rtplan = {};
    h.importFiles.rtdose = {};
    obs('matrad.files.ct') = size(h.importFiles.ct, 1);
    obs('matrad.files.rtstruct') = size(h.importFiles.rtss, 1);
    obs('ct.image_count') = size(h.importFiles.ct, 1);
    obs('set.patient_id') = h.importFiles.ct{1,3};   % as matRad_scanDicomImportFolder stores it
    h.matRad_importDicom();
  catch ME
    errs('import') = rtc_msg(ME); ok = false;
  end
end
if ok || (exist('h','var') && isstruct(h.ct) && isfield(h.ct,'cubeDim'))
  try
    ct = h.ct;
    % matRad cubes are [rows(y) cols(x) slices(z)]
    obs('ct.size_voxels') = [ct.cubeDim(2) ct.cubeDim(1) ct.cubeDim(3)];
    obs('ct.rows') = ct.cubeDim(1); obs('ct.columns') = ct.cubeDim(2); obs('ct.slices') = ct.cubeDim(3);
    obs('ct.pixel_spacing_mm') = [ct.resolution.y ct.resolution.x];  % DICOM order [row, col]
    obs('ct.slice_thickness_mm') = ct.resolution.z;
    obs('ct.resolution_xyz_mm') = [ct.resolution.x ct.resolution.y ct.resolution.z];
    if isfield(ct,'x'), obs('ct.origin_mm') = [ct.x(1) ct.y(1) ct.z(1)]; obs('ct.slice_spacing_mm') = median(diff(ct.z)); end
    if isfield(ct,'dicomInfo')
      if isfield(ct.dicomInfo,'ImageOrientationPatient'), obs('ct.orientation') = ct.dicomInfo.ImageOrientationPatient(:)'; end
      if isfield(ct.dicomInfo,'PatientPosition'), obs('ct.patient_position') = ct.dicomInfo.PatientPosition; end
    end
    hu = double(ct.cubeHU{1}(:));
    obs('ct.hu.mean') = mean(hu); obs('ct.hu.min') = min(hu); obs('ct.hu.max') = max(hu); obs('ct.hu.std') = std(hu);
  catch ME
    errs('ct_readout') = rtc_msg(ME);
  end
  % HU at the points of points.json through matRad's own world coordinates (ct.x along the
  % cube's columns, ct.y along its rows, ct.z along its slices): the nearest voxel
  try
    ct = h.ct;
    if isfield(ct, 'x')
      % the patient directions of the cube's column, row and slice axes, as matRad lays it out
      obs('ct.volume_directions') = [sign(ct.x(end) - ct.x(1)) 0 0 0 sign(ct.y(end) - ct.y(1)) 0 ...
                                     0 0 sign(ct.z(end) - ct.z(1))];
      P = jsondecode(fileread(fullfile(fix, 'points.json')));
      if isfield(P, 'ct')
        names = fieldnames(P.ct);
        for k = 1:numel(names)
          p = P.ct.(names{k});
          [~, c] = min(abs(ct.x - p(1))); [~, r] = min(abs(ct.y - p(2))); [~, s] = min(abs(ct.z - p(3)));
          obs(['ct.hu.' names{k}]) = double(ct.cubeHU{1}(r, c, s));
        end
      end
    end
  catch ME
    errs('ct.hu') = rtc_msg(ME);
  end
end
if ok
  try
    cst = h.cst; vox_cc = h.ct.resolution.x * h.ct.resolution.y * h.ct.resolution.z / 1000;
    names = cst(:,2)';
    obs('rtstruct.roi_count') = size(cst,1);
    obs('rtstruct.roi_names') = names;
    for i = 1:size(cst,1)
      nm = strtrim(cst{i,2});   % key uses trimmed name; roi_names above is as matRad stores it
      idx = cst{i,4}{1};
      obs(['rtstruct.roi.' nm '.volume_cc']) = numel(idx) * vox_cc;
      obs(['rtstruct.roi.' nm '.voxel_count']) = numel(idx);
      obs(['matrad.cst.' nm '.type']) = cst{i,3};
      if strcmpi(nm, 'BODY'), obs('ct.hu.body_roi_mean') = mean(double(h.ct.cubeHU{1}(idx))); end
    end
  catch ME
    errs('cst_readout') = rtc_msg(ME);
  end
end
obs('_elapsed_s') = toc(t0);
rtc_emit(obs, errs);
