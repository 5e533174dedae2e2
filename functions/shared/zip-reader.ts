import { crc32, inflateRawSync } from 'zlib';

/**
 * Just enough of the zip format to take a few entries out of an artifact in memory, without
 * trusting what the archive says about itself: the central directory names the entries, but an
 * entry's bytes are inflated by Node's zlib with a hard cap on the output (the real inflated size,
 * not the declared one), and its CRC-32 is checked. Encrypted and symbolic-link entries are refused.
 *
 * Hand-written rather than fflate's unzipSync or yauzl: neither checks CRC-32 or caps the bytes an
 * entry really inflates to (fflate's filter sees only the declared size), and both would still need
 * this code around them to name the entry that is wrong.
 */

/** A problem with the archive or one of its entries; the message names the entry. */
export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError' as const;
}

export interface ZipDirectoryEntry {
  name: string;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  declaredSize: number;
  localHeaderOffset: number;
  /** The Unix mode, when the entry was made on Unix (high 16 bits of the external attributes). */
  unixMode?: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_LENGTH = 22;
const MAX_COMMENT_LENGTH = 0xffff;
const ZIP64_EXTRA_ID = 0x0001;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const MADE_ON_UNIX = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const U32_MAX = 0xffffffff;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function findEndOfCentralDirectory(bytes: Uint8Array, data: DataView): number {
  const lowest = Math.max(0, bytes.byteLength - EOCD_MIN_LENGTH - MAX_COMMENT_LENGTH);
  for (let at = bytes.byteLength - EOCD_MIN_LENGTH; at >= lowest; at--) {
    if (data.getUint32(at, true) === EOCD_SIGNATURE) return at;
  }
  throw new ZipFormatError('it has no end-of-central-directory record (it is not a zip file, or it is cut short)');
}

/** The central directory: every entry's name, sizes, checksum and attributes. */
export function readDirectory(bytes: Uint8Array): ZipDirectoryEntry[] {
  if (bytes.byteLength < EOCD_MIN_LENGTH) throw new ZipFormatError('it is too short to be a zip file');
  const data = view(bytes);
  const eocd = findEndOfCentralDirectory(bytes, data);
  let count = data.getUint16(eocd + 10, true);
  let offset = data.getUint32(eocd + 16, true);
  if (offset === U32_MAX || count === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || data.getUint32(locator, true) !== ZIP64_EOCD_LOCATOR_SIGNATURE) throw new ZipFormatError('its zip64 directory cannot be found');
    const zip64 = Number(data.getBigUint64(locator + 8, true));
    if (zip64 + 56 > bytes.byteLength || data.getUint32(zip64, true) !== ZIP64_EOCD_SIGNATURE) throw new ZipFormatError('its zip64 directory is damaged');
    count = Number(data.getBigUint64(zip64 + 32, true));
    offset = Number(data.getBigUint64(zip64 + 48, true));
  }
  const entries: ZipDirectoryEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.byteLength || data.getUint32(at, true) !== CENTRAL_SIGNATURE) throw new ZipFormatError(`its central directory is damaged at entry ${i + 1} of ${count}`);
    const madeBy = data.getUint16(at + 4, true);
    const flags = data.getUint16(at + 8, true);
    const method = data.getUint16(at + 10, true);
    const crc = data.getUint32(at + 16, true);
    let compressedSize = data.getUint32(at + 20, true);
    let declaredSize = data.getUint32(at + 24, true);
    const nameLength = data.getUint16(at + 28, true);
    const extraLength = data.getUint16(at + 30, true);
    const commentLength = data.getUint16(at + 32, true);
    const externalAttributes = data.getUint32(at + 38, true);
    let localHeaderOffset = data.getUint32(at + 42, true);
    const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
    const name = new TextDecoder(flags & FLAG_UTF8 ? 'utf-8' : 'latin1').decode(nameBytes);
    // Sizes and offsets too large for 32 bits live in the zip64 extra field, in this order.
    const extra = bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const extraView = view(extra);
    for (let e = 0; e + 4 <= extra.byteLength; ) {
      const id = extraView.getUint16(e, true);
      const size = extraView.getUint16(e + 2, true);
      if (id === ZIP64_EXTRA_ID) {
        let field = e + 4;
        const next = (): number => {
          const value = Number(extraView.getBigUint64(field, true));
          field += 8;
          return value;
        };
        if (declaredSize === U32_MAX) declaredSize = next();
        if (compressedSize === U32_MAX) compressedSize = next();
        if (localHeaderOffset === U32_MAX) localHeaderOffset = next();
      }
      e += 4 + size;
    }
    entries.push({
      name,
      flags,
      method,
      crc32: crc,
      compressedSize,
      declaredSize,
      localHeaderOffset,
      ...(madeBy >> 8 === MADE_ON_UNIX ? { unixMode: externalAttributes >>> 16 } : {}),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * An entry's bytes, inflated to at most `maxBytes` real bytes and checked against its CRC-32.
 * `label` names the entry in every error.
 */
export function readEntry(bytes: Uint8Array, entry: ZipDirectoryEntry, maxBytes: number, label: string): Uint8Array {
  if (entry.flags & FLAG_ENCRYPTED) throw new ZipFormatError(`${label} is encrypted; artifacts must not be password-protected zips`);
  if (entry.unixMode !== undefined && (entry.unixMode & S_IFMT) === S_IFLNK) {
    throw new ZipFormatError(`${label} is a symbolic link, not a file; put the file itself in the artifact`);
  }
  if (entry.declaredSize > maxBytes) throw new ZipFormatError(`${label} is ${entry.declaredSize} bytes; the limit is ${maxBytes}`);
  const data = view(bytes);
  const local = entry.localHeaderOffset;
  if (local + 30 > bytes.byteLength || data.getUint32(local, true) !== LOCAL_SIGNATURE) throw new ZipFormatError(`${label} has no local header where the directory says`);
  const start = local + 30 + data.getUint16(local + 26, true) + data.getUint16(local + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.byteLength) throw new ZipFormatError(`${label} runs past the end of the archive (it is cut short)`);
  const stored = bytes.subarray(start, end);
  let content: Uint8Array;
  if (entry.method === METHOD_STORED) {
    content = stored;
  } else if (entry.method === METHOD_DEFLATE) {
    try {
      // The cap is on the bytes really produced: an archive that lies about sizes stops here.
      content = inflateRawSync(stored, { maxOutputLength: maxBytes + 1 });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new ZipFormatError(`${label} inflates to more than ${maxBytes} bytes; the limit is ${maxBytes}`);
      throw new ZipFormatError(`${label} does not inflate: ${(error as Error).message}`);
    }
  } else {
    throw new ZipFormatError(`${label} uses compression method ${entry.method}; only stored and deflated entries can be read`);
  }
  if (content.byteLength > maxBytes) throw new ZipFormatError(`${label} is ${content.byteLength} bytes; the limit is ${maxBytes}`);
  if (content.byteLength !== entry.declaredSize) {
    throw new ZipFormatError(`${label} inflates to ${content.byteLength} bytes but the archive says ${entry.declaredSize}: the archive is damaged or forged`);
  }
  if (crc32(content) >>> 0 !== entry.crc32 >>> 0) throw new ZipFormatError(`${label} fails its CRC-32 check: the archive is damaged`);
  return content;
}
