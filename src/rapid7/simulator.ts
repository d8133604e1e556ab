/**
 * A simulated Rapid7 Log Search API on a real `node:http` server at 127.0.0.1 (RAPID7-API.md).
 * Product code: `demo` serves realistic history through it, and every test uses it as the fake Rapid7.
 *
 * Contracts:
 * - Bytes are whole bytes per UTC day; days are 'YYYY-MM-DD'; both ends of a window are inclusive.
 * - Days and logs come back in a shuffled (seeded) order; a log with no data on a day is absent from that
 *   day, and a day without any data is absent from `usage`.
 * - Every answer carries X-RateLimit-Limit / -Remaining / -Reset (seconds); past the limit: 429 + Retry-After.
 * - A wrong or missing `x-api-key` gets 401. The key is compared, never logged and never recorded.
 * - `inject()` queues per-request behaviours (status, headers, body, delay, dropped socket, truncated or slow
 *   body), consumed in order by the next matching requests.
 * - `data` is the live model: change it between calls (or use `setUsage`) and the next answer reflects it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Day, daysInRange, isDay } from '../days.js';
import { createRandom } from '../random.js';
import { createQuerySimulator, type QuerySimulator } from './simulator-query.js';

export interface SimLogSet {
  id: string;
  name: string;
}

export interface SimLog {
  id: string;
  name: string;
  logsets?: SimLogSet[];
  /** False for a deleted log: its usage stays in the history, `/management/logs` no longer lists it. Default true. */
  listed?: boolean;
  /** `source_type` as Rapid7 writes it: 'token' (default), 'agent', 'internal' (platform logs, SPEC §4). */
  sourceType?: string;
  /** `user_data` as in the real answers, e.g. `{ platform_managed: 'true', le_log_type: 'eet' }` (default `{}`). */
  userData?: Record<string, string>;
  /** Number of ingestion tokens listed (their values are made up; default 1, 0 for internal logs). */
  tokens?: number;
}

export interface SimulatorData {
  logs: SimLog[];
  /** `usage.get(day)?.get(logId)` = bytes the log ingested that day; absent = the log sent nothing. */
  usage: Map<Day, Map<string, number>>;
  /** Organisation totals per day; a day absent here answers the sum of `usage` for that day (when it has any). */
  org?: Map<Day, number>;
}

/** One injected behaviour for one request. Fields combine: delay, then drop / replace / truncate / trickle. */
export interface SimBehaviour {
  /** Only requests to exactly this path (no query) take the behaviour (default: any request). */
  path?: string;
  /** Wait this long before answering, ms. */
  delayMs?: number;
  /** Close the connection without answering. */
  destroy?: boolean;
  /** Answer this status instead of the normal answer (body: `body` as a string, or an opaque error text). */
  status?: number;
  /** Extra or replaced response headers (e.g. Retry-After). */
  headers?: Record<string, string>;
  /** Replace the body: a string as is, or a function of the normal answer's JSON returning JSON (or a string). */
  body?: string | ((normal: unknown) => unknown);
  /** Announce the full Content-Length, send only this many bytes of the body, then drop the connection. */
  truncateAt?: number;
  /** Send the body in chunks of `chunkBytes` every `intervalMs`. */
  slowBody?: { chunkBytes: number; intervalMs: number };
}

export interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Request headers, with `x-api-key` replaced by '[REDACTED]'. */
  headers: Record<string, string>;
  /** True when `x-api-key` matched the simulator's key. */
  authorized: boolean;
  /** True when an injected behaviour answered (or dropped) this request. */
  injected: boolean;
  /** When it arrived, ms since epoch (wall clock). */
  at: number;
}

export interface SimulatorOptions {
  apiKey: string;
  data?: SimulatorData;
  /**
   * Longest per-log usage window, days (7 as the docs say, or 30 as the OpenAPI spec says). A longer window
   * answers `windowStatus`. Default: no limit.
   */
  maxWindowDays?: number;
  /** Status of a too-long window (default 400). */
  windowStatus?: 400 | 404;
  /** How usage values are written: JSON numbers (default), numeric strings, or a mix of both. */
  usageAs?: 'number' | 'string' | 'mixed';
  /** Seed of the shuffled order of days and logs (default 1). */
  seed?: number;
  /** Requests per key per window; default 500 for /usage and 1,500 for /management per 15 minutes. */
  rateLimit?: { usage?: number; management?: number; windowMs?: number };
  /** Clock of the rate-limit windows, ms since epoch (default Date.now). */
  nowMs?: () => number;
  /** Organisation named in `/usage/organizations`. */
  organization?: { id: string; name: string };
}

