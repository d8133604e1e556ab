import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daysInRange } from '../../../src/days.js';
import type { AppError } from '../../../src/errors.js';
import { runImport } from '../../../src/import.js';
import { type Db, openDb } from '../../../src/store/db.js';
import { recentRuns } from '../../../src/store/runs.js';
import { getLog, readUsageMatrix, writeImport } from '../../../src/store/usage.js';
import { forEachLine, splitCsvLine } from '../../../src/usage-csv.js';
import { collectDay, dumpHistory, observedDayList, storedUsage } from '../../support/db.js';
import { thrown } from '../../support/errors.js';
import { tempDbPath, tempDir } from '../../support/tmp.js';

const NOW = new Date('2026-03-15T08:00:00Z');

function csv(text: string, name = 'history.csv'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

function importFails(db: Db, path: string): AppError {
  const err = thrown(() => runImport(db, path, { now: () => NOW }));
  expect(err.code).toBe('IMPORT_INVALID');
  return err;
}

describe('import', () => {
  it('loads every row, names the logs, and observes every day from the first to the last', () => {
    const db = openDb(tempDbPath());
    const path = csv(
      [
        'day,log_id,bytes,log_name',
        '2026-03-01,a,100,firewall-eu',
        '2026-03-03,a,300,firewall-eu',
        '2026-03-01,b,7,"edr, main"',
        '2026-03-02,b,0,"edr, main"',
        '',
      ].join('\n'),
    );
    const r = runImport(db, path, { now: () => NOW });
    expect(r).toEqual({ rows: 4, logs: 2, days: 3, from: '2026-03-01', to: '2026-03-03' });
    expect(storedUsage(db)).toEqual({ '2026-03-01 a': 100, '2026-03-03 a': 300, '2026-03-01 b': 7 });
    expect(observedDayList(db)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(db.prepare('SELECT DISTINCT source FROM observed_days').all()).toEqual([{ source: 'import' }]);
    expect(getLog(db, 'a')).toMatchObject({ name: 'firewall-eu', firstSeen: '2026-03-01', lastSeen: '2026-03-03', inManagement: false });
    expect(getLog(db, 'b')?.name).toBe('edr, main');
    // A log without a row on an imported day used 0 bytes that day.
    const m = readUsageMatrix(db, '2026-02-28', '2026-03-03');
    expect(Array.from(m.values.get('a')!)).toEqual([Number.NaN, 100, 0, 300]);
    expect(recentRuns(db, 1)[0]).toMatchObject({ job: 'import', status: 'ok', windowFrom: '2026-03-01', windowTo: '2026-03-03' });
  });

  it('takes columns in any order, CRLF endings, a BOM, blank lines and no final newline', () => {
    const db = openDb(tempDbPath());
    const path = csv('\uFEFFbytes, LOG_ID ,Day\r\n5,x,2026-03-10\r\n\r\n6,y,2026-03-11');
    expect(runImport(db, path, { now: () => NOW })).toMatchObject({ rows: 2, logs: 2 });
    expect(storedUsage(db)).toEqual({ '2026-03-10 x': 5, '2026-03-11 y': 6 });
    expect(getLog(db, 'x')?.name).toBeNull();
  });

  it('reports every bad row with its line number and writes nothing', () => {
    const db = openDb(tempDbPath());
    runImport(db, csv('day,log_id,bytes\n2026-03-01,a,1\n'), { now: () => NOW });
    const before = dumpHistory(db);
    const runsBefore = recentRuns(db, 10);
    const err = importFails(
      db,
      csv(
        [
          'day,log_id,bytes,log_name',
          '2026-03-02,a,5,ok',
          '03/02/2026,a,5,us-date',
          '2026-02-30,a,5,no-such-day',
          '2026-03-02,,5,empty-id',
          '2026-03-02,b,-5,negative',
          '2026-03-02,c,1.5,fraction',
          '2026-03-02,d,12 GB,unit',
          '2026-03-15,e,5,today',
          '2026-04-01,f,5,future',
          '2026-03-02,g',
          '2026-03-02,h,1,name,extra',
          '2026-03-02,a,6,duplicate',
          '2026-03-03,i,99999999999999999999,too-big',
        ].join('\n'),
      ),
    );
    expect(err.message).toMatch(/has 12 bad row\(s\); nothing was imported/);
    const expected = [
      'line 3: day "03/02/2026" is not a date YYYY-MM-DD',
      'line 4: day "2026-02-30" is not a date',
      'line 5: log_id is empty',
      'line 6: bytes "-5" is not a whole non-negative number',
      'line 7: bytes "1.5"',
      'line 8: bytes "12 GB"',
      'line 9: day 2026-03-15 is today or in the future',
      'line 10: day 2026-04-01 is today or in the future',
      'line 11: expected 4 columns like the header, found 2',
      'line 12: expected 4 columns like the header, found 5',
      'line 13: log a appears twice on 2026-03-02',
      'line 14: bytes "99999999999999999999"',
    ];
    for (const e of expected) expect(err.message).toContain(e);
    expect(err.message).not.toMatch(/line 2:/);
    expect(dumpHistory(db)).toEqual(before);
    expect(recentRuns(db, 10)).toEqual(runsBefore);
  });

  it('lists the first 50 bad rows and counts the rest', () => {
    const db = openDb(tempDbPath());
    const rows = Array.from({ length: 120 }, (_, i) => `2026-03-01,log${i},x`);
    const err = importFails(db, csv(`day,log_id,bytes\n${rows.join('\n')}\n`));
    expect(err.message).toMatch(/has 120 bad row\(s\)/);
    expect(err.message).toContain('line 51: bytes "x"');
    expect(err.message).not.toContain('line 52:');
    expect(err.message).toContain('… and 70 more bad rows');
  });

  it('requires a header naming day, log_id and bytes', () => {
    const db = openDb(tempDbPath());
    const err = importFails(db, csv('2026-03-01,a,5\n2026-03-02,a,6\n'));
    expect(err.message).toMatch(/Line 1 must be a header with the columns day,log_id,bytes/);
    expect(err.message).toContain('day,log_id,bytes,log_name\n2026-01-31');
    expect(importFails(db, csv('')).message).toMatch(/is empty/);
    expect(importFails(db, csv('day,log_id,bytes\n\n')).message).toMatch(/a header but no rows/);
    expect(importFails(db, join(tempDir(), 'missing.csv')).message).toMatch(/does not exist/);
    expect(dumpHistory(db).usage).toEqual([]);
  });

  it('overwrites stored values of the same log and day, keeps other logs, and keeps API days as API days', () => {
    const db = openDb(tempDbPath());
    collectDay(db, '2026-03-02', { a: 10, b: 20 }, { managedLogs: [{ id: 'a', name: 'from-api', logsets: [] }], now: NOW.toISOString() });
    runImport(db, csv('day,log_id,bytes,log_name\n2026-03-01,a,1,from-file\n2026-03-02,a,11,from-file\n2026-03-02,c,0,c-file\n'), {
      now: () => NOW,
    });
    expect(storedUsage(db)).toEqual({ '2026-03-01 a': 1, '2026-03-02 a': 11, '2026-03-02 b': 20 });
    expect(db.prepare('SELECT day, source FROM observed_days ORDER BY day').all()).toEqual([
      { day: '2026-03-01', source: 'import' },
      { day: '2026-03-02', source: 'api' },
    ]);
    // A name from the management API is never replaced by a file's.
    expect(getLog(db, 'a')?.name).toBe('from-api');
    expect(getLog(db, 'c')?.name).toBe('c-file');
  });

  it('keeps multi-byte names whole across read chunks, and stores a large file exactly', () => {
    const db = openDb(tempDbPath());
    const days = daysInRange('2025-03-01', '2026-02-28');
    const lines = ['day,log_id,bytes,log_name'];
    const expected: Record<string, number> = {};
    for (let i = 0; i < 60; i++) {
      for (const day of days) {
        const bytes = (i * 7919 + Number(day.slice(8))) % 5000;
        lines.push(`${day},log-${i},${bytes},журнал-日志-${i}-é`);
        if (bytes > 0) expected[`${day} log-${i}`] = bytes;
      }
    }
    const path = csv(`${lines.join('\n')}\n`);
    const r = runImport(db, path, { now: () => NOW });
    expect(r.rows).toBe(60 * days.length);
    expect(storedUsage(db)).toEqual(expected);
    for (let i = 0; i < 60; i++) expect(getLog(db, `log-${i}`)?.name).toBe(`журнал-日志-${i}-é`);
  });

  it('a failure in the middle of writing leaves the database as it was, and the next import works', () => {
    const db = openDb(tempDbPath());
    runImport(db, csv('day,log_id,bytes\n2026-03-01,a,1\n2026-03-02,a,2\n'), { now: () => NOW });
    const before = dumpHistory(db);
    expect(() =>
      writeImport(db, {
        days: ['2026-03-02', '2026-03-03'],
        names: new Map([['b', 'new-log']]),
        now: NOW.toISOString(),
        each: (emit) => {
          emit('a', '2026-03-02', 0);
          emit('b', '2026-03-03', 5);
          throw new Error('read error (injected)');
        },
      }),
    ).toThrow(/injected/);
    expect(dumpHistory(db)).toEqual(before);
    runImport(db, csv('day,log_id,bytes\n2026-03-02,a,0\n2026-03-03,b,5\n'), { now: () => NOW });
    expect(storedUsage(db)).toEqual({ '2026-03-01 a': 1, '2026-03-03 b': 5 });
  });

  it('reports progress while checking and writing', () => {
    const db = openDb(tempDbPath());
    const seen: string[] = [];
    runImport(db, csv('day,log_id,bytes\n2026-03-01,a,1\n'), { now: () => NOW, progress: (f, phase) => seen.push(`${phase} ${f}`) });
    expect(seen).toEqual(['checking 1', 'writing 1']);
  });
});

describe('CSV reading', () => {
  it('splits quoted fields with commas and doubled quotes', () => {
    expect(splitCsvLine('a,b,c')).toEqual(['a', 'b', 'c']);
    expect(splitCsvLine('2026-03-01,x,5,"web, ""edge"" proxy"')).toEqual(['2026-03-01', 'x', '5', 'web, "edge" proxy']);
    expect(splitCsvLine('"",,')).toEqual(['', '', '']);
  });

  it('decodes a character whose bytes straddle two read chunks', () => {
    const head = 'x'.repeat((1 << 20) - 1);
    const path = csv(`${head}é日\nü`);
    const lines: string[] = [];
    forEachLine(path, (line) => lines.push(line));
    expect(lines).toEqual([`${head}é日`, 'ü']);
  });

  it('numbers lines from 1 and handles lines longer than a read chunk', () => {
    const long = 'z'.repeat(3 * (1 << 20));
    const path = csv(`first\r\n${long}\nlast`);
    const lines: Array<[number, number]> = [];
    forEachLine(path, (line, n) => lines.push([n, line.length]));
    expect(lines).toEqual([
      [1, 5],
      [2, long.length],
      [3, 4],
    ]);
  });
});
