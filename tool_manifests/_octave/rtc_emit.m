% Print the observations (and the tool's errors under "_errors") as ONE JSON line on stdout,
% the line the harness reads; everything a tool printed before it is ignored.
function rtc_emit(obs, errs)
  k = keys(obs); parts = {};
  for i = 1:numel(k)
    v = obs(k{i});
    if isnumeric(v) || islogical(v), v = double(v); if ~isscalar(v), v = v(:)'; end, end
    parts{end+1} = [jsonencode(k{i}) ':' jsonencode(v)];
  end
  if errs.Count > 0
    ek = keys(errs); ep = {};
    for i = 1:numel(ek), ep{end+1} = [jsonencode(ek{i}) ':' jsonencode(errs(ek{i}))]; end
    parts{end+1} = ['"_errors":{' strjoin(ep, ',') '}'];
  end
  fflush(stderr);
  printf('\n{%s}\n', strjoin(parts, ','));
  fflush(stdout);
end
