/**
 * Money as people write it in settings and slash commands, and as the bot shows it (SPEC §2, §6–§9).
 * Pure: no clock, no environment.
 *
 * Contracts:
 * - A price is per ingested GB, 1 GB = 10^9 bytes (the SI unit of `src/units.ts`).
 * - Currencies are ISO 4217 codes (`USD`, `EUR`, `CHF`); amounts are plain numbers in that currency.
 * - Shown: `$1,240`, `€980`, `£12`, `¥1,240`, `1,240 CHF` (a code without a symbol goes after the number).
 *   Amounts of 10 or more are rounded to whole units, smaller ones to cents (`$8.75`), so a line stays short;
 *   a price per GB keeps up to 4 decimals (`$0.0035/GB`).
 */
import type { Finding } from './detect/types.js';
import type { ParseResult } from './units.js';

export interface Price {
  /** Money per GB (10^9 bytes), > 0. */
  perGb: number;
  /** ISO 4217 code, upper case. */
  currency: string;
}

export const DEFAULT_CURRENCY = 'USD';
export const MONEY_EXAMPLE = '12000 USD or $12,000';
export const PRICE_EXAMPLE = '0.35 (per GB), $0.35/GB or 0.30 EUR/GB';

const SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥' };
const SYMBOL_TO_CODE: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY' };
/** Currencies shown without minor units. */
const NO_MINOR = new Set(['JPY', 'KRW', 'ISK', 'CLP', 'VND']);

let knownCodes: Set<string> | undefined;
function currencyCodes(): Set<string> {
  if (!knownCodes) {
    const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
    knownCodes = new Set(intl.supportedValuesOf ? intl.supportedValuesOf('currency') : Object.keys(SYMBOLS));
  }
  return knownCodes;
}

/** True for an ISO 4217 code known to this Node (upper case only). */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && currencyCodes().has(code);
}

