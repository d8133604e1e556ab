/**
 * A change from Slack while another connection holds SQLite's write lock (serve's daily worker, or another
 * process): the Slack thread's connection waits only SLACK_THREAD_BUSY_TIMEOUT_MS per attempt, tries again on
 * a timer, and the change succeeds once the lock is released — never a DB_LOCKED answer.
 */
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config.js';
import { createSilentLogger } from '../../../src/logger.js';
import { isBusy, retryWhileBusy, SLACK_THREAD_BUSY_TIMEOUT_MS } from '../../../src/slack/busy-retry.js';
import { createSlackService } from '../../../src/slack/service.js';
import { isMuted } from '../../../src/store/controls.js';
import { openDb } from '../../../src/store/db.js';
import { ADMIN, CHANNEL, NOW, seedHistory } from '../../support/slack-harness.js';
import { tempDbPath } from '../../support/tmp.js';

describe('Slack changes meeting a held write lock', () => {
  it('are tried again until the lock is released, then applied', async () => {
    const path = tempDbPath();
    const db = openDb(path);
    const other = openDb(path);
    try {
      seedHistory(db, [{ id: 'L1', name: 'firewall-eu', base: 5e9 }], 40);
      db.pragma(`busy_timeout = ${SLACK_THREAD_BUSY_TIMEOUT_MS}`);
      const service = createSlackService({
        db,
        settings: readSettings({ SLACK_BOT_TOKEN: 'xoxb-test', LOGUSAGE_ADMINS: ADMIN }),
        logger: createSilentLogger(),
        now: () => NOW,
      });
      other.exec('BEGIN IMMEDIATE');
      other.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('held', '1', 'now')").run();
      let settled = false;
      const answer = service
        .run('mute firewall-eu', { userId: ADMIN, channelId: CHANNEL }, async () => {})
        .finally(() => {
          settled = true;
        });
      // While the lock is held the change cannot be written: nothing changed and no answer was given yet.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(settled).toBe(false);
      expect(isMuted(db, 'L1')).toBe(false);
      other.exec('COMMIT');
      const r = await answer;
      expect(r.message.text).not.toMatch(/DB_LOCKED|failed|busy|locked/i);
      expect(isMuted(db, 'L1')).toBe(true);
    } finally {
      other.close();
      db.close();
    }
  });

  it('retryWhileBusy passes other errors through at once and gives up on busy after its timeout', async () => {
    let n = 0;
    await expect(
      retryWhileBusy(() => {
        n++;
        throw new Error('not busy');
      }),
    ).rejects.toThrow('not busy');
    expect(n).toBe(1);
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect(isBusy(busy)).toBe(true);
    let m = 0;
    await expect(
      retryWhileBusy(
        () => {
          m++;
          throw busy;
        },
        { timeoutMs: 0, delayMs: 1 },
      ),
    ).rejects.toBe(busy);
    expect(m).toBe(1);
  });
});
