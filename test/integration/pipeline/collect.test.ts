import { describe, expect, it } from 'vitest';
import { runCollect } from '../../../src/collect.js';
import { type Day, daysInRange } from '../../../src/days.js';
import { createSilentLogger } from '../../../src/logger.js';
import type { Rapid7Client } from '../../../src/rapid7/client.js';
import type { Rapid7Simulator, SimBehaviour, SimulatorData } from '../../../src/rapid7/simulator.js';
import { type Db, openDb } from '../../../src/store/db.js';
import { recentRuns } from '../../../src/store/runs.js';
import { displayName, getLog, listLogs, readUsageMatrix } from '../../../src/store/usage.js';
import { dumpHistory, observedDayList, storedUsage } from '../../support/db.js';
import { rejection } from '../../support/errors.js';
import { buildData, createTestClient, logId, startSimulator } from '../../support/rapid7.js';
import { tempDbPath } from '../../support/tmp.js';

const NOW = new Date('2026-03-15T08:00:00Z');
const WEEK = daysInRange('2026-03-08', '2026-03-14');
const MONTH = daysInRange('2026-02-13', '2026-03-14');

interface Setup {
  db: Db;
  sim: Rapid7Simulator;
  client: Rapid7Client;
  collect(opts?: Parameters<typeof runCollect>[1]): ReturnType<typeof runCollect>;
}

/**
 * The client's timeout: long enough that a loaded machine never turns a normal answer into a timeout and a retry
 * (request counts are asserted); the one test of a slow answer sets its own short one.
 */
const TIMEOUT_MS = 15_000;

async function setup(data: SimulatorData, simOpts: Parameters<typeof startSimulator>[0] = {}, timeoutMs = TIMEOUT_MS): Promise<Setup> {
  const sim = await startSimulator({ data, ...simOpts });
  const client = createTestClient(sim, { timeoutMs });
  const db = openDb(tempDbPath());
  return {
    db,
    sim,
    client,
    collect: (opts) => runCollect({ db, client, logger: createSilentLogger(), now: () => NOW }, opts),
  };
}

/** What the simulator holds for `days`, in the shape of `storedUsage` (zeros are absent rows). */
function expectedUsage(data: SimulatorData, days: Day[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const day of days) for (const [id, bytes] of data.usage.get(day) ?? []) if (bytes > 0) out[`${day} ${id}`] = bytes;
  return out;
}

/** A database that already holds one normal week, so the next run is not a first run. */
async function afterOneRun(
  data: SimulatorData,
  simOpts: Parameters<typeof startSimulator>[0] = {},
  timeoutMs = TIMEOUT_MS,
): Promise<Setup> {
  const s = await setup(data, simOpts, timeoutMs);
  await s.collect({ from: '2026-03-08', to: '2026-03-14' });
  s.sim.requests.length = 0;
  return s;
}

