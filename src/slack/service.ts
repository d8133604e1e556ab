/**
 * What `/logusage` and the alert buttons do, between the Bolt listeners (thin: parse → call → reply)
 * and the store. Reads the store, checks permissions, makes changes (each audited by
 * src/store/controls.ts) and returns ready-to-send messages. No Bolt here: the chart upload and the
 * features of `serve` (digest preview, refresh, next run, Log Search) arrive as plain functions (`SlackHooks`).
 *
 * Time comes from `deps.now()`; days are UTC; bytes are whole bytes.
 */
import { renderUsageChartPngAsync } from '../charts.js';
import type { Settings } from '../config.js';
import { addDays, type Day, daysInRange, firstOfMonth, lastOfMonth, monthOf, toEpochDay, utcDayOf } from '../days.js';
import { projectMonth } from '../detect/org-rules.js';
import { AppError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type AlertRecord, getAlert, listAlertsForLog, listOpenAlerts } from '../store/alerts.js';
import {
  acceptNewNormal,
  activeSnoozes,
  effectiveBudget,
  getBaselineFrom,
  getSnooze,
  isMuted,
  listAlertActions,
  listAudit,
  listMutedLogIds,
  listRoutes,
  listThresholds,
  recordAudit,
  removeRoute,
  removeThreshold,
  setBudget,
  setMuted,
  setRoute,
  setThreshold,
  snoozeLog,
  thresholdsForLog,
  unsnoozeLog,
  type Who,
} from '../store/controls.js';
import { createDayRanks } from '../store/day-ranks.js';
import { type Db, isSqliteError, type StorageFailure, storageError } from '../store/db.js';
import { createLogList } from '../store/log-list.js';
import { recentRuns } from '../store/runs.js';
import { countOpenAlerts, dataVersion, isObserved, logSeries, orgSeries } from '../store/slack-reads.js';
import { coverage, displayName, getLog, isInternalLog, type LogInfo, latestObservedDay } from '../store/usage.js';
import { formatBytes, formatDuration } from '../units.js';
import { ACTION_IDS, type AlertButtonValue } from './action-ids.js';
import { typicalAt, typicalSeries } from './baseline.js';
import { type AlertAction, buildActionLog } from './blocks/alert.js';
import { buildAlertsList } from './blocks/alerts-list.js';
import { buildFailure, buildNotAllowed, buildReply, buildUsageError } from './blocks/common.js';
import { buildHelp } from './blocks/help.js';
import { buildCandidates, buildLogDetail, mentionUser } from './blocks/log-detail.js';
import { buildStatus } from './blocks/status.js';
import { buildSummary } from './blocks/summary.js';
import { buildTop } from './blocks/top.js';
import { type BusyRetryOptions, retryWhileBusy } from './busy-retry.js';
import { type Command, parseCommand } from './command-parser.js';
import { adminWhat, EXAMPLES, isChanging } from './commands/table.js';
import { describeChange } from './describe-change.js';
import { type AskCause, runExplainCommand } from './explain-command.js';
import { logPlanLines, logSensitivityView, planLines } from './log-extras.js';
import { type CheckMembership, channelsToCheck, describeMembership } from './membership.js';
import { currentPrice, resolveMoneyArgument, runPriceCommand } from './money-commands.js';
import {
  type Block,
  context,
  ellipsize,
  escapeMrkdwn,
  escapeUntrusted,
  fitMessage,
  flattenText,
  listSections,
  plainName,
  type SlackMessage,
  shownName,
  sparkline,
} from './mrkdwn.js';
import { logsetNames, type Match, matchLog, matchLogset } from './names.js';
import { runOwnerCommand } from './owner-commands.js';
import { runPlanCommand } from './planned-commands.js';

/**
 * What `logusage serve` gives the slash command (SPEC §9): the digest preview, a refresh and the next run. Each
 * is optional; without it the command answers clearly that the feature is not available in this process.
 */
export interface SlackHooks {
  /** Today's digest as it would be posted (not posted). */
  previewDigest?: () => Promise<SlackMessage> | SlackMessage;
  /** Runs a collection (or the daily run) now; resolves with one plain-text line saying what it did. */
  refresh?: (opts: { actor: string }) => Promise<string>;
  /** When the next scheduled daily run starts, or null when no schedule runs in this process. */
  nextRun?: () => Date | null;
  /** Asks Log Search for the cause inside a log on a day (`/logusage explain`); absent: stored explanations only. */
  explainLog?: AskCause;
}

export interface SlackServiceDeps {
  db: Db;
  settings: Settings;
  logger: Logger;
  now: () => Date;
  hooks?: SlackHooks;
  /** Chart font file (default DejaVu Sans). */
  chartFontPath?: string;
  /** How long a change that met SQLite's write lock is tried again (src/slack/busy-retry.ts; default 20 s). */
  busyRetry?: BusyRetryOptions;
  /** conversations.info per channel (src/slack/membership.ts); without it status and route say nothing of membership. */
  checkMembership?: CheckMembership;
}

/** Who asked, and where. */
export interface Caller {
  userId: string;
  channelId: string;
}

/** Uploads a PNG to a channel (the listener passes Bolt's client: files.uploadV2, with `altText` as its `alt_text`). */
export type UploadPng = (f: {
  channelId: string;
  filename: string;
  title: string;
  png: Buffer;
  comment: string;
  altText: string;
}) => Promise<void>;

/** What a chart shows, for people who cannot see it (files.uploadV2 `alt_text`, SLACK.md "Rules"). `title` is one line. */
export function chartAltText(title: string, from: Day, to: Day, unusualDays: number): string {
  return `Line chart of ${title}: bytes per day from ${from} to ${to} (UTC), with the typical range of the previous 4 weeks as a shaded band; ${unusualDays} unusual day${unusualDays === 1 ? '' : 's'} marked.`;
}

