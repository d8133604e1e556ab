/**
 * Rapid7 Log Search HTTP client: three calls, typed errors, retries with capped waits.
 * The API key is sent as `x-api-key` and never appears in a log line or an error message.
 */
import axios, { type AxiosError, type AxiosInstance } from 'axios';
import axiosRetry from 'axios-retry';
import type { Day } from '../days.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Counters } from '../metrics/counters.js';
import { type LogUsageAnswer, type ManagementAnswer, parseLogUsage, parseManagementLogs, parseOrgUsage } from './parse.js';

export interface Rapid7ClientOptions {
  baseUrl: string;
  apiKey: string;
  region: string;
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff delay in ms; doubles per retry (with jitter). */
  retryBaseMs: number;
  /** Cap on any single wait (Retry-After, X-RateLimit-Reset, backoff), ms. */
  retryMaxWaitMs: number;
  /** Largest answer accepted, bytes (default 256 MB). */
  maxBodyBytes?: number;
  logger: Logger;
  /** Counts every request sent and every call that failed (GET /metrics). */
  counters?: Counters;
}

export interface Rapid7Client {
  getLogUsage(from: Day, to: Day): Promise<LogUsageAnswer>;
  getOrgUsage(from: Day, to: Day): Promise<Array<{ day: Day; bytes: number }>>;
  getManagementLogs(): Promise<ManagementAnswer>;
  /** Requests sent so far (each retry counts). */
  requestCount(): number;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

function header(err: AxiosError, name: string): string | undefined {
  const h = err.response?.headers as Record<string, unknown> | undefined;
  const v = h?.[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Seconds from Retry-After (seconds or HTTP date) or X-RateLimit-Reset (seconds); undefined if absent/absurd. */
export function serverWaitMs(retryAfter: string | undefined, rateLimitReset: string | undefined, nowMs: number): number | undefined {
  for (const raw of [retryAfter, rateLimitReset]) {
    if (raw === undefined || raw.trim() === '') continue;
    const v = raw.trim();
    if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
    const date = Date.parse(v);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }
  return undefined;
}

/**
 * True when a 2xx answer's body was cut off (connection dropped mid-body): a network failure, not an HTTP
 * status. axios reports it with the 2xx `response` attached.
 */
function isBodyLost(err: AxiosError): boolean {
  return err.response !== undefined && err.response.status >= 200 && err.response.status < 300;
}

function isRetryable(err: AxiosError): boolean {
  if (isBodyLost(err)) return true;
  if (err.response) return RETRY_STATUSES.has(err.response.status);
  if (err.code && NETWORK_CODES.has(err.code)) return true;
  return err.code === 'ERR_NETWORK' || /timeout|socket hang up|aborted/i.test(err.message);
}

/** The base URL as it may appear in messages: no user, password, query or fragment. */
export function safeBaseUrl(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(an invalid URL)';
  }
}

/**
 * Maps a failed request to an AppError whose message names the likely cause. `hint` is added to the
 * 400/404/other-4xx messages (e.g. a usage window longer than Rapid7 allows).
 */
function toAppError(err: unknown, what: string, opts: Rapid7ClientOptions, hint = ''): AppError {
  if (err instanceof AppError) return err;
  const ax = err as AxiosError;
  const base = safeBaseUrl(opts.baseUrl);
  const where = `RAPID7_BASE_URL=${base}`;
  const status = isBodyLost(ax) ? undefined : ax.response?.status;
  if (status === 401) {
    return new AppError(
      'RAPID7_UNAUTHORIZED',
      `Rapid7 refused the API key (401 Unauthorized) for ${what}. Check RAPID7_API_KEY: it may be wrong, revoked, or made for another region than RAPID7_REGION=${opts.region} (${where}).`,
    );
  }
  if (status === 403) {
    return new AppError(
      'RAPID7_FORBIDDEN',
      `Rapid7 answered 403 Forbidden for ${what}. The API key lacks the rights for it: usage needs a Read/Write (or organisation) key, management needs Read-Only or higher.`,
    );
  }
  if (status === 404) {
    return new AppError(
      'RAPID7_NOT_FOUND',
      `Rapid7 answered 404 Not Found for ${what}. Check the region (RAPID7_REGION=${opts.region}: the key's organisation must live there) and that the key belongs to the organisation you mean (${where}; platform keys work on the default base too).${hint}`,
    );
  }
  if (status === 429) {
    return new AppError(
      'RAPID7_RATE_LIMITED',
      `Rapid7 kept answering 429 Too Many Requests for ${what} after ${opts.maxRetries} retries. Another tool may share this key's limit (500 usage requests per 15 minutes); the next run will try again.`,
    );
  }
  if (status !== undefined && status >= 500) {
    return new AppError(
      'RAPID7_SERVER',
      `Rapid7 answered ${status} for ${what} after ${opts.maxRetries} retries. The service is having trouble; the next run will heal the missing days.`,
    );
  }
  if (status !== undefined) {
    return new AppError('RAPID7_HTTP', `Rapid7 answered HTTP ${status} for ${what}. Check ${where} and the API key's rights.${hint}`);
  }
  if (ax.code === 'ECONNABORTED' || ax.code === 'ETIMEDOUT' || /timeout/i.test(ax.message ?? '')) {
    return new AppError(
      'RAPID7_TIMEOUT',
      `Rapid7 did not answer ${what} within ${opts.timeoutMs} ms after ${opts.maxRetries} retries. Check the network path to ${base} (RAPID7_TIMEOUT_MS raises the limit).`,
    );
  }
  if (ax.code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED' || /maxContentLength/i.test(ax.message ?? '')) {
    return new AppError('RAPID7_MALFORMED', `Rapid7's answer to ${what} was larger than the accepted maximum; nothing was stored.`);
  }
  if (isBodyLost(ax)) {
    return new AppError(
      'RAPID7_NETWORK',
      `The connection to Rapid7 dropped while reading the answer to ${what} (after ${opts.maxRetries} retries); nothing of it was stored. Check the network path to ${base}.`,
    );
  }
  return new AppError(
    'RAPID7_NETWORK',
    `Could not reach Rapid7 for ${what} (${ax.code ?? 'network error'}). Check ${where}, DNS and proxies.`,
  );
}

export function createRapid7Client(opts: Rapid7ClientOptions): Rapid7Client {
  let requests = 0;
  const http: AxiosInstance = axios.create({
    baseURL: opts.baseUrl,
    timeout: opts.timeoutMs,
    headers: { 'x-api-key': opts.apiKey, accept: 'application/json' },
    responseType: 'text',
    transformResponse: [(d: unknown) => d],
    maxContentLength: opts.maxBodyBytes ?? 256 * 1024 * 1024,
    maxRedirects: 0,
    proxy: false,
    validateStatus: (s) => s >= 200 && s < 300,
  });
  // Each attempt has a whole-answer deadline of `timeoutMs` (axios' own timeout only notices an idle socket,
  // so a server trickling its body would never time out). Registered before axios-retry's interceptors.
  const deadlines = new WeakMap<object, { timer: NodeJS.Timeout | undefined; fired: boolean }>();
  http.interceptors.request.use((config) => {
    requests++;
    opts.counters?.add('rapid7Requests', { endpoint: config.url ?? '' });
    const ac = new AbortController();
    const d: { timer: NodeJS.Timeout | undefined; fired: boolean } = { timer: undefined, fired: false };
    d.timer = setTimeout(() => {
      d.fired = true;
      ac.abort();
    }, opts.timeoutMs);
    deadlines.set(config, d);
    config.signal = ac.signal;
    return config;
  });
  http.interceptors.response.use(
    (res) => {
      const d = deadlines.get(res.config);
      if (d) clearTimeout(d.timer);
      return res;
    },
    (err: AxiosError) => {
      const d = err.config ? deadlines.get(err.config) : undefined;
      if (d) clearTimeout(d.timer);
      if (d?.fired && err.code === 'ERR_CANCELED') {
        err.code = 'ECONNABORTED';
        err.message = `timeout of ${opts.timeoutMs}ms exceeded`;
      }
      // A spent signal would make axios-retry skip its wait; the next attempt gets a fresh one.
      if (err.config) delete err.config.signal;
      return Promise.reject(err);
    },
  );
  axiosRetry(http, {
    retries: opts.maxRetries,
    shouldResetTimeout: true,
    retryCondition: (err) => isRetryable(err),
    retryDelay: (retryCount, err) => {
      const server = serverWaitMs(header(err, 'retry-after'), header(err, 'x-ratelimit-reset'), Date.now());
      const backoff = opts.retryBaseMs * 2 ** (retryCount - 1) * (1 + Math.random() * 0.25);
      const wait = err.response?.status === 429 && server !== undefined ? server : backoff;
      return Math.min(Math.max(0, wait), opts.retryMaxWaitMs);
    },
    onRetry: (retryCount, err, config) => {
      opts.logger.warn(
        { retry: retryCount, status: err.response?.status, code: err.code, path: config.url },
        'Rapid7 request failed; retrying',
      );
    },
  });

  async function get(path: string, params: Record<string, string> | undefined, what: string, hint?: string): Promise<string> {
    const started = Date.now();
    try {
      const res = await http.get<string>(path, params ? { params } : {});
      opts.logger.debug({ path, ms: Date.now() - started, remaining: res.headers['x-ratelimit-remaining'] }, 'Rapid7 answered');
      return typeof res.data === 'string' ? res.data : String(res.data ?? '');
    } catch (err) {
      const e = toAppError(err, what, opts, hint);
      opts.counters?.add('rapid7Errors', { endpoint: path, code: e.code });
      opts.logger.error({ code: e.code, path, ms: Date.now() - started }, e.message);
      throw e;
    }
  }

  return {
    async getLogUsage(from, to) {
      const what = `GET /usage/organizations/logs (${from}…${to})`;
      const hint = ` Rapid7 keeps per-log usage for a limited window (7 days, on some accounts 30): if ${from}…${to} is longer or older, use a shorter, more recent window.`;
      const text = await get('/usage/organizations/logs', { from, to, interval: 'day' }, what, hint);
      return parseLogUsage(text, { from, to });
    },
    async getOrgUsage(from, to) {
      const what = `GET /usage/organizations (${from}…${to})`;
      const text = await get('/usage/organizations', { from, to }, what);
      return parseOrgUsage(text, { from, to });
    },
    async getManagementLogs() {
      const text = await get('/management/logs', undefined, 'GET /management/logs');
      return parseManagementLogs(text);
    },
    requestCount: () => requests,
  };
}
