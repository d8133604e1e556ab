/**
 * The daily run (`run-daily`, and what the schedule runs): collect the window ending at day D →
 * detect D → alert lifecycle → digest → deliver. Idempotent per day: the alert day and the digest are
 * queued once (src/alerts/runner.ts, src/digest.ts), so a second run for the same day changes nothing
 * and posts nothing new; it only delivers what is still pending.
 *
 * A lease in `locks` keeps a second process on the same database from running it at the same time.
 * A failed run posts ONE message to the alert channel (notice `run-failed:run-daily`) until a run
 * succeeds again, which replies "working again" in that message's thread.
 */
import { hostname } from 'node:os';
import { type AlertDayResult, type AlertRunDeps, applyAlertDay } from './alerts/runner.js';
import type { UsageChartInput } from './charts.js';
import { type CollectResult, runCollect } from './collect.js';
import type { Settings } from './config.js';
import { type Day, yesterdayUtc } from './days.js';
import type { Finding } from './detect/types.js';
import { type DigestResult, queueDigest } from './digest.js';
import { AppError, describeError } from './errors.js';
import type { Logger } from './logger.js';
import type { Counters } from './metrics/counters.js';
import { priceFindings } from './money.js';
import { detectForDay } from './pipeline/detect.js';
import { type ExplainDayResult, explainDay } from './pipeline/explain.js';
import { judgeOrganisation, queueCreep, recordLevelShifts } from './pipeline/org.js';
import type { Rapid7Client } from './rapid7/client.js';
import type { LogSearchClient } from './rapid7/query.js';
import { buildRunFailedMessage, buildRunRecoveredReply } from './slack/blocks/run-notice.js';
import { createOutbox, type DrainReport, METADATA_EVENT_TYPE, type OutboxOptions, type SlackSender } from './slack/outbox.js';
import { claimNotice, clearNotices, listNotices } from './store/alerts.js';
import { type Db, isSqliteError, storageError } from './store/db.js';
import { acquireLock, closeAbandonedRuns, readLock, releaseLock, renewLock } from './store/locks.js';
import { enqueueOutbox, getOutboxByKey, type OutboxRecord, pruneOutbox } from './store/outbox.js';
import { priceInForce } from './store/price.js';
import { finishRun, startRun } from './store/runs.js';

export const DAILY_JOB = 'run-daily';
export const DAILY_LOCK = 'run-daily';
export const OUTBOX_LOCK = 'outbox';
export const RUN_FAILED_NOTICE = 'run-failed:run-daily';

/** Detection for one day (src/detect/run.ts `detectForDay`), passed in. */

export interface DailyDeps {
  db: Db;
  settings: Settings;
  logger: Logger;
  now: () => Date;
  /** null: no collection (work on stored data). */
  rapid7: Rapid7Client | null;
  /** null: nothing is delivered now (queued messages wait for a run or `serve` that can send). */
  sender: SlackSender | null;
  renderChart?: (input: UsageChartInput) => Buffer;
  /**
   * Outbox tuning (pace, retries, sleep); tests and the demo make it fast. Delivery paces and retries
   * by the wall clock (`outbox.now`, default real time), not by `now`, which may be a simulated day.
   */
  outbox?: Partial<Omit<OutboxOptions, 'db' | 'sender' | 'logger'>>;
  /** Consecutive normal days that resolve an alert (default 2). */
  resolveAfterDays?: number;
  /** Lease length, ms (default 5 min; renewed every third of it while the holder runs). A holder that died on this host is taken over at once. */
  lockTtlMs?: number;
  /** Longest time spent delivering at the end of a run, ms (default 10 min); the rest stays queued. */
  deliverTimeoutMs?: number;
  /** Lease owner (default host:pid:random). */
  owner?: string;
  /**
   * A fresh Log Search query client for one run (its bounds are per run), or absent: no root causes. Used only
   * when ROOT_CAUSE is on, after the alerts were delivered (SPEC §6.6).
   */
  logSearch?: (() => LogSearchClient) | null;
  /** Explanations asked per run (default 20). */
  explainMax?: number;
  /** Slack delivery counters for GET /metrics (sends, retries, give-ups). */
  counters?: Counters;
  /** Test and demo seam: called as each stage begins. */
  onStage?: (stage: DailyStage, day: Day) => void;
}

