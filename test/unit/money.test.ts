/** src/money.ts: formatting per currency, rounding, parsing of money and prices, findings in money. */
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config.js';
import type { Finding } from '../../src/detect/types.js';
import {
  bytesFor,
  formatMoney,
  formatPrice,
  impactText,
  looksLikeMoney,
  moneyOf,
  parseMoney,
  parsePrice,
  priceFindings,
  withEpisodeImpact,
} from '../../src/money.js';
import { parseCommand } from '../../src/slack/command-parser.js';
import { k8sAuditSpike } from '../support/builders.js';

const finding = k8sAuditSpike;

describe('formatMoney', () => {
  it.each([
    // The symbol before, or the code after, with thousands separators.
    [1240, 'USD', {}, '$1,240'],
    [980, 'EUR', {}, '€980'],
    [1240, 'CHF', {}, '1,240 CHF'],
    [12, 'GBP', {}, '£12'],
    [1_234_567, 'JPY', {}, '¥1,234,567'],
    [14_700, 'USD', { sign: true }, '+$14,700'],
    [-412.4, 'USD', {}, '−$412'],
    // Whole units from 10, cents below; no minus zero; no cents for yen.
    [8.75, 'USD', {}, '$8.75'],
    [8.754, 'USD', {}, '$8.75'],
    [26.5, 'USD', {}, '$27'],
    [9.999, 'USD', {}, '$10'],
    [3, 'USD', {}, '$3'],
    [-0.001, 'USD', { sign: true }, '$0'],
    [7.4, 'JPY', {}, '¥7'],
    [Number.NaN, 'USD', {}, '—'],
  ])('formatMoney(%d, %s, %o) is %s', (amount, currency, opts, shown) => {
    expect(formatMoney(amount, currency, opts)).toBe(shown);
  });

  it('prices keep enough decimals', () => {
    expect(formatPrice({ perGb: 0.35, currency: 'USD' })).toBe('$0.35/GB');
    expect(formatPrice({ perGb: 0.0035, currency: 'EUR' })).toBe('€0.0035/GB');
    expect(formatPrice({ perGb: 2, currency: 'CHF' })).toBe('2.00 CHF/GB');
  });

  it('bytes ↔ money at a price per GB of 10^9 bytes', () => {
    const p = { perGb: 0.35, currency: 'USD' };
    expect(moneyOf(25e9, p)).toBeCloseTo(8.75, 10);
    expect(bytesFor(500, p)).toBe(1_428_571_428_571);
  });
});

describe('parseMoney and parsePrice', () => {
  it('accepts the usual ways of writing an amount', () => {
    expect(parseMoney('12000 USD')).toEqual({ ok: true, value: { amount: 12000, currency: 'USD' } });
    expect(parseMoney('$12,000')).toEqual({ ok: true, value: { amount: 12000, currency: 'USD' } });
    expect(parseMoney('€980')).toEqual({ ok: true, value: { amount: 980, currency: 'EUR' } });
    expect(parseMoney('1,240.50 chf')).toEqual({ ok: true, value: { amount: 1240.5, currency: 'CHF' } });
    expect(parseMoney('USD 12000')).toEqual({ ok: true, value: { amount: 12000, currency: 'USD' } });
    expect(parseMoney('$12k')).toEqual({ ok: true, value: { amount: 12000, currency: 'USD' } });
    expect(parseMoney('500', { bareNumber: true, defaultCurrency: 'EUR' })).toEqual({ ok: true, value: { amount: 500, currency: 'EUR' } });
  });

  it('refuses what is not money, saying why with an example', () => {
    for (const bad of ['', '12,00 USD', '$-5', '-5 USD', '12 XYZ', '$5 EUR', 'twelve USD', '500']) {
      const r = parseMoney(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/12000 USD|money amount/);
    }
    const other = parseMoney('€980', { expectCurrency: 'USD' });
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.error).toMatch(/in EUR but money is shown in USD/);
  });

  it('tells money from sizes', () => {
    expect(looksLikeMoney('$500')).toBe(true);
    expect(looksLikeMoney('12000 USD')).toBe(true);
    expect(looksLikeMoney('500GB')).toBe(false);
    expect(looksLikeMoney('30TB')).toBe(false);
    expect(looksLikeMoney('1.5 TiB')).toBe(false);
  });

  it('prices per GB', () => {
    expect(parsePrice('0.35', 'USD')).toEqual({ ok: true, value: { perGb: 0.35, currency: 'USD' } });
    expect(parsePrice('$0.35/GB', 'EUR')).toEqual({ ok: true, value: { perGb: 0.35, currency: 'USD' } });
    expect(parsePrice('0.30 EUR per GB', 'USD')).toEqual({ ok: true, value: { perGb: 0.3, currency: 'EUR' } });
    expect(parsePrice('0.35/TB', 'USD').ok).toBe(false);
    expect(parsePrice('0', 'USD').ok).toBe(false);
    expect(parsePrice('cheap', 'USD').ok).toBe(false);
  });
});

