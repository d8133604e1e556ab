/** src/store/controls.ts against real SQLite with the real migrations. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acceptNewNormal,
  activeSnoozes,
  countAudit,
  deleteSetting,
  effectiveBudget,
  getBaselineFrom,
  getLogSettings,
  isMuted,
  isSnoozed,
  listAlertActions,
  listAudit,
  listRoutes,
  listThresholds,
  recordAudit,
  removeRoute,
  removeThreshold,
  routeFor,
  setBudget,
  setMuted,
  setRoute,
  setThreshold,
  snoozeLog,
  thresholdsForLog,
  unsnoozeLog,
} from '../../../src/store/controls.js';
import { type Db, openDb } from '../../../src/store/db.js';

let db: Db;
const who = (at = '2026-03-02T10:00:00.000Z', actor = 'UADMIN1') => ({ actor, at });

beforeEach(() => {
  db = openDb(':memory:');
});
afterEach(() => db.close());

describe('controls store', () => {
  it('sets, replaces, lists and removes thresholds, auditing each change', () => {
    const a = setThreshold(db, { scope: 'log', target: 'L1', bytesPerDay: 5e9 }, who());
    expect(a.previousBytesPerDay).toBeNull();
    const b = setThreshold(db, { scope: 'log', target: 'L1', bytesPerDay: 7e9 }, who());
    expect(b.threshold.id).toBe(a.threshold.id);
    expect(b.previousBytesPerDay).toBe(5e9);
    setThreshold(db, { scope: 'org', target: 'ignored', bytesPerDay: 1e12 }, who());
    setThreshold(db, { scope: 'logset', target: 'Firewalls', bytesPerDay: 1e11 }, who());
    expect(listThresholds(db).map((t) => [t.scope, t.target, t.bytesPerDay])).toEqual([
      ['log', 'L1', 7e9],
      ['org', '', 1e12],
      ['logset', 'Firewalls', 1e11],
    ]);
    expect(thresholdsForLog(db, 'L1', ['Firewalls']).length).toBe(3);
    expect(thresholdsForLog(db, 'L2', []).map((t) => t.scope)).toEqual(['org']);
    expect(removeThreshold(db, a.threshold.id, who())?.target).toBe('L1');
    expect(removeThreshold(db, a.threshold.id, who())).toBeUndefined();
    expect(() => setThreshold(db, { scope: 'org', target: '', bytesPerDay: 0 }, who())).toThrow(RangeError);
    const audit = listAudit(db, { limit: 10 });
    expect(audit.map((x) => x.action)).toEqual(['threshold.remove', 'threshold.set', 'threshold.set', 'threshold.set', 'threshold.set']);
    expect(audit[0]).toMatchObject({ actor: 'UADMIN1', at: '2026-03-02T10:00:00.000Z', target: `threshold:${a.threshold.id}` });
  });

  it('budget from Slack overrides the environment; cleared means no budget', () => {
    expect(effectiveBudget(db, undefined)).toEqual({ bytes: undefined, source: 'none' });
    expect(effectiveBudget(db, 3e13)).toEqual({ bytes: 3e13, source: 'env' });
    setBudget(db, 2e13, who());
    expect(effectiveBudget(db, 3e13)).toMatchObject({ bytes: 2e13, source: 'slack', updatedBy: 'UADMIN1' });
    setBudget(db, null, who());
    expect(effectiveBudget(db, 3e13)).toMatchObject({ bytes: undefined, source: 'cleared' });
    expect(deleteSetting(db, 'monthly_budget', who())).toBe(true);
    expect(effectiveBudget(db, 3e13).source).toBe('env');
    expect(countAudit(db)).toBe(3);
  });

  it('snoozes until a time; unsnooze ends it; expired ones are inactive', () => {
    snoozeLog(db, 'L1', '2026-03-03T10:00:00.000Z', who());
    snoozeLog(db, 'L2', '2026-03-01T00:00:00.000Z', who());
    expect(isSnoozed(db, 'L1', '2026-03-02T12:00:00.000Z')).toBe(true);
    expect(isSnoozed(db, 'L2', '2026-03-02T12:00:00.000Z')).toBe(false);
    expect(activeSnoozes(db, '2026-03-02T12:00:00.000Z').map((s) => s.logId)).toEqual(['L1']);
    expect(unsnoozeLog(db, 'L1', who('2026-03-02T12:00:00.000Z'))).toBe(true);
    expect(unsnoozeLog(db, 'L1', who('2026-03-02T12:00:00.000Z'))).toBe(false);
    expect(unsnoozeLog(db, 'L2', who('2026-03-02T12:00:00.000Z'))).toBe(false);
    expect(listAudit(db).map((a) => a.action)).toEqual(['unsnooze', 'snooze', 'snooze']);
  });

  it('mutes once (no duplicate audit) and unmutes', () => {
    expect(setMuted(db, 'L1', true, who())).toBe(true);
    expect(setMuted(db, 'L1', true, who())).toBe(false);
    expect(isMuted(db, 'L1')).toBe(true);
    expect(getLogSettings(db, 'L1')).toMatchObject({ muted: true, updatedBy: 'UADMIN1' });
    expect(setMuted(db, 'L1', false, who())).toBe(true);
    expect(isMuted(db, 'L1')).toBe(false);
    expect(countAudit(db)).toBe(2);
  });

  it("lists the changes made from each alert's buttons, oldest first, and nothing else", () => {
    snoozeLog(db, 'L1', '2026-03-03T10:00:00.000Z', who('2026-03-02T10:00:00.000Z'), { via: 'button', alertId: 7 });
    setMuted(db, 'L2', true, who('2026-03-02T11:00:00.000Z'), { via: 'button', alertId: 8 });
    acceptNewNormal(db, 'L1', '2026-03-01', who('2026-03-02T12:00:00.000Z', 'UADMIN2'), { via: 'button', alertId: 7 });
    // Not from alert 7's buttons: a command, another alert, no alert, a string id, a damaged row.
    snoozeLog(db, 'L1', '2026-03-04T10:00:00.000Z', who(), { via: 'command' });
    recordAudit(db, who(), 'accept-normal', 'alert:9', { via: 'button', alertId: 9 });
    recordAudit(db, who(), 'accept-normal', null, { via: 'button', alertId: null });
    recordAudit(db, who(), 'snooze', 'L1', { alertId: '7' });
    db.prepare("INSERT INTO audit (at, actor, action, target, details) VALUES ('2026-03-02', 'U1', 'snooze', 'L1', '{broken')").run();
    const byAlert = listAlertActions(db, [7, 8, 10]);
    expect(byAlert.get(7)?.map((a) => [a.action, a.actor, a.at])).toEqual([
      ['snooze', 'UADMIN1', '2026-03-02T10:00:00.000Z'],
      ['accept-normal', 'UADMIN2', '2026-03-02T12:00:00.000Z'],
    ]);
    expect(byAlert.get(7)?.[0]?.details).toMatchObject({ until: '2026-03-03T10:00:00.000Z', alertId: 7 });
    expect(byAlert.get(8)?.map((a) => a.action)).toEqual(['mute']);
    expect(byAlert.has(10)).toBe(false);
    expect(listAlertActions(db, []).size).toBe(0);
  });

  it('records an accepted new normal and reads it back', () => {
    expect(getBaselineFrom(db, 'L9')).toBeNull();
    acceptNewNormal(db, 'L9', '2026-03-01', who());
    expect(getBaselineFrom(db, 'L9')).toBe('2026-03-01');
    expect(getLogSettings(db, 'L9')).toMatchObject({ baselineFrom: '2026-03-01', muted: false, updatedBy: 'UADMIN1' });
    expect(db.prepare('SELECT baseline_from FROM log_settings WHERE log_id = ?').pluck().get('L9')).toBe('2026-03-01');
    expect(listAudit(db)[0]).toMatchObject({ action: 'accept-normal', target: 'L9', details: { baselineFrom: '2026-03-01' } });
  });

  it('routes log sets to channels', () => {
    expect(setRoute(db, 'Firewalls', 'C111', who())).toBeNull();
    expect(setRoute(db, 'Firewalls', 'C222', who())).toBe('C111');
    setRoute(db, 'Auth', 'C333', who());
    expect(listRoutes(db).map((r) => r.logset)).toEqual(['Auth', 'Firewalls']);
    expect(routeFor(db, ['Firewalls'])).toBe('C222');
    expect(routeFor(db, ['Nope'])).toBeUndefined();
    expect(removeRoute(db, 'Auth', who())).toBe(true);
    expect(removeRoute(db, 'Auth', who())).toBe(false);
    expect(countAudit(db)).toBe(4);
  });

  it('a failing change leaves neither the change nor an audit row', () => {
    const before = countAudit(db);
    expect(() => setThreshold(db, { scope: 'log', target: 'L1', bytesPerDay: 1.5 }, who())).toThrow();
    expect(countAudit(db)).toBe(before);
    expect(listThresholds(db)).toHaveLength(0);
  });
});
