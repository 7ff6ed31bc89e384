/**
 * Draws the app package icons once: `npm run icons` writes appPackage/color.png (192x192, a white
 * lightning bolt on a blue rounded square) and appPackage/outline.png (32x32, the same bolt in
 * white on a transparent background, as Teams requires). The PNGs are committed; this script only
 * exists so they can be redrawn. Shapes are filled with 4x4 supersampling for smooth edges.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';

type Point = readonly [number, number];

/** A lightning bolt in a unit square (0..1), clockwise. */
const BOLT: readonly Point[] = [
  [0.58, 0.06],
  [0.22, 0.56],
  [0.46, 0.56],
  [0.38, 0.94],
  [0.78, 0.4],
  [0.54, 0.4],
  [0.66, 0.06],
];
const BLUE = [0x1f, 0x6f, 0xeb] as const;
const SAMPLES = 4;

function insidePolygon([x, y]: Point, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function insideRoundedSquare([x, y]: Point, radius: number): boolean {
  const cx = Math.min(Math.max(x, radius), 1 - radius);
  const cy = Math.min(Math.max(y, radius), 1 - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

/** Fraction of the pixel's subsamples for which `inside` holds. */
function coverage(px: number, py: number, size: number, inside: (p: Point) => boolean): number {
  let hits = 0;
  for (let sy = 0; sy < SAMPLES; sy += 1)
    for (let sx = 0; sx < SAMPLES; sx += 1)
      if (inside([(px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size]))
        hits += 1;
  return hits / (SAMPLES * SAMPLES);
}

function draw(
  size: number,
  pixel: (x: number, y: number) => readonly [number, number, number, number],
): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y += 1)
    for (let x = 0; x < size; x += 1) {
      const offset = (y * size + x) * 4;
      pixel(x, y).forEach((value, i) => (png.data[offset + i] = Math.round(value)));
    }
  return PNG.sync.write(png);
}

export function colorIcon(size = 192): Buffer {
  // Scaled into the middle 70% of the square so the bolt keeps a margin.
  const bolt = (p: Point) => insidePolygon([(p[0] - 0.15) / 0.7, (p[1] - 0.15) / 0.7], BOLT);
  return draw(size, (x, y) => {
    const background = coverage(x, y, size, (p) => insideRoundedSquare(p, 0.18));
    const white = coverage(x, y, size, bolt);
    const mix = (c: number) => c * (1 - white) + 255 * white;
    return [mix(BLUE[0]), mix(BLUE[1]), mix(BLUE[2]), 255 * Math.max(background, white)];
  });
}

export function outlineIcon(size = 32): Buffer {
  return draw(size, (x, y) => [
    255,
    255,
    255,
    255 * coverage(x, y, size, (p) => insidePolygon(p, BOLT)),
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = path.resolve('appPackage');
  writeFileSync(path.join(target, 'color.png'), colorIcon());
  writeFileSync(path.join(target, 'outline.png'), outlineIcon());
  console.log(`wrote ${path.join(target, 'color.png')} and outline.png`);
}
