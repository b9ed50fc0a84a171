1;
% rtcompat check: Octave + octave-dicom reading the RT Structure Set of a fixture set.
% Usage: JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 timeout 300 octave-cli --norc --quiet read_rtstruct.m DIR
% dicominfo (octave-dicom) for ROI names/numbers/types and contours.
% rtstruct.roi.<name>.volume_cc is computed HERE (octave-dicom has no volume function):
% sum over contours of polyarea(x, y) x contour-plane spacing (each contour = a slab one
% plane spacing thick), the convention stated in the fixture README.
% Prints ONE JSON line (last line of stdout).  Judges nothing.

addpath(fullfile(fileparts(mfilename('fullpath')), '..', '..', '_octave'));  % rtc_* helpers
out = containers.Map(); errs = containers.Map();
try
  d = rtc_fixture_dir();
  pkg load dicom
  out('octave.version') = OCTAVE_VERSION;
  out('octave.dicom_version') = pkg('list', 'dicom'){1}.version;
  f = dir([d 'RS*.dcm']);
  if isempty(f), error('no RS*.dcm in %s', d); end
  t0 = tic;
  info = dicominfo([d f(1).name]);
  out('octave.load_s') = toc(t0);
  out('rtstruct.modality') = rtc_trim(info.Modality);
  out('rtstruct.label') = rtc_trim(info.StructureSetLabel);
  rois = rtc_items(info.StructureSetROISequence);
  names = cellfun(@(r) rtc_trim(r.ROIName), rois, 'UniformOutput', false);
  numbers = cellfun(@(r) double(r.ROINumber), rois);
  out('rtstruct.roi_count') = numel(rois);
  out('rtstruct.roi_names') = names;
catch e
  errs('load') = e.message;
  rtc_finish(out, errs); return;
end

types = containers.Map('KeyType', 'double', 'ValueType', 'any');
try
  for o = rtc_items(info.RTROIObservationsSequence)
    o = o{1};
    types(double(o.ReferencedROINumber)) = rtc_trim(o.RTROIInterpretedType);
  end
catch e
  errs('observations') = e.message;
end

for k = 1:numel(names)
  out(['rtstruct.roi.' names{k} '.number']) = numbers(k);
  if isKey(types, numbers(k)), out(['rtstruct.roi.' names{k} '.type']) = types(numbers(k)); end
end

try
  for rc = rtc_items(info.ROIContourSequence)
    rc = rc{1};
    k = find(numbers == double(rc.ReferencedROINumber), 1);
    if isempty(k), continue; end
    key = ['rtstruct.roi.' names{k}];
    if ~isfield(rc, 'ContourSequence') || isempty(rc.ContourSequence)
      out([key '.contour_count']) = 0; continue;
    end
    cs = rtc_items(rc.ContourSequence);
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
rtc_finish(out, errs);
