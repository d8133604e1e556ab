/**
 * The organisation level of the daily run on a real database (src/pipeline/org.ts): creep told once, in the
 * digest channel, at most once a fortnight; an unusual organisation day in the digest with its contributors
 * and their money.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import type { Finding } from '../../../src/detect/types.js';
import { queueDigest } from '../../../src/digest.js';
import { createSilentLogger } from '../../../src/logger.js';
import { judgeOrganisation, queueCreep } from '../../../src/pipeline/org.js';
import { type Db, openDb } from '../../../src/store/db.js';
import { listOutbox } from '../../../src/store/outbox.js';
import { writeCollection } from '../../../src/store/usage.js';
import { createTestCli } from '../../support/cli.js';
import { tempDbPath } from '../../support/tmp.js';

const GB = 1e9;
const LAST: Day = '2026-03-31';
const DAYS = daysInRange(addDays(LAST, -119), LAST);
const PRICE = { perGb: 0.35, currency: 'USD' };
let db: Db;
let path: string;

function seed(bytes: (log: number, i: number) => number, logs = 30): void {
  const usage = DAYS.flatMap((day, i) => Array.from({ length: logs }, (_, l) => ({ day, logId: `L${l}`, bytes: Math.round(bytes(l, i)) })));
  const org = new Map<Day, number>();
  for (const u of usage) org.set(u.day, (org.get(u.day) ?? 0) + u.bytes);
  writeCollection(db, {
    observedDays: DAYS,
    source: 'api',
    usage,
    managedLogs: Array.from({ length: logs }, (_, l) => ({ id: `L${l}`, name: `log-${l}`, logsets: [] })),
    orgDaily: [...org].map(([day, b]) => ({ day, bytes: b })),
    now: '2026-04-01T06:30:00.000Z',
  });
}

beforeEach(() => {
  path = tempDbPath();
  db = openDb(path);
});
afterEach(() => db.close());

const wiggle = (l: number, i: number) => 1 + 0.01 * Math.sin(i * 1.3 + l);

describe('organisation level of the daily run', () => {
  it('`detect` judges the organisation level as the daily run does: the unexplained day is one of its findings', async () => {
    // Twelve logs up 50 % (none doubles, so none alerts): the organisation is up 20 %.
    seed((l, i) => (i === DAYS.length - 1 && l < 12 ? 1.5 : 1) * GB * wiggle(l, i));
    db.close();
    const cli = createTestCli({ env: { DATABASE_PATH: path }, now: new Date('2026-04-01T06:30:00Z') });
    expect(await cli.run('detect', '--day', LAST, '--dry-run', '--json'), cli.err()).toBe(0);
    const found = cli
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Finding);
    expect(found.filter((f) => f.scope === 'org')).toEqual([
      expect.objectContaining({ kind: 'org', details: expect.objectContaining({ orgEvent: 'unusual' }) }),
    ]);
    db = openDb(path);
  });

  it('creep: one message in the digest channel, at most once a fortnight', () => {
    seed((l, i) => GB * (1 + 0.005 * i) * wiggle(l, i));
    const day = addDays(LAST, -20);
    const first = judgeOrganisation(db, day, [], PRICE);
    expect(first.creep).toMatchObject({ kind: 'creep', details: { currency: 'USD' } });
    const rows = queueCreep(db, first.creep!, 'CDIGEST01', new Date(`${addDays(day, 1)}T06:30:00Z`), false);
    expect(rows.map((r) => [r.channel, r.idemKey])).toEqual([['CDIGEST01', `creep:${day}`]]);
    const text = String(rows[0]?.payload.text);
    expect(text).toMatch(
      /^Creep: organisation usage is up \d+ % over 6 weeks \(\+[\d.]+ GB\/day, \+[\d.]+ (GB|TB)\/month ≈ \+\$[\d,]+\/month\); the largest growers: /,
    );
    // The same day again, and the next 13 days: nothing more.
    expect(queueCreep(db, first.creep!, 'CDIGEST01', new Date(), false)).toEqual([]);
    for (let k = 1; k < 14; k++) expect(judgeOrganisation(db, addDays(day, k), [], PRICE).creep).toBeNull();
    expect(judgeOrganisation(db, addDays(day, 14), [], PRICE).creep).not.toBeNull();
    expect(listOutbox(db)).toHaveLength(1);
  });

  it('an unusual organisation day is an alert and in the digest, with its contributors and their money', () => {
    seed((l, i) => (i === DAYS.length - 1 && l < 6 ? 2.5 : 1) * GB * wiggle(l, i));
    const r = judgeOrganisation(db, LAST, [], PRICE);
    // Unexplained by any log's own finding: it joins the day's findings (an alert), priced like the digest's.
    expect(r.findings).toEqual([r.org]);
    expect(r.org).toMatchObject({ kind: 'org', details: { orgEvent: 'unusual', currency: 'USD' } });
    expect(
      r.org?.contributors
        ?.slice(0, 6)
        .map((c) => c.logId)
        .sort(),
    ).toEqual(['L0', 'L1', 'L2', 'L3', 'L4', 'L5']);
    const d = queueDigest(
      {
        db,
        logger: createSilentLogger(),
        now: new Date('2026-04-01T06:30:00Z'),
        channel: 'CDIGEST01',
        envBudget: undefined,
        weeklyDigest: false,
        price: PRICE,
        org: r.org!,
      },
      LAST,
    );
    const blocks = JSON.stringify(d.queued[0]?.payload.blocks);
    expect(blocks).toContain('Unusual organisation day');
    expect(blocks).toMatch(/• \*log-\d\* \+1\.5\d GB ≈ \+\$0\.5\d \(17 %\)/);
  });
});
