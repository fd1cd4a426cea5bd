import { detectFileType } from './file-type.js';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const ftyp = (major: string, ...compatible: string[]): Uint8Array => {
  const size = 16 + 4 * compatible.length;
  return bytes([0, 0, 0, size], 'ftyp', major, [0, 0, 0, 0], ...compatible, [0, 0, 0, 8], 'mdat');
};

describe(detectFileType.name, () => {
  it.each([
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe1, 0, 0x10], 'Exif'), 'image/jpeg'],
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 'IHDR'), 'image/png'],
    ['WebP', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
    ['HEIC (iPhone)', ftyp('heic', 'mif1', 'heic'), 'image/heic'],
    ['HEIF with an HEVC brand', ftyp('mif1', 'mif1', 'heic'), 'image/heic'],
    ['plain HEIF', ftyp('mif1', 'mif1'), 'image/heif'],
    ['MP4', ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'), 'video/mp4'],
    ['MP4 (Android mp42)', ftyp('mp42', 'isom'), 'video/mp4'],
    ['MOV', ftyp('qt  ', 'qt  '), 'video/quicktime'],
    ['old QuickTime without ftyp', bytes([0, 0, 0, 8], 'wide', [0, 0, 0, 0]), 'video/quicktime'],
  ])('recognises %s from its bytes', (_name, input, mime) => {
    expect(detectFileType(input)?.mime).toBe(mime);
  });

  it.each([
    ['a Windows executable', bytes('MZ', [0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff])],
    ['an ELF binary', bytes([0x7f], 'ELF', [2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['a PDF', bytes('%PDF-1.7\n%âãÏÓ')],
    ['an SVG', bytes('<svg xmlns="http://www.w3.org/2000/svg">')],
    ['AVIF', ftyp('avif', 'mif1', 'avif')],
    ['a GIF', bytes('GIF89a', [1, 0, 1, 0])],
    ['nothing', bytes()],
    ['a truncated JPEG marker', bytes([0xff, 0xd8])],
  ])('refuses %s', (_name, input) => {
    expect(detectFileType(input)).toBeUndefined();
  });
});
