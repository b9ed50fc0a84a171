% An octave-dicom sequence (a struct with fields Item_1, Item_2, ...) as a row cell of its
% items in order; a row, because 'for x = c' iterates over columns.
function c = rtc_items(sq)
  if isempty(sq), c = {}; return; end
  fn = fieldnames(sq);
  num = cellfun(@(s) sscanf(s, 'Item_%d'), fn);
  [~, o] = sort(num);
  c = cellfun(@(s) sq.(s), fn(o), 'UniformOutput', false)';
end
