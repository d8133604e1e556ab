import { describe, expect, it } from 'vitest';
import {
  createEpisodeCounter,
  decideDay,
  type Effect,
  episodeDayNumber,
  keyOf,
  type LifecycleInput,
  type OpenEpisode,
} from '../../../src/alerts/lifecycle.js';
import { finding } from '../../support/builders.js';

function episode(o: Partial<OpenEpisode> = {}): OpenEpisode {
  return {
    id: 7,
    episodeKey: 'log:L1',
    scope: 'log',
    logId: 'L1',
    kind: 'spike',
    firstDay: '2026-11-01',
    lastDay: '2026-11-02',
    evaluatedDay: '2026-11-02',
    findingDays: 2,
    normalDays: 0,
    lastFinding: finding({ day: '2026-11-02' }),
    ...o,
  };
}

function input(o: Partial<LifecycleInput> = {}): LifecycleInput {
  return {
    day: '2026-11-03',
    nowIso: '2026-11-04T06:30:00.000Z',
    findings: [],
    open: [],
    controls: new Map(),
    noticesGiven: new Set(),
    bytesOnDay: new Map([['L1', 15e9]]),
    resolveAfterDays: 2,
    ...o,
  };
}

const types = (es: Effect[]) => es.map((e) => e.type);

describe('alert lifecycle', () => {
  it('opens one episode for a new finding', () => {
    const es = decideDay(input({ findings: [finding()] }));
    expect(es).toEqual([{ type: 'open', key: 'log:L1', finding: finding() }]);
  });

  it('continues an open episode with the day number instead of opening another', () => {
    const es = decideDay(input({ findings: [finding()], open: [episode()] }));
    expect(es).toHaveLength(1);
    expect(es[0]).toMatchObject({ type: 'continue', dayNumber: 3 });
  });

  it('keeps the strongest of several findings with one key', () => {
    const weak = finding({ kind: 'drop', score: 1.2 });
    const strong = finding({ score: 5 });
    const es = decideDay(input({ findings: [weak, strong] }));
    expect(es).toEqual([{ type: 'open', key: 'log:L1', finding: strong }]);
  });

  it('counts normal days and resolves after the configured number', () => {
    const first = decideDay(input({ open: [episode()] }));
    expect(first).toMatchObject([{ type: 'normal', normalDays: 1 }]);
    const second = decideDay(input({ day: '2026-11-04', open: [episode({ normalDays: 1, evaluatedDay: '2026-11-03' })] }));
    expect(second).toMatchObject([{ type: 'resolve', normalDays: 2 }]);
    const quick = decideDay(input({ open: [episode()], resolveAfterDays: 1 }));
    expect(types(quick)).toEqual(['resolve']);
  });

  it('judges an episode at most once per day', () => {
    expect(decideDay(input({ findings: [finding()], open: [episode({ evaluatedDay: '2026-11-03' })] }))).toEqual([]);
  });

  it('keeps a silent episode quiet while the log sends nothing, and resolves only once data returns', () => {
    const silent = episode({ kind: 'silent', lastFinding: finding({ kind: 'silent', value: 0 }) });
    expect(decideDay(input({ open: [silent], bytesOnDay: new Map() }))).toMatchObject([{ type: 'hold', reason: 'still-silent' }]);
    expect(decideDay(input({ open: [silent], bytesOnDay: new Map([['L1', 1e9]]), resolveAfterDays: 1 }))).toMatchObject([
      { type: 'resolve' },
    ]);
  });

  it('ends an episode as a new normal on a persisting level shift', () => {
    const shift = finding({ details: { levelShift: true } });
    expect(decideDay(input({ findings: [shift], open: [episode()] }))).toMatchObject([
      { type: 'accept', reason: 'level-shift', finding: shift },
    ]);
  });

  it('gives one new-normal notice when a level shift comes with no open episode', () => {
    const shift = finding({ details: { levelShift: true } });
    expect(decideDay(input({ findings: [shift] }))).toMatchObject([{ type: 'notice', key: 'shift:log:L1:2026-11-03' }]);
    expect(decideDay(input({ findings: [shift], noticesGiven: new Set(['shift:log:L1:2026-11-03']) }))).toMatchObject([
      { type: 'suppressed', reason: 'already-noticed' },
    ]);
  });

  it('ends an episode when the log was marked as expected since it began', () => {
    const controls = new Map([['L1', { muted: false, snoozedUntil: null, baselineFrom: '2026-11-02' }]]);
    const es = decideDay(input({ findings: [finding()], open: [episode()], controls }));
    expect(es).toMatchObject([{ type: 'accept', reason: 'marked-expected' }]);
    // A mark older than the episode does not end it.
    const old = new Map([['L1', { muted: false, snoozedUntil: null, baselineFrom: '2026-10-01' }]]);
    expect(types(decideDay(input({ findings: [finding()], open: [episode()], controls: old })))).toEqual(['continue']);
  });

  it('does not reopen on the day an episode was accepted', () => {
    const controls = new Map([['L1', { muted: false, snoozedUntil: null, baselineFrom: '2026-11-03' }]]);
    const other = finding({ logId: 'L1', kind: 'threshold', details: { thresholdId: 4 } });
    const es = decideDay(input({ findings: [finding(), other], open: [episode()], controls }));
    expect(types(es)).toEqual(['accept', 'open']);
    expect(es[1]).toMatchObject({ key: 'threshold:4' });
  });

  it('honours mutes: nothing opens, an open episode ends', () => {
    const controls = new Map([['L1', { muted: true, snoozedUntil: null, baselineFrom: null }]]);
    expect(decideDay(input({ findings: [finding()], controls }))).toMatchObject([{ type: 'suppressed', reason: 'muted' }]);
    expect(decideDay(input({ findings: [finding()], open: [episode()], controls }))).toMatchObject([{ type: 'accept', reason: 'muted' }]);
  });

  it('honours snoozes until they expire', () => {
    const snoozed = new Map([['L1', { muted: false, snoozedUntil: '2026-11-05T00:00:00.000Z', baselineFrom: null }]]);
    expect(decideDay(input({ findings: [finding()], controls: snoozed }))).toMatchObject([{ type: 'suppressed', reason: 'snoozed' }]);
    expect(decideDay(input({ findings: [finding()], open: [episode()], controls: snoozed }))).toMatchObject([
      { type: 'hold', reason: 'snoozed' },
    ]);
    const expired = new Map([['L1', { muted: false, snoozedUntil: '2026-11-04T06:30:00.000Z', baselineFrom: null }]]);
    expect(types(decideDay(input({ findings: [finding()], controls: expired })))).toEqual(['open']);
  });

  it('gives new-log and budget notices once per key', () => {
    const fresh = finding({ kind: 'new', logId: 'L9', logName: 'new-log' });
    const budget = finding({ kind: 'budget', scope: 'org', logId: null, logName: 'organisation', details: { level: 'projected-80' } });
    expect(decideDay(input({ findings: [fresh, budget] }))).toMatchObject([
      { type: 'notice', key: 'new:L9' },
      { type: 'notice', key: 'budget:2026-11:projected-80' },
    ]);
    const given = new Set(['new:L9', 'budget:2026-11:projected-80']);
    expect(types(decideDay(input({ findings: [fresh, budget], noticesGiven: given })))).toEqual(['suppressed', 'suppressed']);
  });

  it('keys findings by what they are about', () => {
    expect(keyOf(finding()).key).toBe('log:L1');
    expect(keyOf(finding({ kind: 'drop' })).key).toBe('log:L1');
    expect(keyOf(finding({ kind: 'threshold', scope: 'org', logId: null, logName: 'organisation' })).key).toBe('threshold:org:org');
    expect(keyOf(finding({ kind: 'spike', scope: 'logset', logId: null, logName: 'Web' })).key).toBe('logset:Web');
    expect(keyOf(finding({ kind: 'budget', details: { level: 'actual-100' } }))).toEqual({
      key: 'budget:2026-11:actual-100',
      oneOff: true,
    });
  });

  it('ignores findings of other days and numbers episode days by calendar', () => {
    expect(decideDay(input({ findings: [finding({ day: '2026-11-02' })] }))).toEqual([]);
    expect(episodeDayNumber('2026-10-30', '2026-11-02')).toBe(4);
  });
});

describe('createEpisodeCounter (backtest counts episodes as the lifecycle keys them)', () => {
  it('one episode per log across kinds and short gaps, a new one after the resolve window, one-offs once', () => {
    const c = createEpisodeCounter(2);
    // A spike then a drop of the same log on consecutive days: the lifecycle keys both `log:L1`, one episode.
    c.add(finding({ day: '2026-11-01', kind: 'spike' }));
    c.add(finding({ day: '2026-11-02', kind: 'drop' }));
    // Two normal days (a gap of 2 days) keep it open; a third (gap of 3) resolved it: a new episode.
    c.add(finding({ day: '2026-11-04' }));
    expect(c.count()).toBe(1);
    c.add(finding({ day: '2026-11-08' }));
    expect(c.count()).toBe(2);
    // Another log is another episode; a budget level is one notice however often it is found.
    c.add(finding({ day: '2026-11-08', logId: 'L2' }));
    const budget = {
      kind: 'budget' as const,
      scope: 'org' as const,
      logId: null,
      logName: 'organisation',
      details: { level: 'projected-80' },
    };
    c.add(finding({ day: '2026-11-03', ...budget }));
    c.add(finding({ day: '2026-11-20', ...budget }));
    expect(c.count()).toBe(4);
  });
});
