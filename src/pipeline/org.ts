/**
 * The organisation level of a daily run (SPEC §6.7), impure edge around the pure rules: reads the stored
 * history, then
 * - attaches `contributors` to an `org` finding detection gave (a holiday or an organisation-wide dip), or
 *   finds an unusual organisation day (src/detect/org-contributors.ts): posted as an alert (it joins the day's
 *   findings, so the lifecycle gives it one episode `org:org`) unless the logs' own findings explain it; the
 *   digest tells it either way;
 * - finds creep (src/detect/creep.ts), told at most once a fortnight as ONE message in the digest channel
 *   (notice `creep:<day>`), never as an alert storm.
 * The organisation's expectation counts each log from its accepted level: its "Mark as expected" day, or the
 * first day of a new normal detection accepted (notice `level:<logId>:<day>` with `from`, recorded by `recordLevelShifts`; only
 * days before the judged one count, so a replayed day sees what it saw). Bytes are whole bytes per UTC day.
 */
import { addDays, type Day, toEpochDay } from '../days.js';
import { CREEP_WEEKS, detectCreep } from '../detect/creep.js';
import { addOrgFinding, EXPECT_WEEKS, levelShiftStart } from '../detect/org-contributors.js';
import type { Finding } from '../detect/types.js';
import { type Price, priceFindings } from '../money.js';
import { buildCreepMessage } from '../slack/blocks/org.js';
import { claimNotice, listNotices } from '../store/alerts.js';
import type { Db } from '../store/db.js';
import { readLogOverrides } from '../store/detection-settings.js';
import { enqueueOutbox, getOutboxByKey, type OutboxRecord, writeOrPreview } from '../store/outbox.js';
import { orgSeries } from '../store/slack-reads.js';
import { displayName, readUsageMatrix } from '../store/usage.js';

/**
 * Days read: creep compares the latest fortnight with the one CREEP_WEEKS weeks before it; the organisation's
 * spread judges the EXPECT_WEEKS same weekdays before the day, each against its own EXPECT_WEEKS weeks (and the
 * old level of a log whose level began within a week of one of them, up to two weeks more). With these days the
 * rules give what a replay over the whole history gives (`backtest`).
 */
const HISTORY_DAYS = Math.max(CREEP_WEEKS * 7 + 14, (2 * EXPECT_WEEKS + 2) * 7 + 1);
export const CREEP_NOTICE = 'creep:';
/** Notice of a log's accepted new normal: `level:<logId>:<day>`. */
export const LEVEL_NOTICE = 'level:';

export interface OrgDayResult {
  /** The day's findings, with contributors on an `org` finding detection gave, and an unexplained unusual day. */
  findings: Finding[];
  /** The organisation finding of the day (detection's, or an unusual total), for the digest; null when none. */
  org: Finding | null;
  /** Creep to tell today (already past its fortnight check), or null. */
  creep: Finding | null;
}

/** First day of each log's latest new normal accepted before `day` (from the `level:` notices). */
function acceptedLevels(db: Db, day: Day): Map<string, Day> {
  const out = new Map<string, { day: Day; from: Day }>();
  for (const n of listNotices(db, LEVEL_NOTICE)) {
    const { logId, day: d, from } = n.details ?? {};
    if (typeof logId !== 'string' || typeof d !== 'string' || typeof from !== 'string' || d >= day) continue;
    const prev = out.get(logId);
    if (prev === undefined || d > prev.day) out.set(logId, { day: d, from });
  }
  return new Map([...out].map(([id, v]) => [id, v.from]));
}

/**
 * `findings`: the day's findings (priced); `keptApart`: those detection kept apart (muted and internal logs),
 * which explain an organisation day like posted ones.
 */
export function judgeOrganisation(db: Db, day: Day, findings: Finding[], price?: Price, keptApart: readonly Finding[] = []): OrgDayResult {
  const from = addDays(day, -(HISTORY_DAYS - 1));
  const m = readUsageMatrix(db, from, day);
  const org = orgSeries(db, from, day);
  const t = m.days.length - 1;
  const base = toEpochDay(from);
  const overrides = readLogOverrides(db);
  const shifts = acceptedLevels(db, day);
  const logs = m.logs.map((l) => {
    const o = overrides.get(l.id);
    const starts = [o?.baselineFrom, shifts.get(l.id)].flatMap((d) => (d && d <= day ? [toEpochDay(d) - base] : []));
    return {
      id: l.id,
      name: displayName(l),
      values: m.values.get(l.id) as Float64Array,
      ...(starts.length > 0 ? { levelFrom: Math.max(...starts) } : {}),
      ...(o?.muted ? { quiet: true } : {}),
    };
  });
  const input = { day, t, org, observed: m.observed, logs };
  const out = findings.map((f) => ({ ...f }));
  const found = addOrgFinding(input, out, keptApart);
  const [last] = listNotices(db, CREEP_NOTICE).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const toldDay = typeof last?.details?.day === 'string' ? (last.details.day as Day) : undefined;
  const creep = detectCreep({
    ...input,
    ...(toldDay ? { daysSinceTold: toEpochDay(day) - toEpochDay(toldDay) } : {}),
  });
  const priced = (f: Finding | null) => (f ? (priceFindings([f], price)[0] as Finding) : null);
  const org0 = priced(found);
  // The posted organisation finding and the digest's are the same one (priced once).
  const posted = out.map((f) => (f === found && org0 ? org0 : f));
  return { findings: posted, org: org0, creep: priced(creep) };
}

/** Queues the creep message in `channel` once (notice + outbox row in one transaction); a dry run writes nothing. */
export function queueCreep(db: Db, creep: Finding, channel: string, now: Date, dryRun: boolean): OutboxRecord[] {
  const key = `${CREEP_NOTICE}${creep.day}`;
  const msg = buildCreepMessage(creep);
  return writeOrPreview(
    db,
    () => {
      if (!claimNotice(db, key, now.toISOString(), { day: creep.day, perDay: creep.changeBytes })) return [];
      enqueueOutbox(db, { idemKey: key, channel, method: 'post', payload: msg, now: now.toISOString() });
      const row = getOutboxByKey(db, key);
      return row ? [row] : [];
    },
    dryRun,
  );
}

/**
 * Remembers the new normals detection flagged on `day` (posted or kept apart) as `level:` notices, so that the
 * organisation's expectation of the days after it counts those logs from their new level. A dry run writes
 * nothing; a day run twice records once.
 */
export function recordLevelShifts(db: Db, day: Day, findings: readonly Finding[], now: Date, dryRun: boolean): void {
  if (dryRun) return;
  for (const f of findings) {
    const from = f.day === day ? levelShiftStart(f, 0) : null;
    if (from === null || !f.logId) continue;
    claimNotice(db, `${LEVEL_NOTICE}${f.logId}:${day}`, now.toISOString(), { logId: f.logId, day, from: addDays(day, from) });
  }
}