export type DailyStage = 'collect' | 'detect' | 'alerts' | 'digest' | 'deliver' | 'explain';

export interface DailyOptions {
  /** Default: yesterday (UTC). */
  day?: Day;
  /** Nothing is written about alerts or the digest and nothing is sent: the messages come back. */
  dryRun?: boolean;
  /** Shutdown: stop at the next safe point (between stages; between two sends). */
  signal?: AbortSignal;
}

export interface DailyResult {
  day: Day;
  runId: number | null;
  collect: CollectResult | null;
  findings: Finding[];
  alerts: AlertDayResult;
  digest: DigestResult;
  /** Messages queued by this run (dry run: what would have been queued). */
  messages: OutboxRecord[];
  delivery: DrainReport | null;
  /** Root causes asked this run (null: none asked: dry run, ROOT_CAUSE off, no key, or the stage failed). */
  explain: ExplainDayResult | null;
}

export class RunInterruptedError extends AppError {
  constructor(stage: string) {
    super('INTERNAL', `The daily run was stopped by a shutdown before the ${stage} stage; the next start catches it up.`);
    this.name = 'RunInterruptedError';
  }
}

export function alertChannelOf(settings: Settings, dryRun: boolean): string {
  const c = settings.slack.alertChannel;
  if (c) return c;
  if (dryRun) return 'alert-channel';
  throw new AppError('CONFIG_INVALID', 'SLACK_ALERT_CHANNEL is not set: expected a channel id such as C0123456789.', { exitCode: 2 });
}

/** Lease owner: `host:pid:random`. */
function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/** True when `owner` names a process of this host that is gone. */
export function isDeadLocalOwner(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Runs `fn` while holding lease `name`; throws LOCKED when another owner holds it. */
export async function withLease<T>(
  db: Db,
  name: string,
  o: { owner: string; now: () => Date; ttlMs: number },
  fn: () => Promise<T>,
): Promise<T> {
  if (!acquireLock(db, name, o.owner, o.now(), o.ttlMs)) {
    const held = readLock(db, name);
    if (held && isDeadLocalOwner(held.owner)) {
      // The holder was a process on this host that no longer exists (killed or crashed): take over.
      releaseLock(db, name, held.owner);
      if (acquireLock(db, name, o.owner, o.now(), o.ttlMs)) return runLeased(db, name, o, fn);
    }
    throw new AppError(
      'LOCKED',
      `Another logusage process (${held?.owner ?? 'unknown'}) is running ${name} on this database until ${held?.expiresAt ?? 'soon'}; this one did not run it again.`,
    );
  }
  return runLeased(db, name, o, fn);
}

async function runLeased<T>(db: Db, name: string, o: { owner: string; now: () => Date; ttlMs: number }, fn: () => Promise<T>): Promise<T> {
  const beat = setInterval(
    () => {
      try {
        renewLock(db, name, o.owner, o.now(), o.ttlMs);
      } catch {
        // A busy database delays one renewal; the lease is long enough to survive it.
      }
    },
    Math.max(1000, Math.floor(o.ttlMs / 3)),
  );
  beat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    releaseLock(db, name, o.owner);
  }
}

/**
 * Delivers what is pending (bounded by `timeoutMs`) under the `outbox` lease, so two processes never
 * send the same row at once. null without a sender, or when another process is delivering right now.
 */
