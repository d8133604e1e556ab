/**
 * detectForDay on a real SQLite database (real migrations), and the `detect` command. Stored settings
 * (global sensitivity, per-log overrides, baseline_from from migration 0002, thresholds, the budget set
 * from Slack) change what is found; the windowed read gives the same findings as a full replay.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config.js';
import { addDays } from '../../../src/days.js';
import { replay } from '../../../src/detect/backtest.js';
import { DEFAULT_PARAMS } from '../../../src/detect/params.js';
import type { Finding } from '../../../src/detect/types.js';
import { runImport } from '../../../src/import.js';
import { detectForDay, detectionParams } from '../../../src/pipeline/detect.js';
import { type Db, openDb } from '../../../src/store/db.js';
import { readDbHistory } from '../../../src/store/history.js';
import { generateSynthetic, type SyntheticSet, toCsv } from '../../fixtures/detect/synthetic.js';
import { createTestCli, jsonLines } from '../../support/cli.js';
import { tempDbPath, tempDir } from '../../support/tmp.js';

const NOW = new Date('2027-01-01T08:00:00Z');
const SET = generateSynthetic({ seed: 9, logs: 40, days: 200 });
const LAST = addDays(SET.start, SET.days - 1);

function loaded(set: SyntheticSet = SET): { db: Db; path: string } {
  const path = tempDbPath();
  const db = openDb(path);
  const csv = join(tempDir(), 'usage.csv');
  writeFileSync(csv, toCsv(set));
  runImport(db, csv, { now: () => NOW });
  return { db, path };
}

const now = () => new Date().toISOString();

describe('detectForDay', () => {
  it('gives, day after day, exactly what a replay over the whole stored history gives', () => {
    const { db, path } = loaded();
    const settings = readSettings({ DATABASE_PATH: path });
    const all: Finding[] = [];
    replay(readDbHistory(db, SET.start, LAST), {
      params: detectionParams(settings, undefined),
      onDay: (r) => all.push(...r.findings),
    });
    expect(all.length).toBeGreaterThan(40);
    const kinds = new Set(all.map((f) => f.kind));
    for (const k of ['spike', 'drop', 'silent', 'new']) expect(kinds).toContain(k);
    for (let i = 60; i < SET.days; i++) {
      const day = addDays(SET.start, i);
      const r = detectForDay(db, day, settings);
      expect(r.observed).toBe(true);
      expect(r.findings, day).toEqual(all.filter((f) => f.day === day));
    }
    db.close();
  });

  it('reads the global sensitivity, per-log overrides, baseline_from, thresholds and the Slack budget', () => {
    const days = 120;
    const set: SyntheticSet = {
      start: SET.start,
      days,
      logs: ['a', 'b', 'c'].map((id) => ({ id, name: `fw-${id}`, archetype: 'daily' as const, values: new Float64Array(days).fill(2e9) })),
      labels: [],
    };
    // Day 100: a ×2 day on every log (material floor of a 2 GB log: +71 %; at sensitivity 1.5: +106 %).
    for (const l of set.logs) l.values[100] = 4e9;
    const { db, path } = loaded(set);
    const settings = readSettings({ DATABASE_PATH: path, MONTHLY_BUDGET: '1PB' });
    const day = addDays(set.start, 100);
    const ids = (fs: Finding[], kind: string) =>
      fs
        .filter((f) => f.kind === kind)
        .map((f) => f.logId)
        .sort();
    expect(ids(detectForDay(db, day, settings).findings, 'spike')).toEqual(['a', 'b', 'c']);

    // Global sensitivity: a band 1.5× as wide hides ×2 everywhere…
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('sensitivity', JSON.stringify(1.5), now());
    const wide = detectForDay(db, day, settings);
    expect(wide.params.sensitivity).toBe(1.5);
    expect(ids(wide.findings, 'spike')).toEqual([]);
    // …but a per-log override brings log b back; log c is muted (found, kept apart); a's floor is raised.
    const ins = db.prepare(
      'INSERT INTO log_settings (log_id, sensitivity, min_bytes, muted, baseline_from, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    ins.run('b', 1, null, 0, null, now());
    ins.run('c', 1, null, 1, null, now());
    ins.run('a', 1, 10e9, 0, null, now());
    const mixed = detectForDay(db, day, settings);
    expect(ids(mixed.findings, 'spike')).toEqual(['b']);
    expect(ids(mixed.muted, 'spike')).toEqual(['c']);

    // baseline_from (migration 0002): b re-learns from day 97 (3 values by day 100), so day 100 is not judged.
    db.prepare('UPDATE log_settings SET baseline_from = ? WHERE log_id = ?').run(addDays(set.start, 97), 'b');
    expect(ids(detectForDay(db, day, settings).findings, 'spike')).toEqual([]);

    // Thresholds (log, organisation) and the budget set from Slack over MONTHLY_BUDGET.
    db.prepare('INSERT INTO thresholds (scope, target, bytes_per_day, created_at) VALUES (?, ?, ?, ?)').run('log', 'a', 3.5e9, now());
    db.prepare('INSERT INTO thresholds (scope, target, bytes_per_day, created_at) VALUES (?, ?, ?, ?)').run('org', '', 100e9, now());
    const th = detectForDay(db, day, settings).findings.filter((f) => f.kind === 'threshold');
    expect(th.map((f) => [f.scope, f.logId, f.value])).toEqual([['log', 'a', 4e9]]);
    expect(detectForDay(db, day, settings).findings.some((f) => f.kind === 'budget')).toBe(false);
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('monthly_budget', JSON.stringify(50e9), now());
    const budget = detectForDay(db, day, settings);
    expect(budget.monthlyBudget).toBe(50e9);
    expect(budget.findings.find((f) => f.kind === 'budget')?.details?.level).toBe('actual-100');
    db.close();
  });

  it('a day that was never observed is reported as such', () => {
    const { db, path } = loaded();
    const r = detectForDay(db, addDays(LAST, 3), readSettings({ DATABASE_PATH: path }));
    expect(r).toMatchObject({ observed: false, findings: [] });
    db.close();
  });
});

describe('logusage detect', () => {
  it('--dry-run prints the findings of a day (JSON lines with --json, readable text without)', async () => {
    const { db, path } = loaded();
    const day = addDays(SET.start, 150);
    const expected = detectForDay(db, day, readSettings({ DATABASE_PATH: path })).findings;
    db.close();
    const cli = createTestCli({ env: { DATABASE_PATH: path }, now: NOW });
    expect(await cli.run('detect', '--day', day, '--dry-run', '--json'), cli.err()).toBe(0);
    expect(jsonLines<Finding>(cli.out())).toEqual(expected);
    cli.reset();
    expect(await cli.run('detect', '--day', day, '--dry-run')).toBe(0);
    const text = cli.out();
    if (expected.length) {
      expect(text).toContain(`finding${expected.length === 1 ? '' : 's'} for ${day}`);
      for (const f of expected) expect(text).toContain(f.reason);
    } else expect(text).toContain(`No findings for ${day}`);
    expect(DEFAULT_PARAMS.coldStartDays).toBe(14);
  });

  it('judges yesterday by default; refuses today and days never observed', async () => {
    const { db, path } = loaded();
    db.close();
    const day = addDays(SET.start, 120);
    const cli = createTestCli({ env: { DATABASE_PATH: path }, now: new Date(`${addDays(day, 1)}T06:30:00Z`) });
    expect(await cli.run('detect', '--dry-run', '--json'), cli.err()).toBe(0);
    for (const f of jsonLines<Finding>(cli.out())) expect(f.day).toBe(day);
    cli.reset();
    expect(await cli.run('detect', '--day', addDays(day, 1), '--dry-run')).toBe(2);
    expect(cli.err()).toMatch(/not over yet/);
    const later = createTestCli({ env: { DATABASE_PATH: path }, now: NOW });
    expect(await later.run('detect', '--day', addDays(LAST, 2), '--dry-run')).toBe(1);
    expect(later.err()).toMatch(/has not been observed.*logusage collect/s);
  });
});
