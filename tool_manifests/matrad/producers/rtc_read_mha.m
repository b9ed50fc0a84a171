% Read a MetaImage (.mha, ElementDataFile = LOCAL, or .mhd + raw) into an array indexed
% [x y z] (MetaImage order, x fastest), plus its header fields as a struct.
% CompressedData = True (a zlib stream, RFC 1950) is inflated with the system's gzip:
% Octave 7 has no zlib binding (its gunzip() also shells out to gzip), so the raw deflate
% body is wrapped in a gzip member with a dummy CRC; gzip -dc then prints all the data and
% complains about the CRC, which is ignored. The zlib stream's own Adler-32 is checked here
% instead, so a corrupt stream is still an error.
function [vol, hdr] = rtc_read_mha(fname)
  fid = fopen(fname, 'r');
  if fid < 0, error('rtc_read_mha:open', 'cannot open %s', fname); end
  hdr = struct();
  while true
    ln = fgetl(fid);
    if ~ischar(ln), fclose(fid); error('rtc_read_mha:header', 'no ElementDataFile in %s', fname); end
    tok = regexp(ln, '^\s*(\w+)\s*=\s*(.*?)\s*$', 'tokens', 'once');
    if isempty(tok), continue; end
    hdr.(tok{1}) = tok{2};
    if strcmp(tok{1}, 'ElementDataFile'), break; end
  end
  dims = sscanf(hdr.DimSize, '%d')';
  types = struct('MET_UCHAR','uint8','MET_CHAR','int8','MET_SHORT','int16','MET_USHORT','uint16', ...
                 'MET_INT','int32','MET_UINT','uint32','MET_FLOAT','single','MET_DOUBLE','double');
  typ = types.(hdr.ElementType);
  endian = 'l';
  if isfield(hdr, 'BinaryDataByteOrderMSB') && strcmpi(hdr.BinaryDataByteOrderMSB, 'True'), endian = 'b'; end
  if strcmpi(hdr.ElementDataFile, 'LOCAL')
    body = fread(fid, Inf, 'uint8=>uint8'); fclose(fid);
  else
    fclose(fid);
    f2 = fopen(fullfile(fileparts(fname), hdr.ElementDataFile), 'r');
    body = fread(f2, Inf, 'uint8=>uint8'); fclose(f2);
  end
  if isfield(hdr, 'CompressedData') && strcmpi(hdr.CompressedData, 'True')
    if isfield(hdr, 'CompressedDataSize'), body = body(1:str2double(hdr.CompressedDataSize)); end
    body = zlib_inflate(body);
  end
  nbytes = numel(typecast(zeros(1, 1, typ), 'uint8'));
  n = prod(dims);
  if numel(body) < n * nbytes, error('rtc_read_mha:size', '%s: %d bytes of data, %d expected', fname, numel(body), n * nbytes); end
  body = body(1:n * nbytes);
  vol = typecast(body(:)', typ);
  [~, ~, host] = computer();
  if (endian == 'b') ~= (host == 'B'), vol = swapbytes(vol); end
  vol = reshape(vol, dims);
end

function out = zlib_inflate(z)
  z = z(:);
  if numel(z) < 6 || mod(double(z(1)) * 256 + double(z(2)), 31) ~= 0 || bitand(z(1), 15) ~= 8
    error('rtc_read_mha:zlib', 'not a zlib (deflate) stream');
  end
  if bitand(z(2), 32), error('rtc_read_mha:zlib', 'zlib preset dictionary not supported'); end
  deflate = z(3:end-4);
  adler = double(z(end-3:end))' * [2^24; 2^16; 2^8; 1];
  gz = [uint8([31 139 8 0 0 0 0 0 0 255])'; deflate; zeros(8, 1, 'uint8')];  % CRC32/ISIZE dummies
  tin = [tempname() '.gz']; tout = [tempname() '.raw'];
  f = fopen(tin, 'w'); fwrite(f, gz, 'uint8'); fclose(f);
  system(sprintf('gzip -dc "%s" > "%s" 2>/dev/null', tin, tout));   % exit status 1 (CRC) expected
  f = fopen(tout, 'r'); out = fread(f, Inf, 'uint8=>uint8'); fclose(f);
  delete(tin); delete(tout);
  % Adler-32 of the inflated data (exact in doubles for < ~1e8 bytes)
  d = double(out); n = numel(d);
  a = mod(1 + sum(d), 65521);
  b = mod(n + sum(d .* (n:-1:1)'), 65521);
  if b * 65536 + a ~= adler
    error('rtc_read_mha:zlib', 'inflate failed (Adler-32 mismatch, %d bytes out)', n);
  end
end