export async function deliverPending(
  deps: Pick<DailyDeps, 'db' | 'sender' | 'logger' | 'now' | 'outbox' | 'deliverTimeoutMs' | 'owner' | 'lockTtlMs' | 'counters'>,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<DrainReport | null> {
  const sender = deps.sender;
  if (!sender) return null;
  const timeoutMs = opts.timeoutMs ?? deps.deliverTimeoutMs ?? 10 * 60_000;
  const owner = deps.owner ?? defaultOwner();
  try {
    return await withLease(deps.db, OUTBOX_LOCK, { owner, now: deps.now, ttlMs: deps.lockTtlMs ?? 5 * 60_000 }, async () => {
      const clock = deps.outbox?.now ?? (() => new Date());
      const outbox = createOutbox({ db: deps.db, sender, logger: deps.logger, ...deps.outbox, now: clock });
      const deadline = new Date(clock().getTime() + timeoutMs);
      const report = await outbox.drain({ deadline, ...(opts.signal ? { signal: opts.signal } : {}) });
      deps.counters?.add('slackSends', { outcome: 'sent' }, report.sent);
      deps.counters?.add('slackSends', { outcome: 'confirmed' }, report.confirmed);
      deps.counters?.add('slackRetries', {}, report.retries);
      deps.counters?.add('slackDead', {}, report.dead);
      if (report.sent + report.confirmed + report.dead > 0 || report.pending > 0) deps.logger.info({ ...report }, 'Slack delivery');
      return report;
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'LOCKED') {
      deps.logger.info('another process is delivering the outbox; it sends what this run queued');
      return null;
    }
    throw err;
  }
}

export async function runDaily(deps: DailyDeps, opts: DailyOptions = {}): Promise<DailyResult> {
  const day = opts.day ?? yesterdayUtc(deps.now());
  const dryRun = opts.dryRun ?? false;
  const alertChannel = alertChannelOf(deps.settings, dryRun);
  const owner = deps.owner ?? defaultOwner();
  try {
    return await withLease(deps.db, DAILY_LOCK, { owner, now: deps.now, ttlMs: deps.lockTtlMs ?? 5 * 60_000 }, () =>
      runLeasedDay(deps, { ...opts, day, dryRun, owner, alertChannel }),
    );
  } catch (err) {
    const quiet = dryRun || err instanceof RunInterruptedError || (err instanceof AppError && err.code === 'LOCKED');
    if (quiet) throw err instanceof RunInterruptedError ? err : asAppError(err);
    const e = asAppError(err);
    await reportFailure(deps, day, e, alertChannel);
    throw e;
  }
}

/** The job name of `detect` runs that post (in `runs`, beside the daily run's). */
export const DETECT_JOB = 'detect';

export interface PostedDay {
  alerts: AlertDayResult;
  delivery: DrainReport | null;
}

/**
 * `detect` without --dry-run (SPEC §3): the day's findings go through the alert lifecycle and are delivered,
 * under the same lease as the daily run (the two never judge at once; LOCKED when a run holds it) and with a
 * run record of job `detect`.
 */
export async function postDetectedDay(deps: DailyDeps, day: Day, findings: Finding[]): Promise<PostedDay> {
  const alertChannel = alertChannelOf(deps.settings, false);
  const owner = deps.owner ?? defaultOwner();
  return withLease(deps.db, DAILY_LOCK, { owner, now: deps.now, ttlMs: deps.lockTtlMs ?? 5 * 60_000 }, async () => {
    const runId = startRun(deps.db, DETECT_JOB, deps.now(), { day });
    try {
      const alerts = applyAlertDay(alertRunDeps(deps, alertChannel), day, findings);
      const delivery = await deliverPending(deps);
      finishRun(deps.db, runId, deps.now(), {
        status: 'ok',
        details: { findings: findings.length, alertStatus: alerts.status, sent: delivery?.sent ?? 0 },
      });
      return { alerts, delivery };
    } catch (err) {
      const e = asAppError(err);
      try {
        finishRun(deps.db, runId, deps.now(), { status: 'failed', errorCode: e.code, error: e.message });
      } catch {
        // The database refused the run record too; the error below says what failed first.
      }
      throw e;
    }
  });
}

/** What the alert stage needs of the daily dependencies, read now (the run's clock). */
function alertRunDeps(deps: DailyDeps, alertChannel: string): AlertRunDeps {
  return {
    db: deps.db,
    logger: deps.logger,
    now: deps.now(),
    alertChannel,
    resolveAfterDays: deps.resolveAfterDays ?? deps.settings.resolveAfterDays,
  };
}

/** Errors from SQLite and elsewhere, as an AppError with a code and a message that says what to do. */
function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isSqliteError(err)) return storageError(err);
  return new AppError('INTERNAL', describeError(err), { cause: err });
}

