import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** A JPEG with camera EXIF, a GPS position and orientation 6 (needs a 90° turn), as phones send them. */
export async function phonePhoto(width = 3000, height = 2000, seed = 0): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 40 + seed, g: 120, b: 200 } } })
    .composite([{ input: { create: { width: 200, height: 100, channels: 3, background: { r: 255, g: seed, b: 0 } } }, top: 0, left: 0 }])
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'Wenzheng Test Phone', Model: 'WZ-1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '38/1 17/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '109/1 44/1 0/1' },
    })
    .toBuffer();
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A tiny PNG whose header claims 60000 × 60000 pixels: a decompression bomb. */
export function pngBomb(side = 60000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(side + 1))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A Windows executable named like a photo. */
export function disguisedExecutable(): Buffer {
  const exe = Buffer.alloc(512);
  exe.write('MZ', 0, 'latin1');
  exe.write('This program cannot be run in DOS mode.', 78, 'latin1');
  return exe;
}

/** The first bytes of an MP4 (ftyp isom) followed by filler: enough for type detection and size caps. */
export function mp4Like(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  Buffer.from([0, 0, 0, 0x20]).copy(out, 0);
  out.write('ftypisom', 4, 'latin1');
  out.write('\0\0\x02\0isomiso2avc1mp41', 12, 'latin1');
  return out;
}
