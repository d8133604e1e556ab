import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DURATION_EXAMPLE,
  formatBytes,
  formatDuration,
  MAX_DURATION_MS,
  type ParseResult,
  parseDuration,
  parseSize,
  SIZE_EXAMPLE,
} from '../../src/units.js';

const KiB = 1024;
const MiB = KiB ** 2;
const GiB = KiB ** 3;
const TiB = KiB ** 4;
const PiB = KiB ** 5;

type Parser = (s: string) => ParseResult<number>;

/** What `parse` makes of `s`; fails the test with the parser's error when it rejects `s`. */
const acceptedBy =
  (parse: Parser) =>
  (s: string): number => {
    const r = parse(s);
    if (!r.ok) throw new Error(`expected "${s}" to parse: ${r.error}`);
    return r.value;
  };

/** The error `parse` gives for `s`; fails the test with the value when it accepts `s`. */
const rejectedBy =
  (parse: Parser) =>
  (s: string): string => {
    const r = parse(s);
    if (r.ok) throw new Error(`expected "${s}" to be rejected, got ${r.value}`);
    return r.error;
  };

const size = acceptedBy(parseSize);
const sizeError = rejectedBy(parseSize);
const duration = acceptedBy(parseDuration);
const durationError = rejectedBy(parseDuration);

