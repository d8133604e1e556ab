/**
 * The daily digest (SPEC §8): reads the store into a view (blocks/digest.ts builds the message), and
 * queues the digest post plus the organisation's 30-day chart (PNG, in the digest's thread) in the
 * outbox, once per day (idempotency keys `digest:<day>` and `digest:<day>:chart`). The weekly digest
 * (on Mondays, when enabled) covers the seven days ending on the Sunday before.
 * Bytes are whole bytes; days UTC 'YYYY-MM-DD'.
 */
import type { UsageChartInput } from './charts.js';
import type { Settings } from './config.js';
import { addDays, type Day, daysInRange, lastOfMonth, monthOf, weekdayOf, yesterdayUtc } from './days.js';
import { projectMonth } from './detect/org-rules.js';
import type { Finding } from './detect/types.js';
import { describeError } from './errors.js';
import type { Logger } from './logger.js';
import type { Price } from './money.js';
import { typicalAt, typicalSeries } from './slack/baseline.js';
import type { SlackMessage } from './slack/block-kit.js';
import { buildDigest, buildWeeklyDigest, type DigestLogLine, type DigestView, type WeeklyView } from './slack/blocks/digest.js';
import { sparkline } from './slack/mrkdwn.js';
import { countAlertsEnded, countAlertsOpened, listOpenAlerts } from './store/alerts.js';
import { effectiveBudget } from './store/controls.js';
import type { Db } from './store/db.js';
import { enqueueOutbox, getOutboxByKey, maxOutboxId, type OutboxRecord, outboxAfter, writeOrPreview } from './store/outbox.js';
import { priceInForce } from './store/price.js';
import { isObserved, orgSeries } from './store/slack-reads.js';
import { displayName, latestObservedDay, readUsageMatrix } from './store/usage.js';

/** Days of history read for baselines (the typical value needs up to 28 days before the day). */
const HISTORY_DAYS = 60;
const SPARK_DAYS = 30;
const TOP_N = 10;
const MOVERS_N = 5;
/** A mover changed by at least this share of its typical value … */
const MOVER_MIN_RATIO = 0.25;
/** … and by at least this share of the organisation's total of the day. */
const MOVER_MIN_SHARE = 0.002;

function lastN(a: ArrayLike<number>, n: number): number[] {
  const out: number[] = [];
  for (let i = Math.max(0, a.length - n); i < a.length; i++) out.push(a[i] as number);
  return out;
}

