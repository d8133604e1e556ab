/**
 * Pure: Rapid7 JSON answers → records. A malformed answer (not JSON, wrong shape, negative or
 * non-numeric usage, wrong units) is rejected whole. A day of the per-log usage answer outside the
 * requested window is dropped and reported in `warnings` (the caller logs them): the rest of the answer
 * is still right (SPEC §5); an answer whose days are ALL outside the window is rejected whole.
 */
import { z } from 'zod';
import { type Day, daysInRange, isDay } from '../days.js';
import { AppError } from '../errors.js';
import type { ManagedLog, UsageRow } from '../store/usage.js';

const NUMERIC_STRING = /^\s*\d+(\.0+)?\s*$/;

/**
 * Bytes from a JSON number or a numeric string: a non-negative whole number within 2^53, or the reason
 * it is not one. Hand-written: it runs once per (log, day), 70,000 times for 10,000 logs over a week.
 */
export function readBytes(v: unknown): number | string {
  if (typeof v === 'string') {
    if (!NUMERIC_STRING.test(v)) return `usage must be a number or a numeric string, got ${JSON.stringify(v.slice(0, 40))}`;
    v = Number(v);
  }
  if (typeof v !== 'number') return `usage must be a number or a numeric string, got ${v === null ? 'null' : typeof v}`;
  if (!Number.isSafeInteger(v) || v < 0) return `usage must be a non-negative whole number of bytes, got ${JSON.stringify(v)}`;
  return v;
}

const bytesSchema = z.unknown().transform((v, ctx) => {
  const n = readBytes(v);
  if (typeof n === 'string') {
    ctx.addIssue({ code: 'custom', message: n });
    return z.NEVER;
  }
  return n;
});

const daySchema = z.string().refine(isDay, { message: 'expected a day YYYY-MM-DD' });
const idSchema = z.string().min(1).max(200);

const logUsageSchema = z.object({
  per_day_usage: z.object({
    usage: z.array(
      z.object({
        interval: daySchema,
        // Entries are checked by hand in parseLogUsage (the hot loop).
        log_usage: z.array(z.unknown()),
      }),
    ),
    period: z.object({ from: daySchema, to: daySchema }).optional(),
    usage_units: z.string().optional(),
    report_interval: z.string().optional(),
  }),
});

const orgUsageSchema = z.object({
  daily_usage: z.array(z.object({ usage: bytesSchema, day: daySchema })),
  period_usage: bytesSchema.optional(),
  period: z.object({ from: daySchema, to: daySchema }).optional(),
});

const managementSchema = z.object({
  logs: z.array(
    z.object({
      id: idSchema,
      name: z.string().max(10_000).nullable().optional(),
      logsets_info: z
        .array(z.object({ id: z.string(), name: z.string().max(10_000).nullable().optional() }))
        .nullable()
        .optional(),
      // Kept as facts about the log (SPEC §4): internal logs raise no alert unless asked.
      source_type: z.string().max(200).nullable().optional(),
      retention_period: z
        .union([z.string().max(200), z.number()])
        .nullable()
        .optional(),
      // Only their number is kept: tokens are ingestion secrets and never stored.
      tokens: z.array(z.unknown()).nullable().optional(),
      user_data: z.record(z.string(), z.unknown()).nullable().optional(),
    }),
  ),
  links: z
    .array(z.object({ rel: z.string().optional(), href: z.string().optional() }))
    .nullable()
    .optional(),
});

function malformed(what: string, why: string): AppError {
  return new AppError(
    'RAPID7_MALFORMED',
    `Rapid7 sent a malformed answer to ${what} (${why}); nothing of it was stored. If RAPID7_BASE_URL points at a proxy, check that it passes Rapid7's answers through unchanged.`,
  );
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed(what, text.trim() === '' ? 'empty body' : 'not JSON');
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'wrong shape';
    throw malformed(what, where.length > 300 ? `${where.slice(0, 300)}…` : where);
  }
  return r.data;
}

export interface LogUsageAnswer {
  /** Days the answer covers completely (from its period, clipped to the request). */
  period: { from: Day; to: Day };
  rows: UsageRow[];
  /** What was dropped from an otherwise good answer (days outside the window), for the log. */
  warnings: string[];
  /**
   * Days whose per-log usage the answer knows completely: every day of `period`; but when the answer held
   * days outside the window (its dates may be shifted), only the days it listed — a day it left out is then
   * a gap, never a day of zeros.
   */
  observedDays: Day[];
}

