import { describe, expect, it } from 'vitest';
import { logsetNames, matchLog, matchLogset } from '../../../src/slack/names.js';
import { logInfo } from '../../support/builders.js';

const log = logInfo;

const logs = [
  log('aaaa-1111', 'firewall-eu', ['Firewalls']),
  log('bbbb-2222', 'firewall-us', ['Firewalls']),
  log('cccc-3333', 'Web Proxy', ['Proxies']),
  log('dddd-4444', 'web proxy', ['Proxies']),
  log('eeee-5555', 'auth', ['Identity']),
  log('ffff-6666', 'auth'),
  log('gggg-7777', null),
];

describe('matchLog', () => {
  it('matches by exact id first', () => {
    expect(matchLog('cccc-3333', logs)).toMatchObject({ ok: true, item: { id: 'cccc-3333' } });
  });
  it('prefers an exact (case-sensitive) name over case-insensitive ones', () => {
    expect(matchLog('web proxy', logs)).toMatchObject({ ok: true, item: { id: 'dddd-4444' } });
    expect(matchLog('Web Proxy', logs)).toMatchObject({ ok: true, item: { id: 'cccc-3333' } });
  });
  it('matches a unique case-insensitive substring', () => {
    expect(matchLog('EU', logs)).toMatchObject({ ok: true, item: { id: 'aaaa-1111' } });
  });
  it('lists candidates when ambiguous (also for duplicate exact names)', () => {
    const m = matchLog('firewall', logs);
    expect(m).toMatchObject({ ok: false, reason: 'ambiguous', total: 2 });
    const dup = matchLog('auth', logs);
    expect(dup).toMatchObject({ ok: false, reason: 'ambiguous', total: 2 });
    expect(matchLog('WEB PROXY', logs)).toMatchObject({ ok: false, reason: 'ambiguous', total: 2 });
  });
  it('finds unnamed logs by id part and reports unknown names', () => {
    expect(matchLog('gggg', logs)).toMatchObject({ ok: true, item: { id: 'gggg-7777' } });
    expect(matchLog('nothing-like-it', logs)).toMatchObject({ ok: false, reason: 'not-found' });
    expect(matchLog('  ', logs)).toMatchObject({ ok: false, reason: 'not-found' });
  });
  it('caps candidates at 10 but counts them all', () => {
    const many = Array.from({ length: 40 }, (_, i) => log(`id-${i}`, `app-${i}`));
    const m = matchLog('app', many);
    expect(m.ok).toBe(false);
    if (!m.ok && m.reason === 'ambiguous') {
      expect(m.candidates).toHaveLength(10);
      expect(m.total).toBe(40);
    }
  });
});

describe('matchLogset', () => {
  it('matches log set names from the logs', () => {
    const names = logsetNames(logs);
    expect(names).toEqual(['Firewalls', 'Identity', 'Proxies']);
    expect(matchLogset('fire', names)).toMatchObject({ ok: true, item: 'Firewalls' });
    expect(matchLogset('i', names)).toMatchObject({ ok: false, reason: 'ambiguous' });
  });
});