/** The reply to a command: a message, and optionally a follow-up that runs after it was shown. */
export interface CommandResult {
  message: SlackMessage;
  /** Slow second step (refresh): its message replaces/follows the first. */
  followUp?: () => Promise<SlackMessage>;
}

export interface ButtonOutcome {
  /** Shown only to the person who clicked (refusals, errors, nothing to change). */
  ephemeral?: SlackMessage;
  /**
   * The alert message's action log after the change (who did what, from the alert's audit rows; built by
   * buildActionLog like every later rebuild of the message): replaces the one on the clicked message.
   */
  actionLog?: Block;
}

const SUMMARY_TOP = 5;
const HISTORY = 30;
/** Days read before a window so the typical-day estimate has 4 weeks behind its first day. */
const LOOKBACK = 28;
const CACHE_SIZE = 32;

export interface SlackService {
  /** Parses and runs `/logusage <text>`; never throws (errors become messages). */
  run(text: string, caller: Caller, upload: UploadPng): Promise<CommandResult>;
  /**
   * An answer available at once — help, usage errors, refusals, or a summary / top list already computed
   * for the current data — or undefined. The listener sends it as the ack body (no response_url call).
   */
  quickAnswer(text: string, caller: Caller): SlackMessage | undefined;
  /** Computes the latest summary ahead of the first request (call off the request path). */
  warm(): Promise<void>;
  /**
   * Runs an already parsed command (a modal's submission) exactly as `run` runs typed text: the same
   * permission check, change, audit and reply. Never throws.
   */
  apply(cmd: Command, caller: Caller, upload?: UploadPng): Promise<CommandResult>;
  /** Handles an alert button; never throws. */
  button(actionId: string, rawValue: string, caller: Caller): Promise<ButtonOutcome>;
  isAdmin(userId: string): boolean;
}

