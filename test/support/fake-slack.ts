/**
 * A fake Slack Web API: a real node:http server on 127.0.0.1 (port 0) that records every call and
 * answers the way Slack does. Point a WebClient / Bolt app at `fake.apiUrl` (ends in `/api/`).
 *
 * Answers like Slack:
 * - chat.postMessage → `{ok, channel, ts, message}` with a unique ts; `thread_ts` makes a thread reply.
 *   `metadata` (a JSON string field) is stored and returned by conversations.history when
 *   `include_all_metadata=true` (as Slack does; without it the metadata is left out).
 * - chat.update (needs an existing channel + ts, else `message_not_found`), chat.postEphemeral,
 *   conversations.history (top-level messages newest first; `limit`, `oldest`, `latest`),
 *   conversations.replies, auth.test, conversations.info (`is_member` true unless `setMembership` says
 *   otherwise; `channel_not_found` for a channel marked missing).
 * - files.getUploadURLExternal → an `upload_url` on this server; the upload POST (multipart or raw body)
 *   stores the bytes; files.completeUploadExternal shares them to `channel_id` (`file_not_found` when the
 *   bytes never arrived).
 * - views.publish (home views, ≤ 100 blocks, kept per user), views.open (modals, need a trigger_id),
 *   chat.getPermalink (for a stored message).
 * - `responseUrl(id)`: a response_url endpoint recording what `respond()` posts (JSON).
 * Tokens: a missing Authorization answers `not_authed`; when `token` is given, another one answers
 * `invalid_auth`. Unknown methods answer `unknown_method`.
 *
 * Socket Mode: `apps.connections.open` returns a ws:// URL on this server (a minimal WebSocket endpoint:
 * `hello`, pings answered, envelopes sent with `sendSocketEnvelope`, the app's acks recorded as
 * `method: 'socket'`).
 *
 * Fault injection (`fail`): the next N calls of a method (or 'upload' / 'response_url') answer 429 with
 * Retry-After, an HTTP error status, or `{ok:false, error}`. Faulty calls are recorded too (`fault` set).
 *
 * Also: helpers that send SIGNED slash commands and block_actions to a Bolt app as Slack does
 * (form-encoded string body with exactly `application/x-www-form-urlencoded`, v0 HMAC signature).
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Web API client options for a client pointed at the fake: every call is made once, so a test counts exactly the
 * calls the code under test made and sees a fault the fake injected instead of the client's own retry of it.
 */
export const CALL_ONCE = { retryConfig: { retries: 0 } } as const;

export interface FakeSlackCall {
  /** Web API method name, e.g. 'chat.postMessage'; 'upload' for the upload POST; 'response_url' for respond(). */
  method: string;
  /** Parsed body: form fields (JSON-string fields `blocks`, `attachments`, `metadata`, `files` decoded) or JSON. */
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** Path tail of response_url / upload calls (the id). */
  id?: string;
  /** The injected fault this call received, if any. */
  fault?: Fault;
  /** Milliseconds since the fake started. */
  at: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string | undefined;
  blocks: unknown[] | undefined;
  metadata: { event_type: string; event_payload: Record<string, unknown> } | undefined;
  threadTs: string | undefined;
  /** Times chat.update changed it. */
  updates: number;
}

export interface StoredFile {
  id: string;
  filename: string;
  title: string | undefined;
  /** Bytes received at the upload URL (undefined until uploaded). */
  bytes: Buffer | undefined;
  /** Channel it was shared to by files.completeUploadExternal. */
  channel: string | undefined;
  threadTs: string | undefined;
  initialComment: string | undefined;
  /** `alt_text` given to files.getUploadURLExternal (what files.uploadV2 sends). */
  altText: string | undefined;
}

/** A modal opened with views.open. */
export interface OpenedModal {
  id: string;
  triggerId: string;
  view: Record<string, unknown>;
}

