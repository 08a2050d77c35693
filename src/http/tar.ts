// A minimal ustar writer (POSIX.1-1988) for the kustomize folder download: regular files only,
// built in memory. Names are ours (namespace file names are DNS labels), still checked to fit.
const BLOCK = 512;

function writeString(buf: Buffer, offset: number, length: number, text: string): void {
  buf.write(text, offset, Math.min(length, Buffer.byteLength(text)), 'utf8');
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  writeString(buf, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function header(name: string, size: number, mode: number, mtimeSec: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name.slice(0, 120)}`);
  const buf = Buffer.alloc(BLOCK);
  writeString(buf, 0, 100, name);
  writeOctal(buf, 100, 8, mode);
  writeOctal(buf, 108, 8, 0);
  writeOctal(buf, 116, 8, 0);
  writeOctal(buf, 124, 12, size);
  writeOctal(buf, 136, 12, mtimeSec);
  buf.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  buf[156] = 0x30; // '0': regular file
  writeString(buf, 257, 6, 'ustar\0');
  writeString(buf, 263, 2, '00');
  let sum = 0;
  for (const byte of buf) sum += byte;
  writeString(buf, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return buf;
}

/** A tar archive of `files` (name → content) under `folder/`. */
export function tarArchive(
  folder: string,
  files: ReadonlyMap<string, string>,
  mtimeMs: number,
  executable: ReadonlySet<string> = new Set(),
): Buffer {
  const parts: Buffer[] = [];
  const mtimeSec = Math.max(0, Math.floor(mtimeMs / 1000));
  for (const [name, content] of files) {
    const data = Buffer.from(content, 'utf8');
    parts.push(
      header(`${folder}/${name}`, data.length, executable.has(name) ? 0o755 : 0o644, mtimeSec),
      data,
    );
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
