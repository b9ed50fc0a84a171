1;
% rtcompat check: Octave + octave-dicom reading the RT Plan of a fixture set.
% Usage: JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 timeout 300 octave-cli --norc --quiet read_rtplan.m DIR
% dicominfo (octave-dicom): sequences are structs with fields Item_1, Item_2, ...
% Prints ONE JSON line (last line of stdout).  Judges nothing.

addpath(fullfile(fileparts(mfilename('fullpath')), '..', '..', '_octave'));  % rtc_* helpers
out = containers.Map(); errs = containers.Map();
try
  d = rtc_fixture_dir();
  pkg load dicom
  out('octave.version') = OCTAVE_VERSION;
  out('octave.dicom_version') = pkg('list', 'dicom'){1}.version;
  f = dir([d 'RP*.dcm']);
  if isempty(f), error('no RP*.dcm in %s', d); end
  t0 = tic;
  info = dicominfo([d f(1).name]);
  out('octave.load_s') = toc(t0);
  out('plan.modality') = rtc_trim(info.Modality);
  out('plan.label') = rtc_trim(info.RTPlanLabel);
catch e
  errs('load') = e.message;
  rtc_finish(out, errs); return;
end

try
  beams = {};  % a brachytherapy plan has no BeamSequence: no beams, not a failure to read them
  if isfield(info, 'BeamSequence'), beams = rtc_items(info.BeamSequence); end
  out('plan.beam_count') = numel(beams);
  names = {}; nums = []; gantry = []; energy = []; rtype = {}; iso = []; leaves = [];
  for k = 1:numel(beams)
    b = beams{k};
    names{end+1} = rtc_trim(b.BeamName);
    nums(end+1) = double(b.BeamNumber);
    rtype{end+1} = rtc_trim(b.RadiationType);
    cps = rtc_items(b.ControlPointSequence);
    cp = cps{1};
    gantry(end+1) = double(cp.GantryAngle);
    energy(end+1) = double(cp.NominalBeamEnergy);
    if isfield(cp, 'IsocenterPosition'), iso(end+1, :) = double(cp.IsocenterPosition(:)'); end
    if isfield(b, 'BeamLimitingDeviceSequence')
      for dv = rtc_items(b.BeamLimitingDeviceSequence)
        dv = dv{1};
        if any(strcmp(rtc_trim(dv.RTBeamLimitingDeviceType), {'MLCX', 'MLCY'}))
          leaves(end+1) = double(dv.NumberOfLeafJawPairs);
        end
      end
    end
  end
  out('plan.beam_names') = names;
  out('plan.beam_numbers') = nums;
  out('plan.gantry_angles_deg') = gantry;
  out('plan.beam_energies_mv') = energy;
  if numel(unique(energy)) == 1, out('plan.energy_mv') = energy(1); end
  if numel(unique(rtype)) == 1, out('plan.radiation_type') = rtype{1}; else, out('plan.radiation_types') = rtype; end
  if ~isempty(iso)
    out('plan.isocentres_mm') = iso;
    if size(unique(iso, 'rows'), 1) == 1, out('plan.isocentre_mm') = iso(1, :); end
  end
  if ~isempty(leaves) && numel(unique(leaves)) == 1, out('plan.mlc_leaf_pairs') = leaves(1); end
catch e
  errs('beams') = e.message;
end

try
  fg = rtc_items(info.FractionGroupSequence){1};
  out('plan.fraction_count') = double(fg.NumberOfFractionsPlanned);
  mu = nan(1, numel(nums));
  if isfield(fg, 'ReferencedBeamSequence')
    for rb = rtc_items(fg.ReferencedBeamSequence)
      rb = rb{1};
      mu(nums == double(rb.ReferencedBeamNumber)) = double(rb.BeamMeterset);
    end
  end
  if ~isempty(nums)
    out('plan.beam_meterset_mu') = mu;
    out('plan.total_meterset_mu') = sum(mu);
  end
catch e
  errs('fraction_group') = e.message;
end

try
  rx = [];
  if isfield(info, 'DoseReferenceSequence')
    for dr = rtc_items(info.DoseReferenceSequence)
      dr = dr{1};
      if isfield(dr, 'TargetPrescriptionDose'), rx(end+1) = double(dr.TargetPrescriptionDose); end
    end
  end
  if isempty(rx), error('no TargetPrescriptionDose in DoseReferenceSequence'); end
  out('plan.prescription_gy') = max(rx);
catch e
  errs('plan.prescription_gy') = e.message;
end
rtc_finish(out, errs);