export function createSlackService(deps: SlackServiceDeps): SlackService {
  const { db, settings, logger } = deps;
  const hooks = deps.hooks ?? {};
  const admins = new Set(settings.slack.admins);
  const cache = new Map<string, SlackMessage>();
  const logList = createLogList(db);
  const dayRanks = createDayRanks(db);

  const isAdmin = (userId: string) => admins.has(userId);
  /** `{ price }` when a price is in force (money beside bytes, SPEC §9), else nothing. */
  const withPrice = () => {
    const price = currentPrice({ db, settings });
    return price ? { price } : {};
  };
  const who = (actor: string): Who => ({ actor, at: deps.now().toISOString() });
  const today = () => utcDayOf(deps.now());

  const remember = (key: string, msg: SlackMessage) => {
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, msg);
    return msg;
  };

  const withLogsets = (l: LogInfo) => {
    const shown = displayName(l);
    const sets = l.logsets.map((x) => x.name).join(', ');
    return sets === '' || shown.includes(` · ${sets}`) ? shown : `${shown} · ${sets}`;
  };

  const nameOf = (logs: Map<string, LogInfo>) => (id: string) => {
    const l = logs.get(id);
    return l ? displayName(l) : id;
  };

  /** A change from Slack makes every cached answer stale. */
  const changed = (_action: string, _actor: string) => {
    cache.clear();
  };

  // ---------------------------------------------------------------------------------------------
  // Name resolution

  function resolveLog(query: string, example: (q: string) => string): { log: LogInfo } | { reply: SlackMessage } {
    const logs = logList.list();
    const m: Match<LogInfo> = matchLog(query, logs);
    if (m.ok) return { log: m.item };
    if (m.reason === 'ambiguous') {
      return {
        reply: buildCandidates(
          query,
          // Candidates always name their log sets (SPEC §9), even when their names differ.
          m.candidates.map((l) => ({ id: l.id, name: withLogsets(l) })),
          m.total,
          example(m.candidates[0]?.id ?? 'ID'),
        ),
      };
    }
    const sample = logs.slice(0, 1)[0];
    return {
      reply: buildUsageError(
        `no log matches "${ellipsize(query, 60)}"${logs.length === 0 ? ' (no logs are stored yet: run a collection first)' : ''}`,
        example(sample ? sample.id : 'firewall-eu'),
      ),
    };
  }

  function resolveLogset(query: string, example: (q: string) => string): { name: string } | { reply: SlackMessage } {
    const names = logsetNames(logList.list());
    const m = matchLogset(query, names);
    if (m.ok) return { name: m.item };
    if (m.reason === 'ambiguous') {
      return {
        reply: buildCandidates(
          query,
          m.candidates.map((n) => ({ id: n, name: n })),
          m.total,
          example(`"${m.candidates[0] ?? 'Firewalls'}"`),
        ),
      };
    }
    return {
      reply: buildUsageError(
        `no log set matches "${ellipsize(query, 60)}"${names.length > 0 ? `; known log sets include ${names.slice(0, 5).join(', ')}` : ''}`,
        example(names[0] ? (names[0].includes(' ') ? `"${names[0]}"` : names[0]) : 'Firewalls'),
      ),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Read commands

  /** Cache key of the summary of day `d` for the current data. */
  const summaryKey = (d: Day) => `summary|${d}|${dataVersion(db)}`;

  /** Findings listed in the summary: the open alerts whose last day is `d`. */
  function findingsOf(d: Day): Array<{ kind: string; logName: string; reason: string }> {
    return listOpenAlerts(db)
      .filter((a) => a.lastDay === d)
      .map((a) => ({ kind: a.kind, logName: a.lastFinding.logName, reason: a.lastFinding.reason }));
  }

  async function summary(day: Day | undefined): Promise<SlackMessage> {
    const latest = latestObservedDay(db);
    if (latest === null) {
      return buildReply(
        ':grey_question: No usage has been collected yet. Run `logusage collect` (or `/logusage refresh`), or import history with `logusage import`.',
        'No usage has been collected yet.',
      );
    }
    const d = day ?? latest;
    const key = summaryKey(d);
    const hit = cache.get(key);
    if (hit) return hit;
    const observed = isObserved(db, d);
    const from = addDays(d, -(HISTORY - 1 + LOOKBACK));
    const days = daysInRange(from, d);
    const org = orgSeries(db, from, d);
    const i = days.length - 1;
    const total = org[i] as number;
    const band = typicalAt(days, org, i);
    const month = projectMonth(days, org, i);
    const daysInMonth = toEpochDay(lastOfMonth(d)) - toEpochDay(firstOfMonth(d)) + 1;
    const budget = effectiveBudget(db, settings.monthlyBudget);
    const ranking = dayRanks.rank(d, SUMMARY_TOP);
    const top = ranking.rows.map((r) => {
      const s = logSeries(db, r.logId, from, d);
      const log = logList.byId().get(r.logId);
      return {
        logId: r.logId,
        name: log ? displayName(log) : `unknown log ${r.logId}`,
        bytes: r.bytes,
        expected: typicalAt(days, s, i)?.expected ?? null,
        spark: sparkline(s.subarray(s.length - HISTORY)),
      };
    });
    const findings = findingsOf(d);
    return remember(
      key,
      buildSummary({
        day: d,
        observed,
        total: Number.isFinite(total) ? total : null,
        expected: band ?? null,
        spark: sparkline(org.subarray(org.length - HISTORY)),
        month: {
          month: monthOf(d),
          toDate: month?.monthToDate ?? 0,
          daysCounted: month?.knownDays ?? 0,
          daysInMonth,
          projected: month?.projected ?? null,
        },
        budget: budget.bytes === undefined ? null : { bytes: budget.bytes, source: budget.source === 'slack' ? 'slack' : 'env' },
        top,
        logsWithData: ranking.logsWithData,
        openAlerts: countOpenAlerts(db),
        findings: findings.length > 0 ? findings : null,
        ...withPrice(),
      }),
    );
  }

  const topKey = (n: number, d: Day) => `top|${n}|${d}|${dataVersion(db)}`;

  function top(n: number): SlackMessage {
    const d = latestObservedDay(db);
    if (d === null) return buildReply(':grey_question: No usage has been collected yet.', 'No usage has been collected yet.');
    const key = topKey(n, d);
    const hit = cache.get(key);
    if (hit) return hit;
    const from = addDays(d, -(HISTORY - 1 + LOOKBACK));
    const days = daysInRange(from, d);
    const ranking = dayRanks.rank(d, n);
    const rows = ranking.rows.map((r) => {
      const s = logSeries(db, r.logId, from, d);
      const log = logList.byId().get(r.logId);
      return {
        logId: r.logId,
        name: log ? displayName(log) : `unknown log ${r.logId}`,
        logsets: log?.logsets.map((x) => x.name) ?? [],
        bytes: r.bytes,
        expected: typicalAt(days, s, days.length - 1)?.expected ?? null,
        spark: sparkline(s.subarray(s.length - HISTORY)),
      };
    });
    return remember(
      key,
      buildTop({
        day: d,
        observed: true,
        requested: n,
        rows,
        logsWithData: ranking.logsWithData,
        totalBytes: ranking.totalBytes,
        ...withPrice(),
      }),
    );
  }

  function changesFor(logId: string, logs: Map<string, LogInfo>) {
    const own = listAudit(db, { target: logId, limit: 20 });
    const thresholdChanges = listAudit(db, { limit: 200 }).filter(
      (a) => a.action.startsWith('threshold.') && a.details?.scope === 'log' && a.details?.target === logId,
    );
    return [...own, ...thresholdChanges]
      .sort((a, b) => b.id - a.id)
      .slice(0, 10)
      .map((a) => ({ at: a.at, actor: a.actor, what: describeChange(a, nameOf(logs)) }));
  }

  function logDetail(query: string): SlackMessage {
    const r = resolveLog(query, (id) => `log ${id}`);
    if ('reply' in r) return r.reply;
    const log = r.log;
    const latest = latestObservedDay(db);
    const to = latest ?? today();
    const from = addDays(to, -(HISTORY - 1 + LOOKBACK));
    const days = daysInRange(from, to);
    const s = logSeries(db, log.id, from, to);
    const i = days.length - 1;
    const logs = logList.byId();
    const snooze = getSnooze(db, log.id);
    const nowIso = deps.now().toISOString();
    return buildLogDetail({
      log: {
        id: log.id,
        name: displayName(log),
        logsets: log.logsets.map((x) => x.name),
        inManagement: log.inManagement,
        everListed: log.everListed,
        internal: isInternalLog(log),
        firstSeen: log.firstSeen,
        lastSeen: log.lastSeen,
      },
      latestDay: latest,
      latest: latest === null ? null : Number.isFinite(s[i] as number) ? (s[i] as number) : null,
      typical: latest === null ? null : (typicalAt(days, s, i) ?? null),
      days: days.slice(-HISTORY),
      values: Array.from(s.subarray(s.length - HISTORY)),
      spark: sparkline(s.subarray(s.length - HISTORY)),
      thresholds: thresholdsForLog(
        db,
        log.id,
        log.logsets.map((x) => x.name),
      ),
      muted: isMuted(db, log.id),
      snoozedUntil: snooze && snooze.until > nowIso ? snooze.until : null,
      baselineFrom: getBaselineFrom(db, log.id),
      alerts: listAlertsForLog(db, log.id, 10).map((a) => ({
        id: a.id,
        kind: a.kind,
        status: a.status,
        firstDay: a.firstDay,
        lastDay: a.lastDay,
        reason: a.lastFinding.reason,
      })),
      changes: changesFor(log.id, logs),
      sensitivity: logSensitivityView(db, log.id),
      plans: logPlanLines(db, log, today()),
      ...withPrice(),
    });
  }

  function alertsList(): SlackMessage {
    const open = listOpenAlerts(db, 200);
    const total = countOpenAlerts(db);
    const muted = new Set(listMutedLogIds(db));
    const snoozes = new Map(activeSnoozes(db, deps.now().toISOString()).map((s) => [s.logId, s.until]));
    return buildAlertsList(
      open.map((a) => ({
        id: a.id,
        kind: a.kind,
        name: a.lastFinding.logName,
        firstDay: a.firstDay,
        lastDay: a.lastDay,
        findingDays: a.findingDays,
        value: a.lastFinding.value,
        expected: a.lastFinding.expected,
        reason: a.lastFinding.reason,
        channel: a.channel,
        muted: a.logId ? muted.has(a.logId) : false,
        snoozedUntil: a.logId ? (snoozes.get(a.logId) ?? null) : null,
      })),
      total,
    );
  }

  function thresholdList(): SlackMessage {
    const list = listThresholds(db);
    if (list.length === 0) {
      return buildReply(
        `No thresholds. Admins add one with \`/logusage ${EXAMPLES.thresholdSet}\`.`,
        `No thresholds. Example: /logusage ${EXAMPLES.thresholdSet}`,
      );
    }
    const logs = logList.byId();
    const lines = list.map((t) => {
      const what =
        t.scope === 'org'
          ? 'organisation'
          : t.scope === 'log'
            ? `log *${shownName(nameOf(logs)(t.target))}*`
            : `log set *${shownName(t.target)}*`;
      return `• *#${t.id}* ${what}: ${formatBytes(t.bytesPerDay)}/day — set by ${mentionUser(t.createdBy ?? '?')} ${t.createdAt.slice(0, 10)}`;
    });
    return fitMessage({
      text: escapeMrkdwn(
        `${list.length} threshold${list.length === 1 ? '' : 's'}: ${list.map((t) => `#${t.id} ${formatBytes(t.bytesPerDay)}/day`).join(', ')}`,
      ),
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*Thresholds* (bytes per day)` } },
        ...listSections(lines, { noun: 'thresholds' }),
        context('Remove one with `/logusage threshold remove &lt;ID&gt;`.'),
      ],
    });
  }

  function budgetShow(): SlackMessage {
    const b = effectiveBudget(db, settings.monthlyBudget);
    if (b.bytes === undefined) {
      const t =
        b.source === 'cleared'
          ? `No monthly budget: cleared from Slack${b.updatedBy ? ` by ${b.updatedBy}` : ''}${settings.monthlyBudget ? ` (MONTHLY_BUDGET=${formatBytes(settings.monthlyBudget)} is overridden)` : ''}.`
          : 'No monthly budget is set.';
      return buildReply(`${escapeMrkdwn(t)} Set one with \`/logusage ${EXAMPLES.budgetSet}\`.`, t);
    }
    const latest = latestObservedDay(db);
    let usage = '';
    if (latest) {
      const from = firstOfMonth(latest);
      const org = orgSeries(db, from, latest);
      const sum = Array.from(org).reduce((a, v) => (Number.isFinite(v) ? a + v : a), 0);
      usage = ` Month to date (${monthOf(latest)}): ${formatBytes(sum)} = ${((sum / b.bytes) * 100).toFixed(0)}%.`;
    }
    const src = b.source === 'slack' ? `set from Slack by ${b.updatedBy ?? '?'}` : 'from MONTHLY_BUDGET';
    const t = `Monthly budget: ${formatBytes(b.bytes)} (${src}).${usage}`;
    return buildReply(escapeMrkdwn(t), t);
  }

  function routeList(): SlackMessage {
    const routes = listRoutes(db);
    const def = settings.slack.alertChannel;
    const defLine = def ? `Other alerts go to <#${def}>.` : 'No default alert channel (SLACK_ALERT_CHANNEL) is set.';
    if (routes.length === 0) {
      return buildReply(
        `No routes: every alert goes to the alert channel. ${defLine}`,
        'No routes: every alert goes to the alert channel.',
      );
    }
    const lines = routes.map((r) => `• *${shownName(r.logset)}* → <#${r.channel}>`);
    return fitMessage({
      text: escapeMrkdwn(`Routes: ${routes.map((r) => `${plainName(r.logset)} → ${r.channel}`).join(', ')}`),
      blocks: [...listSections(lines, { noun: 'routes' }), context(defLine)],
    });
  }

  async function status(): Promise<SlackMessage> {
    const uses = channelsToCheck(settings, listRoutes(db));
    const checked = deps.checkMembership ? await deps.checkMembership(uses.map((u) => u.channel)) : [];
    const channels = checked.map((m) => ({ ...m, uses: uses.find((u) => u.channel === m.channel)?.uses ?? [] }));
    const logs = logList.byId();
    const cov = coverage(db);
    let next: Date | null = null;
    try {
      next = hooks.nextRun?.() ?? null;
    } catch (err) {
      logger.warn({ err: describeError(err) }, 'nextRun hook failed');
    }
    return buildStatus({
      runs: recentRuns(db, 6).map((r) => ({
        job: r.job,
        status: r.status,
        startedAt: r.startedAt,
        durationMs: r.durationMs,
        error: r.error,
        day: r.day ?? (r.windowFrom ? `${r.windowFrom}…${r.windowTo}` : null),
      })),
      nextRun: next ? next.toISOString() : null,
      coverage: cov,
      budget: effectiveBudget(db, settings.monthlyBudget),
      openAlerts: countOpenAlerts(db),
      snoozed: activeSnoozes(db, deps.now().toISOString()).length,
      plans: planLines(db, today()),
      muted: listMutedLogIds(db).length,
      thresholds: listThresholds(db).length,
      admins: admins.size,
      changes: listAudit(db, { limit: 10 }).map((a) => ({ at: a.at, actor: a.actor, what: describeChange(a, nameOf(logs)) })),
      ...(deps.checkMembership ? { channels } : {}),
    });
  }

  async function chart(cmd: Extract<Command, { kind: 'chart' }>, caller: Caller, upload: UploadPng): Promise<SlackMessage> {
    const latest = latestObservedDay(db);
    if (latest === null)
      return buildReply(':grey_question: No usage has been collected yet, so there is nothing to chart.', 'No usage yet.');
    let title: string;
    let logId: string | null = null;
    if (cmd.target.type === 'org') title = 'Organisation';
    else {
      const r = resolveLog(cmd.target.name, (id) => `chart ${id} ${cmd.days}d`);
      if ('reply' in r) return r.reply;
      title = displayName(r.log);
      logId = r.log.id;
    }
    const from = addDays(latest, -(cmd.days - 1 + LOOKBACK));
    const all = daysInRange(from, latest);
    const series = logId === null ? orgSeries(db, from, latest) : logSeries(db, logId, from, latest);
    const band = typicalSeries(all, series);
    const cut = all.length - cmd.days;
    const days = all.slice(cut);
    const values = Array.from(series.subarray(cut));
    const low = band.low.slice(cut);
    const high = band.high.slice(cut);
    const alertDays = new Set<Day>();
    if (logId !== null) {
      for (const a of listAlertsForLog(db, logId, 50)) {
        if (a.kind === 'new') continue;
        for (const d of daysInRange(a.firstDay, a.lastDay)) alertDays.add(d);
      }
    }
    const anomalies = days.filter((d, i) => {
      const v = values[i] as number;
      if (!Number.isFinite(v)) return false;
      if (alertDays.has(d)) return true;
      const l = low[i] as number;
      const h = high[i] as number;
      return Number.isFinite(l) && Number.isFinite(h) && (v > h || v < l);
    });
    const shortTitle = Array.from(title).length > 80 ? `${Array.from(title).slice(0, 79).join('')}…` : title;
    const png = await renderUsageChartPngAsync({
      title: `${shortTitle} — bytes per day`,
      subtitle: `${days[0]} … ${latest} (UTC) · band: typical range from the previous 4 weeks`,
      days,
      values,
      expected: band.expected.slice(cut),
      low,
      high,
      anomalies,
      ...(deps.chartFontPath ? { fontPath: deps.chartFontPath } : {}),
    });
    const safeId = (logId ?? 'org').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
    const filename = `logusage-${safeId}-${cmd.days}d-${latest}.png`;
    try {
      await upload({
        channelId: caller.channelId,
        filename,
        title: `${flattenText(shortTitle)}: last ${cmd.days} days`,
        png,
        // initial_comment is a message: mrkdwn, so the name is sanitised.
        comment: `Usage of ${escapeUntrusted(shortTitle)}, last ${cmd.days} days (${anomalies.length} unusual day${anomalies.length === 1 ? '' : 's'} marked).`,
        altText: chartAltText(flattenText(shortTitle), days[0] ?? latest, latest, anomalies.length),
      });
    } catch (err) {
      const code = slackErrorCode(err);
      logger.warn({ err: describeError(err), code, channel: caller.channelId }, 'chart upload failed');
      const hint =
        code === 'not_in_channel' || code === 'channel_not_found'
          ? 'Invite the app to this channel (`/invite @logusage`) and try again; private channels and DMs need the app as a member.'
          : 'Try again in a minute; if it keeps failing, check the app has the files:write scope.';
      return buildReply(
        `:x: The chart could not be uploaded (\`${escapeMrkdwn(code)}\`). ${hint}`,
        `The chart could not be uploaded (${code}).`,
      );
    }
    return buildReply(
      `:bar_chart: Chart of *${shownName(title)}* (last ${cmd.days} days) posted to this channel.`,
      `Chart of ${plainName(title)} posted to this channel.`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Changes (admins only; every one audited by the store)

  async function change(typed: Command, caller: Caller): Promise<CommandResult> {
    const w = who(caller.userId);
    const money = resolveMoneyArgument({ db, settings }, typed);
    if ('reply' in money) return { message: money.reply };
    const cmd = money.cmd;
    switch (cmd.kind) {
      case 'price-set':
      case 'price-clear': {
        const message = runPriceCommand({ db, settings }, cmd, w);
        changed(cmd.kind === 'price-set' ? 'price.set' : 'price.clear', caller.userId);
        return { message };
      }
      case 'threshold-set': {
        let target = '';
        let label = 'the organisation';
        if (cmd.scope === 'log') {
          const r = resolveLog(cmd.name, (id) => `threshold set log ${id} ${cmd.sizeText}/day`);
          if ('reply' in r) return { message: r.reply };
          target = r.log.id;
          label = `log *${shownName(displayName(r.log))}*`;
        } else if (cmd.scope === 'logset') {
          const r = resolveLogset(cmd.name, (n) => `threshold set logset ${n} ${cmd.sizeText}/day`);
          if ('reply' in r) return { message: r.reply };
          target = r.name;
          label = `log set *${shownName(r.name)}*`;
        }
        const { threshold, previousBytesPerDay } = setThreshold(db, { scope: cmd.scope, target, bytesPerDay: cmd.bytesPerDay }, w);
        changed('threshold.set', caller.userId);
        const prev = previousBytesPerDay === null ? '' : ` (was ${formatBytes(previousBytesPerDay)}/day)`;
        return {
          message: buildReply(
            `:white_check_mark: Threshold *#${threshold.id}* for ${label}: alert when a day exceeds *${formatBytes(cmd.bytesPerDay)}*${escapeMrkdwn(money.note)}${prev}. Checked from the next daily run.`,
            `Threshold #${threshold.id} set to ${formatBytes(cmd.bytesPerDay)}/day.`,
          ),
        };
      }
      case 'threshold-remove': {
        const removed = removeThreshold(db, cmd.id, w);
        if (!removed) {
          const ids = listThresholds(db).map((t) => t.id);
          return {
            message: buildUsageError(
              `there is no threshold #${cmd.id}${ids.length > 0 ? `; existing ids: ${ids.slice(0, 10).join(', ')}` : ' (there are none)'}`,
              ids.length > 0 ? `threshold remove ${ids[0]}` : EXAMPLES.thresholdList,
            ),
          };
        }
        changed('threshold.remove', caller.userId);
        return {
          message: buildReply(
            `:wastebasket: Removed threshold *#${removed.id}* (${formatBytes(removed.bytesPerDay)}/day).`,
            `Removed threshold #${removed.id}.`,
          ),
        };
      }
      case 'budget-set': {
        setBudget(db, cmd.bytesPerMonth, w);
        changed('budget.set', caller.userId);
        const env = settings.monthlyBudget ? ` It overrides MONTHLY_BUDGET (${formatBytes(settings.monthlyBudget)}).` : '';
        return {
          message: buildReply(
            `:white_check_mark: Monthly budget set to *${formatBytes(cmd.bytesPerMonth)}*${escapeMrkdwn(money.note)}.${env}`,
            `Monthly budget set to ${formatBytes(cmd.bytesPerMonth)}.`,
          ),
        };
      }
      case 'budget-clear': {
        setBudget(db, null, w);
        changed('budget.clear', caller.userId);
        const env = settings.monthlyBudget
          ? ` MONTHLY_BUDGET (${formatBytes(settings.monthlyBudget)}) stays overridden until a budget is set again.`
          : '';
        return { message: buildReply(`:white_check_mark: Monthly budget cleared: no budget alerts.${env}`, 'Monthly budget cleared.') };
      }
      case 'snooze': {
        const r = resolveLog(cmd.name, (id) => `snooze ${id} ${cmd.durationText}`);
        if ('reply' in r) return { message: r.reply };
        const until = new Date(deps.now().getTime() + cmd.ms).toISOString();
        snoozeLog(db, r.log.id, until, w, { durationMs: cmd.ms, via: 'command' });
        changed('snooze', caller.userId);
        return {
          message: buildReply(
            `:zzz: *${shownName(displayName(r.log))}* snoozed for ${formatDuration(cmd.ms)}, until ${until.slice(0, 16).replace('T', ' ')} UTC.`,
            `${plainName(displayName(r.log))} snoozed until ${until}.`,
          ),
        };
      }
      case 'unsnooze': {
        const r = resolveLog(cmd.name, (id) => `unsnooze ${id}`);
        if ('reply' in r) return { message: r.reply };
        const was = unsnoozeLog(db, r.log.id, w);
        if (was) changed('unsnooze', caller.userId);
        return {
          message: buildReply(
            was
              ? `:bell: *${shownName(displayName(r.log))}* alerts again.`
              : `*${shownName(displayName(r.log))}* was not snoozed; nothing changed.`,
            was ? `${plainName(displayName(r.log))} unsnoozed.` : `${plainName(displayName(r.log))} was not snoozed.`,
          ),
        };
      }
      case 'mute':
      case 'unmute': {
        const r = resolveLog(cmd.name, (id) => `${cmd.kind} ${id}`);
        if ('reply' in r) return { message: r.reply };
        const did = setMuted(db, r.log.id, cmd.kind === 'mute', w);
        if (did) changed(cmd.kind, caller.userId);
        const n = shownName(displayName(r.log));
        return {
          message: buildReply(
            did
              ? cmd.kind === 'mute'
                ? `:no_bell: *${n}* muted: no alerts for it until \`/logusage unmute\`.`
                : `:bell: *${n}* unmuted.`
              : `*${n}* was already ${cmd.kind === 'mute' ? 'muted' : 'not muted'}; nothing changed.`,
            `${plainName(displayName(r.log))} ${did ? `${cmd.kind}d` : 'unchanged'}.`,
          ),
        };
      }
      case 'route-set': {
        const r = resolveLogset(cmd.logset, (n) => `route ${n} <#${cmd.channel}>`);
        if ('reply' in r) return { message: r.reply };
        const prev = setRoute(db, r.name, cmd.channel, w);
        changed('route.set', caller.userId);
        const [member] = deps.checkMembership ? await deps.checkMembership([cmd.channel]) : [];
        const membership = member ? describeMembership(member) : 'For a private channel, invite the app there.';
        return {
          message: buildReply(
            `:twisted_rightwards_arrows: Alerts of log set *${shownName(r.name)}* now go to <#${cmd.channel}>${prev && prev !== cmd.channel ? ` (was <#${prev}>)` : ''}.\n${membership}`,
            `Alerts of ${plainName(r.name)} now go to ${cmd.channel}.`,
          ),
        };
      }
      case 'route-remove': {
        const r = resolveLogset(cmd.logset, (n) => `route remove ${n}`);
        const name = 'reply' in r ? cmd.logset : r.name;
        const did = removeRoute(db, name, w);
        if (did) changed('route.remove', caller.userId);
        return {
          message: did
            ? buildReply(
                `Removed the route of *${shownName(name)}*; its alerts go to the alert channel.`,
                `Removed the route of ${plainName(name)}.`,
              )
            : buildUsageError(`log set "${ellipsize(cmd.logset, 60)}" has no route`, EXAMPLES.routeList),
        };
      }
      case 'expect-set':
      case 'expect-remove': {
        const message = runPlanCommand({ db, now: deps.now }, cmd, w);
        changed('expect', caller.userId);
        return { message };
      }
      case 'owner-set':
      case 'owner-remove': {
        const message = runOwnerCommand(db, cmd, w);
        changed('owner', caller.userId);
        return { message };
      }
      case 'refresh': {
        const refresh = hooks.refresh;
        if (!refresh) {
          return {
            message: buildReply(
              ':information_source: Collection is not available in this process (no Rapid7 API key is configured for `logusage serve`). Run `logusage collect` where the key is set.',
              'Collection is not available in this process.',
            ),
          };
        }
        recordAudit(db, w, 'refresh', null);
        changed('refresh', caller.userId);
        return {
          message: buildReply(
            ':hourglass_flowing_sand: Collecting from Rapid7 now… I will answer here when it is done.',
            'Collecting now…',
          ),
          followUp: async () => {
            try {
              const line = await refresh({ actor: caller.userId });
              cache.clear();
              return buildReply(`:white_check_mark: ${escapeUntrusted(line)}`, plainName(line, 500));
            } catch (err) {
              logger.error({ err: describeError(err) }, 'refresh from Slack failed');
              const msg = err instanceof AppError ? err.message : 'an unexpected error; the details are in the logs';
              return buildReply(`:x: Collection failed: ${escapeUntrusted(msg)}`, `Collection failed: ${plainName(msg, 500)}`);
            }
          },
        };
      }
      default:
        throw new AppError('INTERNAL', `not a changing command: ${cmd.kind}`);
    }
  }

  // ---------------------------------------------------------------------------------------------

  async function execute(cmd: Command, caller: Caller, upload: UploadPng): Promise<CommandResult> {
    if (isChanging(cmd) && !isAdmin(caller.userId)) {
      return { message: buildNotAllowed(adminWhat(cmd), caller.userId, admins.size > 0) };
    }
    switch (cmd.kind) {
      case 'help':
        return { message: buildHelp({ isAdmin: isAdmin(caller.userId), adminsConfigured: admins.size > 0 }) };
      case 'summary':
        return { message: await summary(cmd.day) };
      case 'top':
        return { message: top(cmd.n) };
      case 'log':
        return { message: logDetail(cmd.name) };
      case 'alerts':
        return { message: alertsList() };
      case 'chart':
        return { message: await chart(cmd, caller, upload) };
      case 'threshold-list':
        return { message: thresholdList() };
      case 'budget-show':
        return { message: budgetShow() };
      case 'price-show':
        return { message: runPriceCommand({ db, settings }, cmd, who(caller.userId)) };
      case 'explain': {
        const r = resolveLog(cmd.name, (id) => `explain ${id}${cmd.day ? ` ${cmd.day}` : ''}`);
        return { message: 'reply' in r ? r.reply : await runExplainCommand(db, r.log, cmd.day, hooks.explainLog) };
      }
      case 'route-list':
        return { message: routeList() };
      case 'expect-list':
        return { message: runPlanCommand({ db, now: deps.now }, cmd, who(caller.userId)) };
      case 'owner-list':
        return { message: runOwnerCommand(db, cmd, who(caller.userId)) };
      case 'threshold-modal':
      case 'budget-modal':
        // Opened by the listener with the command's trigger_id (src/slack/listeners/modals.ts); here only when there is none.
        return {
          message: buildUsageError(
            'the form opens only from Slack; type the whole command instead',
            cmd.kind === 'budget-modal' ? EXAMPLES.budgetSet : EXAMPLES.thresholdSet,
          ),
        };
      case 'status':
        return { message: await status() };
      case 'digest': {
        if (!hooks.previewDigest) {
          return {
            message: buildReply(
              ':information_source: The digest preview is not available in this process yet; the daily digest is posted after each daily run.',
              'The digest preview is not available here.',
            ),
          };
        }
        const m = await hooks.previewDigest();
        const note = context('_Preview: this digest was not posted._');
        return { message: fitMessage({ text: `Preview: ${m.text}`, blocks: [...m.blocks.slice(0, 48), note] }) };
      }
      default:
        return change(cmd, caller);
    }
  }

  async function apply(cmd: Command, caller: Caller, upload: UploadPng = noUpload): Promise<CommandResult> {
    try {
      return await retryWhileBusy(() => execute(cmd, caller, upload), deps.busyRetry);
    } catch (err) {
      const f = describeFailure(err);
      logger.error({ err: describeError(err), code: f.code, command: cmd.kind, user: caller.userId }, '/logusage command failed');
      return { message: buildFailure(`\`/logusage ${cmd.kind.split('-')[0]}\``, f.code, f.hint) };
    }
  }

  return {
    isAdmin,
    quickAnswer(text, caller) {
      const cmd = parseCommand(text);
      if (cmd.kind === 'error') return buildUsageError(cmd.message, cmd.example);
      if (cmd.kind === 'help') return buildHelp({ isAdmin: isAdmin(caller.userId), adminsConfigured: admins.size > 0 });
      if (isChanging(cmd) && !isAdmin(caller.userId)) return buildNotAllowed(adminWhat(cmd), caller.userId, admins.size > 0);
      if (cmd.kind === 'summary' || cmd.kind === 'top') {
        // A summary or top list already computed for the current data answers in the ack itself.
        try {
          const d = cmd.kind === 'summary' ? (cmd.day ?? latestObservedDay(db)) : latestObservedDay(db);
          if (d === null) return undefined;
          return cache.get(cmd.kind === 'top' ? topKey(cmd.n, d) : summaryKey(d));
        } catch (err) {
          logger.warn({ err: describeError(err) }, 'cache lookup failed');
          return undefined;
        }
      }
      return undefined;
    },
    async warm() {
      try {
        await summary(undefined);
      } catch (err) {
        logger.warn({ err: describeError(err) }, 'could not precompute the summary');
      }
    },
    async run(text, caller, upload) {
      const cmd = parseCommand(text);
      if (cmd.kind === 'error') return { message: buildUsageError(cmd.message, cmd.example) };
      return apply(cmd, caller, upload);
    },
    apply,
    async button(actionId, rawValue, caller) {
      try {
        return await retryWhileBusy(() => alertButton(actionId, rawValue, caller), deps.busyRetry);
      } catch (err) {
        const f = describeFailure(err);
        logger.error({ err: describeError(err), code: f.code, actionId, user: caller.userId }, 'alert button failed');
        return { ephemeral: buildFailure('that button', f.code, f.hint) };
      }
    },
  };

  function alertButton(actionId: string, rawValue: string, caller: Caller): ButtonOutcome {
    const what = BUTTON_WHAT[actionId];
    if (!what) return { ephemeral: buildReply('That button is not known to this version of logusage.', 'Unknown button.') };
    if (!isAdmin(caller.userId)) return { ephemeral: buildNotAllowed(what, caller.userId, admins.size > 0) };
    let value: AlertButtonValue;
    try {
      value = JSON.parse(rawValue) as AlertButtonValue;
      if (typeof value !== 'object' || value === null) throw new Error('not an object');
    } catch {
      return { ephemeral: buildReply('That button carries no alert; nothing changed.', 'That button carries no alert; nothing changed.') };
    }
    const alert: AlertRecord | undefined = typeof value.alertId === 'number' ? getAlert(db, value.alertId) : undefined;
    const logId = typeof value.logId === 'string' ? value.logId : (alert?.logId ?? null);
    const w = who(caller.userId);
    const log = logId ? getLog(db, logId) : undefined;
    // The name the rebuilt message uses (its finding's), so the click and later updates read the same.
    const name = alert?.lastFinding.logName ?? (log ? displayName(log) : (logId ?? 'this alert'));
    // Audit rows carry `alertId`, so the alert's message shows them on every rebuild (src/alerts/runner.ts).
    const tag = { via: 'button', alertId: alert?.id ?? null };
    /** The message's action log after `done` (the change just recorded, with these audit details). */
    const logged = (done: Omit<AlertAction, 'at' | 'actor'>): ButtonOutcome => {
      const actions = alert ? (listAlertActions(db, [alert.id]).get(alert.id) ?? []) : [{ ...done, at: w.at, actor: w.actor }];
      const block = buildActionLog(actions, name);
      return block ? { actionLog: block } : {};
    };
    switch (actionId) {
      case ACTION_IDS.snoozeDay:
      case ACTION_IDS.snoozeWeek: {
        if (!logId) {
          return {
            ephemeral: buildReply(
              'This alert is not about one log, so it cannot be snoozed. Change its threshold or budget with `/logusage threshold` or `/logusage budget`.',
              'Only log alerts can be snoozed.',
            ),
          };
        }
        const ms = actionId === ACTION_IDS.snoozeDay ? 86_400_000 : 7 * 86_400_000;
        const until = new Date(deps.now().getTime() + ms).toISOString();
        const details = { durationMs: ms, ...tag };
        snoozeLog(db, logId, until, w, details);
        changed('snooze', caller.userId);
        return logged({ action: 'snooze', details: { until, ...details } });
      }
      case ACTION_IDS.acceptNormal: {
        const fromDay = alert?.firstDay ?? latestObservedDay(db) ?? today();
        // The alert lifecycle ends the episode at its next run when it sees the accepted day
        // (baseline on or after the episode's first day); detection measures from it.
        if (logId) acceptNewNormal(db, logId, fromDay, w, tag);
        else recordAudit(db, w, 'accept-normal', alert ? `alert:${alert.id}` : null, tag);
        changed('accept-normal', caller.userId);
        return logged({ action: 'accept-normal', details: logId ? { baselineFrom: fromDay, ...tag } : tag });
      }
      case ACTION_IDS.muteLog: {
        if (!logId) {
          return { ephemeral: buildReply('This alert is not about one log, so there is no log to mute.', 'Only log alerts can be muted.') };
        }
        // The lifecycle ends an open episode of a muted log quietly at its next run.
        if (!setMuted(db, logId, true, w, tag)) {
          const text = `*${shownName(name)}* is already muted; nothing changed. \`/logusage unmute\` turns its alerts back on.`;
          return { ephemeral: buildReply(text, `${plainName(name)} is already muted; nothing changed.`) };
        }
        changed('mute', caller.userId);
        return logged({ action: 'mute', details: tag });
      }
      default:
        return { ephemeral: buildReply('That button is not known to this version of logusage.', 'Unknown button.') };
    }
  }
}

const BUTTON_WHAT: Record<string, string> = {
  [ACTION_IDS.snoozeDay]: 'snooze alerts',
  [ACTION_IDS.snoozeWeek]: 'snooze alerts',
  [ACTION_IDS.acceptNormal]: 'mark alerts as expected',
  [ACTION_IDS.muteLog]: 'mute logs',
};

/** Where a command comes without a channel to upload to (a modal): charts are not among them. */
const noUpload: UploadPng = async () => {
  throw new AppError('INTERNAL', 'no upload from a modal');
};

/**
 * The stable code of an error that ended a command or a button click, and for storage failures a hint
 * for the person who asked (changes run in one transaction, so a failed one changed nothing).
 */
export function describeFailure(err: unknown): { code: string; hint?: string } {
  if (err instanceof AppError) return { code: err.code };
  if (!isSqliteError(err)) return { code: 'INTERNAL' };
  const e = storageError(err);
  return { code: e.code, hint: STORAGE_HINTS[(e.details?.kind as StorageFailure | undefined) ?? 'other'] };
}

/** What the person who asked is told when the database failed (changes run in one transaction). */
const STORAGE_HINTS: Record<StorageFailure, string> = {
  locked: 'The database is busy: another logusage process is writing to it. Nothing changed; try again in a minute.',
  full: 'The disk that holds the database is full. Nothing changed; tell whoever runs logusage.',
  readonly: 'The database cannot be written (permissions or disk). Nothing changed; tell whoever runs logusage.',
  corrupt: 'The database file is damaged. Tell whoever runs logusage: it must be restored from a backup.',
  other: 'The database failed. Nothing changed; tell whoever runs logusage.',
};

/** The Slack error code of a Web API failure (`not_in_channel` …), or a generic code. */
export function slackErrorCode(err: unknown): string {
  const e = err as { data?: { error?: unknown }; code?: unknown };
  if (e && typeof e === 'object') {
    if (e.data && typeof e.data.error === 'string') return e.data.error;
    if (typeof e.code === 'string') return e.code;
  }
  return 'unknown_error';
}
