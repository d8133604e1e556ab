/**
 * Robust statistics, the one implementation for all of src/: medians (of a list, or in place in a typed
 * buffer without allocating), the median absolute deviation as a standard deviation, and a sorted sliding
 * window. Pure. Medians are found by selection (Hoare quickselect), not by sorting; an even count gives the
 * mean of the two middle values. NaN is not a value here: callers leave gaps out.
 */

/** A median absolute deviation times this is the standard deviation of Gaussian data (1/Φ⁻¹(3/4)). */
export const MAD_SCALE = 1.4826;

/** k-th smallest of buf[lo..hi] (inclusive), rearranging that part in place (Hoare quickselect). */
export function selectKth(buf: Float64Array, lo: number, hi: number, k: number): number {
  while (hi > lo) {
    const pivot = buf[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (buf[i]! < pivot) i++;
      while (buf[j]! > pivot) j--;
      if (i <= j) {
        const x = buf[i]!;
        buf[i] = buf[j]!;
        buf[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return buf[k]!;
  }
  return buf[k]!;
}

/** Median of buf[from..from+n), rearranging that part in place (no allocation). n ≥ 1. */
export function medianInPlace(buf: Float64Array, n: number, from = 0): number {
  const h = from + (n >> 1);
  if (n <= 12) {
    // Insertion sort: fewer steps than a selection for a handful of values.
    for (let i = from + 1; i < from + n; i++) {
      const v = buf[i]!;
      let j = i - 1;
      while (j >= from && buf[j]! > v) {
        buf[j + 1] = buf[j]!;
        j--;
      }
      buf[j + 1] = v;
    }
    return n & 1 ? buf[h]! : (buf[h - 1]! + buf[h]!) / 2;
  }
  const upper = selectKth(buf, from, from + n - 1, h);
  if (n & 1) return upper;
  // Lower middle: the largest of the part left of h.
  let lower = buf[from]!;
  for (let i = from + 1; i < h; i++) if (buf[i]! > lower) lower = buf[i]!;
  return (lower + upper) / 2;
}

/** Median of a list (left as it is); NaN when it is empty. */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  return medianInPlace(Float64Array.from(values), values.length);
}

/** Robust standard deviation: MAD_SCALE × the median absolute deviation from `center` (default: the median). */
export function robustSpread(values: ArrayLike<number>, center = median(values)): number {
  const dev = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i]! - center);
  return values.length === 0 ? Number.NaN : medianInPlace(dev, dev.length) * MAD_SCALE;
}

/** Inserts v into the sorted buf[0, k); returns k + 1 (a sliding window's median stays one read away). */
export function sortedInsert(buf: Float64Array, k: number, v: number): number {
  let j = k - 1;
  while (j >= 0 && buf[j]! > v) {
    buf[j + 1] = buf[j]!;
    j--;
  }
  buf[j + 1] = v;
  return k + 1;
}

/** Removes one entry equal to v from the sorted buf[0, k); returns k − 1. */
export function sortedRemove(buf: Float64Array, k: number, v: number): number {
  let j = 0;
  while (j < k - 1 && buf[j] !== v) j++;
  for (; j < k - 1; j++) buf[j] = buf[j + 1]!;
  return k - 1;
}

/** Median of the sorted buf[0, k), k ≥ 1. */
export function sortedMedian(buf: Float64Array, k: number): number {
  const h = k >> 1;
  return k & 1 ? buf[h]! : (buf[h - 1]! + buf[h]!) / 2;
}

/** The two smallest and two largest values added (min1 ≤ min2, max1 ≥ max2): the second ones ignore one outlier each way. */
export class Extremes {
  min1 = Number.POSITIVE_INFINITY;
  min2 = Number.POSITIVE_INFINITY;
  max1 = Number.NEGATIVE_INFINITY;
  max2 = Number.NEGATIVE_INFINITY;

  reset(): void {
    this.min1 = this.min2 = Number.POSITIVE_INFINITY;
    this.max1 = this.max2 = Number.NEGATIVE_INFINITY;
  }

  add(v: number): void {
    if (v < this.min2) {
      if (v < this.min1) {
        this.min2 = this.min1;
        this.min1 = v;
      } else this.min2 = v;
    }
    if (v > this.max2) {
      if (v > this.max1) {
        this.max2 = this.max1;
        this.max1 = v;
      } else this.max2 = v;
    }
  }
}