async function runLeasedDay(
  deps: DailyDeps,
  o: DailyOptions & { day: Day; dryRun: boolean; owner: string; alertChannel: string },
): Promise<DailyResult> {
  const { day, dryRun, alertChannel } = o;
  if (!dryRun) {
    const abandoned = closeAbandonedRuns(deps.db, DAILY_JOB, deps.now());
    if (abandoned > 0) deps.logger.warn({ abandoned }, 'an earlier daily run was interrupted; this run redoes what it left');
  }
  const runId = dryRun ? null : startRun(deps.db, DAILY_JOB, deps.now(), { day });
  // Each stage starts on a fresh turn of the event loop, so slash commands served by the same process
  // are answered between stages of a long run.
  const stage = async (s: DailyStage) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (o.signal?.aborted) throw new RunInterruptedError(s);
    deps.onStage?.(s, day);
  };
  try {
    await stage('collect');
    const collect = deps.rapid7
      ? await runCollect({ db: deps.db, client: deps.rapid7, logger: deps.logger, now: deps.now }, { to: day })
      : null;
    await stage('detect');
    // Money is added at this edge (SPEC §3 `changeMoney`): detection stays in bytes.
    const price = priceInForce(deps.db, deps.settings.price);
    const detected = detectForDay(deps.db, day, deps.settings);
    // The organisation level (SPEC §6.7): contributors, an unusual total (an alert unless the logs' own findings
    // explain it; the digest tells it either way), creep; then the day's new normals for the days after it.
    const orgDay = judgeOrganisation(deps.db, day, priceFindings(detected.findings, price), price, detected.muted);
    recordLevelShifts(deps.db, day, [...detected.findings, ...detected.muted], deps.now(), dryRun);
    const findings = orgDay.findings;
    await stage('alerts');
    const alerts = applyAlertDay(alertRunDeps(deps, alertChannel), day, findings, { dryRun });
    if (alerts.status === 'stale') {
      deps.logger.warn({ day }, 'alerts were already judged for a later day; no alerts are sent for this older day');
    }
    await stage('digest');
    const digest = queueDigest(
      {
        db: deps.db,
        logger: deps.logger,
        now: deps.now(),
        channel: deps.settings.slack.digestChannel ?? alertChannel,
        envBudget: deps.settings.monthlyBudget,
        weeklyDigest: deps.settings.weeklyDigest,
        ...(price ? { price } : {}),
        ...(orgDay.org ? { org: orgDay.org } : {}),
        ...(deps.renderChart ? { renderChart: deps.renderChart } : {}),
      },
      day,
      { dryRun },
    );
    const creep = orgDay.creep
      ? queueCreep(deps.db, orgDay.creep, deps.settings.slack.digestChannel ?? alertChannel, deps.now(), dryRun)
      : [];
    const messages = [...alerts.queued, ...digest.queued, ...creep];
    let delivery: DrainReport | null = null;
    let explain: ExplainDayResult | null = null;
    if (runId !== null) {
      const recovered = markRecovered(deps, day, runId);
      if (recovered) messages.push(recovered);
      finishRun(deps.db, runId, deps.now(), {
        status: 'ok',
        details: {
          findings: findings.length,
          alerts: alerts.status,
          effects: alerts.effects.length,
          queued: messages.length,
          ...(collect ? { collected: collect.observedDays.length } : {}),
        },
      });
      await stage('deliver');
      delivery = await deliverPending({ ...deps, owner: o.owner }, o.signal ? { signal: o.signal } : {});
      // Root causes come after the alerts are out, as replies in their threads (SPEC §6.6).
      explain = await explainStage(deps, day, stage);
      if (explain && explain.queued.length > 0) {
        messages.push(...explain.queued);
        await deliverPending({ ...deps, owner: o.owner }, o.signal ? { signal: o.signal } : {});
      }
      pruneOutbox(deps.db, new Date(deps.now().getTime() - 90 * 86_400_000).toISOString());
    }
    return { day, runId, collect, findings, alerts, digest, messages, delivery, explain };
  } catch (err) {
    if (runId !== null) {
      const e = asAppError(err);
      try {
        finishRun(deps.db, runId, deps.now(), { status: 'failed', errorCode: e.code, error: e.message });
      } catch (recordErr) {
        deps.logger.error({ err: describeError(recordErr) }, 'could not record the failed run');
      }
    }
    throw err;
  }
}

