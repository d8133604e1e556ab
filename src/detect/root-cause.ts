/**
 * The cause inside one log (SPEC §6.6), pure: which key to group by, the query statement, and which values of
 * that key carried a day's change. Input: Log Search's bytes per value per day over the 7 days before day D and
 * D itself (8 slices, oldest first; `timeslice(8)` over [D−7, D+1)).
 *
 * Contracts:
 * - Shares compare query bytes with query bytes, never with usage bytes: whether `calculate(bytes)` equals the
 *   billed bytes is unverified (RAPID7-API.md), so the amount shown ("the extra 120 GB") is the finding's.
 * - A value's usual level is the median of its 7 earlier slices; its change is slice D minus that level.
 * - A value with nothing in the 7 earlier slices and bytes on D is "new today"; one with a usual level and
 *   nothing on D "stopped".
 */
import { median } from '../stats.js';
import type { Finding } from './types.js';

/** Keys that name where events come from, most telling first (seen in real data; RAPID7-API.md). */
export const KEY_PREFERENCE = [
  'r7_context.asset.name',
  'hostname',
  'host',
  'source_json.computerName',
  'asset',
  'source_asset',
  'http.host',
  'host.name',
  'computer_name',
  'source',
] as const;

/** Any other key that looks host-like, when none of the preferred ones occurs. */
const HOST_LIKE = /(^|[._])(host(name)?|asset|computer(name)?|device|node|pod|source|instance|server)($|[._])/i;

/** Marks the bot's statements in the account's `/search-stats` (`where(NOT "…")` keeps every event). */
export const QUERY_MARK = 'logusage-explain';

/** Slices of the query: the 7 days before D, and D. */
export const QUERY_SLICES = 8;

/** The key to group by among a log's top keys (preference list first, then the heaviest host-like key), or null. */
export function chooseGroupKey(topkeys: ReadonlyArray<{ key: string; weight: number }>): string | null {
  const byLower = new Map(topkeys.map((k) => [k.key.toLowerCase(), k.key]));
  for (const k of KEY_PREFERENCE) {
    const hit = byLower.get(k.toLowerCase());
    if (hit) return hit;
  }
  const like = [...topkeys].filter((k) => HOST_LIKE.test(k.key) && /^[A-Za-z0-9_.@-]+$/.test(k.key)).sort((a, b) => b.weight - a.weight);
  return like[0]?.key ?? null;
}

/** The LEQL statement: bytes per value of `key`, one slice per day over the 8 days. */
export function buildCauseStatement(key: string): string {
  if (!/^[A-Za-z0-9_.@-]+$/.test(key)) throw new RangeError(`not a plain key: ${key}`);
  return `where(NOT "${QUERY_MARK}") groupby(${key}) calculate(bytes) timeslice(${QUERY_SLICES})`;
}

export interface CauseContributor {
  value: string;
  /** Query bytes on day D. */
  bytes: number;
  /** Usual query bytes (median of the 7 earlier days). */
  usual: number;
  /** bytes − usual. */
  change: number;
  /** |change| / the sum of the changes in the finding's direction (query bytes), 0…1. */
  share: number;
  isNew: boolean;
  stopped: boolean;
}

export interface CauseAnalysis {
  key: string;
  direction: 'up' | 'down';
  /** Largest contributors in the finding's direction, at most `top`. */
  contributors: CauseContributor[];
  /** Values beyond the returned groups (Log Search's `others`) carried this share. */
  othersShare: number;
  /** Values seen in the answer. */
  values: number;
  approximate: boolean;
  /** The log's change in query bytes (sum over values, `others` included). */
  queryChange: number;
}

function levels(series: number[]): { usual: number; day: number; before: number[] } {
  const s = series.slice(-QUERY_SLICES);
  const day = s.at(-1) ?? 0;
  const before = s.slice(0, -1);
  return { usual: before.length > 0 ? median(before) : 0, day, before };
}

/**
 * Contributors to a change of direction `direction` from per-value slices. Null when the answer cannot tell
 * (no value moved that way).
 */