/** `view` arrives as a JSON string field (form-encoded) or an object (JSON body). */
function parseView(v: unknown): Record<string, unknown> | undefined {
  if (typeof v === 'string') {
    try {
      const o = JSON.parse(v) as unknown;
      return o && typeof o === 'object' ? (o as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

/** The view of a views.* call when it is a `type` view Slack takes (at most 100 blocks), else Slack's error. */
function viewOf(v: unknown, type: 'home' | 'modal'): { view: Record<string, unknown> } | { error: string } {
  const view = parseView(v);
  if (view?.type !== type) return { error: 'invalid_arguments' };
  if (!Array.isArray(view.blocks) || view.blocks.length > 100) return { error: 'invalid_blocks' };
  return { view };
}

export type Fault = { kind: 'ratelimit'; retryAfter: number } | { kind: 'http'; status: number } | { kind: 'error'; error: string };

export interface FakeSlackOptions {
  /** Expected bot token; other tokens answer invalid_auth. Default: any `Bearer …` token is accepted. */
  token?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
}

export interface FakeSlack {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Web API base for `slackApiUrl`: http://127.0.0.1:PORT/api/ */
  apiUrl: string;
  /** A response_url on this server; what is posted there is recorded with `method: 'response_url'` and this id. */
  responseUrl(id?: string): string;
  calls: FakeSlackCall[];
  callsTo(method: string): FakeSlackCall[];
  /** Bodies posted to response_url `id` (all when id is omitted). */
  responses(id?: string): Array<Record<string, unknown>>;
  /** Top-level messages and replies by channel, in posting order. */
  messages: StoredMessage[];
  files: StoredFile[];
  /** The Home view last published for a user (views.publish), if any. */
  homeView(userId: string): Record<string, unknown> | undefined;
  /** Modals opened (views.open), in order. */
  modals: OpenedModal[];
  message(channel: string, ts: string): StoredMessage | undefined;
  /** The next `times` calls of `method` get `fault`. */
  fail(method: string, fault: Fault, times?: number): void;
  /** What conversations.info says of `channel`: the bot is a member (default), is not, or the channel does not exist. */
  setMembership(channel: string, state: 'member' | 'not-member' | 'missing'): void;
  /** Resolves when `predicate` holds (checked on every call and every 10 ms); rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves once `method` has been called at least `n` times. */
  waitForCalls(method: string, n?: number, timeoutMs?: number): Promise<FakeSlackCall[]>;
  /**
   * Socket Mode: `apps.connections.open` (with an `xapp-` token) hands out a ws:// URL on this server;
   * the app connects, gets `hello`, and this sends it an envelope (e.g. a slash command) and resolves
   * with the app's ack `{ envelope_id, payload }`.
   */
  sendSocketEnvelope(
    envelope: { type: string; payload: Record<string, unknown>; accepts_response_payload?: boolean },
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Open Socket Mode connections. */
  socketConnections(): number;
  /** Forgets calls, messages, files and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'files', 'unfurl'];

function decodeFields(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj };
  for (const k of JSON_FIELDS) {
    const v = out[k];
    if (typeof v === 'string') {
      try {
        out[k] = JSON.parse(v);
      } catch {
        // Slack would reject it; keep the raw string so a test can see what was sent.
      }
    }
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
  if (contentType.startsWith('application/json')) {
    try {
      const v = JSON.parse(raw.toString('utf8')) as unknown;
      return v && typeof v === 'object' ? decodeFields(v as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const out: Record<string, unknown> = {};
    for (const [k, v] of form.entries()) {
      out[k] = typeof v === 'string' ? v : Buffer.from(await (v as Blob).arrayBuffer());
    }
    return decodeFields(out);
  }
  return decodeFields(Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const started = Date.now();
  const botUserId = opts.botUserId ?? 'UBOT0001';
  const botId = opts.botId ?? 'BBOT0001';
  const teamId = opts.teamId ?? 'T0FAKE001';
  const bot = { userId: botUserId, botId };
  let calls: FakeSlackCall[] = [];
  let messages: StoredMessage[] = [];
  let files: StoredFile[] = [];
  let faults = new Map<string, Array<Fault>>();
  let membership = new Map<string, 'member' | 'not-member' | 'missing'>();
  let homeViews = new Map<string, Record<string, unknown>>();
  let modals: OpenedModal[] = [];
  let tsCounter = 0;
  let fileCounter = 0;
  const waiters = new Set<() => void>();
  const baseSec = Math.floor(started / 1000);
  let origin = '';

  const nextTs = () => `${baseSec + Math.floor(tsCounter / 1000)}.${String(++tsCounter).padStart(6, '0')}`;
  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  const takeFault = (method: string): Fault | undefined => {
    const q = faults.get(method);
    if (!q || q.length === 0) return undefined;
    return q.shift();
  };

  const answerFault = (res: ServerResponse, f: Fault) => {
    if (f.kind === 'ratelimit') send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(f.retryAfter) });
    else if (f.kind === 'http') send(res, f.status, `fake slack: HTTP ${f.status}`);
    else send(res, 200, { ok: false, error: f.error });
  };

  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

  const api = (method: string, b: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case 'apps.connections.open':
        return { ok: true, url: `${origin.replace('http:', 'ws:')}/socket?ticket=${++tsCounter}` };
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.com/',
          team: 'fake',
          user: 'logusage',
          team_id: teamId,
          user_id: botUserId,
          bot_id: botId,
        };
      case 'chat.postMessage': {
        const channel = str(b.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!str(b.text) && !Array.isArray(b.blocks) && !Array.isArray(b.attachments)) return { ok: false, error: 'no_text' };
        if (Array.isArray(b.blocks) && b.blocks.length > 50) return { ok: false, error: 'invalid_blocks' };
        const threadTs = str(b.thread_ts);
        if (threadTs && !messages.some((m) => m.channel === channel && m.ts === threadTs)) {
          return { ok: false, error: 'thread_not_found' };
        }
        const m: StoredMessage = {
          channel,
          ts: nextTs(),
          text: str(b.text),
          blocks: Array.isArray(b.blocks) ? b.blocks : undefined,
          metadata: b.metadata && typeof b.metadata === 'object' ? (b.metadata as StoredMessage['metadata']) : undefined,
          threadTs,
          updates: 0,
        };
        messages.push(m);
        return { ok: true, channel, ts: m.ts, message: toSlackMessage(m, true, bot) };
      }
      case 'chat.update': {
        const channel = str(b.channel);
        const ts = str(b.ts);
        const m = messages.find((x) => x.channel === channel && x.ts === ts);
        if (!m) return { ok: false, error: 'message_not_found' };
        if (Array.isArray(b.blocks) && b.blocks.length > 50) return { ok: false, error: 'invalid_blocks' };
        if ('text' in b) m.text = str(b.text);
        if ('blocks' in b) m.blocks = Array.isArray(b.blocks) ? b.blocks : undefined;
        if (b.metadata && typeof b.metadata === 'object') m.metadata = b.metadata as StoredMessage['metadata'];
        m.updates++;
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text ?? '', message: toSlackMessage(m, true, bot) };
      }
      case 'chat.postEphemeral': {
        if (!str(b.channel)) return { ok: false, error: 'channel_not_found' };
        if (!str(b.user)) return { ok: false, error: 'user_not_in_channel' };
        return { ok: true, message_ts: nextTs() };
      }
      case 'conversations.history': {
        const channel = str(b.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const limit = Math.min(Math.max(Number(b.limit ?? 100) || 100, 1), 999);
        const oldest = str(b.oldest);
        const latest = str(b.latest);
        const withMeta = String(b.include_all_metadata ?? '') === 'true';
        const list = messages
          .filter((m) => m.channel === channel && !m.threadTs)
          .filter((m) => (oldest ? Number(m.ts) >= Number(oldest) : true) && (latest ? Number(m.ts) <= Number(latest) : true))
          .reverse();
        return { ok: true, messages: list.slice(0, limit).map((m) => toSlackMessage(m, withMeta, bot)), has_more: list.length > limit };
      }
      case 'conversations.replies': {
        const channel = str(b.channel);
        const ts = str(b.ts);
        const parent = messages.find((m) => m.channel === channel && m.ts === ts);
        if (!parent) return { ok: false, error: 'thread_not_found' };
        const replies = messages.filter((m) => m.channel === channel && m.threadTs === ts);
        return { ok: true, messages: [parent, ...replies].map((m) => toSlackMessage(m, true, bot)), has_more: false };
      }
      case 'conversations.info': {
        const channel = str(b.channel);
        const state = channel ? (membership.get(channel) ?? 'member') : 'missing';
        if (!channel || state === 'missing') return { ok: false, error: 'channel_not_found' };
        return {
          ok: true,
          channel: { id: channel, name: channel.toLowerCase(), is_private: channel.startsWith('G'), is_member: state === 'member' },
        };
      }
      case 'views.publish': {
        const user = str(b.user_id);
        if (!user) return { ok: false, error: 'invalid_arguments' };
        const v = viewOf(b.view, 'home');
        if ('error' in v) return { ok: false, error: v.error };
        homeViews.set(user, v.view);
        return { ok: true, view: { id: `V${++tsCounter}`, ...v.view } };
      }
      case 'views.open': {
        const trigger = str(b.trigger_id);
        if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
        const v = viewOf(b.view, 'modal');
        if ('error' in v) return { ok: false, error: v.error };
        const id = `V${++tsCounter}`;
        modals.push({ id, triggerId: trigger, view: v.view });
        return { ok: true, view: { id, ...v.view } };
      }
      case 'chat.getPermalink': {
        const channel = str(b.channel);
        const ts = str(b.message_ts);
        if (!messages.some((m) => m.channel === channel && m.ts === ts)) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel, permalink: `https://fake.slack.com/archives/${channel}/p${String(ts).replace('.', '')}` };
      }
      case 'files.getUploadURLExternal': {
        const filename = str(b.filename);
        const length = Number(b.length);
        if (!filename || !Number.isFinite(length) || length <= 0) return { ok: false, error: 'invalid_arguments' };
        const id = `F${String(++fileCounter).padStart(8, '0')}`;
        files.push({
          id,
          filename,
          title: undefined,
          bytes: undefined,
          channel: undefined,
          threadTs: undefined,
          initialComment: undefined,
          altText: str(b.alt_text),
        });
        return { ok: true, upload_url: `${origin}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = Array.isArray(b.files) ? (b.files as Array<{ id?: string; title?: string }>) : [];
        if (list.length === 0) return { ok: false, error: 'invalid_arguments' };
        const done: Array<Record<string, unknown>> = [];
        for (const f of list) {
          const stored = files.find((x) => x.id === f.id);
          if (!stored?.bytes) return { ok: false, error: 'file_not_found' };
          stored.title = f.title;
          stored.channel = str(b.channel_id);
          stored.threadTs = str(b.thread_ts);
          stored.initialComment = str(b.initial_comment);
          done.push({ id: stored.id, name: stored.filename, title: f.title ?? stored.filename, size: stored.bytes.length });
        }
        return { ok: true, files: done };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? '');
    let method: string;
    let id: string | undefined;
    if (url.pathname.startsWith('/api/')) method = url.pathname.slice('/api/'.length);
    else if (url.pathname.startsWith('/upload/')) {
      method = 'upload';
      id = url.pathname.slice('/upload/'.length);
    } else if (url.pathname.startsWith('/response/')) {
      method = 'response_url';
      id = url.pathname.slice('/response/'.length);
    } else {
      send(res, 404, 'not found');
      return;
    }
    let body: Record<string, unknown>;
    if (method === 'upload') {
      body = contentType.startsWith('multipart/form-data') ? await parseBody(raw, contentType) : { body: raw };
    } else body = await parseBody(raw, contentType);
    const fault = takeFault(method);
    calls.push({
      method,
      body,
      headers: req.headers,
      ...(id === undefined ? {} : { id }),
      ...(fault ? { fault } : {}),
      at: Date.now() - started,
    });
    try {
      if (fault) {
        answerFault(res, fault);
        return;
      }
      if (method === 'response_url') {
        send(res, 200, 'ok');
        return;
      }
      if (method === 'upload') {
        const f = files.find((x) => x.id === id);
        if (!f) {
          send(res, 404, 'unknown upload');
          return;
        }
        const data = Object.values(body).find((v): v is Buffer => Buffer.isBuffer(v));
        f.bytes = data ?? raw;
        send(res, 200, `OK - ${f.bytes.length}`);
        return;
      }
      const auth = String(req.headers.authorization ?? '');
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : str(body.token);
      if (!token) {
        send(res, 200, { ok: false, error: 'not_authed' });
        return;
      }
      if (opts.token !== undefined && token !== opts.token) {
        send(res, 200, { ok: false, error: 'invalid_auth' });
        return;
      }
      send(res, 200, api(method, body));
    } finally {
      notify();
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, `fake slack crashed: ${String(err)}`);
    });
  });
  const sockets = new Set<Socket>();
  const acks = new Map<string, (m: Record<string, unknown>) => void>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const frame = readFrame(buf);
        if (!frame) break;
        buf = buf.subarray(frame.size);
        if (frame.opcode === 0x8) {
          socket.end(wsFrame(0x8, Buffer.alloc(0)));
          sockets.delete(socket);
        } else if (frame.opcode === 0x9) socket.write(wsFrame(0xa, frame.payload));
        else if (frame.opcode === 0x1) {
          try {
            const msg = JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>;
            calls.push({ method: 'socket', body: msg, headers: {}, at: Date.now() - started });
            const id = String(msg.envelope_id ?? '');
            acks.get(id)?.(msg);
            acks.delete(id);
          } catch {
            // not JSON: ignored, as Slack would
          }
          notify();
        }
      }
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    socket.write(
      wsFrame(
        0x1,
        Buffer.from(
          JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'A0FAKEAPP' } }),
        ),
      ),
    );
  });
  let envelopeCounter = 0;

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  const waitFor = (predicate: () => boolean, timeoutMs = 5000): Promise<void> =>
    new Promise((resolve, reject) => {
      if (predicate()) {
        resolve();
        return;
      }
      const check = () => {
        if (predicate()) {
          cleanup();
          resolve();
        }
      };
      const interval = setInterval(check, 10);
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake slack: condition not met within ${timeoutMs} ms; calls so far: ${calls.map((c) => c.method).join(', ')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearInterval(interval);
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
    });

  return {
    origin,
    apiUrl: `${origin}/api/`,
    responseUrl: (rid = 'r1') => `${origin}/response/${encodeURIComponent(rid)}`,
    get calls() {
      return calls;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    responses: (rid) =>
      calls.filter((c) => c.method === 'response_url' && !c.fault && (rid === undefined || c.id === rid)).map((c) => c.body),
    get messages() {
      return messages;
    },
    get files() {
      return files;
    },
    homeView: (userId) => homeViews.get(userId),
    get modals() {
      return modals;
    },
    message: (channel, ts) => messages.find((m) => m.channel === channel && m.ts === ts),
    fail(method, fault, times = 1) {
      const q = faults.get(method) ?? [];
      for (let i = 0; i < times; i++) q.push(fault);
      faults.set(method, q);
    },
    setMembership(channel, state) {
      membership.set(channel, state);
    },
    waitFor,
    async waitForCalls(method, n = 1, timeoutMs = 5000) {
      await waitFor(() => calls.filter((c) => c.method === method).length >= n, timeoutMs);
      return calls.filter((c) => c.method === method);
    },
    socketConnections: () => sockets.size,
    async sendSocketEnvelope(envelope, timeoutMs = 5000) {
      await waitFor(() => sockets.size > 0, timeoutMs);
      const id = `env-${++envelopeCounter}`;
      const acked = new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => {
          acks.delete(id);
          reject(new Error(`fake slack: no ack for socket envelope ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        acks.set(id, (m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
      const frame = wsFrame(0x1, Buffer.from(JSON.stringify({ envelope_id: id, accepts_response_payload: true, ...envelope })));
      for (const sock of sockets) sock.write(frame);
      return acked;
    },
    reset() {
      calls = [];
      messages = [];
      files = [];
      faults = new Map();
      membership = new Map();
      homeViews = new Map();
      modals = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const sock of sockets) sock.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One WebSocket frame from the server (never masked). */
function wsFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126 && len < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else if (len >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

/** One complete (client, masked) frame at the start of `buf`, or undefined when more bytes are needed. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = (buf[0] as number) & 0x0f;
  const masked = ((buf[1] as number) & 0x80) !== 0;
  let len = (buf[1] as number) & 0x7f;
  let off = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    off = 10;
  }
  const maskLen = masked ? 4 : 0;
  if (buf.length < off + maskLen + len) return undefined;
  const mask = buf.subarray(off, off + maskLen);
  const payload = Buffer.from(buf.subarray(off + maskLen, off + maskLen + len));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return { opcode, payload, size: off + maskLen + len };
}

function toSlackMessage(m: StoredMessage, withMetadata: boolean, bot: { userId: string; botId: string }): Record<string, unknown> {
  return {
    type: 'message',
    user: bot.userId,
    bot_id: bot.botId,
    ts: m.ts,
    text: m.text ?? '',
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Signed requests to a Bolt app, as Slack sends them.

/** `v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{body}`). */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignOptions {
  /** Unix seconds; default now. Use now − 301 to test the 5-minute window. */
  timestamp?: number;
  /** Replace the computed signature (forgery tests). */
  signature?: string;
}

export interface SlackPostResult {
  status: number;
  text: string;
  /** The body parsed as JSON when it is JSON. */
  json: Record<string, unknown> | undefined;
}

/** The headers Slack sends with a form-encoded body: exact content type, timestamp and signature. */
export function signedHeaders(signingSecret: string, body: string, opts: SignOptions = {}): Record<string, string> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': opts.signature ?? slackSignature(signingSecret, timestamp, body),
  };
}

/** POSTs `body` with `headers` and reads the answer: status, text, and the text as JSON when it is a JSON object. */
async function post(url: string, headers: Record<string, string>, body: string): Promise<SlackPostResult> {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    const v = JSON.parse(text) as unknown;
    json = v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** POSTs a form-encoded body to `url` signed with `signingSecret` (exact content-type Bolt expects). */
export function postSigned(url: string, signingSecret: string, body: string, opts: SignOptions = {}): Promise<SlackPostResult> {
  return post(url, signedHeaders(signingSecret, body, opts), body);
}

export interface SlashCommandFields {
  text: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  response_url: string;
  command?: string;
  trigger_id?: string;
}

/** The form body of a slash command, fields in the order Slack sends them. */
export function slashCommandBody(f: SlashCommandFields): string {
  const fields: Array<[string, string]> = [
    ['token', 'deprecated-verification-token'],
    ['team_id', f.team_id ?? 'T0FAKE001'],
    ['team_domain', 'fake'],
    ['channel_id', f.channel_id ?? 'C0CHAN001'],
    ['channel_name', f.channel_name ?? 'ops'],
    ['user_id', f.user_id ?? 'U0USER001'],
    ['user_name', f.user_name ?? 'someone'],
    ['command', f.command ?? '/logusage'],
    ['text', f.text],
    ['api_app_id', 'A0FAKEAPP'],
    ['is_enterprise_install', 'false'],
    ['response_url', f.response_url],
    ['trigger_id', f.trigger_id ?? '1234.5678.abcdef'],
  ];
  return fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Sends a signed `/logusage` (or other) slash command to a Bolt HTTP app's `/slack/events`. */
export function sendSlashCommand(
  eventsUrl: string,
  signingSecret: string,
  f: SlashCommandFields,
  opts: SignOptions = {},
): Promise<SlackPostResult> {
  return postSigned(eventsUrl, signingSecret, slashCommandBody(f), opts);
}

export interface BlockActionFields {
  actionId: string;
  value: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  /** ts of the message holding the button. */
  messageTs: string;
  /** The message as Slack shows it to the app (text, blocks). */
  message?: { text?: string; blocks?: unknown[] };
  responseUrl: string;
  blockId?: string;
}

/** The `block_actions` payload of a button click on a message. */
export function blockActionsPayload(f: BlockActionFields): Record<string, unknown> {
  const channel = f.channelId ?? 'C0CHAN001';
  const user = f.userId ?? 'U0USER001';
  return {
    type: 'block_actions',
    user: { id: user, username: f.userName ?? 'someone', name: f.userName ?? 'someone', team_id: 'T0FAKE001' },
    api_app_id: 'A0FAKEAPP',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: f.messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: '1234.5678.abcdef',
    team: { id: 'T0FAKE001', domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'ops' },
    message: {
      type: 'message',
      user: 'UBOT0001',
      bot_id: 'BBOT0001',
      ts: f.messageTs,
      text: f.message?.text ?? '',
      blocks: f.message?.blocks ?? [],
    },
    state: { values: {} },
    response_url: f.responseUrl,
    actions: [
      {
        action_id: f.actionId,
        block_id: f.blockId ?? 'alert_actions',
        text: { type: 'plain_text', text: 'button', emoji: true },
        value: f.value,
        type: 'button',
        action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
      },
    ],
  };
}

/** Sends a signed button click (`payload=<json>` form body) to a Bolt HTTP app's `/slack/events`. */
export function sendBlockAction(
  eventsUrl: string,
  signingSecret: string,
  f: BlockActionFields,
  opts: SignOptions = {},
): Promise<SlackPostResult> {
  return sendInteraction(eventsUrl, signingSecret, blockActionsPayload(f), opts);
}

/** POSTs a signed JSON body (how Slack delivers events in HTTP mode) to `url`. */
export function postSignedJson(url: string, signingSecret: string, body: string, opts: SignOptions = {}): Promise<SlackPostResult> {
  return post(url, { ...signedHeaders(signingSecret, body, opts), 'content-type': 'application/json' }, body);
}

/** Sends a signed Events API `event_callback` wrapping `event` (e.g. app_home_opened). */
export function sendEvent(
  eventsUrl: string,
  signingSecret: string,
  event: Record<string, unknown>,
  opts: SignOptions = {},
): Promise<SlackPostResult> {
  const body = JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: 'T0FAKE001',
    api_app_id: 'A0FAKEAPP',
    event,
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0FAKE001', user_id: 'UBOT0001', is_bot: true }],
  });
  return postSignedJson(eventsUrl, signingSecret, body, opts);
}

/** Sends any interactivity payload (view_submission, block_suggestion …) as Slack does: signed `payload=<json>`. */
export function sendInteraction(
  eventsUrl: string,
  signingSecret: string,
  payload: Record<string, unknown>,
  opts: SignOptions = {},
): Promise<SlackPostResult> {
  return postSigned(eventsUrl, signingSecret, `payload=${encodeURIComponent(JSON.stringify(payload))}`, opts);
}

/** A button click on a Home tab or modal view (no message, no channel, no response_url). */
export function viewBlockActionsPayload(f: {
  actionId: string;
  value: string;
  userId: string;
  view: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: f.userId, username: 'someone', name: 'someone', team_id: 'T0FAKE001' },
    api_app_id: 'A0FAKEAPP',
    token: 'deprecated-verification-token',
    container: { type: 'view', view_id: 'V0HOME001' },
    trigger_id: `${Math.floor(Math.random() * 1e6)}.1234.abcdef`,
    team: { id: 'T0FAKE001', domain: 'fake' },
    is_enterprise_install: false,
    view: { id: 'V0HOME001', team_id: 'T0FAKE001', state: { values: {} }, hash: 'h1', ...f.view },
    actions: [
      {
        action_id: f.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'button', emoji: true },
        value: f.value,
        type: 'button',
        action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
      },
    ],
  };
}

/**
 * The view_submission of a modal as Slack sends it: `values` maps block_id → action_id → the element's
 * state (`{ type: 'plain_text_input', value }`, `{ type: 'static_select', selected_option }` …).
 */
export function viewSubmissionPayload(f: {
  userId: string;
  view: Record<string, unknown>;
  values: Record<string, Record<string, Record<string, unknown>>>;
}): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: 'T0FAKE001', domain: 'fake' },
    user: { id: f.userId, username: 'someone', name: 'someone', team_id: 'T0FAKE001' },
    api_app_id: 'A0FAKEAPP',
    token: 'deprecated-verification-token',
    trigger_id: '2222.3333.abcdef',
    view: { id: 'V0MODAL01', team_id: 'T0FAKE001', hash: 'h2', ...f.view, state: { values: f.values } },
    response_urls: [],
    is_enterprise_install: false,
  };
}

/** The block_suggestion of an external_select as the user types (`value` is the typed text). */
export function blockSuggestionPayload(f: {
  userId: string;
  actionId: string;
  blockId: string;
  value: string;
  view?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    type: 'block_suggestion',
    user: { id: f.userId, username: 'someone', name: 'someone', team_id: 'T0FAKE001' },
    container: { type: 'view', view_id: 'V0MODAL01' },
    api_app_id: 'A0FAKEAPP',
    token: 'deprecated-verification-token',
    action_id: f.actionId,
    block_id: f.blockId,
    value: f.value,
    team: { id: 'T0FAKE001', domain: 'fake' },
    view: { id: 'V0MODAL01', type: 'modal', state: { values: {} }, ...f.view },
  };
}