describe('parseSize', () => {
  it.each([
    ['SI', '500MB', 500e6],
    ['SI', '1.5 TB', 1.5e12],
    ['SI', '1 kB', 1e3],
    ['SI', '2 PB', 2e15],
    ['SI', '10 B', 10],
    ['SI', '0 B', 0],
    ['SI', '.5 GB', 5e8],
    ['SI', '30TB', 30e12],
    ['SI', '0.001 KB', 1],
    ['SI', '1.0000001 KB', 1000],
    ['IEC', '750 GiB', 750 * GiB],
    ['IEC', '1 KiB', KiB],
    ['IEC', '1.5 MiB', 1.5 * MiB],
    ['IEC', '2TiB', 2 * TiB],
    ['IEC', '1 PiB', PiB],
    ['IEC', '0.5 KiB', 512],
    ['any case', '500mb', 500e6],
    ['any case', '500Mb', 500e6],
    ['any case', '500mB', 500e6],
    ['any case', '750 gib', 750 * GiB],
    ['any case', '750 GIB', 750 * GiB],
    ['any case', '1 tIb', TiB],
    ['any case', '7 b', 7],
    ['one-letter SI', '500M', 500e6],
    ['one-letter SI', '2T', 2e12],
    ['one-letter SI', '1k', 1e3],
    ['one-letter SI', '3 g', 3e9],
    ['one-letter SI', '1 P', 1e15],
  ])('reads %s units: %s is %d bytes', (_units, input, bytes) => {
    expect(size(input)).toBe(bytes);
  });

  it('trims surrounding blanks and allows blanks before the unit', () => {
    expect(size('  1.5    TB  ')).toBe(1.5e12);
    expect(size('\t2GiB\n')).toBe(2 * GiB);
  });

  it.each(['500Mbit', '10 Gbits', '1 kbit', '8 bit', '8bits', '100 MBit', '1 Gibit'])('rejects bits: %s', (input) => {
    const e = sizeError(input);
    expect(e).toMatch(/bits are not accepted; use bytes/);
    expect(e).toContain(SIZE_EXAMPLE);
  });

  it.each(['100Mbps', '1 GBps', '10 kbps', '5 Gps'])('rejects a rate: %s', (input) => {
    expect(sizeError(input)).toMatch(/that is a rate/);
  });

  it.each(['500', '1.5', '0', '42 '])('rejects a number without a unit: "%s"', (input) => {
    expect(sizeError(input)).toMatch(/a unit is needed/);
  });

  it.each([
    'abc',
    'GB',
    '1,5 GB',
    '1e9 B',
    '5 GB extra',
    '5 XB',
    '5 ZiB',
    '1..5GB',
    '0x10 MB',
    'NaN GB',
    'Infinity B',
    '1.5.2 TB',
    '5 GB/day',
    'MB/s',
    '½ GB',
    '5 G B',
  ])('rejects junk "%s" with an example of a valid size', (input) => {
    const e = sizeError(input);
    expect(e).toContain(`"${input.trim()}" is not a size`);
    expect(e).toContain(`e.g. ${SIZE_EXAMPLE}`);
  });

  it('rejects negative sizes saying so', () => {
    expect(sizeError('-5 GB')).toMatch(/cannot be negative/);
  });

  it('rejects sizes beyond 2^53 bytes', () => {
    expect(sizeError('9999999 PB')).toMatch(/too large/);
    expect(size('7 PiB')).toBe(7 * PiB);
    expect(sizeError('8 PiB')).toMatch(/too large/);
  });

  it('says a size is missing when given nothing', () => {
    expect(sizeError('')).toMatch(/a size is missing/);
    expect(sizeError('   ')).toContain(SIZE_EXAMPLE);
  });

  it('shortens a very long input in the message', () => {
    const e = sizeError('x'.repeat(500));
    expect(e).toContain(`"${'x'.repeat(40)}…"`);
    expect(e.length).toBeLessThan(200);
  });

  it('reads back what formatBytes writes, within its 3 significant digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8e15 }), (n) => {
        const back = size(formatBytes(n));
        expect(Math.abs(back - n)).toBeLessThanOrEqual(Math.max(0.5, n * 0.005));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [999, '999 B'],
    [999.4, '999 B'],
    [999.6, '1 KB'],
    [1000, '1 KB'],
    [1500, '1.5 KB'],
    [10_050, '10.1 KB'],
    [999_499, '999 KB'],
    [999_500, '1 MB'],
    [999_950, '1 MB'],
    [1_000_000, '1 MB'],
    [12_345_678, '12.3 MB'],
    [123_456_789, '123 MB'],
    [1_500_000_000, '1.5 GB'],
    [1_230_000_000_000, '1.23 TB'],
    [2.5e15, '2.5 PB'],
    [1e18, '1000 PB'],
    [-1500, '-1.5 KB'],
    [-0.4, '0 B'],
  ])('writes %d bytes as "%s"', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('writes a dash for values that are not numbers', () => {
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('never writes more than 3 significant digits or a trailing zero after the point', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e17, noNaN: true }), (n) => {
        const text = formatBytes(n);
        const num = text.split(' ')[0]!;
        expect(num.replace('.', '').replace(/^0+/, '').length).toBeLessThanOrEqual(num.includes('.') ? 3 : 4);
        expect(num).not.toMatch(/\.\d*0$/);
        expect(num).not.toMatch(/\.$/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseDuration', () => {
  const H = 3_600_000;
  it.each([
    ['12h', 12 * H],
    ['3d', 72 * H],
    ['2w', 336 * H],
    ['30m', 1_800_000],
    ['90 min', 5_400_000],
    ['5 mins', 300_000],
    ['1 minute', 60_000],
    ['2 hours', 2 * H],
    ['1 hr', H],
    ['4hrs', 4 * H],
    ['1 day', 24 * H],
    ['2 days', 48 * H],
    ['1 week', 168 * H],
    ['3 wk', 504 * H],
    ['3W', 504 * H],
    ['12H', 12 * H],
    [' 1D ', 24 * H],
    ['52w', 52 * 168 * H],
    ['366d', MAX_DURATION_MS],
  ])('reads %s', (input, ms) => {
    expect(duration(input)).toBe(ms);
  });

  it.each(['', '12', 'h', '1.5h', '-1d', '2y', '3 months', '1000000h', 'abc', '1h30m', 'd3', '1 fortnight'])(
    'rejects "%s" with an example',
    (input) => {
      expect(durationError(input)).toContain(`e.g. ${DURATION_EXAMPLE}`);
    },
  );

  it('rejects zero and anything longer than a year', () => {
    expect(durationError('0h')).toMatch(/longer than zero/);
    expect(durationError('367d')).toMatch(/longer than a year/);
    expect(durationError('53w')).toMatch(/longer than a year/);
  });
});

describe('formatDuration', () => {
  it.each([
    [60_000, '1m'],
    [5_400_000, '90m'],
    [3_600_000, '1h'],
    [90_000_000, '25h'],
    [172_800_000, '2d'],
    [604_800_000, '1w'],
    [1_209_600_000, '2w'],
    [691_200_000, '8d'],
    [30_000, '1m'],
    [5_430_000, '2h'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips every whole-minute duration up to a year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_MS / 60_000 }), (minutes) => {
        const ms = minutes * 60_000;
        expect(duration(formatDuration(ms))).toBe(ms);
      }),
      { numRuns: 1000 },
    );
  });
});
