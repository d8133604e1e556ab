/**
 * The organisation level judged day by day on SQLite (src/pipeline/org.ts, with its `level:` and `creep:` notices)
 * gives what `backtest` gives replaying the same history (src/commands/backtest-org.ts): the same unusual days,
 * explained or not, with the same contributors, and the same creep days — new normals included.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrgReplay } from '../../../src/commands/backtest-org.js';
import { readSettings } from '../../../src/config.js';
import { addDays } from '../../../src/days.js';
import { replay } from '../../../src/detect/backtest.js';
import type { Finding } from '../../../src/detect/types.js';
import { runImport } from '../../../src/import.js';
import { detectForDay, detectionParams } from '../../../src/pipeline/detect.js';
import { judgeOrganisation, LEVEL_NOTICE, queueCreep, recordLevelShifts } from '../../../src/pipeline/org.js';
import { listNotices } from '../../../src/store/alerts.js';
import { openDb } from '../../../src/store/db.js';
import { readDbHistory } from '../../../src/store/history.js';
import { generateSynthetic, toCsv } from '../../fixtures/detect/synthetic.js';
import { tempDbPath, tempDir } from '../../support/tmp.js';

/** What both must agree on (names aside: the store shows its own display names). */
const facts = (f: Finding | null) =>
  f && {
    day: f.day,
    kind: f.kind,
    value: f.value,
    expected: f.expected,
    changeBytes: f.changeBytes,
    details: f.details,
    contributors: f.contributors?.map((c) => [c.logId, c.changeBytes]),
  };

describe('organisation level, daily run = replay', () => {
  it('unusual days (explained or not), contributors and creep, across a new normal', () => {
    const set = generateSynthetic({ seed: 5, logs: 40, days: 200 });
    const big = set.logs[0]!;
    for (let i = 0; i < set.days; i++) {
      // One log carries a third of the organisation and quadruples for good from day 120 (a new normal).
      big.values[i] = Math.round(5e10 * (i >= 120 ? 4 : 1) * (1 + 0.02 * Math.sin(i)));
      // Day 160: every other log up 35 % (an unusual organisation day no log explains).
      if (i === 160) for (const l of set.logs.slice(1)) l.values[i] = Math.round(l.values[i]! * 1.35);
    }
    const path = tempDbPath();
    const db = openDb(path);
    const csv = join(tempDir(), 'usage.csv');
    writeFileSync(csv, toCsv(set));
    runImport(db, csv, { now: () => new Date('2027-01-01T08:00:00Z') });
    const settings = readSettings({ DATABASE_PATH: path });
    const h = readDbHistory(db, set.start, addDays(set.start, set.days - 1));
    const org = createOrgReplay(h);
    const replayed = new Map<string, { unusual: Finding | null; creep: Finding | null }>();
    replay(h, { params: detectionParams(settings, undefined), onDay: (r) => replayed.set(r.day, org.judge(r)) });

    let unusual = 0;
    for (let i = 80; i < set.days; i++) {
      const day = addDays(set.start, i);
      const now = new Date(`${addDays(day, 1)}T06:30:00Z`);
      const d = detectForDay(db, day, settings);
      const o = judgeOrganisation(db, day, d.findings, undefined, d.muted);
      recordLevelShifts(db, day, [...d.findings, ...d.muted], now, false);
      if (o.creep) queueCreep(db, o.creep, 'CDIGEST01', now, false);
      const r = replayed.get(day)!;
      const daily = o.org?.details?.orgEvent === 'unusual' ? o.org : null;
      expect(facts(daily), day).toEqual(facts(r.unusual));
      expect(facts(o.creep), day).toEqual(facts(r.creep));
      if (daily) unusual++;
    }
    // The run of the new normal is explained by the big log's own findings; day 160 is not.
    expect(facts(replayed.get(addDays(set.start, 160))!.unusual)).toMatchObject({ details: { orgEvent: 'unusual' } });
    expect(replayed.get(addDays(set.start, 160))!.unusual?.details?.explained).toBeUndefined();
    expect(unusual).toBeGreaterThanOrEqual(2);
    // After the new normal was accepted the organisation's expectation follows it: no organisation alert but day
    // 160's (the synthetic logs' own spikes still make days their alerts explain).
    const after = [...replayed].filter(
      ([d, r]) => d > addDays(set.start, 130) && d !== addDays(set.start, 160) && r.unusual && r.unusual.details?.explained !== true,
    );
    expect(after.map(([d]) => d)).toEqual([]);
    expect(
      listNotices(db, LEVEL_NOTICE).some((n) => n.details?.logId === big.id && String(n.details?.from) >= addDays(set.start, 118)),
    ).toBe(true);
    db.close();
  });
});
