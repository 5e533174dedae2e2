/**
 * Archives that lie, built byte by byte: a well-formed zip, then one field of one entry's central
 * directory record changed (the directory is what a zip reader trusts). Offsets are those of the
 * zip format's central file header: 4 version made by, 8 flags, 16 CRC-32, 24 uncompressed size,
 * 38 external attributes.
 */
export function withCentralEntry(zip: Uint8Array, name: string, patch: (entry: DataView) => void): Uint8Array {
  const copy = new Uint8Array(zip);
  const data = new DataView(copy.buffer);
  for (let at = 0; at + 46 <= copy.byteLength; at++) {
    if (data.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = data.getUint16(at + 28, true);
    if (new TextDecoder().decode(copy.subarray(at + 46, at + 46 + nameLength)) === name) {
      patch(new DataView(copy.buffer, at));
      return copy;
    }
  }
  throw new Error(`No central directory entry ${name}`);
}

/** Marks the entry as made on Unix with this mode (e.g. 0o120777, a symbolic link). */
export function asUnixMode(mode: number): (entry: DataView) => void {
  return (entry) => {
    entry.setUint16(4, (3 << 8) | 20, true);
    entry.setUint32(38, (mode << 16) >>> 0, true);
  };
}
