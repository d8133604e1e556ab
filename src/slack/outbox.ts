/**
 * Durable delivery to Slack: drains the outbox table (src/store/outbox.ts) in id order per channel,
 * paced per channel, retrying with backoff on errors and after Retry-After on 429. A row is marked sent
 * only after Slack accepted it.
 *
 * The unknown-outcome window (Slack accepted a post, the process died before the database recorded it)
 * is closed with message metadata: every post and reply carries `metadata.event_payload.key = idem_key`,
 * and a row whose previous attempt has no recorded outcome (`inflight_at` set) is first looked up in the
 * channel's recent history (or its thread) by that key; when found, it is recorded as sent instead of
 * being posted again. Updates are idempotent and are simply sent again. Uploads are looked up by their
 * (unique) file name among the thread's file messages. See docs/operations.md.
 */
import { webApi } from '@slack/bolt';
import { AppError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import { countOutbox, getOutbox, markAttempt, markDead, markRetry, markSent, type OutboxRecord, pendingHeads } from '../store/outbox.js';
import { renewBlockIds } from './block-ids.js';

/** Metadata event type of every message logusage posts (Slack requires [a-z0-9_]). */
export const METADATA_EVENT_TYPE = 'logusage_outbox';

export interface SlackMetadata {
  event_type: string;
  event_payload: { key: string };
}

/** The part of the Slack Web API the outbox uses. `threadTs` makes a reply in that thread. */
export interface SlackSender {
  postMessage(m: {
    channel: string;
    text: string;
    blocks?: unknown[];
    threadTs?: string;
    metadata: SlackMetadata;
  }): Promise<{ ts: string }>;
  updateMessage(m: { channel: string; ts: string; text: string; blocks?: unknown[] }): Promise<void>;
  uploadFile(f: {
    channel: string;
    threadTs?: string;
    filename: string;
    title: string;
    altText?: string;
    bytes: Buffer;
  }): Promise<{ fileId: string }>;
  /** ts of a message (or thread reply, with `threadTs`) carrying metadata key `key`, or null. */
  findMessageByKey(q: { channel: string; threadTs?: string; key: string }): Promise<string | null>;
  /** id of a file named `filename` shared in the thread `threadTs` (or the channel), or null. */
  findFile(q: { channel: string; threadTs?: string; filename: string }): Promise<string | null>;
}

/** How a failed call is handled: wait and retry, retry with backoff, give the row up, or stop draining. */
export type SendFailure =
  | { kind: 'ratelimited'; retryAfterMs: number; message: string }
  /** `unanswered`: no answer came back (network error, timeout, 5xx), so Slack may have acted on it. */
  | { kind: 'transient'; message: string; unanswered?: boolean }
  | { kind: 'permanent'; message: string }
  | { kind: 'auth'; message: string };

export class SlackSendError extends Error {
  readonly failure: SendFailure;
  constructor(failure: SendFailure) {
    super(failure.message);
    this.name = 'SlackSendError';
    this.failure = failure;
  }
}

/** Slack errors after which sending the same request again can never succeed. */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'msg_too_long',
  'no_text',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'thread_not_found',
  'invalid_arguments',
  'file_not_found',
  'restricted_action',
  'too_many_attachments',
  'invalid_attachments',
  'duplicate_channel_not_found',
  'channel_is_archived',
]);
/** Slack errors that mean the token or app is wrong: nothing can be sent until an operator fixes it. */
const AUTH = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'ekm_access_denied',
  'team_access_not_granted',
]);

