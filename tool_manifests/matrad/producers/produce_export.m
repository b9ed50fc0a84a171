% rtcompat producer: matRad (headless, Octave) exports the phantom as a matRad user does:
% import the CT with matRad_DicomImporter (CT only), put each mask into matRad's cst, export
% with matRad_DicomExporter.matRad_exportDicom (its CT series and, where it can, the RT
% Structure Set). The harness keeps what each producer asks for (the CT series, or the RT
% Structure Set) by Modality.
% usage: octave-cli --norc --quiet --no-window-system produce_export.m INPUTS OUTPUT MATRAD_DIR
% Masks: INPUTS/masks/<ROI>.mha (read by rtc_read_mha.m), indexed [x y z]; matRad cubes are
% [rows(y) cols(x) slices(z)], hence the permute. Nothing matRad writes is repaired.
% Prints ONE JSON object on the last stdout line; "_errors" says what matRad did not write.
1;
here = fileparts(mfilename('fullpath'));
addpath(here);                                                  % rtc_read_mha
addpath(fullfile(here, '..', 'checks'));                        % matrad_start
addpath(fullfile(here, '..', '..', '_octave'));                 % rtc_emit, rtc_msg

t0 = tic;
obs = containers.Map('KeyType','char','ValueType','any');
errs = containers.Map('KeyType','char','ValueType','any');
a = argv();
if numel(a) < 3, error('usage: produce_export.m INPUTS OUTPUT MATRAD_DIR'); end
inp = a{1}; outd = a{2}; tool = a{3};
obs('_tool') = 'matRad'; obs('_producer') = 'produce_export';
ok = matrad_start(tool, obs, errs);

if ok
  try
    h = matRad_DicomImporter(fullfile(inp, 'ct'));
    h.importFiles.rtss = {}; h.importFiles.rtplan = {}; h.importFiles.rtdose = {};
    h.matRad_importDicom();   % a dummy cst (no RTSTRUCT in the inputs): replaced below
    ct = h.ct;
  catch ME
    errs('import_ct') = rtc_msg(ME); ok = false;
  end
end

if ok
  try
    S = jsondecode(fileread(fullfile(inp, 'structures.json')));
    st = S.structures;
    if iscell(st), st = [st{:}]; end
    cst = cell(numel(st), 6);
    for i = 1:numel(st)
      [m, mh] = rtc_read_mha(fullfile(inp, st(i).mask));
      if isfield(mh, 'TransformMatrix') && ~isequal(sscanf(mh.TransformMatrix, '%f')', [1 0 0 0 1 0 0 0 1])
        error('mask %s: non-identity TransformMatrix', st(i).name);
      end
      m = permute(m ~= 0, [2 1 3]);   % MetaImage [x y z] -> matRad [rows(y) cols(x) slices(z)]
      if ~isequal(size(m), ct.cubeDim)
        error('mask %s: %s vs ct.cubeDim %s', st(i).name, mat2str(size(m)), mat2str(ct.cubeDim));
      end
      cst{i,1} = i - 1;
      cst{i,2} = st(i).name;
      if any(strcmpi(st(i).type, {'PTV','CTV','GTV'})), cst{i,3} = 'TARGET'; cst{i,5}.Priority = 1;
      else, cst{i,3} = 'OAR'; cst{i,5}.Priority = 2; end
      cst{i,4}{1} = find(m);
      cst{i,5}.alphaX = 0.1; cst{i,5}.betaX = 0.05; cst{i,5}.Visible = 1;
      cst{i,5}.visibleColor = double(st(i).color(:))' / 255;
      cst{i,6} = [];
    end
  catch ME
    errs('masks_to_cst') = rtc_msg(ME); ok = false;
  end
end

wrote = {};
if ok
  try
    if ~exist(outd, 'dir'), mkdir(outd); end
    ex = matRad_DicomExporter(ct, cst);
    ex.dicomDir = outd;
    ex.matRad_exportDicom();
    found = dir(fullfile(outd, '*.dcm'));
    wrote = {found.name};
    if ~exist(fullfile(outd, 'RTstruct.dcm'), 'file')
      errs('rtstruct') = ['not written: matRad_exportDicomRTStruct returns early under Octave (its own warning: ' ...
        '"RTStruct export currently not supported by matRad running in Octave due to crashing dicomwrite! Skipping...")'];
    end
  catch ME
    errs('export') = rtc_msg(ME);
  end
end
obs('wrote') = wrote;
obs('api') = 'matRad_DicomImporter + cst + matRad_DicomExporter.matRad_exportDicom';
obs('_elapsed_s') = toc(t0);
rtc_emit(obs, errs);