describe('collect: first run on an empty database', () => {
  it('fetches 30 days per log and 13 months of organisation totals in 3 requests', async () => {
    const data = buildData({ logs: 4, days: daysInRange('2025-01-01', '2026-03-14') });
    const s = await setup(data);
    const r = await s.collect();
    expect(r.firstRun).toBe(true);
    expect(r.requests).toBe(3);
    expect(s.sim.requests.map((q) => [q.path, q.query]).sort()).toEqual([
      ['/management/logs', {}],
      ['/usage/organizations', { from: '2025-02-01', to: '2026-03-14' }],
      ['/usage/organizations/logs', { from: '2026-02-13', to: '2026-03-14', interval: 'day' }],
    ]);
    expect(r.window).toEqual({ from: '2026-02-13', to: '2026-03-14' });
    expect(observedDayList(s.db)).toEqual(MONTH);
    expect(storedUsage(s.db)).toEqual(expectedUsage(data, MONTH));
    // 13 whole months before March 2026 and March so far: February 2025 is complete.
    const orgDays = daysInRange('2025-02-01', '2026-03-14').length;
    expect(r.orgDays).toBe(orgDays);
    expect(s.db.prepare('SELECT count(*) n, min(day) a, max(day) b FROM org_usage').get()).toEqual({
      n: orgDays,
      a: '2025-02-01',
      b: '2026-03-14',
    });
    expect(r.warnings).toEqual([]);
  });

  it.each([400, 404] as const)('falls back to 7 days when the 30-day window gets a %i', async (windowStatus) => {
    const data = buildData({ logs: 3, days: MONTH });
    const s = await setup(data, { maxWindowDays: 7, windowStatus });
    const r = await s.collect();
    expect(r.firstRun).toBe(true);
    expect(r.window).toEqual({ from: '2026-03-08', to: '2026-03-14' });
    expect(r.requests).toBe(4);
    expect(s.sim.requests.filter((q) => q.path === '/usage/organizations/logs').map((q) => q.query.from)).toEqual([
      '2026-02-13',
      '2026-03-08',
    ]);
    expect(observedDayList(s.db)).toEqual(WEEK);
    expect(storedUsage(s.db)).toEqual(expectedUsage(data, WEEK));
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/refused a 30-day window.*fetched 7 days instead/);
    expect(recentRuns(s.db, 1)[0]).toMatchObject({ status: 'ok', windowFrom: '2026-03-08', windowTo: '2026-03-14' });
  });

  it('does not fall back on a 401: the key is wrong whatever the window', async () => {
    const s = await setup(buildData({ logs: 2, days: MONTH }), { apiKey: 'another-key-000000' });
    const err = await rejection(s.collect());
    expect(err.code).toBe('RAPID7_UNAUTHORIZED');
    // One request to each endpoint, none repeated: no retry and no 7-day fallback.
    expect(s.sim.requests.map((q) => q.path).sort()).toEqual(['/management/logs', '/usage/organizations', '/usage/organizations/logs']);
  });
});

