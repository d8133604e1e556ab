/**
 * A synthetic fleet for the benches (vitest-free): `logs` logs in `sets` log sets over the `days` days that end
 * on `last`, each with its own steady volume (a 5 % daily wobble), and every `spikeEvery`-th log four times its
 * volume on `last`.
 */
import { addDays, type Day } from '../../src/days.js';
import type { SimulatorData } from '../../src/rapid7/simulator.js';

export function spikyFleet(o: { logs: number; sets: number; days: number; last: Day; spikeEvery: number }): SimulatorData {
  const d: SimulatorData = { logs: [], usage: new Map() };
  for (let i = 0; i < o.logs; i++) {
    d.logs.push({ id: `log-${i}`, name: `log-${i}`, logsets: [{ id: `s${i % o.sets}`, name: `set-${i % o.sets}` }] });
  }
  for (let k = 0; k < o.days; k++) {
    const m = new Map<string, number>();
    for (let i = 0; i < o.logs; i++) {
      const spike = k === o.days - 1 && i % o.spikeEvery === 0 ? 4 : 1;
      m.set(`log-${i}`, Math.round((1 + (i % 50)) * 1e8 * (1 + 0.05 * Math.sin(k + i)) * spike));
    }
    d.usage.set(addDays(o.last, k - o.days + 1), m);
  }
  return d;
}
