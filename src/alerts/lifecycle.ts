/**
 * The alert lifecycle, pure: the findings of one day + the open episodes + the controls people set
 * → what happens to each episode and what is said in Slack. No clock, database or network in here:
 * the runner (runner.ts) reads the inputs and applies the effects in one transaction.
 *
 * Rules (SPEC §7):
 * - One episode per key (`log:<id>` for spike/drop/silent of a log; `threshold:<id>` …). The first
 *   finding opens it (one Slack post); later findings continue it (the message is updated, "day 3").
 * - An open episode with no finding on an observed day counts a normal day; after `resolveAfterDays`
 *   consecutive normal days it is resolved (message updated + a reply in its thread). A silent episode
 *   only counts days on which the log sent data again: a decommissioned log alerts once, then stays quiet.
 * - A finding with `details.levelShift` ends the episode as accepted ("new normal": update + one reply),
 *   or, with no episode open, gives one new-normal notice.
 * - "Mark as expected" (a baseline day on or after the episode's first day) ends it as accepted.
 * - Muted logs: no alerts; an open episode ends quietly. Snoozed logs: no alerts while the snooze lasts;
 *   an open episode is held (no message, no counting) and carries on after the snooze if still abnormal.
 * - `new` and `budget` findings are one-off notices, given once per key (`new:<log>`, `budget:<month>:<level>`).
 * - Each episode is judged at most once per day (`evaluatedDay`), so replaying a day changes nothing.
 */
import { type Day, diffDays, monthOf } from '../days.js';
import type { Finding } from '../detect/types.js';

export interface OpenEpisode {
  id: number;
  episodeKey: string;
  scope: Finding['scope'];
  logId: string | null;
  kind: string;
  firstDay: Day;
  lastDay: Day;
  evaluatedDay: Day;
  findingDays: number;
  normalDays: number;
  lastFinding: Finding;
}

export interface LogControls {
  muted: boolean;
  /** ISO timestamp the snooze lasts until, or null. */
  snoozedUntil: string | null;
  /** First day of an accepted new normal ("Mark as expected"), or null. */
  baselineFrom: Day | null;
}

/** The input of one day. `day` must be an observed day: a day never collected is not judged at all. */
export interface LifecycleInput {
  day: Day;
  /** ISO timestamp of the run: snoozes that end at or before it have expired. */
  nowIso: string;
  findings: Finding[];
  open: OpenEpisode[];
  /** Controls by log id (logs without any may be absent). */
  controls: ReadonlyMap<string, LogControls>;
  /** Keys of one-off notices already given. */
  noticesGiven: ReadonlySet<string>;
  /** Bytes each log sent on `day` (absent = 0). */
  bytesOnDay: ReadonlyMap<string, number>;
  /** Consecutive normal days that resolve an episode (≥ 1). */
  resolveAfterDays: number;
}

export type HoldReason = 'snoozed' | 'still-silent';
export type AcceptReason = 'level-shift' | 'marked-expected' | 'muted';

export type Effect =
  /** A new episode: post its message. */
  | { type: 'open'; key: string; finding: Finding }
  /** Another abnormal day of an open episode: update its message. */
  | { type: 'continue'; episode: OpenEpisode; finding: Finding; dayNumber: number }
  /** A normal day of an open episode, not yet enough to resolve: nothing is said. */
  | { type: 'normal'; episode: OpenEpisode; normalDays: number }
  /** Back to normal for long enough: message marked resolved + a reply in its thread. */
  | { type: 'resolve'; episode: OpenEpisode; normalDays: number }
  /** Ended as accepted. level-shift: update + new-normal reply; marked-expected and muted: quiet (the button said it). */
  | { type: 'accept'; episode: OpenEpisode; reason: AcceptReason; finding: Finding | null }
  /** Judged, nothing said, nothing counted. */
  | { type: 'hold'; episode: OpenEpisode; reason: HoldReason; finding: Finding | null }
  /** A one-off message (new log, budget level, new normal with no episode open). */
  | { type: 'notice'; key: string; finding: Finding }
  /** A finding that says nothing in Slack, and why. */
  | { type: 'suppressed'; finding: Finding; reason: 'muted' | 'snoozed' | 'already-noticed' };

/** The episode (or notice) key of a finding. */
export function keyOf(f: Finding): { key: string; oneOff: boolean } {
  const d = f.details ?? {};
  if (f.kind === 'budget') return { key: `budget:${monthOf(f.day)}:${String(d.level ?? 'notice')}`, oneOff: true };
  if (f.kind === 'new') return { key: `new:${f.logId ?? f.logName}`, oneOff: true };
  // A holiday or an organisation-wide dip: one notice per day (SPEC §6.4), never an episode.
  if (f.kind === 'org' && (d.orgEvent === 'holiday' || d.orgEvent === 'dip')) return { key: `org-event:${f.day}`, oneOff: true };
  const subject = f.scope === 'log' ? (f.logId ?? f.logName) : f.scope === 'org' ? 'org' : f.logName;
  if (f.kind === 'threshold') {
    return { key: d.thresholdId !== undefined ? `threshold:${String(d.thresholdId)}` : `threshold:${f.scope}:${subject}`, oneOff: false };
  }
  return { key: `${f.scope}:${subject}`, oneOff: false };
}

/**
 * Counts alert episodes and notices over findings given in day order, with the lifecycle's own key (`keyOf`):
 * `backtest`'s "alert episodes" are the product's. A one-off key (budget level, new log, organisation day) counts
 * once; an episode key counts again only after more than `resolveAfterDays` days without a finding (the lifecycle
 * would have resolved it by then).
 */
