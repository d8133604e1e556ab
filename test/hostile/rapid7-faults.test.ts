/**
 * The fault matrix against the simulated Rapid7 API: rate limits with sane and absurd Retry-After
 * values, 5xx, connection resets, slow and truncated bodies, hangs, 10 MB, empty, wrong-window,
 * duplicated and decorated answers — on each endpoint. Every case ends in exactly one of two ways:
 *   - recovered: the database equals (table by table) one that collected the same answers with no fault;
 *   - failed: a clear AppError, and every table but `runs` equals what it was before the run.
 * Never a partial write, and never a wait past the client's bounds (retries × (timeout + capped wait)).
 */
import { describe, expect, it } from 'vitest';
import { runCollect } from '../../src/collect.js';
import { daysInRange } from '../../src/days.js';
import { AppError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { createRapid7Client } from '../../src/rapid7/client.js';
import type { SimBehaviour, SimulatorData } from '../../src/rapid7/simulator.js';
import { type Db, openDb } from '../../src/store/db.js';
import { recentRuns } from '../../src/store/runs.js';
import { dumpContent, dumpData } from '../support/hostile.js';
import { createCapturingLogger } from '../support/logs.js';
import { API_KEY, buildData, createTestClient, logId, startSimulator } from '../support/rapid7.js';

const NOW = new Date('2026-03-15T08:00:00Z');
const WEEK = daysInRange('2026-03-08', '2026-03-14');
const USAGE = '/usage/organizations/logs';
const ORG = '/usage/organizations';
const NAMES = '/management/logs';
/** The client's settings here: every failing case costs (retries + 1) × timeout at most, so keep them small. */
const profile = (url: string) => ({ baseUrl: url, timeoutMs: 300, maxRetries: 2, retryBaseMs: 5, retryMaxWaitMs: 120 });
const FAST = profile('http://unused');
/**
 * Longest a failing collect may take: every attempt times out and every wait is capped, plus slack for
 * two busy cores. A hang would blow through it by orders of magnitude (the injected hangs last an hour).
 */
const BOUND_MS = (FAST.maxRetries + 1) * FAST.timeoutMs + FAST.maxRetries * FAST.retryMaxWaitMs + 4_000;

/** Week one as stored before the run; week two is what Rapid7 answers now (every value changed, a log renamed). */
function weekOne(): SimulatorData {
  return buildData({ logs: 20, days: WEEK });
}
function weekTwo(data: SimulatorData): void {
  for (const d of WEEK) for (let i = 0; i < 20; i++) data.usage.get(d)?.set(logId(i), 50_000 + i * 7 + Number(d.slice(8)));
  data.usage.get('2026-03-14')?.delete(logId(3));
  (data.logs[1] as { name: string }).name = 'renamed-by-rapid7';
  data.org = new Map(WEEK.map((d) => [d, 9_999_999]));
}

interface Outcome {
  result: 'recovered' | 'failed';
  code?: string;
  message?: string;
  ms: number;
  requests: number;
  logs: string;
}

/**
 * Runs one case: a database holding week one, Rapid7 now answering week two with `faults` injected.
 * Checks the two allowed endings and returns what happened.
 */
async function runCase(
  faults: SimBehaviour[],
  o: { client?: (url: string, logger: Logger) => ReturnType<typeof createTestClient>; simOpts?: Parameters<typeof startSimulator>[0] } = {},
): Promise<Outcome> {
  const data = weekOne();
  const sim = await startSimulator({ data, ...o.simOpts });
  const logger = createCapturingLogger();
  const makeClient = (l: Logger) => (o.client ? o.client(sim.url, l) : createTestClient(sim, { ...profile(sim.url), logger: l }));
  const collect = (db: Db, l: Logger) =>
    runCollect({ db, client: makeClient(l), logger: l, now: () => NOW }, { from: WEEK[0], to: WEEK[6] });
  const quiet = createCapturingLogger().logger;

  // The reference: the same two collections with no fault at all.
  const reference = openDb(':memory:');
  const db = openDb(':memory:');
  try {
    await collect(reference, quiet);
    await collect(db, quiet);
    weekTwo(data);
    await collect(reference, quiet);
    const before = dumpData(db);
    expect(dumpContent(reference)).not.toEqual(dumpContent(db));

    sim.inject(...faults);
    const sent = sim.requests.length;
    const t0 = performance.now();
    let outcome: Outcome;
    try {
      await collect(db, logger.logger);
      outcome = { result: 'recovered', ms: performance.now() - t0, requests: sim.requests.length - sent, logs: logger.logs.text() };
      expect(dumpContent(db)).toEqual(dumpContent(reference));
      expect(recentRuns(db, 1)[0]).toMatchObject({ job: 'collect', status: 'ok' });
    } catch (err) {
      const ms = performance.now() - t0;
      if (!(err instanceof AppError)) throw err;
      outcome = {
        result: 'failed',
        code: err.code,
        message: err.message,
        ms,
        requests: sim.requests.length - sent,
        logs: logger.logs.text(),
      };
      expect(dumpData(db)).toEqual(before);
      expect(recentRuns(db, 1)[0]).toMatchObject({ job: 'collect', status: 'failed', errorCode: err.code });
      expect(err.message).not.toContain(API_KEY);
      expect(err.message.length).toBeGreaterThan(40);
    }
    expect(outcome.ms).toBeLessThan(BOUND_MS);
    expect(outcome.logs).not.toContain(API_KEY);
    return outcome;
  } finally {
    reference.close();
    db.close();
  }
}

const times = (n: number, b: SimBehaviour): SimBehaviour[] => Array.from({ length: n }, () => ({ ...b }));
/** Attempts the client makes for one request: the first and every retry. */
const ATTEMPTS = FAST.maxRetries + 1;
const HOUR = 3_600_000;

describe('Rapid7 faults that pass: the run recovers and stores exactly the final answers', () => {
  it.each<[string, SimBehaviour[]]>([
    ['429 without Retry-After', [{ path: USAGE, status: 429 }]],
    ['429 with Retry-After: 0', [{ path: USAGE, status: 429, headers: { 'Retry-After': '0' } }]],
    ['429 with Retry-After: 1 (seconds, capped)', [{ path: USAGE, status: 429, headers: { 'Retry-After': '1' } }]],
    ['429 with Retry-After: 99999999 (capped)', [{ path: USAGE, status: 429, headers: { 'Retry-After': '99999999' } }]],
    ['429 with Retry-After: -5', [{ path: USAGE, status: 429, headers: { 'Retry-After': '-5' } }]],
    ['429 with Retry-After: soon', [{ path: USAGE, status: 429, headers: { 'Retry-After': 'soon' } }]],
    ['429 with Retry-After: 1.5', [{ path: USAGE, status: 429, headers: { 'Retry-After': '1.5' } }]],
    [
      '429 with a Retry-After date in year 9999',
      [{ path: USAGE, status: 429, headers: { 'Retry-After': 'Fri, 31 Dec 9999 23:59:59 GMT' } }],
    ],
    ['429 with only X-RateLimit-Reset: 99999999', [{ path: USAGE, status: 429, headers: { 'X-RateLimit-Reset': '99999999' } }]],
    ['429 twice in a row', times(2, { path: USAGE, status: 429, headers: { 'Retry-After': '2' } })],
    ['500 once', [{ path: USAGE, status: 500 }]],
    ['502 twice', times(2, { path: USAGE, status: 502, body: '<html>Bad Gateway</html>' })],
    ['503 twice, with a Retry-After', times(2, { path: USAGE, status: 503, headers: { 'Retry-After': '99999999' } })],
    ['504 once', [{ path: USAGE, status: 504 }]],
    ['connection reset before answering', [{ path: USAGE, destroy: true }]],
    ['connection reset twice', times(2, { path: USAGE, destroy: true })],
    ['JSON cut off mid-body (connection dropped)', [{ path: USAGE, truncateAt: 200 }]],
    ['a body trickling past the timeout', [{ path: USAGE, slowBody: { chunkBytes: 64, intervalMs: 40 } }]],
    ['a slow but timely body', [{ path: USAGE, slowBody: { chunkBytes: 4096, intervalMs: 5 } }]],
    ['no answer within the timeout (server hangs)', [{ path: USAGE, delayMs: HOUR }]],
    [
      'every endpoint fails once, side by side',
      [
        { path: USAGE, status: 503 },
        { path: ORG, status: 429 },
        { path: NAMES, destroy: true },
      ],
    ],
    [
      'names: 503, then cut off',
      [
        { path: NAMES, status: 503 },
        { path: NAMES, truncateAt: 10 },
      ],
    ],
    [
      'totals: 429 with Retry-After: soon, then a hang',
      [
        { path: ORG, status: 429, headers: { 'Retry-After': 'soon' } },
        { path: ORG, delayMs: HOUR },
      ],
    ],
    [
      'unknown fields everywhere',
      [
        {
          path: USAGE,
          body: (n) => {
            const a = n as {
              per_day_usage: { usage: Array<{ log_usage: Array<Record<string, unknown>> } & Record<string, unknown>> } & Record<
                string,
                unknown
              >;
            };
            a.per_day_usage.extra = { nested: [1, 2] };
            for (const d of a.per_day_usage.usage) {
              d.colour = 'blue';
              for (const e of d.log_usage) e.units_hint = 'bytes';
            }
            return { ...a, version: 2, links: [] };
          },
        },
      ],
    ],
    [
      'every day listed twice with the same values',
      [
        {
          path: USAGE,
          body: (n) => {
            const a = n as { per_day_usage: { usage: unknown[] } };
            a.per_day_usage.usage = [...a.per_day_usage.usage, ...JSON.parse(JSON.stringify(a.per_day_usage.usage))];
            return a;
          },
        },
      ],
    ],
  ])('%s', async (_name, faults) => {
    const o = await runCase(faults);
    expect(o.result).toBe('recovered');
  });

  it('a 10 MB answer (an unknown padding field) is read and stored (a timeout long enough to download it)', async () => {
    const o = await runCase([{ path: USAGE, body: (n) => ({ ...(n as object), padding: 'x'.repeat(10 * 1024 * 1024) }) }], {
      client: (url, logger) => createRapid7Client({ ...profile(url), timeoutMs: 15_000, apiKey: API_KEY, region: 'us', logger }),
    });
    expect(o.result).toBe('recovered');
  });

  it('a 429 with an absurd Retry-After is waited out for at most the cap', async () => {
    const o = await runCase(times(2, { path: USAGE, status: 429, headers: { 'Retry-After': '99999999' } }));
    expect(o.result).toBe('recovered');
    expect(o.requests).toBe(2 + 3);
    expect(o.ms).toBeLessThan(2 * FAST.retryMaxWaitMs + 3_000);
  });
});

describe('Rapid7 faults that do not pass: a clear error, and the database as it was', () => {
  it.each<[string, SimBehaviour[], string, RegExp]>([
    [
      '429 on every attempt, Retry-After: 99999999',
      times(ATTEMPTS, { path: USAGE, status: 429, headers: { 'Retry-After': '99999999' } }),
      'RAPID7_RATE_LIMITED',
      /429 Too Many Requests.*next run will try again/,
    ],
    [
      '429 on every attempt, Retry-After: -5',
      times(ATTEMPTS, { path: USAGE, status: 429, headers: { 'Retry-After': '-5' } }),
      'RAPID7_RATE_LIMITED',
      /429/,
    ],
    [
      '429 on every attempt, Retry-After: soon',
      times(ATTEMPTS, { path: USAGE, status: 429, headers: { 'Retry-After': 'soon' } }),
      'RAPID7_RATE_LIMITED',
      /429/,
    ],
    ['500 on every attempt', times(ATTEMPTS, { path: USAGE, status: 500 }), 'RAPID7_SERVER', /answered 500 .*after 2 retries/],
    ['502 on every attempt', times(ATTEMPTS, { path: USAGE, status: 502 }), 'RAPID7_SERVER', /answered 502/],
    ['503 on every attempt', times(ATTEMPTS, { path: USAGE, status: 503 }), 'RAPID7_SERVER', /answered 503/],
    ['504 on every attempt', times(ATTEMPTS, { path: USAGE, status: 504 }), 'RAPID7_SERVER', /answered 504/],
    [
      'connection reset on every attempt',
      times(ATTEMPTS, { path: USAGE, destroy: true }),
      'RAPID7_NETWORK',
      /Could not reach Rapid7|connection/,
    ],
    [
      'JSON cut off on every attempt',
      times(ATTEMPTS, { path: USAGE, truncateAt: 100 }),
      'RAPID7_NETWORK',
      /dropped while reading.*nothing of it was stored/,
    ],
    [
      'a body trickling past the timeout on every attempt',
      times(ATTEMPTS, { path: USAGE, slowBody: { chunkBytes: 16, intervalMs: 50 } }),
      'RAPID7_TIMEOUT',
      /within 300 ms/,
    ],
    [
      'a server that never answers',
      times(ATTEMPTS, { path: USAGE, delayMs: HOUR }),
      'RAPID7_TIMEOUT',
      /did not answer .* within 300 ms.*RAPID7_TIMEOUT_MS/,
    ],
    ['an empty 200 answer', [{ path: USAGE, body: '' }], 'RAPID7_MALFORMED', /empty body.*nothing of it was stored/],
    [
      'a 200 answer that is not JSON',
      [{ path: USAGE, body: '<html><h1>Welcome to the proxy</h1></html>' }],
      'RAPID7_MALFORMED',
      /not JSON/,
    ],
    [
      'a 200 answer with truncated JSON (complete HTTP body)',
      [{ path: USAGE, body: '{"per_day_usage":{"usage":[{"interval":"2026-03-14","log_usage":[{"usage":5,' }],
      'RAPID7_MALFORMED',
      /not JSON/,
    ],
    [
      'an answer for the wrong dates',
      [
        {
          path: USAGE,
          body: (n) => {
            const a = n as { per_day_usage: { usage: Array<{ interval: string }> } };
            for (const d of a.per_day_usage.usage) d.interval = d.interval.replace('2026-03', '2025-03');
            return a;
          },
        },
      ],
      'RAPID7_MALFORMED',
      /outside the requested window/,
    ],
    [
      'an answer whose period misses the window',
      [
        {
          path: USAGE,
          body: (n) => ({
            per_day_usage: {
              ...(n as { per_day_usage: object }).per_day_usage,
              usage: [],
              period: { from: '2026-04-01', to: '2026-04-07' },
            },
          }),
        },
      ],
      'RAPID7_MALFORMED',
      /does not overlap/,
    ],
    [
      'duplicated days that disagree',
      [
        {
          path: USAGE,
          body: (n) => {
            const a = n as { per_day_usage: { usage: Array<{ interval: string; log_usage: Array<{ usage: number; id: string }> }> } };
            const first = a.per_day_usage.usage[0] as { interval: string; log_usage: Array<{ usage: number; id: string }> };
            a.per_day_usage.usage.push({ interval: first.interval, log_usage: first.log_usage.map((e) => ({ ...e, usage: e.usage + 1 })) });
            return a;
          },
        },
      ],
      'RAPID7_MALFORMED',
      /appears twice .* different usage/,
    ],
    [
      'usage in another unit',
      [{ path: USAGE, body: (n) => ({ per_day_usage: { ...(n as { per_day_usage: object }).per_day_usage, usage_units: 'kilobytes' } }) }],
      'RAPID7_MALFORMED',
      /usage_units is "kilobytes"/,
    ],
    ['401 on the names while the usage came', [{ path: NAMES, status: 401 }], 'RAPID7_UNAUTHORIZED', /RAPID7_API_KEY/],
    [
      '403 on the totals, after a 429 on the usage',
      [
        { path: USAGE, status: 429 },
        { path: ORG, status: 403 },
      ],
      'RAPID7_FORBIDDEN',
      /lacks the rights/,
    ],
  ])('%s', async (_name, faults, code, message) => {
    const o = await runCase(faults);
    expect(o).toMatchObject({ result: 'failed', code });
    expect(o.message).toMatch(message);
  });

  it('a 10 MB answer of garbage is refused as not JSON (a timeout long enough to download it, so it is read, not retried)', async () => {
    const o = await runCase([{ path: USAGE, body: `{"per_day_usage":${'['.repeat(10)}${'9,'.repeat(5 * 1024 * 1024)}` }], {
      client: (url, logger) => createRapid7Client({ ...profile(url), timeoutMs: 15_000, apiKey: API_KEY, region: 'us', logger }),
    });
    expect(o).toMatchObject({ result: 'failed', code: 'RAPID7_MALFORMED' });
    expect(o.message).toMatch(/not JSON/);
  });

  it('the simulator’s own rate limit (Retry-After ≈ 15 minutes) ends the run within the bound', async () => {
    // Six /usage requests per 15 minutes: the three collections before the faulty one use them all.
    const o = await runCase([], { simOpts: { rateLimit: { usage: 6 } } });
    expect(o).toMatchObject({ result: 'failed', code: 'RAPID7_RATE_LIMITED' });
    expect(o.requests).toBe(2 * ATTEMPTS + 1);
  });

  it('a 10 MB answer above a smaller size limit is refused, not retried', async () => {
    const o = await runCase([{ path: USAGE, body: (n) => ({ ...(n as object), padding: 'x'.repeat(10 * 1024 * 1024) }) }], {
      client: (url, logger) =>
        createRapid7Client({
          ...profile(url),
          // Long enough that the size limit, not a loaded machine's slow download, is what ends the request.
          timeoutMs: 15_000,
          apiKey: API_KEY,
          region: 'us',
          logger,
          maxBodyBytes: 1024 * 1024,
        }),
    });
    expect(o).toMatchObject({ result: 'failed', code: 'RAPID7_MALFORMED' });
    expect(o.message).toMatch(/larger than the accepted maximum/);
    expect(o.requests).toBe(3);
  });
});
