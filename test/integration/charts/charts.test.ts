/** Charts: a real PNG whose labels are drawn (resvg draws no text without a font, and says nothing). */
import { inflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { buildUsageChartOption, DEFAULT_FONT_PATH, renderUsageChartPng, renderUsageChartSvg } from '../../../src/charts.js';
import { daysInRange } from '../../../src/days.js';
import { AppError } from '../../../src/errors.js';

/** Minimal PNG decoder (8-bit RGB/RGBA, non-interlaced: what resvg writes) → RGBA pixels. */
function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      colorType = data[9] as number;
      expect(data[12]).toBe(0);
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  expect(bpp).toBeGreaterThan(0);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (cur[x - bpp] as number) : 0;
      const b = prev[x] as number;
      const c = x >= bpp ? (prev[x - bpp] as number) : 0;
      const v = line[x] as number;
      let p: number;
      if (filter === 0) p = v;
      else if (filter === 1) p = v + a;
      else if (filter === 2) p = v + b;
      else if (filter === 3) p = v + ((a + b) >> 1);
      else {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        p = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      cur[x] = p & 0xff;
    }
    for (let x = 0; x < width; x++) {
      out.set(
        [cur[x * bpp] as number, cur[x * bpp + 1] as number, cur[x * bpp + 2] as number, bpp === 4 ? (cur[x * bpp + 3] as number) : 255],
        (y * width + x) * 4,
      );
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

/** Pixels darker than mid-grey in a rectangle. */
function darkPixels(img: { width: number; rgba: Uint8Array }, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 4;
      const luma = 0.299 * (img.rgba[i] as number) + 0.587 * (img.rgba[i + 1] as number) + 0.114 * (img.rgba[i + 2] as number);
      if (luma < 100) n++;
    }
  }
  return n;
}

const days = daysInRange('2026-02-09', '2026-03-10');
const values = days.map((_, i) => (i === 5 ? Number.NaN : 4e9 + (i % 7) * 2e8 + (i === 27 ? 9e9 : 0)));
const base = {
  days,
  values,
  expected: days.map(() => 4.6e9),
  low: days.map(() => 3.5e9),
  high: days.map(() => 5.8e9),
  anomalies: [days[27] as string],
};

describe('renderUsageChartPng', () => {
  it('draws the title and the axis labels (compared with the same chart without a title)', () => {
    const withTitle = decodePng(renderUsageChartPng({ ...base, title: 'WWWW firewall-eu MMMM' }));
    const noTitle = decodePng(renderUsageChartPng({ ...base, title: '' }));
    expect(withTitle.width).toBe(1000);
    expect(withTitle.height).toBe(450);
    // Title area (top left): glyphs only when a font rendered them.
    const titleDark = darkPixels(withTitle, 0, 0, 500, 40);
    expect(titleDark).toBeGreaterThan(300);
    expect(darkPixels(noTitle, 0, 0, 500, 40)).toBe(0);
    // Y-axis labels ("2 GB" …) left of the plot and x-axis day labels under it.
    expect(darkPixels(withTitle, 0, 60, 85, 390)).toBeGreaterThan(60);
    expect(darkPixels(withTitle, 90, 392, 990, 420)).toBeGreaterThan(300);
  });

  it('the text comes from the font it loads: the same SVG rendered with no font has no labels', () => {
    const svg = renderUsageChartSvg({ ...base, title: 'WWWW firewall-eu MMMM' });
    const bare = decodePng(new Resvg(svg, { background: '#ffffff', font: { loadSystemFonts: false } }).render().asPng());
    const ours = decodePng(renderUsageChartPng({ ...base, title: 'WWWW firewall-eu MMMM' }));
    expect(darkPixels(bare, 0, 0, 500, 40)).toBe(0);
    expect(darkPixels(bare, 0, 60, 85, 390)).toBe(0);
    expect(darkPixels(ours, 0, 0, 500, 40)).toBeGreaterThan(300);
    expect(darkPixels(ours, 0, 60, 85, 390)).toBeGreaterThan(60);
  });

  it('marks anomalous days in red and the band in blue', () => {
    const img = decodePng(renderUsageChartPng({ ...base, title: 'x' }));
    let red = 0;
    let band = 0;
    for (let i = 0; i < img.rgba.length; i += 4) {
      const [r, g, b] = [img.rgba[i] as number, img.rgba[i + 1] as number, img.rgba[i + 2] as number];
      if (r > 180 && g < 90 && b < 90) red++;
      if (b > 200 && r > 200 && r < 240 && b - r > 10) band++;
    }
    expect(red).toBeGreaterThan(50);
    expect(band).toBeGreaterThan(1000);
    const plain = decodePng(renderUsageChartPng({ days, values, title: 'x' }));
    let plainRed = 0;
    for (let i = 0; i < plain.rgba.length; i += 4)
      if ((plain.rgba[i] as number) > 180 && (plain.rgba[i + 1] as number) < 90 && (plain.rgba[i + 2] as number) < 90) plainRed++;
    expect(plainRed).toBe(0);
  });

  it('formats the y axis in bytes and shows gaps as gaps', () => {
    const svg = renderUsageChartSvg({ ...base, title: 'x' });
    expect(svg).toMatch(/>\d+ GB</);
    const option = buildUsageChartOption({ ...base, title: 'x' }) as { series: Array<{ name: string; data: unknown[] }> };
    expect(option.series.find((s) => s.name === 'bytes/day')?.data[5]).toBe('-');
  });

  it('keeps hostile titles as text (valid SVG)', () => {
    const svg = renderUsageChartSvg({ ...base, title: '<script>&"\'</script> <!channel>' });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(renderUsageChartPng({ ...base, title: '<!channel> & <b>' }).length).toBeGreaterThan(1000);
  });

  it('refuses to render without the font, saying how to install it', () => {
    expect(DEFAULT_FONT_PATH).toMatch(/DejaVuSans\.ttf$/);
    try {
      renderUsageChartPng({ ...base, title: 'x', fontPath: '/nonexistent/font.ttf' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toMatch(/fonts-dejavu-core/);
    }
  });
});
