/**
 * Decides a file's type from its first bytes, never from its name or declared type. Covers what citizens
 * send from phones: JPEG, PNG, WebP, HEIC/HEIF photos and MP4/MOV videos. (file-type 22 needs Node 22.)
 */
export type MediaKind = 'photo' | 'video';

export interface DetectedType {
  kind: MediaKind;
  mime: string;
  ext: string;
}

/** How many leading bytes `detectFileType` needs. */
export const SNIFF_BYTES = 64;

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const HEIF_BRANDS = new Set(['mif1', 'msf1']);
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'dash', 'M4V ', 'MSNV', 'f4v ']);
// Old QuickTime files may start with one of these atoms instead of `ftyp`.
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

const ascii = (b: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((value, i) => bytes[offset + i] === value);
}

function isoBmff(bytes: Uint8Array): DetectedType | undefined {
  if (bytes.length < 12) return undefined;
  const box = ascii(bytes, 4, 8);
  if (box !== 'ftyp') {
    return QUICKTIME_ATOMS.has(box) ? { kind: 'video', mime: 'video/quicktime', ext: 'mov' } : undefined;
  }
  const size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  const brands = [ascii(bytes, 8, 12)];
  // Compatible brands follow the major brand and the minor version.
  for (let at = 16; at + 4 <= Math.min(size, bytes.length); at += 4) brands.push(ascii(bytes, at, at + 4));
  const major = brands[0];
  if (HEIC_BRANDS.has(major)) return { kind: 'photo', mime: 'image/heic', ext: 'heic' };
  if (HEIF_BRANDS.has(major)) {
    return brands.some((b) => HEIC_BRANDS.has(b))
      ? { kind: 'photo', mime: 'image/heic', ext: 'heic' }
      : { kind: 'photo', mime: 'image/heif', ext: 'heif' };
  }
  if (major === 'qt  ') return { kind: 'video', mime: 'video/quicktime', ext: 'mov' };
  if (MP4_BRANDS.has(major) || major.startsWith('mp4') || major.startsWith('3g')) {
    return { kind: 'video', mime: 'video/mp4', ext: 'mp4' };
  }
  return undefined;
}

export function detectFileType(bytes: Uint8Array): DetectedType | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'photo', mime: 'image/jpeg', ext: 'jpg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'photo', mime: 'image/png', ext: 'png' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { kind: 'photo', mime: 'image/webp', ext: 'webp' };
  return isoBmff(bytes);
}
