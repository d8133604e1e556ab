/**
 * Log Search query client (SPEC §6.6; facts in RAPID7-API.md "Log Search queries"): a log's top keys, and one
 * statistical query polled to its end. Errors are AppErrors with the client's codes (src/rapid7/client.ts);
 * the API key never appears in a log line or an error, and is sent only to allowed hosts (`isAllowedPollUrl`).
 *
 * Contracts:
 * - Times are epoch milliseconds; a UTC day D is [Date.UTC(D), Date.UTC(D+1)).
 * - A query is finished when its answer carries no `Self` link (rel compared case-insensitively); a 200 with a
 *   Self link is still running. Polls back off from `pollStartMs` to `pollMaxMs` (≤ 20 s, or the link expires).
 * - 429 (submit or poll): wait Retry-After / X-RateLimit-Reset (capped), then submit again; 404 on a poll (stale
 *   id): submit again; at most `maxResubmits` times. 5xx and network errors on submit: retried with backoff.
 * - Every call ends by `deadline` (ms since epoch, wall clock): RAPID7_TIMEOUT after it.
 * - `maxSubmissions` / `maxPolls` bound what one client (one run) sends: RAPID7_RATE_LIMITED past them, so a
 *   run never comes near Rapid7's 1,500 submissions / 10,000 polls per 15 minutes.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { safeBaseUrl, serverWaitMs } from './client.js';

export interface LogSearchOptions {
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  logger: Logger;
  /** First wait between polls, ms (default 500). */
  pollStartMs?: number;
  /** Longest wait between polls, ms (default 5,000; at most 20,000). */
  pollMaxMs?: number;
  /** Longest wait honoured from a 429, ms (default 60,000). */
  retryMaxWaitMs?: number;
  /** Submissions again after a 429 or a stale id (default 2). */
  maxResubmits?: number;
  /** Submissions this client may send in all (default 40). */
  maxSubmissions?: number;
  /** Polls this client may send in all (default 2,000). */
  maxPolls?: number;
  /** Wall clock, ms (tests of deadlines use the real one; default Date.now). */
  nowMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface TopKey {
  key: string;
  weight: number;
}

export interface GroupSeries {
  /** The group's value as Log Search returned it (may be lower-cased by Log Search). */
  value: string;
  /** Bytes per time slice, oldest first. */
  series: number[];
}

export interface GroupByAnswer {
  groups: GroupSeries[];
  /** Bytes per slice of the values beyond the returned groups (`others`), when Log Search says. */
  others: number[] | null;
  /** False when Log Search says the result is approximate (`all_exact_result: false`). */
  exact: boolean;
}

export interface QueryCounts {
  topkeys: number;
  submissions: number;
  polls: number;
}

export interface LogSearchClient {
  topKeys(logId: string, deadline: number): Promise<TopKey[]>;
  /** `statement` over [fromMs, toMs) of one log, polled to its end, parsed as a groupby with timeslice. */
  groupBy(logId: string, statement: string, fromMs: number, toMs: number, deadline: number): Promise<GroupByAnswer>;
  counts(): QueryCounts;
}

/**
 * May the key be sent to `href`? Only the configured base's origin (https, or http on 127.0.0.1 for tests and
 * the demo) or an https `*.rapid7.com` host; checked on the parsed URL, never on the text.
 */