/** Parses `GET /usage/organizations/logs`. Duplicate (day, log) entries must agree, else the answer is rejected. */
export function parseLogUsage(text: string, requested: { from: Day; to: Day }): LogUsageAnswer {
  const what = 'GET /usage/organizations/logs';
  const data = check(logUsageSchema, parseJson(text, what), what);
  const units = data.per_day_usage.usage_units;
  if (units !== undefined && units.toLowerCase() !== 'bytes') throw malformed(what, `usage_units is "${units}", expected "bytes"`);
  const seen = new Map<Day, Map<string, number>>();
  const rows: UsageRow[] = [];
  const outside = new Set<Day>();
  for (const [i, d] of data.per_day_usage.usage.entries()) {
    // Its entries are still checked: a shape error anywhere rejects the answer whole.
    const inWindow = d.interval >= requested.from && d.interval <= requested.to;
    if (!inWindow) outside.add(d.interval);
    let ofDay = seen.get(d.interval);
    if (!ofDay) {
      ofDay = new Map();
      seen.set(d.interval, ofDay);
    }
    for (const [j, u] of d.log_usage.entries()) {
      const where = `per_day_usage.usage.${i}.log_usage.${j}`;
      if (typeof u !== 'object' || u === null) throw malformed(what, `${where}: expected an object with usage and id`);
      const { id, usage } = u as { id?: unknown; usage?: unknown };
      if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw malformed(what, `${where}.id: expected a log id`);
      const bytes = readBytes(usage);
      if (typeof bytes === 'string') throw malformed(what, `${where}.usage: ${bytes}`);
      const prev = ofDay.get(id);
      if (prev !== undefined) {
        if (prev !== bytes) throw malformed(what, `log ${id} appears twice on ${d.interval} with different usage`);
        continue;
      }
      ofDay.set(id, bytes);
      if (inWindow) rows.push({ day: d.interval, logId: id, bytes });
    }
  }
  const p = data.per_day_usage.period;
  let from = requested.from;
  let to = requested.to;
  if (p) {
    if (p.from > p.to) throw malformed(what, `period ${p.from}…${p.to} is reversed`);
    // The answer covers only its period: days of the request outside it are not observed.
    if (p.from > from) from = p.from;
    if (p.to < to) to = p.to;
    if (from > to) throw malformed(what, `period ${p.from}…${p.to} does not overlap the requested window`);
  }
  const listed = [...seen.keys()].filter((d) => d >= from && d <= to).sort();
  const shown = `${[...outside].sort().slice(0, 5).join(', ')}${outside.size > 5 ? ', …' : ''}`;
  // Not one day where it was asked: the answer is about other dates, not a stray day.
  if (outside.size > 0 && listed.length === 0)
    throw malformed(what, `every day of the answer (${shown}) is outside the requested window ${requested.from}…${requested.to}`);
  const warnings =
    outside.size === 0
      ? []
      : [
          `${what}: dropped ${outside.size} day(s) outside the requested window ${requested.from}…${requested.to} (${shown}); kept the ${listed.length} day(s) it listed inside the window, and the days it left out stay gaps.`,
        ];
  return {
    period: { from, to },
    rows: rows.filter((r) => r.day >= from && r.day <= to),
    warnings,
    observedDays: outside.size === 0 ? daysInRange(from, to) : listed,
  };
}

/** Parses `GET /usage/organizations`: daily totals; duplicate days must agree. */
export function parseOrgUsage(text: string, requested: { from: Day; to: Day }): Array<{ day: Day; bytes: number }> {
  const what = 'GET /usage/organizations';
  const data = check(orgUsageSchema, parseJson(text, what), what);
  const byDay = new Map<string, number>();
  for (const d of data.daily_usage) {
    if (d.day < requested.from || d.day > requested.to) {
      throw malformed(what, `day ${d.day} is outside the requested window ${requested.from}…${requested.to}`);
    }
    const prev = byDay.get(d.day);
    if (prev !== undefined && prev !== d.usage) throw malformed(what, `day ${d.day} appears twice with different usage`);
    byDay.set(d.day, d.usage);
  }
  return [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, bytes]) => ({ day, bytes }));
}

export interface ManagementAnswer {
  logs: ManagedLog[];
  /** True when the answer carried a `Next` link (paging we do not follow yet). */
  hasNext: boolean;
}

/** Parses `GET /management/logs`. A log (or log set) with an empty name is named by its id. */
export function parseManagementLogs(text: string): ManagementAnswer {
  const what = 'GET /management/logs';
  const data = check(managementSchema, parseJson(text, what), what);
  const ids = new Set<string>();
  const logs: ManagedLog[] = [];
  for (const l of data.logs) {
    if (ids.has(l.id)) continue;
    ids.add(l.id);
    const pm = l.user_data?.platform_managed;
    logs.push({
      id: l.id,
      name: (l.name ?? '').trim() || l.id,
      logsets: (l.logsets_info ?? []).map((s) => ({ id: s.id, name: (s.name ?? '').trim() || s.id })),
      sourceType: l.source_type ?? null,
      // Rapid7 sends "true" as a string; a boolean is accepted too.
      platformManaged: pm === true || (typeof pm === 'string' && pm.trim().toLowerCase() === 'true'),
      retentionPeriod: l.retention_period === null || l.retention_period === undefined ? null : String(l.retention_period),
      tokenCount: Array.isArray(l.tokens) ? l.tokens.length : null,
    });
  }
  const hasNext = (data.links ?? []).some((k) => (k.rel ?? '').toLowerCase() === 'next');
  return { logs, hasNext };
}
