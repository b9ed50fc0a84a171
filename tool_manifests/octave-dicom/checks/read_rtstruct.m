1;
% rtcompat check: Octave + octave-dicom reading the RT Structure Set of a fixture set.
% Usage: JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 timeout 300 octave-cli --norc --quiet read_rtstruct.m DIR
% dicominfo (octave-dicom) for ROI names/numbers/types and contours.
% rtstruct.roi.<name>.volume_cc is computed HERE (octave-dicom has no volume function):
% sum over contours of polyarea(x, y) x contour-plane spacing (each contour = a slab one
% plane spacing thick), the convention stated in the fixture README.
% Prints ONE JSON line (last line of stdout).  Judges nothing.

function s = trimstr(v)
  if ischar(v), s = strtrim(v); else, s = v; end
end
function c = items(sq)
  if isempty(sq), c = {}; return; end
  fn = fieldnames(sq);
  num = cellfun(@(s) sscanf(s, 'Item_%d'), fn);
  [~, o] = sort(num);
  c = cellfun(@(s) sq.(s), fn(o), 'UniformOutput', false)';  % row: 'for x = c' iterates columns
end
function finish(out, errs)
  if errs.Count > 0, out('_errors') = errs; end
  printf('%s\n', jsonencode(out));
end

out = containers.Map(); errs = containers.Map();
args = argv();
try
  if isempty(args), error('no fixture directory argument'); end
  d = args{end};
  if d(end) ~= '/', d = [d '/']; end
  pkg load dicom
  out('octave.version') = OCTAVE_VERSION;
  out('octave.dicom_version') = pkg('list', 'dicom'){1}.version;
  f = dir([d 'RS*.dcm']);
  if isempty(f), error('no RS*.dcm in %s', d); end
  t0 = tic;
  info = dicominfo([d f(1).name]);
  out('octave.load_s') = toc(t0);
  out('rtstruct.modality') = trimstr(info.Modality);
  out('rtstruct.label') = trimstr(info.StructureSetLabel);
  rois = items(info.StructureSetROISequence);
  names = cellfun(@(r) trimstr(r.ROIName), rois, 'UniformOutput', false);
  numbers = cellfun(@(r) double(r.ROINumber), rois);
  out('rtstruct.roi_count') = numel(rois);
  out('rtstruct.roi_names') = names;
catch e
  errs('load') = e.message;
  finish(out, errs); return;
end

types = containers.Map('KeyType', 'double', 'ValueType', 'any');
try
  for o = items(info.RTROIObservationsSequence)
    o = o{1};
    types(double(o.ReferencedROINumber)) = trimstr(o.RTROIInterpretedType);
  end
catch e
  errs('observations') = e.message;
end

for k = 1:numel(names)
  out(['rtstruct.roi.' names{k} '.number']) = numbers(k);
  if isKey(types, numbers(k)), out(['rtstruct.roi.' names{k} '.type']) = types(numbers(k)); end
end

try
  for rc = items(info.ROIContourSequence)
    rc = rc{1};
    k = find(numbers == double(rc.ReferencedROINumber), 1);
    if isempty(k), continue; end
    key = ['rtstruct.roi.' names{k}];
    if ~isfield(rc, 'ContourSequence') || isempty(rc.ContourSequence)
      out([key '.contour_count']) = 0; continue;
    end
    cs = items(rc.ContourSequence);
    out([key '.contour_count']) = numel(cs);
    zc = zeros(1, numel(cs)); ar = zeros(1, numel(cs)); np = 0;
    for j = 1:numel(cs)
      c = cs{j};
      p = reshape(double(c.ContourData(:)), 3, []);
      np += size(p, 2);
      zc(j) = mean(p(3, :));
      ar(j) = polyarea(p(1, :), p(2, :));
    end
    out([key '.point_count']) = np;
    uz = unique(round(zc * 1000) / 1000);
    out([key '.z_range_mm']) = [min(zc), max(zc)];
    if numel(uz) > 1
      th = median(diff(uz));
      out([key '.volume_cc']) = sum(ar) * th / 1000;   % no hole/XOR handling: one contour per plane assumed
    end
  end
catch e
  errs('contours') = e.message;
end
finish(out, errs);
