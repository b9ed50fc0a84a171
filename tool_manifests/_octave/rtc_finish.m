% Print a containers.Map of observations, with the tool's errors under "_errors", as ONE
% JSON line: the line the harness reads.
function rtc_finish(out, errs)
  if errs.Count > 0, out('_errors') = errs; end
  printf('%s\n', jsonencode(out));
end