export interface Rapid7Simulator {
  /** The live model; change it between calls. */
  readonly data: SimulatorData;
  /** Every request received, oldest first. */
  readonly requests: SimRequest[];
  /** Base URL once started, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  start(): Promise<{ url: string }>;
  close(): Promise<void>;
  /** Queue behaviours for the next matching requests, consumed in order. */
  inject(...behaviours: SimBehaviour[]): void;
  /** Injected behaviours not yet consumed. */
  pendingBehaviours(): number;
  /** Sets (or with `undefined` removes) the bytes of a log on a day. */
  setUsage(day: Day, logId: string, bytes: number | undefined): void;
  /** Changes the accepted key (key rotation, revocation). */
  setApiKey(apiKey: string): void;
  /** The Log Search query API (topkeys, queries, polls): causes per spike and behaviours on demand. */
  readonly query: QuerySimulator;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  /** JSON value for a normal answer, or a string for an opaque (error) answer. */
  json?: unknown;
  text?: string;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
  return items;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

const USAGE_PATH = '/usage/organizations/logs';
const ORG_PATH = '/usage/organizations';
const MANAGEMENT_PATH = '/management/logs';

export function createRapid7Simulator(opts: SimulatorOptions): Rapid7Simulator {
  const data: SimulatorData = opts.data ?? { logs: [], usage: new Map() };
  const requests: SimRequest[] = [];
  const queue: SimBehaviour[] = [];
  const random = createRandom(opts.seed ?? 1);
  const nowMs = opts.nowMs ?? Date.now;
  const limits = {
    usage: opts.rateLimit?.usage ?? 500,
    management: opts.rateLimit?.management ?? 1500,
    windowMs: opts.rateLimit?.windowMs ?? 15 * 60_000,
  };
  const buckets = new Map<'usage' | 'management', { start: number; used: number }>();
  let keyDigest = digest(opts.apiKey);
  let server: Server | undefined;
  let url = '';
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const queryApi = createQuerySimulator({ data, url: () => url, nowMs });

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  }

  function keyMatches(given: string | undefined): boolean {
    return given !== undefined && timingSafeEqual(digest(given), keyDigest);
  }

  function usageValue(bytes: number): number | string {
    if (opts.usageAs === 'string') return String(bytes);
    if (opts.usageAs === 'mixed') return random() < 0.5 ? String(bytes) : bytes;
    return bytes;
  }

  function error(status: number, message: string, headers: Record<string, string> = {}): Answer {
    return { status, headers, text: JSON.stringify({ message }) };
  }

