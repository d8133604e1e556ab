/** The cached day rankings answer exactly what rankDay reads, and follow writes to the data. */
import { describe, expect, it } from 'vitest';
import { recordAudit } from '../../../src/store/controls.js';
import { createDayRanks } from '../../../src/store/day-ranks.js';
import { createLogList } from '../../../src/store/log-list.js';
import { startRun } from '../../../src/store/runs.js';
import { orgSeries, rankDay } from '../../../src/store/slack-reads.js';
import { listLogs, writeCollection, writeImport } from '../../../src/store/usage.js';
import { collectDay, memoryDb } from '../../support/db.js';
import { seedHistory } from '../../support/slack-harness.js';

describe('createDayRanks and createLogList', () => {
  it('answer as rankDay and listLogs do, before and after a collection changes the data', () => {
    const db = memoryDb();
    seedHistory(
      db,
      Array.from({ length: 12 }, (_, i) => ({ id: `L${String(i).padStart(2, '0')}`, name: `log-${i}`, base: (i % 4) * 1e9 + 1e8 })),
      20,
    );
    const ranks = createDayRanks(db);
    const logs = createLogList(db);
    const day = '2026-03-10';
    for (const n of [1, 5, 12, 30]) expect(ranks.rank(day, n)).toEqual(rankDay(db, day, n));
    expect(ranks.rank('2026-03-05', 3)).toEqual(rankDay(db, '2026-03-05', 3));
    expect(logs.list()).toEqual(listLogs(db));

    writeCollection(db, {
      observedDays: [day],
      source: 'api',
      usage: [{ logId: 'L00', day, bytes: 9e12 }],
      managedLogs: [{ id: 'L00', name: 'renamed', logsets: [] }],
      orgDaily: [],
      now: '2026-03-11T09:00:00.000Z',
    });
    expect(ranks.rank(day, 3)).toEqual(rankDay(db, day, 3));
    expect(ranks.rank(day, 1).rows[0]).toEqual({ logId: 'L00', bytes: 9e12 });
    expect(logs.list()).toEqual(listLogs(db));
    expect(logs.byId().get('L00')?.name).toBe('renamed');
  });

  it('orgSeries sums the logs of a day without organisation totals, and follows a new collection or import of it', () => {
    const db = memoryDb();
    const day = '2026-03-10';
    const write = (bytes: number, now: string) =>
      writeCollection(db, {
        observedDays: ['2026-03-09', day],
        source: 'api',
        usage: [
          { logId: 'A', day, bytes },
          { logId: 'B', day, bytes: 5 },
          { logId: 'A', day: '2026-03-09', bytes: 7 },
        ],
        managedLogs: [],
        orgDaily: [],
        now,
      });
    write(100, '2026-03-11T06:00:00.000Z');
    expect(Array.from(orgSeries(db, '2026-03-08', day))).toEqual([Number.NaN, 7, 105]);
    write(300, '2026-03-11T07:00:00.000Z');
    expect(Array.from(orgSeries(db, '2026-03-08', day))).toEqual([Number.NaN, 7, 305]);
    // An import rewrites values of an observed day without stamping it again, and records a run.
    writeImport(db, { days: [day], names: new Map(), now: '2026-03-11T08:00:00.000Z', each: (emit) => emit('A', day, 1000) });
    startRun(db, 'import', new Date('2026-03-11T08:00:00.000Z'));
    expect(Array.from(orgSeries(db, '2026-03-08', day))).toEqual([Number.NaN, 7, 1005]);
  });
  it('the log list follows a new day (first/last seen only), a rename, a new log and an import that fills a name', () => {
    const db = memoryDb();
    seedHistory(
      db,
      Array.from({ length: 6 }, (_, i) => ({ id: `L${i}`, name: `log-${i}`, base: (i + 1) * 1e8, logsets: ['Web'] })),
      10,
    );
    const logs = createLogList(db);
    const managed = (rename: string) =>
      Array.from({ length: 6 }, (_, i) => ({
        id: `L${i}`,
        name: i === 2 ? rename : `log-${i}`,
        logsets: [{ id: 'set-Web', name: 'Web' }],
      }));
    const collect = (day: string, rename: string, extra: Array<{ logId: string; day: string; bytes: number }> = []) =>
      writeCollection(db, {
        observedDays: [day],
        source: 'api',
        usage: [...Array.from({ length: 6 }, (_, i) => ({ logId: `L${i}`, day, bytes: i === 4 ? 0 : 1e9 })), ...extra],
        managedLogs: managed(rename),
        orgDaily: [],
        now: `${day}T06:00:00.000Z`,
      });
    const before = logs.list();
    expect(before).toEqual(listLogs(db));
    collect('2026-03-11', 'log-2');
    const after = logs.list();
    expect(after).toEqual(listLogs(db));
    expect(after.find((l) => l.id === 'L0')?.lastSeen).toBe('2026-03-11');
    // L4 had no bytes on the new day: its entry is the one handed out before.
    expect(after.find((l) => l.id === 'L4')).toBe(before.find((l) => l.id === 'L4'));
    expect(logs.byId().get('L0')).toBe(after[0]);
    collect('2026-03-12', 'log-two');
    expect(logs.list()).toEqual(listLogs(db));
    expect(logs.byId().get('L2')?.shownName).toBe('log-two');
    collect('2026-03-13', 'log-two', [{ logId: 'L9', day: '2026-03-13', bytes: 5 }]);
    expect(logs.list()).toEqual(listLogs(db));
    writeImport(db, {
      days: ['2026-03-13'],
      names: new Map([['L9', 'imported-name']]),
      now: '2026-03-14T08:00:00.000Z',
      each: (emit) => emit('L9', '2026-03-13', 7),
    });
    expect(logs.byId().get('L9')?.name).toBe('imported-name');
    expect(logs.list()).toEqual(listLogs(db));
  });

  it('a day ranking follows an import of that day, and an admin change or another day leaves it as it was', () => {
    const db = memoryDb();
    seedHistory(
      db,
      Array.from({ length: 4 }, (_, i) => ({ id: `L${i}`, name: `log-${i}`, base: (i + 1) * 1e8 })),
      10,
    );
    const ranks = createDayRanks(db);
    const day = '2026-03-10';
    expect(ranks.rank(day, 4)).toEqual(rankDay(db, day, 4));
    recordAudit(db, { actor: 'U1', at: '2026-03-11T09:00:00.000Z' }, 'budget.set', null, { bytes: 1 });
    collectDay(db, '2026-03-11', { L0: 1 }, { orgDaily: [], now: '2026-03-11T10:00:00.000Z' });
    expect(ranks.rank(day, 4)).toEqual(rankDay(db, day, 4));
    writeImport(db, { days: [day], names: new Map(), now: '2026-03-11T11:00:00.000Z', each: (emit) => emit('L0', day, 9e12) });
    startRun(db, 'import', new Date('2026-03-11T11:00:00.000Z'));
    expect(ranks.rank(day, 1).rows[0]).toEqual({ logId: 'L0', bytes: 9e12 });
    expect(ranks.rank(day, 4)).toEqual(rankDay(db, day, 4));
  });

  it('prefetch and refresh, which read in slices, give what rank and list read at once (ties by log id included)', async () => {
    const db = memoryDb();
    seedHistory(
      db,
      Array.from({ length: 2500 }, (_, i) => ({ id: `L${String(i).padStart(4, '0')}`, name: `log-${i}`, base: (i % 7) * 1e9 + 1e8 })),
      3,
    );
    const day = '2026-03-10';
    const ranks = createDayRanks(db);
    const logs = createLogList(db);
    expect(createDayRanks(db)).toBe(ranks);
    expect(logs.list()).toEqual(listLogs(db));
    await ranks.prefetch(day);
    expect(ranks.rank(day, 2500)).toEqual(rankDay(db, day, 2500));
    const next = '2026-03-11';
    writeCollection(db, {
      observedDays: [next],
      source: 'api',
      usage: Array.from({ length: 2500 }, (_, i) => ({
        logId: `L${String(i).padStart(4, '0')}`,
        day: next,
        bytes: i % 3 === 0 ? 0 : 5e8,
      })),
      orgDaily: [],
      now: '2026-03-12T06:00:00.000Z',
    });
    await Promise.all([logs.refresh(), ranks.prefetch(next), logs.refresh()]);
    expect(logs.list()).toEqual(listLogs(db));
    expect(ranks.rank(next, 30)).toEqual(rankDay(db, next, 30));
    expect(ranks.rank(next, 2500)).toEqual(rankDay(db, next, 2500));
  });
});
