/**
 * The organisation level of a daily run (SPEC §6.7), impure edge around the pure rules: reads the stored
 * history, then
 * - attaches `contributors` to an `org` finding detection gave (a holiday or an organisation-wide dip), or
 *   finds an unusual organisation day (src/detect/org-contributors.ts), which the digest tells;
 * - finds creep (src/detect/creep.ts), told at most once a fortnight as ONE message in the digest channel
 *   (notice `creep:<day>`), never as an alert storm.
 * Bytes are whole bytes per UTC day.
 */
import { addDays, type Day, toEpochDay } from '../days.js';
import { CREEP_WEEKS, detectCreep } from '../detect/creep.js';
import { addOrgFinding } from '../detect/org-contributors.js';
import type { Finding } from '../detect/types.js';
import { type Price, priceFindings } from '../money.js';
import { buildCreepMessage } from '../slack/blocks/org.js';
import { claimNotice, listNotices } from '../store/alerts.js';
import type { Db } from '../store/db.js';
import { enqueueOutbox, getOutboxByKey, type OutboxRecord, writeOrPreview } from '../store/outbox.js';
import { orgSeries } from '../store/slack-reads.js';
import { displayName, readUsageMatrix } from '../store/usage.js';

/** Days read: creep compares the latest fortnight with the one CREEP_WEEKS weeks before it. */
const HISTORY_DAYS = CREEP_WEEKS * 7 + 14;
export const CREEP_NOTICE = 'creep:';

export interface OrgDayResult {
  /** The day's findings, with contributors on an `org` finding detection gave. */
  findings: Finding[];
  /** The organisation finding of the day (detection's, or an unusual total), for the digest; null when none. */
  org: Finding | null;
  /** Creep to tell today (already past its fortnight check), or null. */
  creep: Finding | null;
}

export function judgeOrganisation(db: Db, day: Day, findings: Finding[], price?: Price): OrgDayResult {
  const from = addDays(day, -(HISTORY_DAYS - 1));
  const m = readUsageMatrix(db, from, day);
  const org = orgSeries(db, from, day);
  const t = m.days.length - 1;
  const logs = m.logs.map((l) => ({ id: l.id, name: displayName(l), values: m.values.get(l.id) as Float64Array }));
  const input = { day, t, org, observed: m.observed, logs };
  const copy = findings.map((f) => ({ ...f }));
  const before = copy.length;
  const found = addOrgFinding(input, copy);
  // An unusual total is the digest's (SPEC §8); it is not an alert of its own here.
  const out = copy.slice(0, before);
  const [last] = listNotices(db, CREEP_NOTICE).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const toldDay = typeof last?.details?.day === 'string' ? (last.details.day as Day) : undefined;
  const creep = detectCreep({
    ...input,
    ...(toldDay ? { daysSinceTold: toEpochDay(day) - toEpochDay(toldDay) } : {}),
  });
  const priced = (f: Finding | null) => (f ? (priceFindings([f], price)[0] as Finding) : null);
  return { findings: out, org: priced(found), creep: priced(creep) };
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
