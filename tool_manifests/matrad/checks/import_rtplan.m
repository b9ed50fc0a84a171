% rtcompat check: matRad RTPLAN import (after CT + RTSTRUCT, no RTDOSE),
% including the photon steering import (matRad_importDicomSteeringPhotons)
% usage: octave-cli --norc --quiet import_rtplan.m FIXTURE_DIR [MATRAD_DIR]
%   or env RTCOMPAT_FIXTURE / RTCOMPAT_TOOL_HOME
% Prints ONE JSON object on the last stdout line. Judges nothing.
1;
addpath(fullfile(fileparts(mfilename('fullpath')), '..', '..', '_octave'));  % rtc_args, rtc_emit, rtc_msg
addpath(fileparts(mfilename('fullpath')));  % matrad_start

t0 = tic;
obs = containers.Map('KeyType','char','ValueType','any');
errs = containers.Map('KeyType','char','ValueType','any');
[fix, tool] = rtc_args();
obs('_tool') = 'matRad'; obs('_check') = 'import_rtplan'; obs('_fixture') = fix;
ok = matrad_start(tool, obs, errs);
if ok
  try
    h = matRad_DicomImporter(fix);
    h.importFiles.rtdose = {};   % RTDOSE import is a separate check
    obs('matrad.files.rtplan') = size(h.importFiles.rtplan, 1);
    if isempty(h.importFiles.rtplan), error('no RTPLAN found by matRad_scanDicomImportFolder'); end
    h.matRad_importDicom();   % CT -> RTSS -> RTPLAN -> steering
  catch ME
    errs('import') = rtc_msg(ME); ok = false;
  end
end
% read out whatever pln/stf matRad built, even if a later stage failed
try
  if exist('h','var') && ~isempty(h.pln) && isfield(h.pln,'propStf') && isfield(h.pln.propStf,'gantryAngles')
    p = h.pln;
    obs('plan.beam_count') = numel(p.propStf.gantryAngles);
    obs('plan.gantry_angles_deg') = p.propStf.gantryAngles;
    obs('plan.couch_angles_deg') = p.propStf.couchAngles;
    obs('matrad.pln.isocenter_mm') = p.propStf.isoCenter;
    obs('matrad.pln.radiation_mode') = p.radiationMode;
    obs('plan.fraction_count') = p.numOfFractions;
    obs('plan.machine') = p.machine;
    if isfield(p.propStf,'collimation') && isfield(p.propStf.collimation,'beamMeterset')
      obs('plan.beam_meterset_mu') = p.propStf.collimation.beamMeterset;
      obs('plan.total_meterset_mu') = sum(p.propStf.collimation.beamMeterset);
    end
  elseif ok
    errs('pln_readout') = 'matRad produced no pln.propStf.gantryAngles';
  end
catch ME
  errs('pln_readout') = rtc_msg(ME);
end
try
  if exist('h','var') && ~isempty(h.stf)
    obs('matrad.stf.count') = numel(h.stf);
    obs('matrad.stf.gantry_angles_deg') = [h.stf.gantryAngle];
  end
catch ME
  errs('stf_readout') = rtc_msg(ME);
end
obs('_elapsed_s') = toc(t0);
rtc_emit(obs, errs);
