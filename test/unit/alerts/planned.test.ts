/** Planned changes at the alert stage (pure): within → not alerted; beyond → alerted, saying so. */
import { describe, expect, it } from 'vitest';
import { applyPlannedChanges, type PlannedChange } from '../../../src/alerts/planned.js';
import { parseCommand } from '../../../src/slack/command-parser.js';
import { finding } from '../../support/builders.js';

// finding(): 48.2 GB against an expected 15.6 GB (+209 %), log L1 in log sets Security and EU.
const plan = (o: Partial<PlannedChange>): PlannedChange => ({
  id: 1,
  scope: 'log',
  target: 'L1',
  kind: 'pct',
  amount: 250,
  untilDay: '2026-11-10',
  why: null,
  ...o,
});
const none = () => 0;

describe('applyPlannedChanges', () => {
  it('a spike within +N % of the expected day is covered; beyond it is kept and says so', () => {
    const within = applyPlannedChanges([finding()], [plan({ amount: 250 })], none);
    expect(within.findings).toEqual([]);
    expect(within.covered.map((c) => c.planId)).toEqual([1]);
    const beyond = applyPlannedChanges([finding()], [plan({ amount: 50, why: 'migration' })], none);
    expect(beyond.findings).toHaveLength(1);
    expect(beyond.findings[0]?.reason).toMatch(/That is above the planned \+50 % \(until 2026-11-10: migration\)\.$/);
    expect(beyond.findings[0]?.details?.plannedChange).toMatchObject({ id: 1, label: '+50 %', allowed: 23_400_000_000 });
  });

  it('within the plan, an episode already open goes on (updated, not resolved) and says so', () => {
    const r = applyPlannedChanges([finding()], [plan({ amount: 250, why: 'migration' })], none, () => true);
    expect(r.covered).toHaveLength(1);
    expect(r.findings[0]?.reason).toMatch(/That is within the planned \+250 % \(until 2026-11-10: migration\)\.$/);
  });

  it('a size per day: the log against it, or a log set plan against the set total', () => {
    expect(applyPlannedChanges([finding()], [plan({ kind: 'bytes', amount: 50e9 })], none).findings).toEqual([]);
    expect(applyPlannedChanges([finding()], [plan({ kind: 'bytes', amount: 40e9 })], none).findings).toHaveLength(1);
    const set = plan({ scope: 'logset', target: 'EU', kind: 'bytes', amount: 100e9 });
    expect(applyPlannedChanges([finding()], [set], () => 90e9).findings).toEqual([]);
    expect(applyPlannedChanges([finding()], [set], () => 110e9).findings[0]?.reason).toMatch(/above the planned 100 GB\/day/);
  });

  it('covers only spikes and thresholds of the planned log or its log sets', () => {
    const p = [plan({ amount: 1000 })];
    expect(applyPlannedChanges([finding({ kind: 'drop', value: 1e9 })], p, none).findings).toHaveLength(1);
    expect(applyPlannedChanges([finding({ kind: 'silent' })], p, none).findings).toHaveLength(1);
    expect(applyPlannedChanges([finding({ logId: 'L2' })], p, none).findings).toHaveLength(1);
    expect(applyPlannedChanges([finding({ kind: 'threshold' })], p, none).findings).toEqual([]);
    expect(
      applyPlannedChanges([finding({ scope: 'org', logId: null })], [plan({ scope: 'logset', target: 'EU', amount: 1000 })], none).findings,
    ).toHaveLength(1);
  });
});

describe('parseCommand expect', () => {
  it('reads the name, +N % or a size per day, the last day and why', () => {
    expect(parseCommand('expect firewall-eu +50% until 2026-04-30 migration to the new cluster')).toEqual({
      kind: 'expect-set',
      name: 'firewall-eu',
      plan: { kind: 'pct', pct: 50 },
      amountText: '+50%',
      until: '2026-04-30',
      why: 'migration to the new cluster',
    });
    expect(parseCommand('expect "web proxy" 80 GB/day until 2026-04-30')).toMatchObject({
      name: 'web proxy',
      plan: { kind: 'bytes', bytesPerDay: 80e9 },
      why: '',
    });
    expect(parseCommand('expect list')).toEqual({ kind: 'expect-list' });
    expect(parseCommand('expect')).toEqual({ kind: 'expect-list' });
    expect(parseCommand('expect remove #2')).toEqual({ kind: 'expect-remove', id: 2 });
    expect(parseCommand('expect fw +0% until 2026-04-30').kind).toBe('error');
    expect(parseCommand('expect +50% until 2026-04-30').kind).toBe('error');
  });
});
