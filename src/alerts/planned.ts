/**
 * Planned changes at the alert stage (pure; SPEC §9 `/logusage expect`): detection stays as it is, and
 * this decides which of a day's findings a plan covers. A spike or threshold finding of a log (or a log
 * set) with a plan in force is dropped when the day stays within the plan — value ≤ expected × (1 + N %)
 * for `+N %`, value ≤ SIZE for a size per day (a log-set plan's size is the log set's total that day) —
 * and kept with "above the planned …" in its reason when it goes beyond. A day within the plan of an episode
 * already open is kept too, saying "within the planned …": its message is updated in place (no new post)
 * instead of being resolved as back to normal while the log is still up. Other kinds (drops, silences,
 * new logs, budget, the organisation) are never covered. Bytes are whole bytes per UTC day.
 */
import type { Finding } from '../detect/types.js';
import type { PlanRecord } from '../store/planned.js';
import { formatBytes } from '../units.js';

/** What a plan says (the stored plan, src/store/planned.ts, without its audit fields). */
export type PlannedChange = Pick<PlanRecord, 'id' | 'scope' | 'target' | 'kind' | 'amount' | 'untilDay' | 'why'>;

const COVERED_KINDS = new Set(['spike', 'threshold']);

/** "+50 %" or "80 GB/day". */
export function planLabel(p: Pick<PlannedChange, 'kind' | 'amount'>): string {
  return p.kind === 'pct' ? `+${p.amount} %` : `${formatBytes(p.amount)}/day`;
}

function applies(p: PlannedChange, f: Finding): boolean {
  if (f.scope === 'log') return p.scope === 'log' ? p.target === f.logId : f.logsets.includes(p.target);
  if (f.scope === 'logset') return p.scope === 'logset' && p.target === f.logName;
  return false;
}

/** The day's bytes the plan compares with its limit, and that limit. */
function measure(p: PlannedChange, f: Finding, logsetBytes: (name: string) => number): { actual: number; allowed: number } {
  if (p.kind === 'pct') return { actual: f.value, allowed: f.expected * (1 + p.amount / 100) };
  if (p.scope === 'logset' && f.scope === 'log') return { actual: logsetBytes(p.target), allowed: p.amount };
  return { actual: f.value, allowed: p.amount };
}

export interface PlannedResult {
  findings: Finding[];
  /** Findings a plan covered (not alerted), with the plan that covered each. */
  covered: Array<{ finding: Finding; planId: number }>;
}

export function applyPlannedChanges(
  findings: Finding[],
  plans: PlannedChange[],
  logsetBytes: (name: string) => number,
  /** True when the finding continues an episode already open. */
  isOpen: (f: Finding) => boolean = () => false,
): PlannedResult {
  if (plans.length === 0) return { findings, covered: [] };
  const out: Finding[] = [];
  const covered: PlannedResult['covered'] = [];
  for (const f of findings) {
    const mine = COVERED_KINDS.has(f.kind) ? plans.filter((p) => applies(p, f)) : [];
    if (mine.length === 0) {
      out.push(f);
      continue;
    }
    const judged = mine.map((p) => ({ p, ...measure(p, f, logsetBytes) }));
    const within = judged.find((j) => j.actual <= j.allowed);
    if (within) {
      covered.push({ finding: f, planId: within.p.id });
      if (isOpen(f)) {
        const why = within.p.why ? `: ${within.p.why}` : '';
        out.push({ ...f, reason: `${f.reason} That is within the planned ${planLabel(within.p)} (until ${within.p.untilDay}${why}).` });
      }
      continue;
    }
    // Beyond every plan: said against the most generous one.
    const top = judged.reduce((a, b) => (b.allowed > a.allowed ? b : a));
    const why = top.p.why ? `: ${top.p.why}` : '';
    out.push({
      ...f,
      reason: `${f.reason} That is above the planned ${planLabel(top.p)} (until ${top.p.untilDay}${why}).`,
      details: {
        ...f.details,
        plannedChange: { id: top.p.id, label: planLabel(top.p), allowed: Math.round(top.allowed), untilDay: top.p.untilDay },
      },
    });
  }
  return { findings: out, covered };
}
