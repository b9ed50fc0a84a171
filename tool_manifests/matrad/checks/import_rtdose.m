% rtcompat check: matRad RTDOSE import (after CT + RTSTRUCT, no RTPLAN) + DVH
% metrics via matRad_calcQualityIndicators (headless, Octave)
% usage: octave-cli --norc --quiet import_rtdose.m FIXTURE_DIR [MATRAD_DIR]
%   or env RTCOMPAT_FIXTURE / RTCOMPAT_TOOL_HOME
% Prints ONE JSON object on the last stdout line. Judges nothing.
1;
addpath(fullfile(fileparts(mfilename('fullpath')), '..', '..', '_octave'));  % rtc_args, rtc_emit, rtc_msg
addpath(fileparts(mfilename('fullpath')));  % matrad_start

t0 = tic;
obs = containers.Map('KeyType','char','ValueType','any');
errs = containers.Map('KeyType','char','ValueType','any');
[fix, tool] = rtc_args();
obs('_tool') = 'matRad'; obs('_check') = 'import_rtdose'; obs('_fixture') = fix;
ok = matrad_start(tool, obs, errs);
if ok
  try
    h = matRad_DicomImporter(fix);
    h.importFiles.rtplan = {};   % RTPLAN import is a separate check (see NOTES)
    obs('matrad.files.rtdose') = size(h.importFiles.rtdose, 1);
    if isempty(h.importFiles.rtdose), error('no RTDOSE found by matRad_scanDicomImportFolder'); end
    h.matRad_importDicom();   % CT -> RTSS -> (no plan) -> RTDOSE
  catch ME
    errs('import') = rtc_msg(ME); ok = false;
  end
end
if ok
  try
    r = h.resultGUI;
    if isempty(r), error('resultGUI empty after import'); end
    fn = fieldnames(r); fn = fn(~strcmp(fn,'doseMetaInfo') & ~strcmp(fn,'w'));
    obs('matrad.resultGUI.fields') = fn';
    dn = fn{1};
    if isfield(r,'physicalDose'), dn = 'physicalDose'; end
    d = r.(dn);
    obs('matrad.dose_quantity') = dn;
    % matRad_interpDicomDoseCube interp3's the RTDOSE grid onto the CT grid (linear, 0 outside)
    obs('matrad.dose_grid') = 'resampled_to_ct_grid';
    obs('dose.max_gy') = max(d(:));
    obs('dose.min_gy') = min(d(:));
    obs('dose.mean_gy') = mean(d(:));
    obs('dose.size_voxels') = [size(d,2) size(d,1) size(d,3)];
    obs('dose.pixel_spacing_mm') = [h.ct.resolution.y h.ct.resolution.x];
    mi = r.doseMetaInfo.(dn);
    obs('dose.summation_type') = mi.DoseSummationType;
    obs('dose.type') = mi.DoseType;
  catch ME
    errs('dose_readout') = rtc_msg(ME); ok = false;
  end
end
if ok
  try
    pln = struct('numOfFractions', 1);   % only used for TARGET-type cst rows
    qi = matRad_calcQualityIndicators(h.cst, pln, d, [], [1 5 50 95 99]);
    for i = 1:numel(qi)
      nm = strtrim(qi(i).name);
      obs(['dvh.' nm '.mean_gy']) = qi(i).mean;
      obs(['dvh.' nm '.max_gy'])  = qi(i).max;
      obs(['dvh.' nm '.min_gy'])  = qi(i).min;
      obs(['dvh.' nm '.D95_gy'])  = qi(i).D_95;
      obs(['dvh.' nm '.D50_gy'])  = qi(i).D_50;
      obs(['dvh.' nm '.D5_gy'])   = qi(i).D_5;
      obs(['dvh.' nm '.D1_gy'])   = qi(i).D_1;
      obs(['dvh.' nm '.D99_gy'])  = qi(i).D_99;
      obs(['dvh.' nm '.voxel_count']) = numel(h.cst{i,4}{1});
    end
  catch ME
    errs('dvh') = rtc_msg(ME);
  end
end
obs('_elapsed_s') = toc(t0);
rtc_emit(obs, errs);
