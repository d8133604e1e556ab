/**
 * Names that tell logs apart (SPEC §4), pure. Real accounts repeat names (InsightIDR lists one "Endpoint
 * Agents" per log set), so wherever a name is shown and is not unique among the organisation's logs it is
 * shown with its log set ("Endpoint Agents · Asset Authentication"), and with a short id when that is still
 * not unique ("Endpoint Agents · Virus Alert · 3f2a9c1d"). Ids stay the keys; `/metrics` labels keep the
 * raw name (and carry the id and log set as labels of their own).
 *
 * Markers follow the three states and the internal flag: "(deleted)" only for a log no longer listed,
 * "(internal)" for a platform-internal log. `listLogs` / `getLog` (usage.ts) attach the result as
 * `LogInfo.shownName`, so detection, alerts, digest, replies, charts and App Home all read it from there.
 */
import type { LogInfo } from './usage.js';

/** The fields a shown name depends on. */
export type NamedLog = Pick<LogInfo, 'id' | 'name' | 'logsets' | 'inManagement' | 'everListed' | 'sourceType'>;

/** Characters of the id shown when name and log set are not enough (grown until unique). */
export const SHORT_ID_LENGTH = 8;

/** The key under which names count as "the same": trimmed, case-insensitive. */
export function nameKey(name: string): string {
  return name.trim().toLowerCase();
}

function setsText(l: NamedLog): string {
  return l.logsets.length === 0 ? 'no log set' : l.logsets.map((s) => s.name).join(', ');
}

function markers(l: NamedLog): string {
  const deleted = !l.inManagement && l.everListed && l.name ? ' (deleted)' : '';
  const internal = (l.sourceType ?? '').trim().toLowerCase() === 'internal' ? ' (internal)' : '';
  return `${deleted}${internal}`;
}

/**
 * Shown name of every log of `logs`, by id. `logs` must hold every log a name could be confused with
 * (all known logs, or at least all logs with the same name).
 */
export function buildShownNames(logs: readonly NamedLog[]): Map<string, string> {
  const byName = new Map<string, NamedLog[]>();
  for (const l of logs) {
    if (!l.name) continue;
    const k = nameKey(l.name);
    const same = byName.get(k);
    if (same) same.push(l);
    else byName.set(k, [l]);
  }
  const out = new Map<string, string>();
  for (const l of logs) if (!l.name) out.set(l.id, `unknown log ${l.id}${markers(l)}`);
  for (const same of byName.values()) {
    if (same.length === 1) {
      const l = same[0] as NamedLog;
      out.set(l.id, `${l.name}${markers(l)}`);
      continue;
    }
    // Names that repeat: by log set, then (still alike) by the shortest unique id prefix.
    const bySets = new Map<string, NamedLog[]>();
    for (const l of same) {
      const k = setsText(l).toLowerCase();
      const list = bySets.get(k);
      if (list) list.push(l);
      else bySets.set(k, [l]);
    }
    for (const l of same) {
      const withSet = `${l.name} · ${setsText(l)}`;
      const clash = (bySets.get(setsText(l).toLowerCase()) ?? []).filter((o) => o !== l);
      if (clash.length === 0) {
        out.set(l.id, `${withSet}${markers(l)}`);
        continue;
      }
      let n = Math.min(SHORT_ID_LENGTH, l.id.length);
      while (n < l.id.length && clash.some((o) => o.id.slice(0, n) === l.id.slice(0, n))) n++;
      out.set(l.id, `${withSet} · ${l.id.slice(0, n)}${markers(l)}`);
    }
  }
  return out;
}
