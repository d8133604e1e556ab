/**
 * How reliably a log reports, from its observed days of a range: its usual reporting weekdays, their zero
 * rate, and whether it is "reliable" (silences begin on at most reliableHazard of its usual reporting days).
 * Used by the silence rule (log-silence.ts) and by the change rule's check of bursty logs. Pure; one
 * instance per detector, refilled by each `measure`.
 */
import { weekday } from './log-types.js';
import type { DetectParams } from './params.js';

/** Observations of a weekday needed before it can count as a quiet (non-reporting) weekday. */
const QUIET_WEEKDAY_MIN = 4;
/** A weekday is not a usual reporting day when the log reports on at most this share of them (smoothed). */
const QUIET_WEEKDAY_SHARE = 0.2;
/** Largest share of its usual reporting days on which a reliable log may begin a silence. */
const RELIABLE_CAP = 0.15;

export class Activity {
  /** Usual reporting weekdays (0 = the log (almost) never reports on that weekday). */
  readonly active = new Uint8Array(7);
  /** Zero rate per weekday: that of the usual reporting days for them, 1 for the others. */
  readonly zeroRate = new Float64Array(7);
  /** Silences begin on at most `reliableHazard` of the usual reporting days. */
  reliable = false;
  /** At least one non-zero observed day in the range. */
  any = false;
  private readonly nW = new Int32Array(7);
  private readonly kW = new Int32Array(7);

  constructor(private readonly p: DetectParams) {}

  /** The statistics of the observed days of [from, to) of `values` (index 0 on weekday dow0). */
  measure(values: Float64Array, dow0: number, from: number, to: number): this {
    this.nW.fill(0);
    this.kW.fill(0);
    let N = 0;
    let K = 0;
    for (let i = from, w = weekday(dow0, from); i < to; i++, w = w === 6 ? 0 : w + 1) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      this.nW[w]!++;
      N++;
      if (v > 0) {
        this.kW[w]!++;
        K++;
      }
    }
    this.any = K > 0;
    // Quiet weekdays need clear evidence: a weekly job's other six days, a weekday log's weekend. Random
    // zeros of an intermittent log clustering on one weekday must not make that weekday "quiet".
    for (let w = 0; w < 7; w++)
      this.active[w] = this.nW[w]! < QUIET_WEEKDAY_MIN || (this.kW[w]! + 0.5) / (this.nW[w]! + 1) > QUIET_WEEKDAY_SHARE ? 1 : 0;
    // Silences (zero runs) among the usual reporting days, and how many such days there were.
    let episodes = 0;
    let opportunities = 0;
    let zeros = 0;
    let prevZero = false;
    for (let i = from, w = weekday(dow0, from); i < to; i++, w = w === 6 ? 0 : w + 1) {
      const v = values[i]!;
      if (Number.isNaN(v) || !this.active[w]) continue;
      opportunities++;
      const zero = v === 0;
      if (zero) zeros++;
      if (zero && !prevZero) episodes++;
      prevZero = zero;
    }
    // Alerts cost per calendar day: a weekly job may miss a larger share of its (seven times rarer)
    // reporting days for the same expected number of needless alerts, up to RELIABLE_CAP.
    const allowed = opportunities > 0 ? Math.min(RELIABLE_CAP, (this.p.reliableHazard * N) / opportunities) : 0;
    this.reliable = (episodes + 0.5) / (opportunities + 1) <= allowed;
    // Zero rate of the usual reporting days as a whole (per-weekday rates from 13 samples are mostly
    // noise), taken at its upper 90 % bound: a rate from two weeks of history must not make a short
    // gap look improbable.
    const qHat = (zeros + 0.5) / (opportunities + 1);
    const q0 = Math.min(0.99, qHat + 1.2816 * Math.sqrt((qHat * (1 - qHat)) / (opportunities + 1)));
    for (let w = 0; w < 7; w++) this.zeroRate[w] = this.active[w] ? q0 : 1;
    return this;
  }
}