/** Maps an error thrown by @slack/web-api (rate limit, platform, HTTP, network) to a SendFailure. */
export function classifySlackError(err: unknown): SendFailure {
  if (err instanceof SlackSendError) return err.failure;
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  const ErrorCode = webApi.ErrorCode;
  if (e?.code === ErrorCode.RateLimitedError) {
    const secs = typeof e.retryAfter === 'number' && Number.isFinite(e.retryAfter) ? e.retryAfter : 1;
    return { kind: 'ratelimited', retryAfterMs: Math.max(0, secs) * 1000, message: `rate limited by Slack (Retry-After ${secs} s)` };
  }
  if (e?.code === ErrorCode.PlatformError) {
    const code = e.data?.error ?? 'unknown_error';
    if (code === 'ratelimited') return { kind: 'ratelimited', retryAfterMs: 1000, message: 'rate limited by Slack' };
    if (AUTH.has(code)) return { kind: 'auth', message: `Slack refused the bot token (${code})` };
    if (PERMANENT.has(code)) return { kind: 'permanent', message: `Slack refused the message (${code})` };
    return { kind: 'transient', message: `Slack answered an error (${code})` };
  }
  if (e?.code === ErrorCode.HTTPError) {
    const status = e.statusCode ?? 0;
    if (status === 429) return { kind: 'ratelimited', retryAfterMs: 1000, message: 'Slack answered HTTP 429' };
    if (status === 401 || status === 403) return { kind: 'auth', message: `Slack answered HTTP ${status}` };
    if (status >= 400 && status < 500 && status !== 408) return { kind: 'permanent', message: `Slack answered HTTP ${status}` };
    return { kind: 'transient', message: `Slack answered HTTP ${status}`, unanswered: status >= 500 || status === 408 };
  }
  if (e?.code === ErrorCode.FileUploadInvalidArgumentsError || e?.code === ErrorCode.FileUploadReadFileDataError) {
    return { kind: 'permanent', message: `file upload refused: ${e.message ?? 'invalid arguments'}` };
  }
  return { kind: 'transient', message: `could not reach Slack (${describeError(err)})`, unanswered: true };
}

export interface WebApiSenderOptions {
  token: string;
  /** Web API base, ending in `/api/`. */
  apiUrl: string;
  logger: Logger;
  /** Per-request timeout, ms (default 30 s). */
  timeoutMs?: number;
  /** Newest messages looked at when checking for an unknown-outcome post (default 1,000). */
  historyScan?: number;
}

/**
 * A SlackSender over Bolt's WebClient with its own retries off: a 429 surfaces at once (with
 * Retry-After) and the outbox decides when to try again, so waits are recorded in the database.
 */
