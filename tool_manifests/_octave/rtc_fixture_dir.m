% The fixture directory (the last argument), with a trailing slash.
function d = rtc_fixture_dir()
  args = argv();
  if isempty(args), error('no fixture directory argument'); end
  d = args{end};
  if d(end) ~= '/', d = [d '/']; end
end
