/** The cached day rankings answer exactly what rankDay reads, and follow writes to the data. */
import { describe, expect, it } from 'vitest';
import { createDayRanks } from '../../../src/store/day-ranks.js';
import { openDb } from '../../../src/store/db.js';
import { createLogList } from '../../../src/store/log-list.js';
import { rankDay } from '../../../src/store/slack-reads.js';
import { listLogs, writeCollection } from '../../../src/store/usage.js';
import { seedHistory } from '../slack-harness.js';

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
});
