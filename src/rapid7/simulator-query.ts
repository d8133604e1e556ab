/**
 * The Log Search query API of the simulator (RAPID7-API.md "Log Search queries"), mounted by simulator.ts:
 * `GET /management/logs/{id}/topkeys`, `POST /query/logs`, `GET /query/logs/{id}?query=&from=&to=`, and polls of
 * `GET /query/{queryId}`. A query answers 202 with a Self link, then polls, then the result (no Self link).
 *
 * Contracts:
 * - The bytes a query counts are the usage bytes of the live model (`data.usage`), split across the log's host
 *   values: every host gets an equal part of the log's usual level (median of its 7 days before); 80 % of a day's
 *   excess goes to the day's cause (`setCause`, else the first host) and the rest spreads over all hosts; a
 *   deficit comes from the cause alone. So a spike has a known cause.
 * - Times are epoch ms; `timeslice(N)` cuts [from, to) into N equal slices; a day counts in the slice its start
 *   falls in.
 * - `configure()` sets behaviours on demand (errors, rate limits, lower-case values, approximate results, a hung
 *   query, a foreign poll host, the whole query API down); limits per key per window: 1,500 submissions and
 *   10,000 polls per 15 minutes by default.
 */
import { addDays, type Day, isDay } from '../days.js';
import { median } from '../stats.js';
import type { SimulatorData } from './simulator.js';

export interface QuerySimConfig {
  /** Polls answered 202 before the result (default 2). */
  pollsBeforeDone?: number;
  /** Answer the submission with the finished result at once (200, no Self link). */
  doneAtOnce?: boolean;
  /** One poll answers 200 with the Self link still present before the result. */
  runningWith200?: boolean;
  /** Group values lower-cased, as Log Search does for some keys. */
  lowerCase?: boolean;
  /** `all_exact_result: false`. */
  approximate?: boolean;
  /** Groups returned (default 40, as Log Search); the rest are summed in `others`. */
  groupLimit?: number;
  /** Origin written in Self links instead of the simulator's own (a foreign host). */
  pollOrigin?: string;
  /** The query never finishes (every poll 202). */
  hang?: boolean;
  /** The next `times` submissions answer this status and body. */
  failSubmit?: { status: number; body?: string; times?: number; headers?: Record<string, string> };
  /** The next `times` polls answer this status (429 with X-RateLimit-Reset, or 404 stale id). */
  failPoll?: { status: number; body?: string; times?: number; headers?: Record<string, string> };
  /** Every query API request answers 503 (topkeys included). */
  down?: boolean;
  /** Submissions / polls per window (defaults 1,500 / 10,000) and the window, ms (default 15 min). */
  limits?: { submissions?: number; polls?: number; windowMs?: number };
}

export interface QuerySimulator {
  configure(c: QuerySimConfig): void;
  /** Host values of a log (default: three hosts named after the log) and the key they are grouped by. */
  setHosts(logId: string, hosts: string[], key?: string): void;
  /** The value that carried the log's change on `day` (a spike's host, or the host that went quiet). */
  setCause(logId: string, day: Day, value: string): void;
  /** Submissions and polls received so far. */
  counts(): { topkeys: number; submissions: number; polls: number };
  /** Statements submitted, oldest first. */
  readonly statements: string[];
}

export interface QueryAnswer {
  status: number;
  headers: Record<string, string>;
  json?: unknown;
  text?: string;
}

interface Running {
  logId: string;
  key: string;
  slices: number;
  from: number;
  to: number;
  polls: number;
  running200Given: boolean;
}

const DAY_MS = 86_400_000;
/** Share of a day's excess carried by its cause (the rest spreads over all hosts, the cause included). */
export const CAUSE_SHARE = 0.8;

function dayOfMs(ms: number): Day {
  return new Date(ms).toISOString().slice(0, 10);
}

