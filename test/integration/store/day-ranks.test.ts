/** The cached day rankings answer exactly what rankDay reads, and follow writes to the data. */
import { describe, expect, it } from 'vitest';
import { createDayRanks } from '../../../src/store/day-ranks.js';
import { openDb } from '../../../src/store/db.js';
import { createLogList } from '../../../src/store/log-list.js';
import { startRun } from '../../../src/store/runs.js';
import { orgSeries, rankDay } from '../../../src/store/slack-reads.js';
import { listLogs, writeCollection, writeImport } from '../../../src/store/usage.js';
import { seedHistory } from '../../support/slack-harness.js';

describe('createDayRanks and createLogList', () => {
  it('answer as rankDay and listLogs do, before and after a collection changes the data', () => {
    const db = openDb(':memory:');
    try {
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
    } finally {
      db.close();
    }
  });

  it('orgSeries sums the logs of a day without organisation totals, and follows a new collection or import of it', () => {
    const db = openDb(':memory:');
    try {
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
    } finally {
      db.close();
    }
  });
});
