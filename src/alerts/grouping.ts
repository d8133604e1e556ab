/**
 * No floods (SPEC §7), pure: findings of one day that share a cause become one message.
 *
 * 1. A log set whose logs go silent (or drop) together → ONE finding of scope 'logset' in place of its
 *    members' findings (`groupLogSets`). It is an episode like any other (key `logset:<name>`, SPEC §6.5):
 *    later days continue it in place, it resolves when most of its logs are back (lifecycle.ts).
 * 2. An organisation-wide holiday or dip day (`kind: 'org'`, `details.orgEvent` 'holiday' | 'dip', from
 *    detection, SPEC §6.4) → that one notice, and no per-log drop opened that day (`dropOrgDipDrops`).
 * 3. Past `CHANNEL_GROUP_AFTER` new messages for one channel on one day → one grouped message listing
 *    them (`planChannelGroups`); each episode stays its own row and is reached from the list.
 * No clock, database or network in here: the runner (runner.ts) reads the inputs and applies the result.
 */
import type { Day } from '../days.js';
import type { Finding } from '../detect/types.js';
import type { Effect } from './lifecycle.js';

/** A log set outage needs at least this many affected logs … */
export const LOGSET_MIN_LOGS = 3;
/** … and more than this share of the set's reporting logs (SPEC §6.5: "most logs of one log set"). */
export const LOGSET_MIN_SHARE = 0.5;
/** New top-level messages one channel takes on one day before they are grouped into one (SPEC §7). */
export const CHANNEL_GROUP_AFTER = 5;

/** One affected log of a log-set finding (`details.members`). Bytes per UTC day. */
export interface LogSetMember {
  logId: string;
  logName: string;
  kind: 'silent' | 'drop';
  value: number;
  expected: number;
  changeBytes: number;
  changeMoney?: number;
  silentSince?: string;
}

export interface LogSetGroupingInput {
  day: Day;
  findings: Finding[];
  /** Keys of the open episodes (per-log findings with an open episode keep continuing it). */
  openKeys: ReadonlySet<string>;
  /** Per log set name: how many of its logs normally report (listed, sent data recently). */
  reportingLogs: ReadonlyMap<string, number>;
}

const isOutageKind = (f: Finding): f is Finding & { kind: 'silent' | 'drop' } =>
  f.scope === 'log' && f.logId !== null && (f.kind === 'silent' || f.kind === 'drop');

/** The members of a log-set finding (empty for any other finding). */
export function logSetMembers(f: Finding): LogSetMember[] {
  const m = f.details?.members;
  return f.scope === 'logset' && Array.isArray(m) ? (m as LogSetMember[]) : [];
}

/** True for the organisation-wide holiday / dip notice of detection (BRIEF shared contract). */
export function isOrgDip(f: Finding): boolean {
  const e = f.details?.orgEvent;
  return f.kind === 'org' && (e === 'holiday' || e === 'dip');
}

function member(f: Finding & { kind: 'silent' | 'drop' }): LogSetMember {
  return {
    logId: f.logId as string,
    logName: f.logName,
    kind: f.kind,
    value: f.value,
    expected: f.expected,
    changeBytes: f.changeBytes,
    ...(f.changeMoney !== undefined ? { changeMoney: f.changeMoney } : {}),
    ...(typeof f.details?.silentSince === 'string' ? { silentSince: f.details.silentSince } : {}),
  };
}

/** "Sat 29 Nov"-free plain sentence; the builders add the day. */
function logSetReason(set: string, members: LogSetMember[], reporting: number, kind: 'silent' | 'drop'): string {
  const n = members.length;
  const of = `${n} of ${Math.max(n, reporting)} logs of ${set}`;
  return kind === 'silent'
    ? `${of} sent nothing — a collector or integration is likely down.`
    : `${of} dropped together — a collector or integration is likely failing.`;
}

/**
 * Replaces the silent/drop findings of a log set that went down together by one finding of the log set.
 * A set qualifies when ≥ LOGSET_MIN_LOGS of its logs are affected and they are more than LOGSET_MIN_SHARE of
 * its reporting logs, or when an episode of the set is open already (its members keep joining it). A log in
 * several sets joins the one with the most affected logs. A member whose own episode is open keeps its
 * finding as well (that episode goes on in place; the log set lists it too).
 */
