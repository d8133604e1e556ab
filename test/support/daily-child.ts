import { readSettings } from '../../src/config.js';
import { runDaily } from '../../src/daily.js';
import { createSilentLogger } from '../../src/logger.js';
import { createDailyDeps } from '../../src/main.js';
import { openDb } from '../../src/store/db.js';

const env = process.env;
const need = (k: string): string => {
  const v = env[k];
  if (!v) throw new Error(`daily-child: ${k} is not set`);
  return v;
};

const settings = readSettings(
  {},
  {
    rapid7: { baseUrl: need('R7_URL'), apiKey: need('R7_KEY'), maxRetries: 1, retryBaseMs: 5, retryMaxWaitMs: 50, timeoutMs: 60_000 },
    slack: { botToken: need('SLACK_TOKEN'), apiUrl: need('SLACK_URL'), alertChannel: need('ALERTS'), digestChannel: need('DIGESTS') },
    databasePath: need('DB'),
  },
);
const logger = createSilentLogger();
const db = openDb(settings.databasePath);
const now = new Date(need('NOW'));
await runDaily(
  createDailyDeps(
    { db, settings, logger, now: () => now },
    {
      outbox: { paceMs: Number(env.PACE_MS ?? 0) },
      // The kill tests count the messages of collect → detect → alerts → digest (root causes: daily-explain.test.ts).
      logSearch: null,
      onStage: (stage) => {
        process.stdout.write(`STAGE ${stage}\n`);
        // Blocks until killed (the 10-minute cap only ends an orphan whose test died).
        if (stage === env.STALL_AT) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
      },
    },
  ),
  { day: need('DAY') },
);
db.close();
process.stdout.write('DONE\n');
