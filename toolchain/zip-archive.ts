import * as zlib from 'node:zlib';
import { type Result, err, ok } from '../src/util';

/** One file of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  /** Slash-separated name as stored (a trailing `/` marks a directory entry). */
  readonly name: string;
  /** 0 = stored, 8 = deflated; anything else is refused when the entry is read. */
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Unix permission bits when a Unix host made the archive, else undefined. */
  readonly unixMode?: number;
  /** Offset of the entry's local file header. */
  readonly localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** `version made by` high byte of archives written on Unix (the external attributes hold a mode). */
const HOST_UNIX = 3;

/**
 * Lists a zip archive held in memory from its central directory (APPNOTE.TXT §4.3.12–16). Go module
 * zips (golang.org/x/mod/zip) are plain zips: no multi-disk, no encryption, and under 4 GiB, so
 * ZIP64 is refused with a clear message rather than parsed.
 */
export function readZipDirectory(zip: Buffer): Result<ZipEntry[], string> {
  // The end-of-central-directory record is 22 bytes plus a comment of at most 65535.
  const lowest = Math.max(0, zip.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = zip.length - 22; i >= lowest; i--) {
    if (zip.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return err('not a zip file (no end of central directory record)');
  const count = zip.readUInt16LE(eocd + 10);
  const size = zip.readUInt32LE(eocd + 12);
  const offset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff)
    return err('ZIP64 archives are not supported');
  if (offset + size > eocd) return err('central directory lies outside the file');
  const entries: ZipEntry[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || zip.readUInt32LE(p) !== CENTRAL_SIGNATURE)
      return err(`central directory entry ${i} is damaged`);
    const madeBy = zip.readUInt16LE(p + 4);
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const uncompressedSize = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const external = zip.readUInt32LE(p + 38);
    const localHeaderOffset = zip.readUInt32LE(p + 42);
    if ((flags & 1) !== 0) return err('encrypted zip entries are not supported');
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    const unixMode = madeBy >> 8 === HOST_UNIX ? (external >>> 16) & 0o7777 : undefined;
    entries.push({
      name,
      method,
      compressedSize,
      uncompressedSize,
      ...(unixMode !== undefined && unixMode !== 0 ? { unixMode } : {}),
      localHeaderOffset,
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return ok(entries);
}

/** The uncompressed bytes of one entry; a size that differs from the directory's is an error. */
export function readZipEntry(zip: Buffer, entry: ZipEntry): Result<Buffer, string> {
  const h = entry.localHeaderOffset;
  if (h + 30 > zip.length || zip.readUInt32LE(h) !== LOCAL_SIGNATURE)
    return err(`${entry.name}: damaged local header`);
  const start = h + 30 + zip.readUInt16LE(h + 26) + zip.readUInt16LE(h + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) return err(`${entry.name}: data runs past the end of the file`);
  const raw = zip.subarray(start, end);
  let data: Buffer;
  switch (entry.method) {
    case 0:
      data = raw;
      break;
    case 8:
      try {
        // maxOutputLength stops a lying size field from inflating without bound.
        data = zlib.inflateRawSync(raw, { maxOutputLength: entry.uncompressedSize + 1 });
      } catch (e) {
        return err(`${entry.name}: ${(e as Error).message}`);
      }
      break;
    default:
      return err(`${entry.name}: unsupported compression method ${entry.method}`);
  }
  if (data.length !== entry.uncompressedSize)
    return err(`${entry.name}: ${data.length} bytes, the directory says ${entry.uncompressedSize}`);
  return ok(data);
}