describe('settings in money', () => {
  it('PRICE_PER_GB, CURRENCY and a money MONTHLY_BUDGET', () => {
    const s = readSettings({ PRICE_PER_GB: '0.35', MONTHLY_BUDGET: '$12,000' });
    expect(s.price).toEqual({ perGb: 0.35, currency: 'USD' });
    expect(s.currency).toBe('USD');
    expect(s.monthlyBudget).toBe(bytesFor(12000, { perGb: 0.35, currency: 'USD' }));
    expect(s.monthlyBudgetMoney).toBe(12000);
    expect(s.rootCause).toBe(true);
    expect(readSettings({ PRICE_PER_GB: '0.3', CURRENCY: 'eur', MONTHLY_BUDGET: '9000 EUR/month' }).price).toEqual({
      perGb: 0.3,
      currency: 'EUR',
    });
    expect(readSettings({}).price).toBeUndefined();
    expect(readSettings({ ROOT_CAUSE: 'false' }).rootCause).toBe(false);
  });

  it('lists every bad money setting at once', () => {
    let message = '';
    try {
      readSettings({ PRICE_PER_GB: 'cheap', CURRENCY: 'XX', ROOT_CAUSE: 'maybe' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const part of ['PRICE_PER_GB="cheap"', 'CURRENCY="XX"', 'ROOT_CAUSE="maybe"']) expect(message).toContain(part);
    expect(() => readSettings({ MONTHLY_BUDGET: '12000 USD' })).toThrow(/needs PRICE_PER_GB/);
    expect(() => readSettings({ PRICE_PER_GB: '0.35', MONTHLY_BUDGET: '€900' })).toThrow(/MONTHLY_BUDGET/);
    expect(() => readSettings({ PRICE_PER_GB: '€0.35', CURRENCY: 'USD' })).toThrow(/in EUR but CURRENCY is USD/);
  });
});

describe('money arguments of /logusage', () => {
  it('budget set and threshold set accept money; price set|show|clear', () => {
    expect(parseCommand('budget set $12,000/month')).toMatchObject({
      kind: 'budget-set',
      money: { amount: 12000, currency: 'USD', text: '$12,000' },
    });
    expect(parseCommand('budget set 12000 USD')).toMatchObject({ kind: 'budget-set', money: { amount: 12000, currency: 'USD' } });
    expect(parseCommand('budget set 30TB/month')).toMatchObject({ kind: 'budget-set', bytesPerMonth: 30e12 });
    expect(parseCommand('threshold set org $500/day')).toMatchObject({ kind: 'threshold-set', scope: 'org', money: { amount: 500 } });
    expect(parseCommand('threshold set log "web proxy" 50 EUR/day')).toMatchObject({
      kind: 'threshold-set',
      scope: 'log',
      name: 'web proxy',
      money: { amount: 50, currency: 'EUR' },
    });
    expect(parseCommand('threshold set log firewall-eu 50GB/day')).toMatchObject({ bytesPerDay: 50e9 });
    expect(parseCommand('price')).toEqual({ kind: 'price-show' });
    expect(parseCommand('price clear')).toEqual({ kind: 'price-clear' });
    expect(parseCommand('price set $0.35/GB')).toEqual({ kind: 'price-set', perGb: 0.35, currency: 'USD', text: '$0.35/GB' });
    expect(parseCommand('price set 0.35')).toEqual({ kind: 'price-set', perGb: 0.35, currency: undefined, text: '0.35' });
    expect(parseCommand('explain web-proxy 2026-03-01')).toEqual({ kind: 'explain', name: 'web-proxy', day: '2026-03-01' });
  });

  it('bad money gets what was wrong and an example', () => {
    for (const bad of [
      'threshold set org $-5/day',
      'threshold set org $500/week',
      'budget set $0/month',
      'price set 0.35/TB',
      'price set',
    ]) {
      const r = parseCommand(bad);
      expect(r.kind, bad).toBe('error');
      if (r.kind === 'error') expect(r.example).toMatch(/\$/);
    }
  });
});

describe('findings in money', () => {
  const p = { perGb: 0.35, currency: 'USD' };

  it('changeMoney only with a price; detection output unchanged without one', () => {
    const f = finding();
    expect(priceFindings([f], undefined)[0]).toBe(f);
    const [m] = priceFindings([f], p);
    expect(m?.changeMoney).toBe(8.75);
    expect(m?.details).toMatchObject({ currency: 'USD', pricePerGb: 0.35 });
    expect(f.changeMoney).toBeUndefined();
  });

  it('the episode impact adds up day by day', () => {
    const [d1] = priceFindings([finding()], p);
    const first = withEpisodeImpact(d1 as Finding, null);
    expect(impactText(first)).toBe('+$8.75 today');
    const [d2] = priceFindings([finding({ day: '2026-03-11', changeBytes: 30e9 })], p);
    const second = withEpisodeImpact(d2 as Finding, first);
    const [d3] = priceFindings([finding({ day: '2026-03-12', changeBytes: 20e9 })], p);
    const third = withEpisodeImpact(d3 as Finding, second);
    expect(third.details).toMatchObject({ moneySoFar: 26.25, moneyDays: 3 });
    expect(impactText(third)).toBe('+$7 today, +$26 so far, 3 days');
    // A previous day without a price is not counted in money.
    expect(withEpisodeImpact(d2 as Finding, finding()).details).toMatchObject({ moneySoFar: 10.5, moneyDays: 1 });
  });
});
