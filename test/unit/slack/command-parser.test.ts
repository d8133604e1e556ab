import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Command, MAX_COMMAND_TEXT, type ParseError, parseCommand } from '../../../src/slack/command-parser.js';
import { isChanging } from '../../../src/slack/commands/table.js';

const ok = (text: string): Command => {
  const r = parseCommand(text);
  if (r.kind === 'error') throw new Error(`expected a command for "${text}", got: ${r.message}`);
  return r;
};
const bad = (text: string): ParseError => {
  const r = parseCommand(text);
  if (r.kind !== 'error') throw new Error(`expected an error for "${text}", got ${JSON.stringify(r)}`);
  return r;
};

describe('parseCommand: the whole grammar of SPEC §9', () => {
  it('help', () => {
    expect(ok('')).toEqual({ kind: 'help' });
    expect(ok('  help ')).toEqual({ kind: 'help' });
    expect(ok('HELP')).toEqual({ kind: 'help' });
  });
  it('summary [DATE]', () => {
    expect(ok('summary')).toEqual({ kind: 'summary', day: undefined });
    expect(ok('summary 2026-03-01')).toEqual({ kind: 'summary', day: '2026-03-01' });
    expect(bad('summary 2026-02-30').example).toBe('summary 2026-03-01');
    expect(bad('summary yesterday-ish').message).toMatch(/not a date/);
  });
  it('top [N]', () => {
    expect(ok('top')).toEqual({ kind: 'top', n: 10 });
    expect(ok('top 25')).toEqual({ kind: 'top', n: 25 });
    expect(bad('top 0').message).toMatch(/1 to 100/);
    expect(bad('top 101').kind).toBe('error');
    expect(bad('top ten').kind).toBe('error');
  });
  it('log <name|id> with quoted, smart-quoted and entity-escaped names', () => {
    expect(ok('log firewall-eu')).toEqual({ kind: 'log', name: 'firewall-eu' });
    expect(ok('log "web proxy logs"')).toEqual({ kind: 'log', name: 'web proxy logs' });
    expect(ok('log “web proxy logs”')).toEqual({ kind: 'log', name: 'web proxy logs' });
    expect(ok('log web proxy')).toEqual({ kind: 'log', name: 'web proxy' });
    expect(ok('log a&amp;b &lt;x&gt;')).toEqual({ kind: 'log', name: 'a&b <x>' });
    expect(ok("log o'brien-logs")).toEqual({ kind: 'log', name: "o'brien-logs" });
    expect(bad('log').example).toBe('log firewall-eu');
    expect(bad('log "unclosed').message).toMatch(/quote/);
  });
  it('alerts', () => {
    expect(ok('alerts')).toEqual({ kind: 'alerts' });
    expect(bad('alerts please').kind).toBe('error');
  });
  it('chart <name|id|org> [30d|90d]', () => {
    expect(ok('chart org')).toEqual({ kind: 'chart', target: { type: 'org' }, days: 30 });
    expect(ok('chart org 90d')).toEqual({ kind: 'chart', target: { type: 'org' }, days: 90 });
    expect(ok('chart "org"')).toEqual({ kind: 'chart', target: { type: 'log', name: 'org' }, days: 30 });
    expect(ok('chart fw eu 30d')).toEqual({ kind: 'chart', target: { type: 'log', name: 'fw eu' }, days: 30 });
    expect(bad('chart org 45d').message).toMatch(/30d or 90d/);
    expect(bad('chart').kind).toBe('error');
  });
  it('threshold list | set | remove', () => {
    expect(ok('threshold list')).toEqual({ kind: 'threshold-list' });
    expect(ok('threshold')).toEqual({ kind: 'threshold-list' });
    expect(ok('threshold set log firewall-eu 50GB/day')).toMatchObject({
      kind: 'threshold-set',
      scope: 'log',
      name: 'firewall-eu',
      bytesPerDay: 50e9,
    });
    expect(ok('threshold set log "web proxy" 1.5 TB/day')).toMatchObject({ scope: 'log', name: 'web proxy', bytesPerDay: 1.5e12 });
    expect(ok('threshold set logset Firewalls 750 GiB')).toMatchObject({ scope: 'logset', name: 'Firewalls', bytesPerDay: 750 * 2 ** 30 });
    expect(ok('threshold set org 2TB /day')).toMatchObject({ scope: 'org', name: '', bytesPerDay: 2e12 });
    expect(ok('threshold remove 3')).toEqual({ kind: 'threshold-remove', id: 3 });
    expect(ok('threshold remove #3')).toEqual({ kind: 'threshold-remove', id: 3 });
    expect(bad('threshold set log fw 50 gigs').message).toMatch(/size/);
    expect(bad('threshold set log fw 50GB/month').message).toMatch(/period/);
    expect(bad('threshold set log 50GB').message).toMatch(/which log/);
    expect(bad('threshold set planet x 5GB').message).toMatch(/log <name>/);
    expect(bad('threshold set org fw 5GB').kind).toBe('error');
    expect(bad('threshold remove').kind).toBe('error');
    expect(bad('threshold remove abc').kind).toBe('error');
    expect(bad('threshold frobnicate').example).toMatch(/^threshold set/);
  });
  it('budget show | set | clear', () => {
    expect(ok('budget')).toEqual({ kind: 'budget-show' });
    expect(ok('budget show')).toEqual({ kind: 'budget-show' });
    expect(ok('budget set 30TB/month')).toMatchObject({ kind: 'budget-set', bytesPerMonth: 30e12 });
    expect(ok('budget set 30 TB')).toMatchObject({ kind: 'budget-set', bytesPerMonth: 30e12 });
    expect(ok('budget clear')).toEqual({ kind: 'budget-clear' });
    expect(bad('budget set 30TB/day').message).toMatch(/period/);
    expect(bad('budget set lots').kind).toBe('error');
    expect(ok('budget set')).toEqual({ kind: 'budget-modal' });
    expect(ok('threshold set')).toEqual({ kind: 'threshold-modal' });
  });
  it('snooze / unsnooze / mute / unmute', () => {
    expect(ok('snooze firewall-eu 3d')).toMatchObject({ kind: 'snooze', name: 'firewall-eu', ms: 3 * 86_400_000 });
    expect(ok('snooze "web proxy" 12h')).toMatchObject({ name: 'web proxy', ms: 12 * 3_600_000 });
    expect(bad('snooze firewall-eu').message).toMatch(/how long/);
    expect(bad('snooze firewall-eu forever').kind).toBe('error');
    expect(ok('unsnooze fw')).toEqual({ kind: 'unsnooze', name: 'fw' });
    expect(ok('mute fw')).toEqual({ kind: 'mute', name: 'fw' });
    expect(ok('unmute fw')).toEqual({ kind: 'unmute', name: 'fw' });
    expect(bad('unsnooze').kind).toBe('error');
  });
  it('route <logset> <#channel>', () => {
    expect(ok('route Firewalls <#C0123ABCD|security>')).toEqual({ kind: 'route-set', logset: 'Firewalls', channel: 'C0123ABCD' });
    expect(ok('route "Domain Controllers" <#C0123ABCD>')).toEqual({
      kind: 'route-set',
      logset: 'Domain Controllers',
      channel: 'C0123ABCD',
    });
    expect(ok('route Firewalls C0123ABCD')).toMatchObject({ channel: 'C0123ABCD' });
    expect(bad('route Firewalls #security').message).toMatch(/suggestions/);
    expect(bad('route <#C0123ABCD>').message).toMatch(/which log set/);
    expect(ok('route')).toEqual({ kind: 'route-list' });
    expect(ok('route list')).toEqual({ kind: 'route-list' });
    expect(ok('route remove Firewalls')).toEqual({ kind: 'route-remove', logset: 'Firewalls' });
  });
  it('digest, refresh, status', () => {
    expect(ok('digest')).toEqual({ kind: 'digest' });
    expect(ok('refresh')).toEqual({ kind: 'refresh' });
    expect(ok('status')).toEqual({ kind: 'status' });
    expect(bad('status now').kind).toBe('error');
  });
  it('unknown subcommands suggest the closest one', () => {
    const e = bad('sumary');
    expect(e.message).toMatch(/did you mean `summary`/);
    expect(bad('<!channel>').message).toMatch(/not a command/);
  });
  it('refuses 10 KB of junk with a short message', () => {
    const e = bad('x'.repeat(10_240));
    expect(e.message.length).toBeLessThan(120);
    expect(bad('log '.concat('y'.repeat(MAX_COMMAND_TEXT))).kind).toBe('error');
  });
  it('marks exactly the changing commands as admin-only', () => {
    const changing = [
      'threshold set org 1TB',
      'threshold remove 1',
      'budget set 1TB',
      'budget clear',
      'snooze a 1d',
      'unsnooze a',
      'mute a',
      'unmute a',
      'route a C0123ABCD',
      'route remove a',
      'refresh',
    ];
    const reading = [
      'help',
      'summary',
      'top',
      'log a',
      'alerts',
      'chart org',
      'threshold list',
      'budget show',
      'route list',
      'digest',
      'status',
    ];
    for (const t of changing) expect(isChanging(ok(t)), t).toBe(true);
    for (const t of reading) expect(isChanging(ok(t)), t).toBe(false);
  });
  it('never throws, and every error carries an example', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = parseCommand(s);
        return r.kind !== 'error' || (r.example.length > 0 && r.message.length > 0 && r.message.length < 400);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('log', 'threshold set log', 'snooze', 'route', 'chart', 'budget set', 'top', 'summary'),
        fc.string({ maxLength: 80 }),
        (cmd, rest) => {
          const r = parseCommand(`${cmd} ${rest}`);
          return r.kind === 'error' ? r.example.length > 0 : true;
        },
      ),
      { numRuns: 2000 },
    );
  });
});
