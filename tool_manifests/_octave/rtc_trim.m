% A DICOM string without octave-dicom's trailing padding ('HFS ' -> 'HFS'); other values as they are.
function s = rtc_trim(v)
  if ischar(v), s = strtrim(v); else, s = v; end
end
