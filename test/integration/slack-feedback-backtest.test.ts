/**
 * `backtest --db` replays with the sensitivity feedback stored: a day it found for a log before *Noise*
 * is not found after it (the same per-log override the daily detection reads).
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/detect/types.js';
import { UI_ACTION_IDS } from '../../src/slack/ui-ids.js';
import { openDb } from '../../src/store/db.js';
import { createTestCli, jsonLines } from '../support/cli.js';
import { ADMIN, LAST_DAY, NOW, onLastDay, seedHistory, startHarness, WEB_PROXY } from '../support/slack-harness.js';
import { tempDbPath } from '../support/tmp.js';

const parse = (out: string) => jsonLines<Finding>(out);

describe('backtest --db after feedback', () => {
  it('a Noise click takes the marginal day out of the replay', async () => {
    const path = tempDbPath();
    const db = openDb(path);
    seedHistory(db, [onLastDay(WEB_PROXY, 13.7e9)], 70);
    const h = await startHarness({ db });
    try {
      const cli = createTestCli({ env: { DATABASE_PATH: path }, now: NOW });
      expect(await cli.run('backtest', '--db', '--from', LAST_DAY, '--to', LAST_DAY, '--json')).toBe(0);
      expect(
        parse(cli.out())
          .filter((f) => f.logId === 'cccc-3333')
          .map((f) => f.kind),
      ).toEqual(['spike']);
      const res = await h.click({
        actionId: UI_ACTION_IDS.feedbackNoise,
        value: JSON.stringify({ alertId: null, logId: 'cccc-3333', kind: 'spike' }),
        userId: ADMIN,
        messageTs: '1.000001',
        rid: 'bt-noise',
      });
      expect(res.status).toBe(200);
      await h.fake.waitFor(() => h.fake.responses('bt-noise').length > 0);
      cli.reset();
      expect(await cli.run('backtest', '--db', '--from', LAST_DAY, '--to', LAST_DAY, '--json')).toBe(0);
      expect(parse(cli.out()).filter((f) => f.logId === 'cccc-3333')).toEqual([]);
    } finally {
      await h.close();
      db.close();
    }
  });
});
