% A tool error in one line, with where it was raised.
function m = rtc_msg(ME)
  m = strtrim(ME.message);
  if ~isempty(ME.stack), m = sprintf('%s [at %s:%d]', m, ME.stack(1).name, ME.stack(1).line); end
end