export function loadDigestView(db: Db, day: Day, envBudget: number | undefined, price?: Price): DigestView {
  const from = addDays(day, -(HISTORY_DAYS - 1));
  const m = readUsageMatrix(db, from, day);
  const t = m.days.length - 1;
  const org = orgSeries(db, from, day);
  const total = Number.isFinite(org[t] as number) ? (org[t] as number) : null;
  const proj = projectMonth(m.days, org, t);
  const budget = effectiveBudget(db, envBudget);

  const lines: DigestLogLine[] = [];
  let logsWithData = 0;
  for (const log of m.logs) {
    const values = m.values.get(log.id) as Float64Array;
    const bytes = values[t] as number;
    if (bytes > 0) logsWithData++;
    if (!Number.isFinite(bytes)) continue;
    const band = typicalAt(m.days, values, t);
    if (bytes <= 0 && !band) continue;
    lines.push({
      logId: log.id,
      name: displayName(log),
      bytes,
      expected: band?.expected ?? null,
      spark: sparkline(lastN(values, SPARK_DAYS)),
    });
  }
  const top = [...lines]
    .filter((l) => l.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || a.logId.localeCompare(b.logId))
    .slice(0, TOP_N);
  const floor = (total ?? 0) * MOVER_MIN_SHARE;
  const moving = lines.filter((l) => {
    if (l.expected === null) return false;
    const d = l.bytes - l.expected;
    return Math.abs(d) >= floor && Math.abs(d) >= MOVER_MIN_RATIO * Math.max(l.expected, 1);
  });
  const delta = (l: DigestLogLine) => l.bytes - (l.expected ?? 0);
  const up = moving
    .filter((l) => delta(l) > 0)
    .sort((a, b) => delta(b) - delta(a))
    .slice(0, MOVERS_N);
  const down = moving
    .filter((l) => delta(l) < 0)
    .sort((a, b) => delta(a) - delta(b))
    .slice(0, MOVERS_N);

  const newLogs = m.logs
    .filter((l) => l.firstSeen === day)
    .map((l) => ({ name: displayName(l), bytes: (m.values.get(l.id)?.[t] as number) ?? 0 }))
    .sort((a, b) => b.bytes - a.bytes);
  const open = listOpenAlerts(db, 100_000);
  const silentLogs = open
    .filter((a) => a.kind === 'silent')
    .map((a) => ({ name: a.lastFinding.logName, since: String(a.lastFinding.details?.silentSince ?? a.firstDay) }));
  return {
    day,
    observed: isObserved(db, day),
    total,
    expected: typicalAt(m.days, org, t) ?? null,
    spark: sparkline(lastN(org, SPARK_DAYS)),
    month: {
      month: monthOf(day),
      toDate: proj?.monthToDate ?? 0,
      projected: proj?.projected ?? null,
      knownDays: proj?.knownDays ?? 0,
      daysInMonth: Number(lastOfMonth(day).slice(8, 10)),
    },
    budget: budget.bytes === undefined ? null : { bytes: budget.bytes, source: budget.source },
    top,
    logsWithData,
    movers: { up, down },
    newLogs,
    silentLogs,
    openAlerts: open
      .slice(0, 15)
      .map((a) => ({ id: a.id, kind: a.kind, name: a.lastFinding.logName, firstDay: a.firstDay, channel: a.channel })),
    openAlertCount: open.length,
    ...(price ? { price } : {}),
  };
}

/** The chart of the digest's thread: organisation bytes per day with its typical value and band. */
export function orgChartInput(db: Db, day: Day): UsageChartInput {
  const from = addDays(day, -(HISTORY_DAYS - 1));
  const days = daysInRange(from, day);
  const org = orgSeries(db, from, day);
  const band = typicalSeries(days, org);
  const k = days.length - SPARK_DAYS;
  return {
    title: 'Organisation — bytes per day, last 30 days',
    subtitle: `up to ${day} (UTC days); band = usual range for the day type`,
    days: days.slice(k),
    values: lastN(org, SPARK_DAYS),
    expected: band.expected.slice(k),
    low: band.low.slice(k),
    high: band.high.slice(k),
  };
}