describe('collect: a normal run', () => {
  it('stores exactly what Rapid7 answered, in whatever order, with at most 3 requests', async () => {
    for (const seed of [1, 2, 3]) {
      const data = buildData({ logs: 6, days: MONTH });
      const s = await afterOneRun(data, { seed });
      const r = await s.collect();
      expect(r.firstRun).toBe(false);
      expect(r.window).toEqual({ from: '2026-03-08', to: '2026-03-14' });
      expect(r.requests).toBeLessThanOrEqual(3);
      expect(s.sim.requests).toHaveLength(3);
      expect(s.sim.requests.map((q) => q.path).sort()).toEqual(['/management/logs', '/usage/organizations', '/usage/organizations/logs']);
      expect(s.sim.requests.find((q) => q.path === '/usage/organizations')?.query).toEqual({ from: '2026-03-08', to: '2026-03-14' });
      expect(storedUsage(s.db)).toEqual(expectedUsage(data, WEEK));
      expect(r).toMatchObject({ usageRows: 42, logs: 6, managedLogs: 6, orgDays: 7, observedDays: WEEK });
      s.db.close();
    }
  });

  it('rides out a 429 with Retry-After, 503 twice and a timeout, and stores exactly the final answers', async () => {
    const data = buildData({ logs: 5, days: WEEK });
    // The names answer comes after 2 s: past this client's 400 ms timeout, so it is asked again.
    const s = await afterOneRun(data, {}, 400);
    for (const day of WEEK) s.sim.setUsage(day, logId(4), 4_444);
    s.sim.inject(
      { path: '/usage/organizations/logs', status: 429, headers: { 'Retry-After': '0' } },
      { path: '/usage/organizations/logs', status: 503 },
      { path: '/usage/organizations/logs', status: 503 },
      { path: '/management/logs', delayMs: 2_000 },
      { path: '/usage/organizations', destroy: true },
    );
    const r = await s.collect();
    expect(storedUsage(s.db)).toEqual(expectedUsage(data, WEEK));
    expect(r.warnings).toEqual([]);
    expect(r.requests).toBe(3 + 3 + 1 + 1);
    expect(s.sim.pendingBehaviours()).toBe(0);
  });

  it('takes usage given as numeric strings', async () => {
    const data = buildData({ logs: 5, days: WEEK });
    const a = await afterOneRun(data, { usageAs: 'string' });
    const b = await afterOneRun(data, { usageAs: 'mixed', seed: 9 });
    expect(storedUsage(a.db)).toEqual(expectedUsage(data, WEEK));
    expect(dumpHistory(b.db)).toEqual(dumpHistory(a.db));
  });

  it('records absent logs as zeros on observed days only; unobserved days stay gaps', async () => {
    // log 1 sends nothing on 03-10; log 2 sends nothing at all this week; nobody sends anything on 03-12.
    const data = buildData({
      logs: 3,
      days: WEEK,
      bytes: (i, day) => (day === '2026-03-12' || i === 2 || (i === 1 && day === '2026-03-10') ? undefined : 100 + i),
    });
    const s = await setup(data);
    // log 2 is known from an earlier import: it had bytes before this window.
    s.db.prepare("INSERT INTO logs (id, name, updated_at) VALUES (?, 'old', 'x')").run(logId(2));
    s.db.prepare("INSERT INTO usage VALUES (?, '2026-03-01', 777)").run(logId(2));
    s.db.prepare("INSERT INTO observed_days VALUES ('2026-03-01', 'import', 'x')").run();
    await s.collect();
    const m = readUsageMatrix(s.db, '2026-02-28', '2026-03-14');
    const at = (id: string, day: Day) => m.values.get(id)![m.days.indexOf(day)];
    expect(at(logId(1), '2026-03-10')).toBe(0);
    expect(at(logId(1), '2026-03-11')).toBe(101);
    expect(at(logId(0), '2026-03-12')).toBe(0);
    for (const day of WEEK) expect(at(logId(2), day)).toBe(0);
    expect(at(logId(2), '2026-03-01')).toBe(777);
    // Never observed: a gap (NaN), never a zero.
    for (const day of ['2026-02-28', '2026-03-02', '2026-03-07']) {
      for (const i of [0, 1, 2]) expect(Number.isNaN(at(logId(i), day)), `${i} ${day}`).toBe(true);
    }
    expect(observedDayList(s.db)).toEqual(['2026-03-01', ...WEEK]);
  });

  it('overwrites stored values with late data, and a value that disappeared becomes 0', async () => {
    const data = buildData({ logs: 3, days: WEEK });
    const s = await afterOneRun(data);
    s.sim.setUsage('2026-03-13', logId(0), 5_000_000);
    s.sim.setUsage('2026-03-13', logId(1), undefined);
    s.sim.setUsage('2026-03-14', logId(2), 0);
    await s.collect();
    const stored = storedUsage(s.db);
    expect(stored[`2026-03-13 ${logId(0)}`]).toBe(5_000_000);
    expect(stored[`2026-03-13 ${logId(1)}`]).toBeUndefined();
    expect(stored[`2026-03-14 ${logId(2)}`]).toBeUndefined();
    expect(stored).toEqual(expectedUsage(data, WEEK));
    const m = readUsageMatrix(s.db, '2026-03-13', '2026-03-14');
    expect(m.values.get(logId(1))![0]).toBe(0);
  });

  it('heals missed runs: a later window overwrites only its own days', async () => {
    const data = buildData({ logs: 2, days: daysInRange('2026-03-01', '2026-03-14') });
    const s = await setup(data);
    await s.collect({ from: '2026-03-01', to: '2026-03-07' });
    const firstWeek = storedUsage(s.db);
    await s.collect();
    expect(storedUsage(s.db)).toEqual({ ...firstWeek, ...expectedUsage(data, WEEK) });
    expect(observedDayList(s.db)).toEqual(daysInRange('2026-03-01', '2026-03-14'));
  });

  it('is idempotent: running again with the same answers changes nothing', async () => {
    const data = buildData({ logs: 4, days: WEEK, bytes: (i, d) => (i === 3 && d < '2026-03-11' ? undefined : 10 * i + 1) });
    const s = await afterOneRun(data);
    const before = dumpHistory(s.db);
    await s.collect();
    await s.collect();
    expect(dumpHistory(s.db)).toEqual(before);
  });

  it('refreshes names and log sets; keeps deleted and unknown logs with their id', async () => {
    const data = buildData({ logs: 3, days: WEEK });
    data.usage.get('2026-03-14')!.set('never-listed', 42);
    const s = await afterOneRun(data);
    expect(getLog(s.db, logId(0))).toMatchObject({ name: 'log-0', logsets: [{ id: 'set-web', name: 'Web' }], inManagement: true });
    data.logs[0]!.name = 'nginx-renamed';
    data.logs[0]!.logsets = [
      { id: 'set-edge', name: 'Edge' },
      { id: 'set-web', name: 'Web' },
    ];
    data.logs[1]!.listed = false;
    await s.collect();
    expect(getLog(s.db, logId(0))).toMatchObject({
      name: 'nginx-renamed',
      logsets: [
        { id: 'set-edge', name: 'Edge' },
        { id: 'set-web', name: 'Web' },
      ],
    });
    const deleted = getLog(s.db, logId(1))!;
    expect(deleted).toMatchObject({ name: 'log-1', inManagement: false, lastSeen: '2026-03-14' });
    expect(displayName(deleted)).toBe('log-1 (deleted)');
    const unknown = getLog(s.db, 'never-listed')!;
    expect(unknown).toMatchObject({ name: null, inManagement: false, firstSeen: '2026-03-14', lastSeen: '2026-03-14' });
    expect(displayName(unknown)).toBe('unknown log never-listed');
    expect(listLogs(s.db)).toHaveLength(4);
  });

  it('observes only the days the answer says it covers', async () => {
    const data = buildData({ logs: 2, days: WEEK });
    const s = await afterOneRun(data);
    s.db.prepare('DELETE FROM observed_days').run();
    s.db.prepare('DELETE FROM usage').run();
    s.sim.inject({
      path: '/usage/organizations/logs',
      body: (normal) => {
        const n = normal as { per_day_usage: { period: { from: string }; usage: Array<{ interval: string }> } };
        n.per_day_usage.period.from = '2026-03-12';
        n.per_day_usage.usage = n.per_day_usage.usage.filter((d) => d.interval >= '2026-03-12');
        return n;
      },
    });
    const r = await s.collect();
    expect(r.observedDays).toEqual(['2026-03-12', '2026-03-13', '2026-03-14']);
    expect(observedDayList(s.db)).toEqual(['2026-03-12', '2026-03-13', '2026-03-14']);
  });

  it('keeps the usage when only the log names or the organisation totals fail, and says so', async () => {
    const data = buildData({ logs: 2, days: WEEK });
    const s = await afterOneRun(data);
    data.logs[0]!.name = 'renamed';
    s.sim.setUsage('2026-03-14', logId(0), 1);
    const fail: SimBehaviour = { status: 500 };
    s.sim.inject(...[1, 2, 3, 4].map(() => ({ ...fail, path: '/management/logs' })));
    s.sim.inject({ path: '/usage/organizations', body: 'not json' });
    s.sim.inject({ path: '/usage/organizations', body: '{"daily_usage": "nope"}' });
    const r = await s.collect();
    expect(storedUsage(s.db)[`2026-03-14 ${logId(0)}`]).toBe(1);
    expect(getLog(s.db, logId(0))?.name).toBe('log-0');
    expect(r.managedLogs).toBeNull();
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toMatch(/Log names were not refreshed: RAPID7_SERVER/);
    expect(r.warnings[1]).toMatch(/Organisation totals were not refreshed: RAPID7_MALFORMED/);
  });

  it('uses the explicit window', async () => {
    const data = buildData({ logs: 2, days: daysInRange('2026-03-01', '2026-03-14') });
    const s = await setup(data);
    const r = await s.collect({ from: '2026-03-02', to: '2026-03-04' });
    expect(r.firstRun).toBe(false);
    expect(r.window).toEqual({ from: '2026-03-02', to: '2026-03-04' });
    expect(observedDayList(s.db)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
    expect((await s.collect({ to: '2026-03-10' })).window).toEqual({ from: '2026-03-04', to: '2026-03-10' });
    // Only --to on an empty database: still a first run, with its 30-day window ending there.
    const empty = await setup(data);
    expect(await empty.collect({ to: '2026-03-10' })).toMatchObject({ firstRun: true, window: { from: '2026-02-09', to: '2026-03-10' } });
  });

  it.each([
    [{ to: '2026-03-15' }, /today or later/],
    [{ from: '2026-03-10', to: '2026-03-09' }, /is after --to/],
  ])('refuses the window %o before any request', async (opts, message) => {
    const s = await setup(buildData({ logs: 1, days: WEEK }));
    const err = await rejection(s.collect(opts));
    expect(err.code).toBe('USAGE');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
    expect(s.sim.requests).toHaveLength(0);
  });
});

describe('collect: failures leave the history as it was', () => {
  async function unchangedAfter(behaviours: SimBehaviour[], code: string) {
    const data = buildData({ logs: 3, days: WEEK });
    const s = await afterOneRun(data);
    const before = dumpHistory(s.db);
    for (const day of WEEK) s.sim.setUsage(day, logId(0), 999_999);
    s.sim.inject(...behaviours);
    const err = await rejection(s.collect());
    expect(err.code).toBe(code);
    expect(dumpHistory(s.db)).toEqual(before);
    expect(recentRuns(s.db, 1)[0]).toMatchObject({ job: 'collect', status: 'failed', errorCode: code });
    return { err, s };
  }

  it('401: no retry, a message naming the key, nothing stored', async () => {
    const { err, s } = await unchangedAfter([{ path: '/usage/organizations/logs', status: 401 }], 'RAPID7_UNAUTHORIZED');
    expect(err.message).toMatch(/RAPID7_API_KEY/);
    expect(s.sim.requests.filter((q) => q.path === '/usage/organizations/logs')).toHaveLength(1);
  });

  it('401 on the names after the usage came: nothing stored', async () => {
    await unchangedAfter([{ path: '/management/logs', status: 401 }], 'RAPID7_UNAUTHORIZED');
  });

  it('403 on the organisation totals: nothing stored', async () => {
    await unchangedAfter([{ path: '/usage/organizations', status: 403 }], 'RAPID7_FORBIDDEN');
  });

  it.each([
    ['malformed JSON', '{"per_day_usage": '],
    ['the wrong shape', '{"per_day_usage": {"usage": {"2026-03-14": 5}}}'],
    [
      'negative usage',
      '{"per_day_usage":{"usage":[{"interval":"2026-03-14","log_usage":[{"usage":5,"id":"a"},{"usage":-1,"id":"b"}]}],"usage_units":"bytes"}}',
    ],
  ])('%s: rejected whole', async (_name, body) => {
    await unchangedAfter([{ path: '/usage/organizations/logs', body }], 'RAPID7_MALFORMED');
  });

  it('a failure in the middle of the write leaves the database unchanged', async () => {
    const data = buildData({ logs: 3, days: WEEK });
    const s = await afterOneRun(data);
    const before = dumpHistory(s.db);
    for (const day of WEEK) s.sim.setUsage(day, logId(0), 999_999);
    data.logs[1]!.listed = false;
    let sawNewValues = false;
    const err = await rejection(
      s.collect({
        beforeCommit: () => {
          // Inside the transaction the new state is written …
          sawNewValues = storedUsage(s.db)[`2026-03-14 ${logId(0)}`] === 999_999;
          throw new Error('disk full (injected)');
        },
      }),
    );
    expect(sawNewValues).toBe(true);
    expect(err.code).toBe('DB_WRITE');
    expect(err.message).toMatch(/disk full \(injected\).*Nothing was stored/);
    // … and none of it survives.
    expect(dumpHistory(s.db)).toEqual(before);
    expect(recentRuns(s.db, 1)[0]).toMatchObject({ status: 'failed', errorCode: 'DB_WRITE' });
  });
});
