% Start matRad headless from its checkout: no GUI, errors-only logging. Records the version
% in obs, or the start-up error in errs (both containers.Map handles); returns whether it started.
function ok = matrad_start(tool, obs, errs)
  ok = true;
  try
    addpath(tool);
    cfg = matRad_rc();
    cfg.disableGUI = true;   % no waitbars / figures
    cfg.logLevel = 1;        % errors only (suppresses progress bars)
    obs('_tool_version') = matRad_version();
  catch ME
    errs('startup') = rtc_msg(ME); ok = false;
  end
end