export function createWebApiSender(opts: WebApiSenderOptions): SlackSender {
  const log = opts.logger.child({ component: 'slack-web-api' });
  const client = new webApi.WebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: opts.timeoutMs ?? 30_000,
    logger: {
      debug: (...m: unknown[]) => log.debug(m.map(String).join(' ')),
      info: (...m: unknown[]) => log.debug(m.map(String).join(' ')),
      warn: (...m: unknown[]) => log.debug(m.map(String).join(' ')),
      error: (...m: unknown[]) => log.warn(m.map(String).join(' ')),
      setLevel: () => undefined,
      getLevel: () => webApi.LogLevel.DEBUG,
      setName: () => undefined,
    },
  });
  const scan = opts.historyScan ?? 1000;
  const wrap = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      throw new SlackSendError(classifySlackError(err));
    }
  };
  type Msg = {
    ts?: string;
    metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
    files?: Array<{ id?: string; name?: string }>;
  };
  const pages = async function* (q: { channel: string; threadTs?: string }): AsyncGenerator<Msg[]> {
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await wrap(() =>
        q.threadTs
          ? client.conversations.replies({
              channel: q.channel,
              ts: q.threadTs,
              limit: 200,
              include_all_metadata: true,
              ...(cursor ? { cursor } : {}),
            })
          : client.conversations.history({ channel: q.channel, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) }),
      );
      const msgs = (page.messages ?? []) as Msg[];
      seen += msgs.length;
      yield msgs;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor && seen < scan);
  };
  return {
    async postMessage(m) {
      const r = await wrap(() =>
        client.chat.postMessage({
          channel: m.channel,
          text: m.text,
          ...(m.blocks ? { blocks: m.blocks as never } : {}),
          ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
          metadata: m.metadata as never,
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
      if (!r.ts) throw new SlackSendError({ kind: 'transient', message: 'Slack accepted a message without a ts' });
      return { ts: r.ts };
    },
    async updateMessage(m) {
      await wrap(() =>
        client.chat.update({ channel: m.channel, ts: m.ts, text: m.text, ...(m.blocks ? { blocks: m.blocks as never } : {}) }),
      );
    },
    async uploadFile(f) {
      const r = (await wrap(() =>
        client.files.uploadV2({
          channel_id: f.channel,
          ...(f.threadTs ? { thread_ts: f.threadTs } : {}),
          file: f.bytes,
          filename: f.filename,
          title: f.title,
          // Every image says what it shows (SLACK.md "Rules"); the title when nothing better was queued.
          alt_text: f.altText ?? f.title,
        } as never),
      )) as { files?: Array<{ files?: Array<{ id?: string }> }> };
      const id = r.files?.[0]?.files?.[0]?.id;
      return { fileId: id ?? 'unknown' };
    },
    async findMessageByKey(q) {
      for await (const msgs of pages(q)) {
        for (const m of msgs) {
          if (m.metadata?.event_type === METADATA_EVENT_TYPE && m.metadata.event_payload?.key === q.key && m.ts) return m.ts;
        }
      }
      return null;
    },
    async findFile(q) {
      for await (const msgs of pages(q)) {
        for (const m of msgs) {
          const f = m.files?.find((x) => x.name === q.filename);
          if (f?.id) return f.id;
        }
      }
      return null;
    },
  };
}

export interface OutboxOptions {
  db: Db;
  sender: SlackSender;
  logger: Logger;
  now: () => Date;
  /** Waits `ms` (resolves early when `signal` aborts). Injected so tests and the demo control time. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Least time between two sends to one channel, ms (Slack: about 1 message per second per channel). */
  paceMs?: number;
  /** First retry delay after an error, ms; doubles per attempt up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Longest Retry-After honoured, ms. */
  retryAfterMaxMs?: number;
  /**
   * Attempts after which a row that keeps failing is given up (marked dead). Default 500: with the
   * default backoff (doubling to 10 min) that is about three and a half days of outage.
   */
  maxAttempts?: number;
}

export interface DrainOptions {
  /** Stop (leaving rows pending) when the next send could not start before this time. */
  deadline?: Date;
  /** Stop at the next safe point (between two sends). */
  signal?: AbortSignal;
}

export interface DrainReport {
  sent: number;
  /** Rows found already delivered (unknown-outcome attempts confirmed in Slack). */
  confirmed: number;
  retries: number;
  dead: number;
  pending: number;
  /** Set when Slack refused the token: draining stopped, rows stay pending. */
  authError?: string;
  stoppedBy: 'empty' | 'deadline' | 'signal' | 'auth';
}

export interface Outbox {
  drain(opts?: DrainOptions): Promise<DrainReport>;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function createOutbox(o: OutboxOptions): Outbox {
  const paceMs = o.paceMs ?? 1100;
  const retryBaseMs = o.retryBaseMs ?? 2000;
  const retryMaxMs = o.retryMaxMs ?? 10 * 60_000;
  const retryAfterMaxMs = o.retryAfterMaxMs ?? 15 * 60_000;
  const maxAttempts = o.maxAttempts ?? 500;
  const sleep = o.sleep ?? defaultSleep;
  const log = o.logger.child({ component: 'outbox' });
  /** Earliest time (ms) the next send to a channel may start. Per process: a restart waits at most one pace. */
  const channelReadyAt = new Map<string, number>();

  /** The ts of the message a row edits or replies to, or a reason it cannot be sent yet / ever. */
  function parentTs(row: OutboxRecord): { ts: string } | { wait: true } | { dead: string } | { none: true } {
    if (row.parentOutboxId === null) return { none: true };
    const parent = getOutbox(o.db, row.parentOutboxId);
    if (!parent) return { dead: `the message it belongs to (outbox ${row.parentOutboxId}) is gone` };
    if (parent.status === 'sent' && parent.resultTs) return { ts: parent.resultTs };
    if (parent.status === 'dead') return { dead: `the message it belongs to (outbox ${parent.id}) could not be delivered` };
    return { wait: true };
  }

  /**
   * Whether an attempt with an unknown outcome reached Slack: the ts (or file id) it got, or null. A
   * passing failure (rate limit, Slack error) is thrown, so the row is retried later; when the history
   * cannot be read at all (missing scope, app not in the channel) the row is sent: a rare duplicate is
   * better than a lost alert.
   */
  async function lookUp(row: OutboxRecord, threadTs: string | undefined): Promise<string | null> {
    const where = { channel: row.channel, ...(threadTs ? { threadTs } : {}) };
    try {
      return row.method === 'upload'
        ? row.payload.filename
          ? await o.sender.findFile({ ...where, filename: row.payload.filename })
          : null
        : await o.sender.findMessageByKey({ ...where, key: row.idemKey });
    } catch (err) {
      const f = classifySlackError(err);
      if (f.kind === 'transient' || f.kind === 'ratelimited') throw err;
      log.warn(
        { outbox: row.id, key: row.idemKey, error: f.message },
        'cannot read the channel to check an earlier attempt; sending it again',
      );
      return null;
    }
  }

  /** Sends a row; `step.attempted` tells a failure of the send from a failure of the check before it. */
  async function sendOne(
    row: OutboxRecord,
    threadTs: string | undefined,
    step: { attempted: boolean },
  ): Promise<{ ts: string | null; confirmed: boolean }> {
    const { sender } = o;
    if (row.inflightAt !== null && row.method !== 'update') {
      const found = await lookUp(row, threadTs);
      if (found) return { ts: found, confirmed: true };
    }
    markAttempt(o.db, row.id, o.now().toISOString());
    step.attempted = true;
    const p = row.payload;
    switch (row.method) {
      case 'post':
      case 'reply': {
        const r = await sender.postMessage({
          channel: row.channel,
          text: p.text,
          ...(p.blocks ? { blocks: p.blocks } : {}),
          ...(threadTs ? { threadTs } : {}),
          metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key: row.idemKey } },
        });
        return { ts: r.ts, confirmed: false };
      }
      case 'update': {
        if (!threadTs) throw new SlackSendError({ kind: 'permanent', message: 'an update without the message it edits' });
        // An update in place gets new block_ids (SLACK.md "Rules"): the row's key is unique per version.
        const blocks = p.blocks ? renewBlockIds(p.blocks as Array<{ block_id?: string }>, row.idemKey) : undefined;
        await sender.updateMessage({ channel: row.channel, ts: threadTs, text: p.text, ...(blocks ? { blocks } : {}) });
        return { ts: threadTs, confirmed: false };
      }
      case 'upload': {
        if (!p.fileBase64 || !p.filename) throw new SlackSendError({ kind: 'permanent', message: 'an upload without a file' });
        const r = await sender.uploadFile({
          channel: row.channel,
          ...(threadTs ? { threadTs } : {}),
          filename: p.filename,
          title: p.title ?? p.filename,
          altText: p.altText ?? p.title ?? p.filename,
          bytes: Buffer.from(p.fileBase64, 'base64'),
        });
        return { ts: r.fileId, confirmed: false };
      }
    }
  }

  async function drain(opts: DrainOptions = {}): Promise<DrainReport> {
    const report: DrainReport = { sent: 0, confirmed: 0, retries: 0, dead: 0, pending: 0, stoppedBy: 'empty' };
    const deadlineMs = opts.deadline?.getTime();
    for (;;) {
      if (opts.signal?.aborted) {
        report.stoppedBy = 'signal';
        break;
      }
      const heads = pendingHeads(o.db);
      if (heads.length === 0) break;
      const nowMs = o.now().getTime();
      if (deadlineMs !== undefined && nowMs >= deadlineMs) {
        report.stoppedBy = 'deadline';
        break;
      }
      // A first attempt is due at once: `next_attempt_at` of a new row is the queueing time, which may
      // come from a simulated day clock; later attempts are due by this outbox's clock.
      const readyAt = (r: OutboxRecord) => Math.max(r.attempts === 0 ? 0 : Date.parse(r.nextAttemptAt), channelReadyAt.get(r.channel) ?? 0);
      const ready = heads.filter((r) => readyAt(r) <= nowMs);
      if (ready.length === 0) {
        const wake = Math.min(...heads.map(readyAt));
        if (deadlineMs !== undefined && wake > deadlineMs) {
          report.stoppedBy = 'deadline';
          break;
        }
        await sleep(wake - nowMs, opts.signal);
        continue;
      }
      let stop = false;
      for (const row of ready) {
        if (opts.signal?.aborted) break;
        const parent = parentTs(row);
        if ('dead' in parent) {
          report.dead += markDead(o.db, row.id, parent.dead).length;
          continue;
        }
        if ('wait' in parent) {
          // The parent is pending in another channel's queue: look again after one pace.
          markRetry(o.db, row.id, 'waiting for the message it belongs to', new Date(nowMs + paceMs).toISOString());
          continue;
        }
        const threadTs = 'ts' in parent ? parent.ts : undefined;
        const step = { attempted: false };
        try {
          const r = await sendOne(row, threadTs, step);
          markSent(o.db, row.id, r.ts, o.now().toISOString());
          if (r.confirmed) {
            report.confirmed++;
            log.info({ outbox: row.id, key: row.idemKey }, 'an earlier attempt had reached Slack; recorded it instead of sending again');
          } else {
            report.sent++;
            channelReadyAt.set(row.channel, o.now().getTime() + paceMs);
          }
        } catch (err) {
          const f = classifySlackError(err);
          const at = o.now();
          channelReadyAt.set(row.channel, at.getTime() + paceMs);
          if (f.kind === 'permanent') {
            report.dead += markDead(o.db, row.id, f.message).length;
            log.error(
              { outbox: row.id, key: row.idemKey, channel: row.channel, error: f.message },
              'Slack refused a message for good; it is dropped',
            );
            continue;
          }
          const fresh = getOutbox(o.db, row.id);
          const attempts = fresh?.attempts ?? row.attempts + 1;
          if (f.kind !== 'auth' && attempts >= maxAttempts) {
            report.dead += markDead(o.db, row.id, `gave up after ${attempts} attempts: ${f.message}`).length;
            log.error({ outbox: row.id, key: row.idemKey, error: f.message }, 'a message could not be delivered for days; it is dropped');
            continue;
          }
          const delay =
            f.kind === 'ratelimited'
              ? Math.min(Math.max(f.retryAfterMs, paceMs), retryAfterMaxMs)
              : Math.min(retryBaseMs * 2 ** Math.max(0, attempts - 1), retryMaxMs);
          const next = new Date(at.getTime() + delay);
          // Still unknown: the check of an earlier attempt failed, or this attempt got no answer.
          const unknown = step.attempted ? f.kind === 'transient' && f.unanswered === true : row.inflightAt !== null;
          markRetry(o.db, row.id, f.message, next.toISOString(), unknown);
          if (f.kind === 'ratelimited') channelReadyAt.set(row.channel, next.getTime());
          report.retries++;
          log.warn(
            { outbox: row.id, key: row.idemKey, channel: row.channel, error: f.message, retryInMs: delay },
            'Slack send failed; will retry',
          );
          if (f.kind === 'auth') {
            report.authError = f.message;
            report.stoppedBy = 'auth';
            stop = true;
            break;
          }
        }
      }
      if (stop) break;
    }
    report.pending = countOutbox(o.db).pending;
    return report;
  }

  return { drain };
}

/** The error the CLI shows when Slack refused the token while delivering. */
export function slackAuthError(message: string): AppError {
  return new AppError(
    'SLACK',
    `${message}. Check SLACK_BOT_TOKEN (reinstall the app if it was revoked) and the app's scopes (chat:write, chat:write.public, files:write, channels:history). Queued messages are kept and sent once it works.`,
  );
}
