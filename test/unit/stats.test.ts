import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAD_SCALE, median, medianInPlace, robustSpread, selectKth, sortedInsert, sortedMedian, sortedRemove } from '../../src/stats.js';

/** The median by its definition: sort a copy, take the middle (mean of the two middles for an even count). */
function sortedMiddle(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

const values = fc.array(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { minLength: 1, maxLength: 60 });

describe('median', () => {
  it('is the middle of the sorted values (odd and even counts) and leaves its input as it is', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const xs = [9, 2, 7];
    median(xs);
    expect(xs).toEqual([9, 2, 7]);
    fc.assert(fc.property(values, (xs) => median(xs) === sortedMiddle(xs)));
  });

  it('of nothing is NaN', () => {
    expect(median([])).toBeNaN();
  });

  it('in place reads only its part of the buffer', () => {
    fc.assert(
      fc.property(values, fc.nat(5), fc.nat(5), (xs, before, after) => {
        const buf = new Float64Array([...Array(before).fill(-1e15), ...xs, ...Array(after).fill(1e15)]);
        return medianInPlace(buf, xs.length, before) === sortedMiddle(xs);
      }),
    );
  });

  it('selects the k-th smallest', () => {
    fc.assert(
      fc.property(values, fc.nat(), (xs, k0) => {
        const k = k0 % xs.length;
        return selectKth(Float64Array.from(xs), 0, xs.length - 1, k) === [...xs].sort((a, b) => a - b)[k];
      }),
    );
  });
});

describe('robustSpread', () => {
  it('is MAD_SCALE times the median absolute deviation from the median, or from the centre given', () => {
    expect(robustSpread([1, 2, 3, 4, 100])).toBeCloseTo(MAD_SCALE * 1, 12);
    expect(robustSpread([1, 2, 3], 0)).toBeCloseTo(MAD_SCALE * 2, 12);
    expect(robustSpread([])).toBeNaN();
  });
});

describe('sorted sliding window', () => {
  it('keeps its values sorted through inserts and removals, and reads their median', () => {
    fc.assert(
      fc.property(values, fc.nat(10), (xs, width0) => {
        const width = width0 + 1;
        const buf = new Float64Array(xs.length);
        let k = 0;
        for (let i = 0; i < xs.length; i++) {
          if (i >= width) k = sortedRemove(buf, k, xs[i - width]!);
          k = sortedInsert(buf, k, xs[i]!);
          const inWindow = xs.slice(Math.max(0, i - width + 1), i + 1);
          if (sortedMedian(buf, k) !== sortedMiddle(inWindow)) return false;
        }
        return true;
      }),
    );
  });
});