export function createEpisodeCounter(resolveAfterDays: number): { add(f: Finding): void; count(): number } {
  const lastDay = new Map<string, Day>();
  let n = 0;
  return {
    add(f) {
      const { key, oneOff } = keyOf(f);
      const last = lastDay.get(key);
      if (last === undefined || (!oneOff && diffDays(f.day, last) > resolveAfterDays)) n++;
      lastDay.set(key, f.day);
    },
    count: () => n,
  };
}

export function isLevelShift(f: Finding): boolean {
  return f.details?.levelShift === true;
}

/** Day N of an episode that started on `firstDay` (calendar days, first day = 1). */
export function episodeDayNumber(firstDay: Day, day: Day): number {
  return diffDays(day, firstDay) + 1;
}

function strongest(fs: Finding[]): Finding {
  return fs.reduce((a, b) => (b.score > a.score ? b : a));
}

/** True while at least half of a log-set finding's members still send nothing (`details.members`). */
function stillSilentSet(f: Finding, bytesOnDay: ReadonlyMap<string, number>): boolean {
  const members = Array.isArray(f.details?.members) ? (f.details.members as Array<{ logId?: unknown }>) : [];
  const ids = members.flatMap((m) => (typeof m.logId === 'string' ? [m.logId] : []));
  if (ids.length === 0) return false;
  const quiet = ids.filter((id) => (bytesOnDay.get(id) ?? 0) <= 0).length;
  return quiet * 2 >= ids.length;
}

const NO_CONTROLS: LogControls = { muted: false, snoozedUntil: null, baselineFrom: null };

export function decideDay(input: LifecycleInput): Effect[] {
  const { day } = input;
  const effects: Effect[] = [];
  const controlsOf = (logId: string | null): LogControls => (logId ? (input.controls.get(logId) ?? NO_CONTROLS) : NO_CONTROLS);
  const snoozed = (c: LogControls) => c.snoozedUntil !== null && c.snoozedUntil > input.nowIso;

  const byKey = new Map<string, Finding[]>();
  const oneOff = new Map<string, Finding[]>();
  for (const f of input.findings) {
    if (f.day !== day) continue;
    const k = keyOf(f);
    const m = k.oneOff ? oneOff : byKey;
    m.set(k.key, [...(m.get(k.key) ?? []), f]);
  }

  // A finding whose key has an open episode is that episode's (continued, or consumed by its end).
  const openKeys = new Set<string>();
  for (const ep of input.open) {
    openKeys.add(ep.episodeKey);
    if (ep.evaluatedDay >= day) continue;
    const fs = byKey.get(ep.episodeKey);
    const finding = fs ? strongest(fs) : null;
    const c = controlsOf(ep.logId);
    if (c.muted) {
      effects.push({ type: 'accept', episode: ep, reason: 'muted', finding });
      continue;
    }
    if (c.baselineFrom !== null && c.baselineFrom >= ep.firstDay) {
      effects.push({ type: 'accept', episode: ep, reason: 'marked-expected', finding });
      continue;
    }
    if (snoozed(c)) {
      effects.push({ type: 'hold', episode: ep, reason: 'snoozed', finding });
      continue;
    }
    if (finding) {
      if (isLevelShift(finding)) {
        effects.push({ type: 'accept', episode: ep, reason: 'level-shift', finding });
      } else {
        effects.push({ type: 'continue', episode: ep, finding, dayNumber: episodeDayNumber(ep.firstDay, day) });
      }
      continue;
    }
    if (ep.kind === 'silent' && ep.logId !== null && (input.bytesOnDay.get(ep.logId) ?? 0) <= 0) {
      effects.push({ type: 'hold', episode: ep, reason: 'still-silent', finding: null });
      continue;
    }
    // A log set that went silent together is back when most of its logs send again (grouping.ts).
    if (ep.kind === 'silent' && ep.scope === 'logset' && stillSilentSet(ep.lastFinding, input.bytesOnDay)) {
      effects.push({ type: 'hold', episode: ep, reason: 'still-silent', finding: null });
      continue;
    }
    const normalDays = ep.normalDays + 1;
    effects.push(
      normalDays >= Math.max(1, input.resolveAfterDays)
        ? { type: 'resolve', episode: ep, normalDays }
        : { type: 'normal', episode: ep, normalDays },
    );
  }

  for (const [key, fs] of byKey) {
    if (openKeys.has(key)) continue;
    const finding = strongest(fs);
    const c = controlsOf(finding.logId);
    if (c.muted) {
      effects.push({ type: 'suppressed', finding, reason: 'muted' });
      continue;
    }
    if (snoozed(c)) {
      effects.push({ type: 'suppressed', finding, reason: 'snoozed' });
      continue;
    }
    if (isLevelShift(finding)) {
      const noticeKey = `shift:${key}:${day}`;
      if (input.noticesGiven.has(noticeKey)) effects.push({ type: 'suppressed', finding, reason: 'already-noticed' });
      else effects.push({ type: 'notice', key: noticeKey, finding });
      continue;
    }
    effects.push({ type: 'open', key, finding });
  }

  for (const [key, fs] of oneOff) {
    const finding = strongest(fs);
    const c = controlsOf(finding.logId);
    if (input.noticesGiven.has(key)) effects.push({ type: 'suppressed', finding, reason: 'already-noticed' });
    else if (c.muted) effects.push({ type: 'suppressed', finding, reason: 'muted' });
    else if (snoozed(c)) effects.push({ type: 'suppressed', finding, reason: 'snoozed' });
    else effects.push({ type: 'notice', key, finding });
  }
  return effects;
}