export function isAllowedPollUrl(href: string, baseUrl: string): boolean {
  let u: URL;
  let base: URL;
  try {
    u = new URL(href);
    base = new URL(baseUrl);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (u.origin === base.origin && (u.protocol === 'https:' || (u.protocol === 'http:' && u.hostname === '127.0.0.1'))) return true;
  return u.protocol === 'https:' && (u.hostname === 'rapid7.com' || u.hostname.endsWith('.rapid7.com'));
}

function selfLink(body: unknown): string | undefined {
  const links = (body as { links?: unknown })?.links;
  if (!Array.isArray(links)) return undefined;
  for (const l of links) {
    const rel = (l as { rel?: unknown })?.rel;
    const href = (l as { href?: unknown })?.href;
    if (typeof rel === 'string' && rel.toLowerCase() === 'self' && typeof href === 'string') return href;
  }
  return undefined;
}

/** The single numeric member of a slice or totals object (`{"bytes": N}`); numbers may be ints or floats. */
function numberIn(o: unknown): number | undefined {
  if (typeof o === 'number' && Number.isFinite(o)) return o;
  if (!o || typeof o !== 'object') return undefined;
  const nums = Object.values(o as Record<string, unknown>).filter((v) => typeof v === 'number' && Number.isFinite(v)) as number[];
  return nums.length === 1 ? nums[0] : undefined;
}

function malformed(what: string): AppError {
  return new AppError('RAPID7_MALFORMED', `Log Search answered ${what} in an unknown shape; no explanation was made from it.`);
}

/** Parses a finished groupby-with-timeslice answer (`statistics.groups_timeseries`, or `groups` without slices). */
export function parseGroupByAnswer(body: unknown): GroupByAnswer {
  const stats = (body as { statistics?: unknown })?.statistics as Record<string, unknown> | undefined;
  if (!stats || typeof stats !== 'object') throw malformed('a query');
  const groups: GroupSeries[] = [];
  const gts = stats.groups_timeseries;
  if (Array.isArray(gts) && gts.length > 0) {
    for (const g of gts) {
      if (!g || typeof g !== 'object') throw malformed('a group');
      for (const [value, inner] of Object.entries(g as Record<string, unknown>)) {
        const series = (inner as { series?: unknown })?.series;
        if (!Array.isArray(series)) throw malformed('a group series');
        const values = series.map((x) => numberIn(x));
        if (values.some((v) => v === undefined || v < 0)) throw malformed('a group series');
        groups.push({ value, series: values as number[] });
      }
    }
  } else if (Array.isArray(stats.groups)) {
    for (const g of stats.groups) {
      if (!g || typeof g !== 'object') throw malformed('a group');
      for (const [value, inner] of Object.entries(g as Record<string, unknown>)) {
        const n = numberIn(inner);
        if (n === undefined || n < 0) throw malformed('a group');
        groups.push({ value, series: [n] });
      }
    }
  } else throw malformed('a query');
  const othersSeries = (stats.others as { series?: unknown } | undefined)?.series;
  let others: number[] | null = null;
  if (Array.isArray(othersSeries) && othersSeries.length > 0) {
    const values = othersSeries.map((x) => numberIn(x));
    if (values.every((v) => v !== undefined && v >= 0)) others = values as number[];
  }
  return { groups, others, exact: stats.all_exact_result !== false };
}

export function parseTopKeys(body: unknown): TopKey[] {
  const list = (body as { topkeys?: unknown })?.topkeys;
  if (!Array.isArray(list)) throw malformed('topkeys');
  const out: TopKey[] = [];
  for (const k of list) {
    const key = (k as { key?: unknown })?.key;
    const weight = (k as { weight?: unknown })?.weight;
    if (typeof key !== 'string' || key === '') continue;
    out.push({ key, weight: typeof weight === 'number' && Number.isFinite(weight) ? weight : 0 });
  }
  return out;
}

export function createLogSearchClient(opts: LogSearchOptions): LogSearchClient {
  const nowMs = opts.nowMs ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollStart = opts.pollStartMs ?? 500;
  const pollMax = Math.min(opts.pollMaxMs ?? 5_000, 20_000);
  const maxWait = opts.retryMaxWaitMs ?? 60_000;
  const maxResubmits = opts.maxResubmits ?? 2;
  const maxSubmissions = opts.maxSubmissions ?? 40;
  const maxPolls = opts.maxPolls ?? 2_000;
  const counts: QueryCounts = { topkeys: 0, submissions: 0, polls: 0 };
  const base = safeBaseUrl(opts.baseUrl);
  const http: AxiosInstance = axios.create({
    baseURL: opts.baseUrl,
    timeout: opts.timeoutMs,
    responseType: 'text',
    transformResponse: [(d: unknown) => d],
    maxContentLength: 64 * 1024 * 1024,
    maxRedirects: 0,
    proxy: false,
    validateStatus: () => true,
  });

  const remaining = (deadline: number) => deadline - nowMs();
  const timeout = (what: string) =>
    new AppError('RAPID7_TIMEOUT', `Log Search did not finish ${what} before the explanation's deadline; the alert stands without it.`);

  /** One request with the key; the per-request timeout never outlives the deadline. */
  async function send(method: 'GET' | 'POST', url: string, what: string, deadline: number, data?: unknown): Promise<AxiosResponse<string>> {
    const left = remaining(deadline);
    if (left <= 0) throw timeout(what);
    try {
      return await http.request<string>({
        method,
        url,
        data,
        timeout: Math.max(1, Math.min(opts.timeoutMs, left)),
        headers: { 'x-api-key': opts.apiKey, accept: 'application/json', ...(data ? { 'content-type': 'application/json' } : {}) },
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') throw timeout(what);
      throw new AppError('RAPID7_NETWORK', `Could not reach Log Search for ${what} (${code ?? 'network error'}) at ${base}.`);
    }
  }

  function parseBody(res: AxiosResponse<string>, what: string): unknown {
    try {
      return JSON.parse(typeof res.data === 'string' ? res.data : String(res.data ?? ''));
    } catch {
      throw malformed(what);
    }
  }

  function statusError(status: number, what: string, body: string): AppError {
    if (status === 401)
      return new AppError('RAPID7_UNAUTHORIZED', `Log Search refused the API key (401) for ${what}. Check RAPID7_API_KEY.`);
    if (status === 403)
      return new AppError('RAPID7_FORBIDDEN', `Log Search answered 403 for ${what}: the key lacks Read-Only rights on the log.`);
    if (status === 404)
      return new AppError('RAPID7_NOT_FOUND', `Log Search answered 404 for ${what} (unknown log, or a query that expired).`);
    if (status === 429)
      return new AppError('RAPID7_RATE_LIMITED', `Log Search kept answering 429 for ${what}; the query limit is shared by this key.`);
    if (status >= 500) return new AppError('RAPID7_SERVER', `Log Search answered ${status} for ${what}.`);
    // A 400 names the query problem (e.g. errorCode 101011 "Invalid Query Syntax"); kept short, never a secret.
    const hint = body.replace(/\s+/g, ' ').slice(0, 160);
    return new AppError('RAPID7_HTTP', `Log Search answered HTTP ${status} for ${what}${hint ? `: ${hint}` : ''}.`);
  }

  function waitOf(res: AxiosResponse<string>): number {
    const h = res.headers as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
    return Math.min(maxWait, serverWaitMs(str(h['retry-after']), str(h['x-ratelimit-reset']), nowMs()) ?? 1_000);
  }

  async function submitOnce(logId: string, statement: string, fromMs: number, toMs: number, deadline: number) {
    const what = `the query of log ${logId}`;
    for (let attempt = 0; ; attempt++) {
      if (counts.submissions >= maxSubmissions) {
        throw new AppError(
          'RAPID7_RATE_LIMITED',
          `This run already sent ${maxSubmissions} Log Search queries (its bound); the rest go unexplained.`,
        );
      }
      counts.submissions++;
      const res = await send('POST', '/query/logs', what, deadline, {
        logs: [logId],
        leql: { statement, during: { from: fromMs, to: toMs } },
      }).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'RAPID7_NETWORK' && attempt < 2) return null;
        throw err;
      });
      if (res === null || (res.status >= 500 && attempt < 2)) {
        await sleep(Math.min(250 * 2 ** attempt, Math.max(0, remaining(deadline))));
        continue;
      }
      return res;
    }
  }

  return {
    counts: () => ({ ...counts }),

    async topKeys(logId, deadline) {
      const what = `the top keys of log ${logId}`;
      counts.topkeys++;
      const res = await send('GET', `/management/logs/${encodeURIComponent(logId)}/topkeys`, what, deadline);
      if (res.status < 200 || res.status >= 300) throw statusError(res.status, what, String(res.data ?? ''));
      return parseTopKeys(parseBody(res, 'topkeys'));
    },

    async groupBy(logId, statement, fromMs, toMs, deadline) {
      const what = `the query of log ${logId}`;
      let resubmits = 0;
      const again = async (res: AxiosResponse<string> | null, why: string): Promise<void> => {
        if (resubmits >= maxResubmits) throw res ? statusError(res.status, what, String(res.data ?? '')) : timeout(what);
        resubmits++;
        const wait = res?.status === 429 ? waitOf(res) : 0;
        opts.logger.debug({ logId, why, waitMs: wait }, 'Log Search query submitted again');
        if (wait > remaining(deadline)) throw timeout(what);
        if (wait > 0) await sleep(wait);
      };
      for (;;) {
        let res = await submitOnce(logId, statement, fromMs, toMs, deadline);
        if (res.status === 429) {
          await again(res, 'rate limited');
          continue;
        }
        if (res.status < 200 || res.status >= 300) throw statusError(res.status, what, String(res.data ?? ''));
        let body = parseBody(res, 'a query');
        let delay = pollStart;
        let restart = false;
        for (let href = selfLink(body); href !== undefined; href = selfLink(body)) {
          if (!isAllowedPollUrl(href, opts.baseUrl)) {
            let host = 'an invalid URL';
            try {
              host = new URL(href).host;
            } catch {
              // keeps the placeholder
            }
            throw new AppError(
              'RAPID7_MALFORMED',
              `Log Search asked to poll ${host}, which is neither ${base} nor an https *.rapid7.com host; the API key was not sent there.`,
            );
          }
          if (delay > remaining(deadline)) throw timeout(what);
          await sleep(delay);
          delay = Math.min(pollMax, Math.round(delay * 1.5));
          if (counts.polls >= maxPolls) {
            throw new AppError('RAPID7_RATE_LIMITED', `This run already polled Log Search ${maxPolls} times (its bound).`);
          }
          counts.polls++;
          res = await send('GET', href, what, deadline);
          if (res.status === 429 || res.status === 404) {
            await again(res, res.status === 429 ? 'rate limited while polling' : 'stale query id');
            restart = true;
            break;
          }
          if (res.status < 200 || res.status >= 300) throw statusError(res.status, what, String(res.data ?? ''));
          body = parseBody(res, 'a query');
        }
        if (restart) continue;
        return parseGroupByAnswer(body);
      }
    },
  };
}
