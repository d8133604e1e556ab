/**
 * Property tests of the Rapid7 answer validator (src/rapid7/parse.ts): valid answers are generated,
 * then broken in one of many ways (bad usage values, missing or mistyped fields, impossible or
 * out-of-window days, other units, conflicting duplicates, reversed periods, truncated or non-JSON text).
 * Every broken answer is rejected whole with RAPID7_MALFORMED — and, sent over HTTP by the simulator
 * to a real `collect`, nothing of it reaches the database.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollect } from '../../src/collect.js';
import { type Day, daysInRange } from '../../src/days.js';
import { AppError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logger.js';
import { parseLogUsage, parseManagementLogs, parseOrgUsage } from '../../src/rapid7/parse.js';
import { createRapid7Simulator, type Rapid7Simulator } from '../../src/rapid7/simulator.js';
import { type Db, openDb } from '../../src/store/db.js';
import { recentRuns } from '../../src/store/runs.js';
import { dumpAll, dumpData } from '../support/hostile.js';
import { API_KEY, buildData, createTestClient, logId } from '../support/rapid7.js';

const FROM: Day = '2026-03-08';
const TO: Day = '2026-03-14';
const WINDOW = { from: FROM, to: TO };
const DAYS = daysInRange(FROM, TO);
const IDS = [0, 1, 2, 3, 4, 5].map(logId);

type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };
// biome-ignore lint/suspicious/noExplicitAny: mutations walk generated JSON freely.
type Loose = any;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const at = (list: Loose, i: number): Loose => list[i % list.length];

// ---------------------------------------------------------------------------------------------
// Valid answers

const validLogUsage = fc
  .uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: DAYS.length })
  .chain((days) =>
    fc.tuple(
      ...days.map((d) =>
        fc
          .uniqueArray(fc.constantFrom(...IDS), { minLength: 1, maxLength: IDS.length })
          .chain((ids) =>
            fc
              .tuple(...ids.map(() => fc.oneof(fc.nat(), fc.nat().map(String))))
              .map((us) => ({ interval: d, log_usage: ids.map((id, k) => ({ usage: us[k] as Json, id })) })),
          ),
      ),
    ),
  )
  .map((usage) => ({ per_day_usage: { usage, period: { ...WINDOW }, usage_units: 'bytes', report_interval: 'day' } }));

const validOrgUsage = fc
  .uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: DAYS.length })
  .chain((days) => fc.tuple(...days.map((d) => fc.nat().map((u) => ({ usage: u as Json, day: d })))))
  .map((daily_usage) => ({ daily_usage, period_usage: 0, period: { ...WINDOW }, id: 'org', name: 'Org' }));

const validManagement = fc
  .uniqueArray(fc.constantFrom(...IDS), { minLength: 1, maxLength: IDS.length })
  .chain((ids) =>
    fc.tuple(...ids.map((id) => fc.string({ maxLength: 30 }).map((name) => ({ id, name, logsets_info: [{ id: 'set-a', name: 'A' }] })))),
  )
  .map((logs) => ({ logs }));

// ---------------------------------------------------------------------------------------------
// Ways to break them

/** Usage values that are not a whole, safe, non-negative number of bytes. */
const badBytes: fc.Arbitrary<Json> = fc.oneof(
  fc.integer({ max: -1 }),
  fc.double({ min: 0.001, max: 1e9, noNaN: true }).filter((d) => !Number.isInteger(d)),
  fc.constantFrom(2 ** 53, 2 ** 60, 1e300, -0.5),
  fc.constantFrom(null, true, false, '', ' ', '-1', '1e3', '0x10', '12 GB', 'NaN', '1.5', '١٢٣'),
  fc.string({ maxLength: 12 }).filter((s) => !/^\s*\d+(\.0+)?\s*$/.test(s)),
  fc.constant({ bytes: 5 }),
  fc.constant([5]),
);
const badDay: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom('2026-02-30', '2026-3-1', '', '2026-03-08T00:00:00Z', '08/03/2026', '2026-13-01'),
  fc.constantFrom(20260308, null, true),
  fc.string({ maxLength: 12 }),
);
const badId: fc.Arbitrary<Json> = fc.constantFrom('', 'x'.repeat(201), 5, null, true, ['a']);
const notObject: fc.Arbitrary<Json> = fc.constantFrom(null, 5, 'x', true, [] as Json[]);
const notArray: fc.Arbitrary<Json> = fc.constantFrom(null, 5, 'x', true, {} as Json);
const badUnits: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom('bits', 'KB', 'MB', 'kilobytes', '', 'byte'),
  fc.string({ maxLength: 10 }).filter((s) => s.toLowerCase() !== 'bytes'),
);

