/**
 * The body of `GET /metrics` (SPEC §10, docs/operations.md "Metrics"): what the store says about the
 * newest observed day, the month and the daily run, plus the process's counters. Bytes are whole bytes
 * of a UTC day; times are Unix seconds; durations seconds. The per-log block (one series per log) is
 * cached under the data's fingerprint (`dataVersion`), so a scrape between two collections costs a few
 * small queries only.
 */
import { DAILY_JOB } from '../daily.js';
import { addDays, daysInRange, toEpochDay } from '../days.js';
import { projectMonth } from '../detect/org-rules.js';
import { typicalAt } from '../slack/baseline.js';
import { effectiveBudget } from '../store/controls.js';
import type { Db } from '../store/db.js';
import { logBytesOnDay, openAlertsByKind } from '../store/metrics-reads.js';
import { countOutbox } from '../store/outbox.js';
import { lastSuccessfulRun, recentRuns } from '../store/runs.js';
import { dataVersion, orgSeries } from '../store/slack-reads.js';
import { latestObservedDay } from '../store/usage.js';
import { COUNTERS, type Counters } from './counters.js';
import { EXPOSITION_CONTENT_TYPE, formatExposition, type MetricFamily } from './exposition.js';

export { EXPOSITION_CONTENT_TYPE };

/** Kinds of finding always reported by `logusage_open_alerts` (0 when none is open), so alert rules see a series. */
const ALERT_KINDS = ['spike', 'drop', 'silent', 'new', 'threshold', 'budget', 'org', 'creep'];
const RUN_STATES = ['ok', 'failed', 'running'] as const;
/** Days of organisation totals read: the month so far plus the 28-day weekday lookback of the projection. */
const ORG_DAYS = 60;

export interface MetricsDeps {
  db: Db;
  /** MONTHLY_BUDGET (bytes per month); a budget set from Slack takes precedence. */
  envBudget: number | undefined;
  counters: Counters;
}

const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : Number.NaN);
const gauge = (name: string, help: string, value: number | null | undefined): MetricFamily => ({
  name,
  help,
  type: 'gauge',
  samples: value === null || value === undefined || Number.isNaN(value) ? [] : [{ value }],
});

/** Returns the scrape function: each call reads the store and answers the exposition text. */
export function createMetricsReport(deps: MetricsDeps): () => string {
  const { db } = deps;
  let perLog: { key: string; family: MetricFamily } | undefined;

  function logFamily(day: string): MetricFamily {
    const key = `${day}|${dataVersion(db)}`;
    if (perLog?.key === key) return perLog.family;
    const family: MetricFamily = {
      name: 'logusage_log_bytes',
      help: 'Bytes each log ingested on the newest observed UTC day (logusage_latest_day_timestamp_seconds). logset: its log set names, comma-separated.',
      type: 'gauge',
      samples: logBytesOnDay(db, day).map((r) => ({
        labels: { log_id: r.id, log_name: r.name ?? '', logset: r.logsets.join(',') },
        value: r.bytes,
      })),
    };
    perLog = { key, family };
    return family;
  }

  return () => {
    const families: MetricFamily[] = [];
    const day = latestObservedDay(db);
    families.push(
      gauge(
        'logusage_latest_day_timestamp_seconds',
        'Start (00:00 UTC) of the newest observed day, Unix seconds.',
        day ? toEpochDay(day) * 86_400 : null,
      ),
    );
    families.push(
      day
        ? logFamily(day)
        : { name: 'logusage_log_bytes', help: 'Bytes each log ingested on the newest observed UTC day.', type: 'gauge', samples: [] },
    );
    let total: number | null = null;
    let expected: number | null = null;
    let proj: ReturnType<typeof projectMonth> = null;
    if (day) {
      const from = addDays(day, -(ORG_DAYS - 1));
      const days = daysInRange(from, day);
      const org = orgSeries(db, from, day);
      const t = days.length - 1;
      total = Number.isFinite(org[t]) ? (org[t] as number) : null;
      expected = typicalAt(days, org, t)?.expected ?? null;
      proj = projectMonth(days, org, t);
    }
    const budget = effectiveBudget(db, deps.envBudget).bytes;
    families.push(
      gauge('logusage_org_bytes', 'Bytes the whole organisation ingested on the newest observed day.', total),
      gauge('logusage_org_expected_bytes', 'Typical organisation bytes for that day (median of the same day type over 28 days).', expected),
      gauge(
        'logusage_month_to_date_bytes',
        'Organisation bytes of the month of the newest observed day, up to that day.',
        proj?.monthToDate,
      ),
      gauge(
        'logusage_month_projected_bytes',
        'Projected organisation bytes at the end of that month (month to date plus the weekday medians of the last 28 days).',
        proj?.projected,
      ),
      gauge('logusage_budget_bytes', 'Monthly budget in force (set from Slack, else MONTHLY_BUDGET); absent when none.', budget),
    );
    const open = openAlertsByKind(db);
    const kinds = [...new Set([...ALERT_KINDS, ...open.keys()])];
    families.push({
      name: 'logusage_open_alerts',
      help: 'Open alerts, by kind of their latest finding.',
      type: 'gauge',
      samples: kinds.map((kind) => ({ labels: { kind }, value: open.get(kind) ?? 0 })),
    });
    const [last] = recentRuns(db, 1, DAILY_JOB);
    const finished = last?.finishedAt ? last : recentRuns(db, 5, DAILY_JOB).find((r) => r.finishedAt);
    const ok = lastSuccessfulRun(db, DAILY_JOB);
    families.push(
      {
        name: 'logusage_daily_run_status',
        help: 'State of the newest daily run: 1 for its state (ok, failed, running), 0 for the others; no series before the first run.',
        type: 'gauge',
        samples: last ? RUN_STATES.map((status) => ({ labels: { status }, value: last.status === status ? 1 : 0 })) : [],
      },
      gauge(
        'logusage_daily_run_duration_seconds',
        'Duration of the newest finished daily run.',
        finished?.durationMs == null ? null : finished.durationMs / 1000,
      ),
      gauge(
        'logusage_daily_run_finished_timestamp_seconds',
        'When the newest finished daily run ended, Unix seconds.',
        seconds(finished?.finishedAt),
      ),
      gauge(
        'logusage_daily_run_last_success_timestamp_seconds',
        'When the newest successful daily run ended, Unix seconds.',
        seconds(ok?.finishedAt),
      ),
    );
    const out = countOutbox(db);
    families.push(
      gauge('logusage_outbox_pending_messages', 'Slack messages queued and not delivered yet (outbox depth).', out.pending),
      gauge('logusage_outbox_dead_messages', 'Slack messages in the outbox given up for good (kept 90 days).', out.dead),
    );
    const samples = deps.counters.samples();
    for (const [id, c] of Object.entries(COUNTERS)) {
      families.push({
        name: c.name,
        help: c.help,
        type: 'counter',
        samples: samples.filter((s) => s.id === id).map((s) => ({ labels: s.labels, value: s.value })),
      });
    }
    return formatExposition(families);
  };
}