export function analyseCause(
  answer: { groups: ReadonlyArray<{ value: string; series: number[] }>; others: number[] | null; exact: boolean },
  key: string,
  direction: 'up' | 'down',
  top = 3,
): CauseAnalysis | null {
  const rows = answer.groups.map((g) => {
    const l = levels(g.series);
    return {
      value: g.value,
      bytes: l.day,
      usual: l.usual,
      change: l.day - l.usual,
      isNew: l.day > 0 && l.before.every((x) => x === 0),
      stopped: l.day === 0 && l.usual > 0,
    };
  });
  const others = answer.others ? levels(answer.others) : null;
  const othersChange = others ? others.day - others.usual : 0;
  const sign = direction === 'up' ? 1 : -1;
  // Shares are of the gross change in the finding's direction, so they add up to at most 100 %.
  const gross = rows.reduce((a, r) => a + Math.max(0, r.change * sign), 0) + Math.max(0, othersChange * sign);
  if (rows.length === 0 || !(gross > 0)) return null;
  const contributors = rows
    .filter((r) => r.change * sign > 0)
    .sort((a, b) => (b.change - a.change) * sign || a.value.localeCompare(b.value))
    .slice(0, top)
    .map((r) => ({ ...r, share: (r.change * sign) / gross }));
  const total = rows.reduce((a, r) => a + r.change, 0) + othersChange;
  if (contributors.length === 0) return null;
  return {
    key,
    direction,
    contributors,
    othersShare: Math.max(0, othersChange * sign) / gross,
    values: rows.length,
    approximate: !answer.exact,
    queryChange: total,
  };
}

/** "78 %" (whole percent; "<1 %" for a sliver). */
function pct(share: number): string {
  const p = Math.round(share * 100);
  return p < 1 ? '<1 %' : `${p} %`;
}

/**
 * The explanation in words (plain text; the Slack builder escapes and emphasises): e.g. "78 % of the extra
 * 120 GB came from web-17; web-22 is new today." `changeText` is the finding's change as shown ("120 GB").
 */
export function describeCause(
  a: CauseAnalysis,
  changeText: string,
  fmt: { value?: (v: string) => string; text?: (t: string) => string } = {},
): string {
  const v = fmt.value ?? ((x: string) => x);
  const t = fmt.text ?? ((x: string) => x);
  const [first, ...rest] = a.contributors;
  if (!first) return t(`Log Search shows no value of ${a.key} that carried the change.`);
  const what = t(a.direction === 'up' ? `of the extra ${changeText}` : `of the drop of ${changeText}`);
  const verb = a.direction === 'up' ? 'came from' : 'was in';
  const others = rest.filter((r) => r.share >= 0.1);
  const lead =
    others.length > 0
      ? `${t(pct(first.share))} ${what} ${verb} ${v(first.value)}, ${others.map((r) => `${t(pct(r.share))} ${a.direction === 'up' ? 'from' : 'in'} ${v(r.value)}`).join(', ')}`
      : `${t(pct(first.share))} ${what} ${verb} ${v(first.value)}`;
  const notes = [first, ...others]
    .filter((r) => r.isNew || r.stopped)
    .map((r) => (r.isNew ? `${v(r.value)} is new today` : `${v(r.value)} sent nothing today`));
  const tail = [...notes, ...(a.approximate ? ['approximate: Log Search counted over 10,000 values of this key'] : [])];
  return `${lead} (by ${t(a.key)})${tail.length > 0 ? `; ${tail.join('; ')}` : ''}.`;
}

/** Findings whose cause is asked of Log Search: one log's spike, drop or threshold crossing. */
export function wantsCause(f: Finding): boolean {
  return f.scope === 'log' && f.logId !== null && (f.kind === 'spike' || f.kind === 'drop' || f.kind === 'threshold');
}

/** [Date.UTC(D−7), Date.UTC(D+1)) in epoch ms for UTC day `day`. */
export function causeWindowMs(day: string): { fromMs: number; toMs: number } {
  const d = Date.parse(`${day}T00:00:00Z`);
  return { fromMs: d - 7 * 86_400_000, toMs: d + 86_400_000 };
}