export function loadWeeklyView(db: Db, sunday: Day): WeeklyView {
  const from = addDays(sunday, -6);
  const prevFrom = addDays(from, -7);
  const m = readUsageMatrix(db, prevFrom, sunday);
  const org = orgSeries(db, prevFrom, sunday);
  const sum = (a: ArrayLike<number>, i0: number, i1: number) => {
    let s = 0;
    let known = 0;
    for (let i = i0; i <= i1; i++) {
      const v = a[i] as number;
      if (Number.isFinite(v)) {
        s += v;
        known++;
      }
    }
    return known === 0 ? null : s;
  };
  const logs = m.logs
    .map((l) => {
      const v = m.values.get(l.id) as Float64Array;
      return { name: displayName(l), bytes: sum(v, 7, 13) ?? 0, previous: sum(v, 0, 6) };
    })
    .filter((l) => l.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return {
    from,
    to: sunday,
    total: sum(org, 7, 13) ?? 0,
    previousTotal: sum(org, 0, 6),
    top: logs.slice(0, TOP_N),
    newLogs: m.logs.filter((l) => l.firstSeen !== null && l.firstSeen >= from && l.firstSeen <= sunday).map((l) => displayName(l)),
    alertsOpened: countAlertsOpened(db, from, sunday),
    alertsResolved: countAlertsEnded(db, from, sunday),
    openAlertCount: listOpenAlerts(db, 100_000).length,
  };
}

export interface DigestDeps {
  db: Db;
  logger: Logger;
  now: Date;
  channel: string;
  envBudget: number | undefined;
  weeklyDigest: boolean;
  /** Price in force: the digest shows money beside bytes (SPEC §8). */
  price?: Price;
  /** The organisation finding of the day with its contributors (SPEC §8), when there is one. */
  org?: Finding;
  /** Renders the chart PNG; absent = no chart. A failure is logged and the digest goes without it. */
  renderChart?: (input: UsageChartInput) => Buffer;
}

export interface DigestResult {
  /** Rows queued now (or, in a dry run, what would have been queued). Empty when already queued before. */
  queued: OutboxRecord[];
  alreadyQueued: boolean;
  /** The day was never collected: nothing is queued (a dry run still shows the "no data" message). */
  notObserved: boolean;
  chartError?: string;
}

/** The weekly digest goes out with the digest of a Sunday (the Monday run). */
export function isWeeklyDay(day: Day): boolean {
  return weekdayOf(day) === 0;
}

/** Queues the digest of `day` (and its chart, and the weekly digest when due), once. */
export function queueDigest(deps: DigestDeps, day: Day, opts: { dryRun?: boolean; force?: boolean } = {}): DigestResult {
  const { db } = deps;
  const now = deps.now.toISOString();
  const key = `digest:${day}`;
  const existing = getOutboxByKey(db, key);
  if (existing && !opts.force && !opts.dryRun) return { queued: [], alreadyQueued: true, notObserved: false };
  const observed = isObserved(db, day);
  if (!observed && !opts.dryRun) return { queued: [], alreadyQueued: Boolean(existing), notObserved: true };

  // The chart is rendered outside the transaction (tens of ms) so the write lock is held briefly.
  let png: Buffer | undefined;
  let chartError: string | undefined;
  if (deps.renderChart && observed) {
    try {
      png = deps.renderChart(orgChartInput(db, day));
    } catch (err) {
      chartError = describeError(err);
      deps.logger.warn({ day, err: chartError }, 'digest chart could not be rendered; the digest goes without it');
    }
  }
  const view = { ...loadDigestView(db, day, deps.envBudget, deps.price), ...(deps.org ? { org: deps.org } : {}) };
  const msg = buildDigest(view);
  const weekly = deps.weeklyDigest && isWeeklyDay(day) ? buildWeeklyDigest(loadWeeklyView(db, day)) : null;
  // A forced digest, or the preview of one already queued, gets keys of its own.
  const suffix = existing && (opts.force || opts.dryRun) ? `:again:${now}` : '';

  const write = (): OutboxRecord[] => {
    const first = maxOutboxId(db);
    const post = enqueueOutbox(db, { idemKey: `${key}${suffix}`, channel: deps.channel, method: 'post', payload: msg, now });
    if (png) {
      enqueueOutbox(db, {
        idemKey: `${key}${suffix}:chart`,
        channel: deps.channel,
        method: 'upload',
        payload: {
          text: 'Organisation, last 30 days',
          filename: `logusage-org-30d-${day}.png`,
          title: `Organisation bytes per day, 30 days to ${day}`,
          altText: `Line chart of the organisation's bytes per day for the 30 days to ${day} (UTC), with the typical range as a shaded band.`,
          fileBase64: png.toString('base64'),
        },
        parentOutboxId: post.id,
        now,
      });
    }
    if (weekly) enqueueOutbox(db, { idemKey: `weekly:${day}${suffix}`, channel: deps.channel, method: 'post', payload: weekly, now });
    return outboxAfter(db, first);
  };

  const queued = writeOrPreview(db, write, opts.dryRun ?? false);
  return { queued, alreadyQueued: Boolean(existing), notObserved: !observed, ...(chartError ? { chartError } : {}) };
}

/** `/logusage digest` and `digest --dry-run`: the digest of the newest complete observed day, not posted. */
export function previewDigest(ctx: { db: Db; settings: Settings; now: () => Date }): SlackMessage {
  const yesterday = yesterdayUtc(ctx.now());
  const latest = latestObservedDay(ctx.db);
  const day = latest !== null && latest < yesterday ? latest : yesterday;
  return buildDigest(loadDigestView(ctx.db, day, ctx.settings.monthlyBudget, priceInForce(ctx.db, ctx.settings.price)));
}