  /** Counts one authorized request against its bucket; returns the rate-limit headers and whether it is over. */
  function rateLimit(group: 'usage' | 'management'): { headers: Record<string, string>; over: boolean } {
    const now = nowMs();
    let b = buckets.get(group);
    if (!b || now - b.start >= limits.windowMs) {
      b = { start: now, used: 0 };
      buckets.set(group, b);
    }
    const limit = limits[group];
    const over = b.used >= limit;
    if (!over) b.used++;
    const resetS = Math.max(1, Math.ceil((b.start + limits.windowMs - now) / 1000));
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(Math.max(0, limit - b.used)),
      'X-RateLimit-Reset': String(resetS),
    };
    if (over) headers['Retry-After'] = String(resetS);
    return { headers, over };
  }

  function window(query: Record<string, string>): { from: Day; to: Day } | Answer {
    const { from, to } = query;
    if (query.time_range !== undefined && (from !== undefined || to !== undefined)) {
      return error(400, 'Use either time_range or from/to, not both');
    }
    if (from === undefined || to === undefined) return error(400, 'from and to are required (YYYY-MM-DD)');
    if (!isDay(from) || !isDay(to)) return error(400, 'from and to must be dates YYYY-MM-DD');
    if (from > to) return error(400, 'from must not be after to');
    return { from, to };
  }

  function logUsage(query: Record<string, string>): Answer {
    if (query.interval !== undefined && query.interval !== 'day') return error(400, 'interval must be day');
    const w = window(query);
    if ('status' in w) return w;
    const days = daysInRange(w.from, w.to);
    if (opts.maxWindowDays !== undefined && days.length > opts.maxWindowDays) {
      return error(opts.windowStatus ?? 400, `The time range may span at most ${opts.maxWindowDays} days`);
    }
    const usage: Array<{ interval: Day; log_usage: Array<{ usage: number | string; id: string }> }> = [];
    for (const day of shuffle(days, random)) {
      const perLog = data.usage.get(day);
      if (!perLog || perLog.size === 0) continue;
      const logUsage = [...perLog].map(([id, bytes]) => ({ usage: usageValue(bytes), id }));
      usage.push({ interval: day, log_usage: shuffle(logUsage, random) });
    }
    return {
      status: 200,
      headers: {},
      json: { per_day_usage: { usage, period: { from: w.from, to: w.to }, usage_units: 'bytes', report_interval: 'day' } },
    };
  }

  function oneLogUsage(logId: string, query: Record<string, string>): Answer {
    const w = window(query);
    if ('status' in w) return w;
    if (!data.logs.some((l) => l.id === logId)) return error(404, 'Data Not Found');
    const daily: Array<{ usage: number | string; day: Day }> = [];
    for (const day of daysInRange(w.from, w.to)) {
      const bytes = data.usage.get(day)?.get(logId);
      // Documented: this endpoint writes usage as strings.
      if (bytes !== undefined) daily.push({ usage: opts.usageAs === 'number' ? bytes : String(bytes), day });
    }
    return {
      status: 200,
      headers: {},
      json: { usage: { id: logId, period: { from: w.from, to: w.to }, daily_usage: shuffle(daily, random) } },
    };
  }

  function orgUsage(query: Record<string, string>): Answer {
    const w = window(query);
    if ('status' in w) return w;
    const daily: Array<{ usage: number | string; day: Day }> = [];
    let total = 0;
    for (const day of daysInRange(w.from, w.to)) {
      let bytes = data.org?.get(day);
      if (bytes === undefined) {
        const perLog = data.usage.get(day);
        if (!perLog || perLog.size === 0) continue;
        bytes = 0;
        for (const b of perLog.values()) bytes += b;
      }
      total += bytes;
      daily.push({ usage: usageValue(bytes), day });
    }
    const org = opts.organization ?? { id: '00000000-0000-4000-8000-00000000000a', name: 'Simulated organisation' };
    return {
      status: 200,
      headers: {},
      json: { daily_usage: shuffle(daily, random), period_usage: total, period: { from: w.from, to: w.to }, id: org.id, name: org.name },
    };
  }

  function managementLogs(): Answer {
    const logs = data.logs
      .filter((l) => l.listed !== false)
      .map((l) => ({
        id: l.id,
        name: l.name,
        logsets_info: (l.logsets ?? []).map((s) => ({
          id: s.id,
          name: s.name,
          rrn: `rrn:logsearch:us:simulated:logset:${s.id}`,
          links: [{ rel: 'Self', href: `${url}/management/logsets/${s.id}` }],
        })),
        source_type: l.sourceType ?? 'token',
        tokens: Array.from({ length: l.tokens ?? (l.sourceType === 'internal' ? 0 : 1) }, (_, i) =>
          createHash('sha256').update(`${l.id}:${i}`).digest('hex').slice(0, 36),
        ),
        token_seed: null,
        structures: [],
        user_data: l.userData ?? {},
        retention_period: 'default',
        rrn: `rrn:logsearch:us:simulated:log:${l.id}`,
        // As in the real answers: each log's own link is its topkeys (`Related`), never paging.
        links: [{ rel: 'Related', href: `${url}/management/logs/${l.id}/topkeys` }],
      }));
    return { status: 200, headers: {}, json: { logs: shuffle(logs, random) } };
  }

  function route(method: string, path: string, query: Record<string, string>, authorized: boolean): Answer {
    const group = path.startsWith('/usage/') ? 'usage' : path.startsWith('/management/') ? 'management' : undefined;
    if (method !== 'GET') return error(405, 'Method Not Allowed');
    if (!group) return error(404, 'Not Found');
    if (!authorized) return error(401, 'Unauthorized');
    const limited = rateLimit(group);
    let answer: Answer;
    if (limited.over) answer = error(429, 'Too Many Requests');
    else if (path === USAGE_PATH) answer = logUsage(query);
    else if (path.startsWith(`${USAGE_PATH}/`)) answer = oneLogUsage(decodeURIComponent(path.slice(USAGE_PATH.length + 1)), query);
    else if (path === ORG_PATH) answer = orgUsage(query);
    else if (path === MANAGEMENT_PATH) answer = managementLogs();
    else answer = error(404, 'Data Not Found');
    return { ...answer, headers: { ...limited.headers, ...answer.headers } };
  }

  function takeBehaviour(path: string): SimBehaviour | undefined {
    const i = queue.findIndex((b) => b.path === undefined || b.path === path);
    return i === -1 ? undefined : queue.splice(i, 1)[0];
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    const given = req.headers['x-api-key'];
    const authorized = keyMatches(typeof given === 'string' ? given : undefined);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      headers[k] = k === 'x-api-key' ? '[REDACTED]' : Array.isArray(v) ? v.join(', ') : v;
    }
    const method = req.method ?? 'GET';
    const b = takeBehaviour(u.pathname);
    requests.push({ method, path: u.pathname, query, headers, authorized, injected: b !== undefined, at: Date.now() });

    if (b?.delayMs) await sleep(b.delayMs);
    if (res.destroyed || req.socket.destroyed) return;
    if (b?.destroy) {
      req.socket.destroy();
      return;
    }
    let answer: Answer;
    if (b?.status !== undefined) {
      answer = {
        status: b.status,
        headers: {},
        text: typeof b.body === 'string' ? b.body : JSON.stringify({ message: `Simulated ${b.status}` }),
      };
    } else {
      answer = queryApi.handles(u.pathname)
        ? queryApi.answer(method, u.pathname, query, authorized, await readBody(req))
        : route(method, u.pathname, query, authorized);
      if (typeof b?.body === 'string') answer = { ...answer, json: undefined, text: b.body };
      else if (typeof b?.body === 'function') {
        const replaced = b.body(answer.json);
        answer = typeof replaced === 'string' ? { ...answer, json: undefined, text: replaced } : { ...answer, json: replaced };
      }
    }
    const body = Buffer.from(answer.text ?? JSON.stringify(answer.json), 'utf8');
    res.writeHead(answer.status, {
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      ...answer.headers,
      ...(b?.headers ?? {}),
    });
    if (b?.truncateAt !== undefined) {
      res.write(body.subarray(0, Math.min(b.truncateAt, body.length)));
      await sleep(5);
      req.socket.destroy();
      return;
    }
    if (b?.slowBody) {
      const step = Math.max(1, b.slowBody.chunkBytes);
      for (let i = 0; i < body.length; i += step) {
        if (res.destroyed) return;
        res.write(body.subarray(i, i + step));
        await sleep(b.slowBody.intervalMs);
      }
      res.end();
      return;
    }
    res.end(body);
  }

  return {
    data,
    requests,
    get url() {
      return url;
    },
    start() {
      if (server) return Promise.resolve({ url });
      const s = createServer((req, res) => {
        handle(req, res).catch(() => {
          if (!res.headersSent) {
            res.writeHead(500, { 'Content-Type': 'application/json' });
            res.end('{"message":"Simulator failure"}');
          } else res.destroy();
        });
      });
      s.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      server = s;
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
          url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
          resolve({ url });
        });
      });
    },
    close() {
      const s = server;
      server = undefined;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      if (!s) return Promise.resolve();
      return new Promise((resolve) => {
        s.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    inject(...behaviours) {
      queue.push(...behaviours);
    },
    pendingBehaviours: () => queue.length,
    setUsage(day, logId, bytes) {
      let perLog = data.usage.get(day);
      if (bytes === undefined) {
        perLog?.delete(logId);
        return;
      }
      if (!perLog) {
        perLog = new Map();
        data.usage.set(day, perLog);
      }
      perLog.set(logId, bytes);
    },
    setApiKey(apiKey) {
      keyDigest = digest(apiKey);
    },
    query: queryApi,
  };
}

/** The request body as text (query submissions), at most 1 MB. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1_048_576) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}