export function createQuerySimulator(o: { data: SimulatorData; url: () => string; nowMs: () => number }): QuerySimulator & {
  /** True for the paths this module answers. */
  handles(path: string): boolean;
  answer(method: string, path: string, query: Record<string, string>, authorized: boolean, body: string): QueryAnswer;
} {
  let config: QuerySimConfig = {};
  const hosts = new Map<string, { hosts: string[]; key: string }>();
  const causes = new Map<string, string>();
  const running = new Map<string, Running>();
  const statements: string[] = [];
  const counts = { topkeys: 0, submissions: 0, polls: 0 };
  const windows = { start: o.nowMs(), submissions: 0, polls: 0 };
  let seq = 0;

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): QueryAnswer => ({ status, headers, json: body });
  const text = (status: number, body: string, headers: Record<string, string> = {}): QueryAnswer => ({ status, headers, text: body });

  function hostsOf(logId: string): { hosts: string[]; key: string } {
    const h = hosts.get(logId);
    if (h) return h;
    const name = o.data.logs.find((l) => l.id === logId)?.name ?? logId;
    const slug = name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'log';
    return { hosts: [`${slug}-A`, `${slug}-B`, `${slug}-C`], key: 'hostname' };
  }

  /** Bytes per host value of a log on a day (see the file comment). */
  function split(logId: string, day: Day): Map<string, number> {
    const { hosts: hs } = hostsOf(logId);
    const v = o.data.usage.get(day)?.get(logId) ?? 0;
    const before: number[] = [];
    for (let i = 1; i <= 7; i++) {
      const b = o.data.usage.get(addDays(day, -i))?.get(logId);
      if (b !== undefined) before.push(b);
    }
    const usual = before.length > 0 ? median(before) : v;
    const out = new Map<string, number>();
    const part = Math.min(v, usual) / hs.length;
    for (const h of hs) out.set(h, part);
    const cause = causes.get(`${logId}|${day}`);
    const target = cause ?? hs[0] ?? 'unknown';
    if (v > usual) {
      // The cause carries CAUSE_SHARE of the excess; the rest spreads over every host.
      const excess = v - usual;
      for (const h of hs) out.set(h, (out.get(h) ?? 0) + (excess * (1 - CAUSE_SHARE)) / hs.length);
      out.set(target, (out.get(target) ?? 0) + excess * CAUSE_SHARE);
    } else if (v < usual && cause) {
      // A drop: the cause lost it; the others kept their usual part.
      const keep = usual / hs.length;
      for (const h of hs) out.set(h, keep);
      out.set(cause, Math.max(0, keep - (usual - v)));
    }
    return out;
  }

  function limited(kind: 'submissions' | 'polls'): QueryAnswer | null {
    const windowMs = config.limits?.windowMs ?? 15 * 60_000;
    const now = o.nowMs();
    if (now - windows.start >= windowMs) {
      windows.start = now;
      windows.submissions = 0;
      windows.polls = 0;
    }
    const limit = kind === 'submissions' ? (config.limits?.submissions ?? 1500) : (config.limits?.polls ?? 10_000);
    if (windows[kind] >= limit) {
      const reset = String(Math.max(1, Math.ceil((windows.start + windowMs - now) / 1000)));
      return text(429, 'API rate limit exceeded', { 'Content-Type': 'text/plain', 'X-RateLimit-Reset': reset, 'Retry-After': reset });
    }
    windows[kind]++;
    return null;
  }

  function selfLink(id: string): Array<{ rel: string; href: string }> {
    return [{ rel: 'Self', href: `${config.pollOrigin ?? o.url()}/query/${id}` }];
  }

  function result(r: Running): unknown {
    const width = (r.to - r.from) / r.slices;
    const perValue = new Map<string, number[]>();
    for (let t = r.from; t < r.to; t += DAY_MS) {
      const day = dayOfMs(t);
      const slice = Math.min(r.slices - 1, Math.floor((t - r.from) / width));
      for (const [value, bytes] of split(r.logId, day)) {
        const shown = config.lowerCase ? value.toLowerCase() : value;
        const s = perValue.get(shown) ?? new Array(r.slices).fill(0);
        s[slice] = (s[slice] as number) + Math.round(bytes);
        perValue.set(shown, s);
      }
    }
    const ordered = [...perValue].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0));
    const limit = config.groupLimit ?? 40;
    const shown = ordered.slice(0, limit);
    const rest = ordered.slice(limit);
    const others =
      rest.length > 0 ? new Array(r.slices).fill(0).map((_, i) => ({ bytes: rest.reduce((a, [, s]) => a + (s[i] as number), 0) })) : [];
    return {
      logs: [r.logId],
      statistics: {
        cardinality: perValue.size,
        granularity: width,
        from: r.from,
        to: r.to,
        type: 'bytes',
        stats: {},
        groups: shown.map(([v, s]) => ({ [v]: { bytes: s.reduce((a, b) => a + b, 0) } })),
        others: { series: others },
        status: 200,
        timeseries: {},
        groups_timeseries: shown.map(([v, s]) => ({
          [v]: { groups_timeseries: [], series: s.map((b) => ({ bytes: b })), totals: { bytes: s.reduce((a, b) => a + b, 0) } },
        })),
        all_exact_result: !config.approximate,
      },
      search_stats: { bytes_all: 0, events_all: 0, duration_ms: 3 },
      leql: { statement: statements.at(-1) ?? '', during: { from: r.from, to: r.to } },
    };
  }

  function partial(id: string, r: Running): unknown {
    return {
      logs: [r.logId],
      progress: Math.min(99, r.polls * 30),
      events: [],
      partial: { from: r.from, to: r.to, type: 'bytes', stats: {}, groups: [], status: 204, groups_timeseries: [], all_exact_result: true },
      id,
      links: selfLink(id),
    };
  }

  const GROUPBY = /groupby\(\s*([A-Za-z0-9_.@#-]+)\s*\)\s*calculate\(\s*bytes\s*\)(?:\s*timeslice\(\s*(\d{1,3})\s*\))?\s*$/i;

  function submit(logIds: unknown, statement: unknown, from: unknown, to: unknown): QueryAnswer {
    const fail = config.failSubmit;
    if (fail && (fail.times ?? 1) > 0) {
      config.failSubmit = (fail.times ?? 1) > 1 ? { ...fail, times: (fail.times ?? 1) - 1 } : undefined;
      return text(fail.status, fail.body ?? JSON.stringify({ message: `Simulated ${fail.status}` }), fail.headers ?? {});
    }
    const over = limited('submissions');
    if (over) return over;
    counts.submissions++;
    if (!Array.isArray(logIds) || logIds.length !== 1 || typeof logIds[0] !== 'string') {
      return text(400, 'A Json Error occurred mapping the request received');
    }
    if (typeof statement !== 'string') return text(400, 'A Json Error occurred mapping the request received');
    statements.push(statement);
    const m = GROUPBY.exec(statement);
    const f = Number(from);
    const t = Number(to);
    if (!m || !Number.isFinite(f) || !Number.isFinite(t) || t <= f) {
      return json(400, { errorCode: 101011, message: 'Invalid Query Syntax: the query entered is invalid' });
    }
    const logId = logIds[0] as string;
    if (!o.data.logs.some((l) => l.id === logId)) return json(404, { message: 'HTTP 404 Not Found' });
    const id = `q${++seq}-${logId}:1:${(seq * 2654435761).toString(16)}::`;
    const r: Running = { logId, key: m[1] as string, slices: Number(m[2] ?? 1) || 1, from: f, to: t, polls: 0, running200Given: false };
    if (config.doneAtOnce && !config.hang) return json(200, result(r));
    running.set(id, r);
    return json(202, partial(id, r));
  }

  function poll(id: string): QueryAnswer {
    const over = limited('polls');
    if (over) return over;
    counts.polls++;
    const fail = config.failPoll;
    if (fail && (fail.times ?? 1) > 0) {
      config.failPoll = (fail.times ?? 1) > 1 ? { ...fail, times: (fail.times ?? 1) - 1 } : undefined;
      if (fail.status === 404) running.delete(id);
      return text(
        fail.status,
        fail.body ?? JSON.stringify({ message: fail.status === 429 ? 'API rate limit exceeded' : 'HTTP 404 Not Found' }),
        {
          ...(fail.status === 429 ? { 'X-RateLimit-Reset': '1', 'Content-Type': 'text/plain' } : {}),
          ...(fail.headers ?? {}),
        },
      );
    }
    const r = running.get(id);
    if (!r) return json(404, { message: 'HTTP 404 Not Found' });
    r.polls++;
    if (config.hang || r.polls <= (config.pollsBeforeDone ?? 2)) return json(202, partial(id, r));
    if (config.runningWith200 && !r.running200Given) {
      r.running200Given = true;
      return json(200, partial(id, r));
    }
    running.delete(id);
    return json(200, result(r));
  }

  return {
    statements,
    configure(c) {
      config = { ...c };
    },
    setHosts(logId, hs, key = 'hostname') {
      hosts.set(logId, { hosts: [...hs], key });
    },
    setCause(logId, day, value) {
      causes.set(`${logId}|${day}`, value);
    },
    counts: () => ({ ...counts }),
    handles: (path) => /^\/management\/logs\/[^/]+\/topkeys$/.test(path) || path.startsWith('/query/'),
    answer(method, path, query, authorized, body) {
      if (!authorized) return json(401, { message: 'Unauthorized' });
      if (config.down) return json(503, { message: 'Service Unavailable' });
      const top = /^\/management\/logs\/([^/]+)\/topkeys$/.exec(path);
      if (top) {
        if (method !== 'GET') return json(405, { message: 'Method Not Allowed' });
        counts.topkeys++;
        const logId = decodeURIComponent(top[1] as string);
        if (!o.data.logs.some((l) => l.id === logId)) return json(404, { message: 'Data Not Found' });
        const { key } = hostsOf(logId);
        return json(200, {
          topkeys: [
            { key: 'message', weight: 0.95 },
            { key, weight: 0.9 },
            { key: 'severity', weight: 0.6 },
          ],
        });
      }
      if (path === '/query/logs' && method === 'POST') {
        let b: { logs?: unknown; leql?: { statement?: unknown; during?: { from?: unknown; to?: unknown } } };
        try {
          b = JSON.parse(body) as typeof b;
        } catch {
          return text(400, 'A Json Error occurred mapping the request received');
        }
        return submit(b.logs, b.leql?.statement, b.leql?.during?.from, b.leql?.during?.to);
      }
      const get = /^\/query\/logs\/([^/]+)$/.exec(path);
      if (get && method === 'GET') {
        const from = query.from !== undefined && isDay(query.from) ? Date.parse(`${query.from}T00:00:00Z`) : Number(query.from);
        const to = query.to !== undefined && isDay(query.to) ? Date.parse(`${query.to}T00:00:00Z`) : Number(query.to);
        return submit([decodeURIComponent(get[1] as string)], query.query, from, to);
      }
      const p = /^\/query\/([^/]+)$/.exec(path);
      if (p && method === 'GET') return poll(decodeURIComponent(p[1] as string));
      return json(404, { message: 'HTTP 404 Not Found' });
    },
  };
}
