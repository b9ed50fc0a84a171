% The fixture directory and the tool checkout, from argv or RTCOMPAT_FIXTURE / RTCOMPAT_TOOL_HOME.
function [fix, tool] = rtc_args()
  a = argv();
  fix = getenv('RTCOMPAT_FIXTURE'); tool = getenv('RTCOMPAT_TOOL_HOME');
  if numel(a) >= 1, fix = a{1}; end
  if numel(a) >= 2, tool = a{2}; end
  if isempty(tool), error('rtcompat:args', 'give the tool checkout as the second argument or RTCOMPAT_TOOL_HOME'); end
end
