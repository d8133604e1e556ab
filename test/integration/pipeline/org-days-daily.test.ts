/**
 * Organisation-wide days in the daily path: detectForDay on a real SQLite database (real migrations) gives,
 * day after day, the findings of a replay over the whole stored history — the organisation findings, and the
 * days they leave out of every log's history, included — with automatic dip days and a HOLIDAYS date.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config.js';
import { addDays } from '../../../src/days.js';
import { replay } from '../../../src/detect/backtest.js';
import type { Finding } from '../../../src/detect/types.js';
import { runImport } from '../../../src/import.js';
import { detectForDay, detectionParams } from '../../../src/pipeline/detect.js';
import { openDb } from '../../../src/store/db.js';
import { readDbHistory } from '../../../src/store/history.js';
import { generateSynthetic, toCsv } from '../../fixtures/detect/synthetic.js';
import { tempDbPath, tempDir } from '../../support/tmp.js';

describe('organisation-wide days, daily run = replay', () => {
  it('dip days a week apart and a holiday: one organisation finding each, the same findings as a replay', () => {
    const set = generateSynthetic({ seed: 9, logs: 40, days: 200 });
    const DIPS = [120, 127, 150];
    const HOLIDAY = 170;
    for (const [k, log] of set.logs.entries()) {
      for (const i of DIPS) if (k % 5 !== 0) log.values[i] = Math.round(log.values[i]! * 0.3);
      if (k % 2 === 0) log.values[HOLIDAY] = Math.round(log.values[HOLIDAY]! * 0.4);
    }
    const path = tempDbPath();
    const db = openDb(path);
    const csv = join(tempDir(), 'usage.csv');
    writeFileSync(csv, toCsv(set));
    runImport(db, csv, { now: () => new Date('2027-01-01T08:00:00Z') });
    const holiday = addDays(set.start, HOLIDAY);
    const settings = readSettings({ DATABASE_PATH: path, HOLIDAYS: holiday.slice(5) });
    const all: Finding[] = [];
    replay(readDbHistory(db, set.start, addDays(set.start, set.days - 1)), {
      params: detectionParams(settings, undefined),
      onDay: (r) => all.push(...r.findings),
    });
    const org = all.filter((f) => f.kind === 'org');
    expect(org.map((f) => [f.day, f.details?.orgEvent])).toEqual([
      ...DIPS.map((i) => [addDays(set.start, i), 'dip']),
      [holiday, 'holiday'],
    ]);
    // No log's own finding on those days but silences (a log that sent nothing on a dip day).
    for (const f of all.filter((x) => org.some((o) => o.day === x.day) && x.scope === 'log')) expect(f.kind).toBe('silent');
    for (let i = 100; i < set.days; i++) {
      const day = addDays(set.start, i);
      expect(detectForDay(db, day, settings).findings, day).toEqual(all.filter((f) => f.day === day));
    }
    db.close();
  });
});