export function groupLogSets(input: LogSetGroupingInput): Finding[] {
  const { day } = input;
  const affected = new Map<string, Array<Finding & { kind: 'silent' | 'drop' }>>();
  for (const f of input.findings) {
    if (f.day !== day || !isOutageKind(f)) continue;
    for (const s of f.logsets) {
      const list = affected.get(s);
      if (list) list.push(f);
      else affected.set(s, [f]);
    }
  }
  const qualifies = (set: string, n: number) =>
    input.openKeys.has(`logset:${set}`) || (n >= LOGSET_MIN_LOGS && n > LOGSET_MIN_SHARE * (input.reportingLogs.get(set) ?? n));
  // Largest sets first, so a log in several sets joins the one it most likely shares a cause with.
  const sets = [...affected.entries()]
    .filter(([s, fs]) => qualifies(s, fs.length))
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const taken = new Set<Finding>();
  const out: Finding[] = [];
  for (const [set, all] of sets) {
    const fs = all.filter((f) => !taken.has(f));
    if (fs.length === 0 || !qualifies(set, fs.length)) continue;
    for (const f of fs) taken.add(f);
    const members = fs.map(member).sort((a, b) => a.changeBytes - b.changeBytes || (a.logName < b.logName ? -1 : 1));
    const silent = members.filter((m) => m.kind === 'silent').length;
    const kind: 'silent' | 'drop' = silent * 2 >= members.length ? 'silent' : 'drop';
    const sum = (g: (f: Finding) => number) => fs.reduce((n, f) => n + g(f), 0);
    const value = sum((f) => f.value);
    const expected = sum((f) => f.expected);
    const money = fs.some((f) => f.changeMoney !== undefined) ? sum((f) => f.changeMoney ?? 0) : undefined;
    const reporting = input.reportingLogs.get(set) ?? members.length;
    out.push({
      day,
      kind,
      scope: 'logset',
      logId: null,
      logName: set,
      logsets: [set],
      value,
      expected,
      low: sum((f) => f.low),
      high: sum((f) => f.high),
      score: Math.max(...fs.map((f) => f.score)),
      reason: logSetReason(set, members, reporting, kind),
      changeBytes: value - expected,
      changePct: expected > 0 ? ((value - expected) / expected) * 100 : null,
      ...(money !== undefined ? { changeMoney: money } : {}),
      details: {
        // The price the members were valued at (money.ts priceFindings), so the set's money shows too.
        ...(typeof fs[0]?.details?.currency === 'string' ? { currency: fs[0].details.currency, pricePerGb: fs[0].details.pricePerGb } : {}),
        logsetEvent: true,
        members,
        logsReporting: Math.max(reporting, members.length),
        // The set's silence became its new normal only when every member's did (SPEC §6.3).
        ...(fs.every((f) => f.details?.levelShift === true) ? { levelShift: true } : {}),
      },
    });
  }
  for (const f of input.findings) {
    if (!taken.has(f)) out.push(f);
    else if (input.openKeys.has(`log:${f.logId}`)) out.push(f);
  }
  return out;
}

/**
 * On an organisation-wide holiday or dip day, per-log drops say nothing the one notice does not: those that
 * would open a new episode are left out (an episode already open still gets its update).
 */
export function dropOrgDipDrops(day: Day, findings: Finding[], openKeys: ReadonlySet<string>): Finding[] {
  if (!findings.some((f) => f.day === day && isOrgDip(f))) return findings;
  return findings.filter((f) => !(f.day === day && f.scope === 'log' && f.kind === 'drop' && !openKeys.has(`log:${f.logId}`)));
}

/** A new top-level message of the day that may be listed in a grouped message instead. */
export type GroupableEffect = Extract<Effect, { type: 'open' } | { type: 'notice' }>;

/**
 * Notices never grouped: budget levels and organisation events are one message of their own already. Log-set
 * episodes are: on a day many log sets drop together (a holiday detection did not call one) they are one list.
 */
function isGroupable(e: Effect): e is GroupableEffect {
  if (e.type === 'open') return e.finding.scope === 'log' || logSetMembers(e.finding).length > 0;
  if (e.type === 'notice') return e.finding.kind !== 'budget' && e.finding.scope === 'log';
  return false;
}

/**
 * The channels whose new messages of the day go into one grouped message: more than `after` groupable
 * effects for the channel. Returns, per such channel, the effects (in the order given) it lists.
 */
export function planChannelGroups(
  effects: readonly Effect[],
  channelOf: (f: Finding) => string,
  after: number = CHANNEL_GROUP_AFTER,
): Map<string, GroupableEffect[]> {
  const byChannel = new Map<string, GroupableEffect[]>();
  for (const e of effects) {
    if (!isGroupable(e)) continue;
    const c = channelOf(e.finding);
    const list = byChannel.get(c);
    if (list) list.push(e);
    else byChannel.set(c, [e]);
  }
  for (const [c, list] of byChannel) if (list.length <= after) byChannel.delete(c);
  return byChannel;
}