type Mutation = (o: Loose, i: number, j: number) => Json | string;

/**
 * One mutation per generated value: sets `field` of the object `where` picks (entry i, j of the answer's lists,
 * or the root) to that value; named `<label> <value as JSON>`.
 */
function setTo(
  label: string,
  values: fc.Arbitrary<Json>,
  where: (o: Loose, i: number, j: number) => Loose,
  field: string,
): fc.Arbitrary<{ name: string; apply: Mutation }> {
  return values.map((v) => ({
    name: `${label} ${JSON.stringify(v)}`,
    apply: (o: Loose, i: number, j: number) => {
      where(o, i, j)[field] = v;
      return o;
    },
  }));
}
const usageDay = (o: Loose, i: number): Loose => at(o.per_day_usage.usage, i);
const usageEntry = (o: Loose, i: number, j: number): Loose => at(usageDay(o, i).log_usage, j);
const root = (o: Loose): Loose => o;

/** Mutations of a per-log usage answer; each makes it invalid. Returns the JSON value, or raw text. */
const logUsageMutation: fc.Arbitrary<{ name: string; apply: Mutation }> = fc.oneof(
  setTo('usage', badBytes, usageEntry, 'usage'),
  fc.constantFrom('per_day_usage', 'usage', 'interval', 'log_usage', 'entry.id', 'entry.usage').map((k) => ({
    name: `missing ${k}`,
    apply: (o: Loose, i: number, j: number) => {
      const day = at(o.per_day_usage.usage, i);
      if (k === 'per_day_usage') delete o.per_day_usage;
      else if (k === 'usage') delete o.per_day_usage.usage;
      else if (k === 'interval') delete day.interval;
      else if (k === 'log_usage') delete day.log_usage;
      else delete at(day.log_usage, j)[k.slice(6)];
      return o;
    },
  })),
  fc.tuple(fc.constantFrom('root', 'per_day_usage', 'period'), notObject).map(([k, v]) => ({
    name: `${k} is ${JSON.stringify(v)}`,
    apply: (o: Loose) => {
      if (k === 'root') return v;
      if (k === 'per_day_usage') o.per_day_usage = v;
      else o.per_day_usage.period = v ?? 5;
      return o;
    },
  })),
  fc.tuple(fc.constantFrom('usage', 'log_usage'), notArray).map(([k, v]) => ({
    name: `${k} is ${JSON.stringify(v)}`,
    apply: (o: Loose, i: number) => {
      if (k === 'usage') o.per_day_usage.usage = v;
      else at(o.per_day_usage.usage, i).log_usage = v;
      return o;
    },
  })),
  fc.constantFrom<Json>(null, 5, 'x', true, []).map((v) => ({
    name: `entry is ${JSON.stringify(v)}`,
    apply: (o: Loose, i: number, j: number) => {
      const list = at(o.per_day_usage.usage, i).log_usage as Json[];
      list[j % list.length] = v;
      return o;
    },
  })),
  setTo('interval', badDay, usageDay, 'interval'),
  setTo('id', badId, usageEntry, 'id'),
  setTo('usage_units', badUnits, (o) => o.per_day_usage, 'usage_units'),
  fc.constantFrom('same day', 'repeated day').map((how) => ({
    name: `a log twice on one day with different usage (${how})`,
    apply: (o: Loose, i: number, j: number) => {
      const day = at(o.per_day_usage.usage, i);
      const e = at(day.log_usage, j);
      const twin = { id: e.id, usage: Number(e.usage) + 1 };
      if (how === 'same day') day.log_usage.push(twin);
      else o.per_day_usage.usage.push({ interval: day.interval, log_usage: [twin] });
      return o;
    },
  })),
  fc
    .constantFrom<[Json, Json]>([TO, FROM], ['2026-04-01', '2026-04-02'], ['2026-01-01', '2026-01-02'], ['x', TO], [FROM, null])
    .map(([from, to]) => ({
      name: `period ${from}…${to}`,
      apply: (o: Loose) => {
        o.per_day_usage.period = { from, to };
        return o;
      },
    })),
);

