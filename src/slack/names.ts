/**
 * Pure name matching for `/logusage`: a typed name → one log (or log set), or the candidates.
 * Order: exact id → exact name → case-insensitive name → unique case-insensitive substring
 * (of the name, or of the id). Several logs with the same exact name are ambiguous too.
 */
import type { LogInfo } from '../store/usage.js';
import { stripMarkupGuards } from './mrkdwn.js';

export type Match<T> =
  | { ok: true; item: T }
  | { ok: false; reason: 'not-found'; query: string }
  | { ok: false; reason: 'ambiguous'; query: string; candidates: T[]; total: number };

/** Candidates listed in an ambiguous answer (the rest are counted). */
export const MAX_CANDIDATES = 10;

function pick<T>(query: string, items: T[], id: (t: T) => string | undefined, name: (t: T) => string | null): Match<T> {
  // A name copied from a message carries the invisible guards of its markers (src/slack/mrkdwn.ts).
  const q = stripMarkupGuards(query).trim();
  if (q === '') return { ok: false, reason: 'not-found', query };
  const byId = items.find((t) => id(t) === q);
  if (byId) return { ok: true, item: byId };
  const decide = (found: T[]): Match<T> | undefined => {
    if (found.length === 1) return { ok: true, item: found[0] as T };
    if (found.length > 1) return { ok: false, reason: 'ambiguous', query, candidates: found.slice(0, MAX_CANDIDATES), total: found.length };
    return undefined;
  };
  const exact = decide(items.filter((t) => name(t) === q));
  if (exact) return exact;
  const lower = q.toLowerCase();
  const ci = decide(items.filter((t) => name(t)?.toLowerCase() === lower));
  if (ci) return ci;
  const sub = decide(items.filter((t) => (name(t) ?? '').toLowerCase().includes(lower) || (id(t) ?? '').toLowerCase().includes(lower)));
  if (sub) return sub;
  return { ok: false, reason: 'not-found', query };
}

export function matchLog(query: string, logs: LogInfo[]): Match<LogInfo> {
  // A name as shown (with its log set or short id, SPEC §4) names exactly one log.
  const q = query.trim().toLowerCase();
  const shown = q === '' ? [] : logs.filter((l) => l.shownName !== undefined && l.shownName.toLowerCase() === q);
  if (shown.length === 1) return { ok: true, item: shown[0] as LogInfo };
  return pick(
    query,
    logs,
    (l) => l.id,
    (l) => l.name,
  );
}

/** Log set names known from the logs' last known log sets, sorted. */
export function logsetNames(logs: LogInfo[]): string[] {
  const names = new Set<string>();
  for (const l of logs) for (const s of l.logsets) if (s.name) names.add(s.name);
  return [...names].sort((a, b) => a.localeCompare(b));
}

export function matchLogset(query: string, names: string[]): Match<string> {
  return pick(
    query,
    names,
    () => undefined,
    (n) => n,
  );
}