/** The root-cause stage: never fails the run (a failure costs the explanations and is logged once). */
async function explainStage(deps: DailyDeps, day: Day, stage: (s: DailyStage) => Promise<void>): Promise<ExplainDayResult | null> {
  if (!deps.logSearch || !deps.settings.rootCause) return null;
  try {
    await stage('explain');
  } catch {
    // A shutdown after the run was recorded: the explanations are left (the next run of the day asks them).
    return null;
  }
  try {
    return await explainDay(
      { db: deps.db, logger: deps.logger, client: deps.logSearch(), now: deps.now },
      day,
      deps.explainMax === undefined ? {} : { maxExplanations: deps.explainMax },
    );
  } catch (err) {
    deps.logger.warn({ day, err: describeError(err) }, 'root causes failed for this run; the alerts went out without them');
    return null;
  }
}

/**
 * Tells the alert channel once that daily runs fail (until one succeeds). Queued through the outbox
 * when the database can be written; sent directly otherwise (e.g. the disk is full), at most once
 * per process.
 */
export async function reportFailure(deps: DailyDeps, day: Day, err: AppError, channel: string): Promise<void> {
  const at = deps.now().toISOString();
  const payload = buildRunFailedMessage(day, err);
  let queued = false;
  try {
    queued = deps.db
      .transaction(() => {
        const key = `run-failed:${at}`;
        if (!claimNotice(deps.db, RUN_FAILED_NOTICE, at, { day, code: err.code, message: err.message, outboxKey: key })) return false;
        enqueueOutbox(deps.db, { idemKey: key, channel, method: 'post', payload, now: at });
        return true;
      })
      .immediate();
  } catch (dbErr) {
    deps.logger.error({ err: describeError(dbErr) }, 'could not record the failure notice; sending it directly');
    if (deps.sender && !directlyReported.has(deps.db)) {
      directlyReported.add(deps.db);
      try {
        await deps.sender.postMessage({
          channel,
          ...payload,
          metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key: `run-failed:direct:${at}` } },
        });
      } catch (sendErr) {
        deps.logger.error({ err: describeError(sendErr) }, 'could not tell Slack about the failed run');
      }
    }
    return;
  }
  if (queued) deps.logger.warn({ day, code: err.code }, 'daily run failed; the alert channel is told once');
  try {
    await deliverPending(deps, { timeoutMs: 60_000 });
  } catch (sendErr) {
    deps.logger.error({ err: describeError(sendErr) }, 'could not deliver the failure notice');
  }
}

/** Databases whose failure was already sent directly in this process (the outbox could not be written). */
const directlyReported = new WeakSet<Db>();

/** After a success: clears the failure notice and replies "working again" in its thread. */
function markRecovered(deps: DailyDeps, day: Day, runId: number): OutboxRecord | null {
  const [notice] = listNotices(deps.db, RUN_FAILED_NOTICE);
  if (!notice) return null;
  return deps.db
    .transaction(() => {
      clearNotices(deps.db, RUN_FAILED_NOTICE);
      const parent = typeof notice.details?.outboxKey === 'string' ? getOutboxByKey(deps.db, notice.details.outboxKey) : undefined;
      if (!parent) return null;
      enqueueOutbox(deps.db, {
        idemKey: `run-recovered:${runId}`,
        channel: parent.channel,
        method: 'reply',
        payload: buildRunRecoveredReply(day),
        parentOutboxId: parent.id,
        now: deps.now().toISOString(),
      });
      return getOutboxByKey(deps.db, `run-recovered:${runId}`) ?? null;
    })
    .immediate();
}

/** The failure notice in force, if any (for `status` and /healthz). */
export function currentFailure(db: Db): { day: string; code: string; message: string; since: string } | null {
  const [n] = listNotices(db, RUN_FAILED_NOTICE);
  if (!n) return null;
  return {
    day: String(n.details?.day ?? ''),
    code: String(n.details?.code ?? ''),
    message: String(n.details?.message ?? ''),
    since: n.createdAt,
  };
}