/** Breaks the text itself: cut short, not JSON, empty, an HTML error page, a number JSON cannot hold. */
const textMutation: fc.Arbitrary<{ name: string; text: true; apply: (text: string) => string }> = fc.oneof(
  fc
    .double({ min: 0, max: 0.999, noNaN: true })
    .map((f) => ({ name: `cut at ${f.toFixed(3)}`, text: true as const, apply: (t: string) => t.slice(0, Math.floor(t.length * f)) })),
  fc
    .constantFrom('', ' ', '\n', 'null', '<html><body>502 Bad Gateway</body></html>', 'OK', '\ufeff{}', '{"per_day_usage":', '[]')
    .map((s) => ({
      name: `body ${JSON.stringify(s)}`,
      text: true as const,
      apply: () => s,
    })),
  fc.constant({ name: 'usage 1e999', text: true as const, apply: (t: string) => t.replace(/"usage":("?)\d+\1/, '"usage":1e999') }),
  fc.constant({ name: 'trailing garbage', text: true as const, apply: (t: string) => `${t}}` }),
);

function expectMalformed(f: () => unknown, what: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  if (!(err instanceof AppError) || err.code !== 'RAPID7_MALFORMED') {
    throw new Error(`${what}: expected RAPID7_MALFORMED, got ${err instanceof Error ? `${err.name}: ${err.message}` : 'no error'}`);
  }
  expect(err.message).toMatch(/nothing of it was stored/);
}

/** Real dates outside WINDOW: a stray day is dropped with a warning; an answer of only such days is refused. */
const outsideDay = fc.constantFrom<Day>('2026-03-20', '2025-03-10', '2026-03-07', '2026-03-15');

describe('days outside the requested window', () => {
  it('a stray day is dropped with a warning and the other days are kept; all days outside rejects the answer whole', () => {
    fc.assert(
      fc.property(validLogUsage, outsideDay, fc.nat(), (u, day, i) => {
        const all = clone(u) as Loose;
        for (const d of all.per_day_usage.usage) d.interval = day;
        expectMalformed(() => parseLogUsage(JSON.stringify(all), WINDOW), 'all days outside');
        const one = clone(u) as Loose;
        fc.pre(one.per_day_usage.usage.length > 1);
        const moved = at(one.per_day_usage.usage, i);
        const kept = (one.per_day_usage.usage as Array<{ interval: string; log_usage: unknown[] }>)
          .filter((d) => d !== moved)
          .reduce((n, d) => n + d.log_usage.length, 0);
        moved.interval = day;
        const r = parseLogUsage(JSON.stringify(one), WINDOW);
        expect(r.rows.every((row) => row.day !== day)).toBe(true);
        expect(r.rows).toHaveLength(kept);
        expect(r.warnings).toEqual([expect.stringContaining(`dropped 1 day(s) outside the requested window`)]);
        // Its dates may be shifted: only the days it listed inside the window count as observed (no zeros made up).
        const listed = (one.per_day_usage.usage as Array<{ interval: string }>).map((d) => d.interval).filter((d) => d !== day);
        expect(r.observedDays).toEqual([...new Set(listed)].sort());
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });
});

describe('the Rapid7 answer validator on generated malformed answers', () => {
  it('accepts the generated valid answers (the properties below are not vacuous)', () => {
    fc.assert(
      fc.property(validLogUsage, validOrgUsage, validManagement, (u, o, m) => {
        expect(parseLogUsage(JSON.stringify(u), WINDOW).rows.length).toBeGreaterThan(0);
        expect(parseOrgUsage(JSON.stringify(o), WINDOW).length).toBeGreaterThan(0);
        expect(parseManagementLogs(JSON.stringify(m)).logs.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('per-log usage: every broken answer is rejected whole (3,000 answers)', () => {
    fc.assert(
      fc.property(validLogUsage, logUsageMutation, fc.nat(), fc.nat(), (valid, m, i, j) => {
        const broken = m.apply(clone(valid), i, j);
        expectMalformed(() => parseLogUsage(JSON.stringify(broken), WINDOW), m.name);
      }),
      { numRuns: 3_000 },
    );
  });

  it('per-log usage: every broken text is rejected whole (3,000 answers)', () => {
    fc.assert(
      fc.property(validLogUsage, textMutation, (valid, m) => {
        expectMalformed(() => parseLogUsage(m.apply(JSON.stringify(valid)), WINDOW), m.name);
      }),
      { numRuns: 3_000 },
    );
  });

  it('organisation totals: bad usage, bad or out-of-window days, conflicting duplicates, wrong shapes (3,000 answers)', () => {
    const orgMutation: fc.Arbitrary<{ name: string; apply: Mutation }> = fc.oneof(
      setTo('usage', badBytes, (o, i) => at(o.daily_usage, i), 'usage'),
      setTo('day', badDay, (o, i) => at(o.daily_usage, i), 'day'),
      fc.constant({
        name: 'a day twice with different usage',
        apply: (o: Loose, i: number) => {
          const e = at(o.daily_usage, i);
          o.daily_usage.push({ day: e.day, usage: Number(e.usage) + 1 });
          return o;
        },
      }),
      setTo('daily_usage', notArray, root, 'daily_usage'),
      notObject.map((v) => ({ name: `root ${JSON.stringify(v)}`, apply: () => v })),
      badBytes.map((b) => ({
        name: `period_usage ${JSON.stringify(b)}`,
        apply: (o: Loose) => {
          o.period_usage = b ?? -1;
          return o;
        },
      })),
    );
    fc.assert(
      fc.property(validOrgUsage, orgMutation, fc.nat(), (valid, m, i) => {
        expectMalformed(() => parseOrgUsage(JSON.stringify(m.apply(clone(valid), i, 0)), WINDOW), m.name);
      }),
      { numRuns: 3_000 },
    );
  });

  it('log names: missing or mistyped ids, names and log sets, wrong shapes (3,000 answers)', () => {
    const mgmtMutation: fc.Arbitrary<{ name: string; apply: Mutation }> = fc.oneof(
      setTo('id', badId, (o, i) => at(o.logs, i), 'id'),
      fc.constantFrom<Json>(5, true, {}, [], 'x'.repeat(10_001)).map((n) => ({
        name: `name ${JSON.stringify(n).slice(0, 20)}`,
        apply: (o: Loose, i: number) => {
          at(o.logs, i).name = n;
          return o;
        },
      })),
      setTo(
        'logsets_info',
        fc.constantFrom<Json>(5, 'x', {}, [5], [{ name: 'no id' }], [{ id: 5 }]),
        (o, i) => at(o.logs, i),
        'logsets_info',
      ),
      setTo('logs', fc.constantFrom<Json>(null, 5, 'x', {}, [5], [null]), root, 'logs'),
      notObject.map((v) => ({ name: `root ${JSON.stringify(v)}`, apply: () => v })),
    );
    fc.assert(
      fc.property(validManagement, mgmtMutation, fc.nat(), (valid, m, i) => {
        expectMalformed(() => parseManagementLogs(JSON.stringify(m.apply(clone(valid), i, 0))), m.name);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('broken answers over HTTP: collect rejects them and writes nothing', () => {
  const data = buildData({ logs: 6, days: DAYS });
  let sim: Rapid7Simulator;
  let db: Db;
  const now = () => new Date('2026-03-15T08:00:00Z');
  const collect = () => runCollect({ db, client: createTestClient(sim), logger: createSilentLogger(), now }, { from: FROM, to: TO });

  beforeAll(async () => {
    sim = createRapid7Simulator({ apiKey: API_KEY, data });
    await sim.start();
    db = openDb(':memory:');
    await collect();
    // From now on every answer differs from what is stored, so anything that slipped through would show.
    for (const d of DAYS) for (const id of IDS) sim.setUsage(d, id, 777_777);
    for (const l of data.logs) l.name = `renamed-${l.id}`;
    data.org = new Map(DAYS.map((d) => [d, 123]));
  });
  afterAll(async () => {
    await sim.close();
    db.close();
  });

  it('a broken per-log usage answer fails the run: every table is unchanged but for the failed run recorded (60 answers)', async () => {
    await fc.assert(
      fc.asyncProperty(validLogUsage, fc.oneof(logUsageMutation, textMutation), fc.nat(), fc.nat(), async (valid, m, i, j) => {
        const body = 'text' in m ? m.apply(JSON.stringify(valid)) : JSON.stringify(m.apply(clone(valid), i, j));
        const before = dumpData(db);
        const runsBefore = recentRuns(db, 1)[0]?.id ?? 0;
        sim.inject({ path: '/usage/organizations/logs', body });
        const err = await collect().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, m.name).toMatchObject({ code: 'RAPID7_MALFORMED' });
        expect(dumpData(db)).toEqual(before);
        const run = recentRuns(db, 1)[0];
        expect(run?.id).toBeGreaterThan(runsBefore);
        expect(run).toMatchObject({ job: 'collect', status: 'failed', errorCode: 'RAPID7_MALFORMED' });
      }),
      { numRuns: 60 },
    );
  });

  it('a broken names or totals answer is dropped whole: usage is stored, names and totals stay as they were', async () => {
    const fresh = openDb(':memory:');
    const freshSim = createRapid7Simulator({ apiKey: API_KEY, data: buildData({ logs: 6, days: DAYS }) });
    await freshSim.start();
    try {
      const run = () =>
        runCollect({ db: fresh, client: createTestClient(freshSim), logger: createSilentLogger(), now }, { from: FROM, to: TO });
      await run();
      for (const l of freshSim.data.logs) l.name = `renamed-${l.id}`;
      freshSim.data.org = new Map(DAYS.map((d) => [d, 123]));
      for (const d of DAYS) freshSim.setUsage(d, logId(0), 555);
      const before = dumpAll(fresh);
      freshSim.inject(
        { path: '/management/logs', body: JSON.stringify({ logs: [{ id: '', name: '<!channel>' }] }) },
        { path: '/usage/organizations', body: JSON.stringify({ daily_usage: [{ day: TO, usage: -5 }] }) },
      );
      const r = await run();
      expect(r.warnings.join('\n')).toMatch(/Log names were not refreshed: RAPID7_MALFORMED/);
      expect(r.warnings.join('\n')).toMatch(/Organisation totals were not refreshed: RAPID7_MALFORMED/);
      const after = dumpAll(fresh);
      expect(after.logs).toEqual(before.logs);
      expect(after.org_usage).toEqual(before.org_usage);
      expect(after.usage).not.toEqual(before.usage);
      expect(fresh.prepare('SELECT count(*) AS n FROM logs WHERE name LIKE ?').get('%channel%')).toEqual({ n: 0 });
    } finally {
      await freshSim.close();
      fresh.close();
    }
  });
});