function group(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function digitsFor(abs: number, currency: string, maxDigits: number): number {
  if (NO_MINOR.has(currency)) return 0;
  if (maxDigits > 2) {
    // Prices: enough decimals to show 2 significant digits, at most `maxDigits`.
    if (abs >= 1 || abs === 0) return 2;
    return Math.min(maxDigits, Math.max(2, 1 - Math.floor(Math.log10(abs))));
  }
  return abs >= 10 ? 0 : 2;
}

/** `$1,240`, `−€8.75`, `1,240 CHF`. NaN/∞ → '—'. */
export function formatMoney(amount: number, currency: string, opts: { sign?: boolean; maxDigits?: number } = {}): string {
  if (!Number.isFinite(amount)) return '—';
  const abs = Math.abs(amount);
  const digits = digitsFor(abs, currency, opts.maxDigits ?? 2);
  let fixed = abs.toFixed(digits);
  if (digits === 2 && opts.maxDigits === undefined && fixed.endsWith('.00')) fixed = fixed.slice(0, -3);
  const [whole = '0', frac] = fixed.split('.');
  const num = `${group(whole)}${frac ? `.${frac}` : ''}`;
  const isZero = Number(fixed) === 0;
  const sign = isZero ? '' : amount < 0 ? '−' : opts.sign ? '+' : '';
  const symbol = SYMBOLS[currency];
  return symbol ? `${sign}${symbol}${num}` : `${sign}${num} ${currency}`;
}

/** `$0.35/GB`. */
export function formatPrice(p: Price): string {
  return `${formatMoney(p.perGb, p.currency, { maxDigits: 4 })}/GB`;
}

/** Money of `bytes` at price `p`. */
export function moneyOf(bytes: number, p: Price): number {
  return (bytes / 1e9) * p.perGb;
}

/** Bytes bought by `amount` at price `p`, whole bytes. */
export function bytesFor(amount: number, p: Price): number {
  return Math.round((amount / p.perGb) * 1e9);
}

export interface Money {
  amount: number;
  currency: string;
}

const NUMBER_RE = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\.\d+$/;

/**
 * Parses `12000 USD`, `USD 12000`, `$12,000`, `€980`, `1,240.50 CHF`, `12k USD`. Without a symbol or code the
 * amount is in `defaultCurrency` only when `bareNumber` is true (a bare number is otherwise not money).
 * An amount in another currency than `expectCurrency` (when given) is refused: the bot does not convert.
 */
export function parseMoney(
  input: string,
  opts: { defaultCurrency?: string; expectCurrency?: string; bareNumber?: boolean } = {},
): ParseResult<Money> {
  const raw = String(input ?? '').trim();
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  const fail = (why: string): ParseResult<Money> => ({
    ok: false,
    error: `"${shown}" is not a money amount${why ? ` (${why})` : ''}: write e.g. ${MONEY_EXAMPLE}`,
  });
  if (raw === '') return { ok: false, error: `a money amount is missing: write e.g. ${MONEY_EXAMPLE}` };
  let s = raw.replace(/\s+/g, ' ');
  if (/^[-−]/.test(s)) return fail('it cannot be negative');
  let currency: string | undefined;
  const sym = s[0] as string;
  if (SYMBOL_TO_CODE[sym]) {
    currency = SYMBOL_TO_CODE[sym];
    s = s.slice(1).trim();
    if (/^[-−]/.test(s)) return fail('it cannot be negative');
  }
  const pre = /^([A-Za-z]{3})\s*(.*)$/.exec(s);
  if (pre && /^[\d.]/.test(pre[2] ?? '')) {
    if (currency) return fail('two currencies');
    currency = (pre[1] as string).toUpperCase();
    s = pre[2] as string;
  }
  const post = /^(.*?)\s*([A-Za-z]{3})$/.exec(s);
  if (post && /[\d.]$|[kKmM]$/.test(post[1] ?? '')) {
    const code = (post[2] as string).toUpperCase();
    if (currency && currency !== code) return fail('two currencies');
    currency = code;
    s = post[1] as string;
  }
  let factor = 1;
  const mult = /^(.*\d)\s*([kKmM])$/.exec(s);
  if (mult) {
    factor = (mult[2] as string).toLowerCase() === 'k' ? 1e3 : 1e6;
    s = mult[1] as string;
  }
  if (!NUMBER_RE.test(s)) return fail('');
  if (currency === undefined) {
    if (!opts.bareNumber) return fail('say the currency, e.g. $ or USD');
    currency = opts.defaultCurrency ?? DEFAULT_CURRENCY;
  }
  if (!isCurrencyCode(currency)) return fail(`unknown currency "${currency}"`);
  if (opts.expectCurrency && currency !== opts.expectCurrency) {
    return {
      ok: false,
      error: `"${shown}" is in ${currency} but money is shown in ${opts.expectCurrency} (CURRENCY): write the amount in ${opts.expectCurrency}; the bot does not convert currencies`,
    };
  }
  const amount = Number(s.replace(/,/g, '')) * factor;
  if (!Number.isFinite(amount) || amount > 1e15) return fail('too large');
  return { ok: true, value: { amount, currency } };
}

/** True when the text looks like money rather than a size (a symbol, or a 3-letter code that is a currency). */
export function looksLikeMoney(input: string): boolean {
  const s = String(input ?? '').trim();
  if (s === '' || SYMBOL_TO_CODE[s[0] as string]) return s !== '';
  const m = /^([A-Za-z]{3})\s*[\d.]|[\d.]\s*([A-Za-z]{3})$/.exec(s);
  const code = (m?.[1] ?? m?.[2])?.toUpperCase();
  return code !== undefined && isCurrencyCode(code);
}

/**
 * Parses a price per GB: `0.35`, `$0.35`, `0.35 USD`, each optionally followed by `/GB`. A bare number is in
 * `defaultCurrency`.
 */
export function parsePrice(input: string, defaultCurrency: string): ParseResult<Price> {
  const raw = String(input ?? '').trim();
  const m = /^(.*?)\s*(?:\/|per\s+)\s*([a-z]+)$/i.exec(raw);
  if (m && !/^gb$/i.test(m[2] as string)) {
    return { ok: false, error: `"/${m[2]}": a price is per GB (10^9 bytes), e.g. ${PRICE_EXAMPLE}` };
  }
  const body = m ? (m[1] as string) : raw;
  const r = parseMoney(body, { defaultCurrency, bareNumber: true });
  if (!r.ok) return { ok: false, error: `${r.error.replace(/: write e\.g\. .*$/, '')}: a price per GB is e.g. ${PRICE_EXAMPLE}` };
  if (!(r.value.amount > 0)) return { ok: false, error: `a price must be larger than zero, e.g. ${PRICE_EXAMPLE}` };
  if (r.value.amount > 1e6) return { ok: false, error: `"${raw}" per GB is not a plausible price, e.g. ${PRICE_EXAMPLE}` };
  return { ok: true, value: { perGb: r.value.amount, currency: r.value.currency } };
}

/**
 * The findings with `changeMoney` (and `details.currency`) at price `p`; unchanged without a price.
 * Applied at the pipeline's edge: detection stays in bytes.
 */
export function priceFindings(findings: Finding[], p: Price | null | undefined): Finding[] {
  if (!p) return findings;
  return findings.map((f) => ({
    ...f,
    changeMoney: Math.round(moneyOf(f.changeBytes, p) * 100) / 100,
    details: { ...(f.details ?? {}), currency: p.currency, pricePerGb: p.perGb },
  }));
}

/**
 * The episode's money impact so far (SPEC §7): this day's `changeMoney` plus what the episode's earlier days
 * carried (`previous`, the episode's last finding). Stored in `details.moneySoFar` / `details.moneyDays`; the
 * episode's cause line (`details.cause`) is carried too.
 */
export function withEpisodeImpact(f: Finding, previous: Finding | null | undefined): Finding {
  // The cause found on the episode's first day (src/pipeline/explain.ts) stays on its message.
  const cause = previous?.details?.cause;
  if (typeof cause === 'string' && f.details?.cause === undefined) f = { ...f, details: { ...(f.details ?? {}), cause } };
  if (f.changeMoney === undefined) return f;
  const d = previous?.details ?? {};
  const sameCurrency = previous !== null && previous !== undefined && d.currency === f.details?.currency;
  const before = sameCurrency ? (typeof d.moneySoFar === 'number' ? d.moneySoFar : (previous?.changeMoney ?? 0)) : 0;
  const daysBefore = sameCurrency ? (typeof d.moneyDays === 'number' ? d.moneyDays : previous?.changeMoney !== undefined ? 1 : 0) : 0;
  return {
    ...f,
    details: {
      ...(f.details ?? {}),
      moneySoFar: Math.round((before + f.changeMoney) * 100) / 100,
      moneyDays: daysBefore + 1,
    },
  };
}

/** The price a finding was valued at (`priceFindings`), or undefined. */
export function priceOfFinding(f: Finding): Price | undefined {
  const c = f.details?.currency;
  const p = f.details?.pricePerGb;
  return typeof c === 'string' && typeof p === 'number' && p > 0 ? { perGb: p, currency: c } : undefined;
}

/** " (≈ $1,240)" for an amount of bytes of a valued finding; '' without a price. */
export function bytesMoneyText(bytes: number, p: Price | undefined | null): string {
  return p && Number.isFinite(bytes) ? ` (≈ ${formatMoney(moneyOf(bytes, p), p.currency)})` : '';
}

/** "≈ $8.75" of a finding's change, or '' without money. */
export function changeMoneyText(f: Finding): string {
  const c = f.details?.currency;
  if (f.changeMoney === undefined || typeof c !== 'string') return '';
  return `≈ ${formatMoney(f.changeMoney, c, { sign: true })}`;
}

/** "+$8.75 today, +$26 so far, 3 days" (or "+$8.75 today"); '' without money. */
export function impactText(f: Finding): string {
  const c = f.details?.currency;
  if (f.changeMoney === undefined || typeof c !== 'string') return '';
  const today = `${formatMoney(f.changeMoney, c, { sign: true })} today`;
  const soFar = f.details?.moneySoFar;
  const days = f.details?.moneyDays;
  if (typeof soFar === 'number' && typeof days === 'number' && days > 1) {
    return `${today}, ${formatMoney(soFar, c, { sign: true })} so far, ${days} days`;
  }
  return today;
}
