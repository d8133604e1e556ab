/**
 * Property tests of everything that reads text people type: the `/logusage` parser and the size and
 * duration parsers. On tens of thousands of generated inputs (unicode, quotes, mentions, SQL, huge
 * numbers, empty, 10 KB strings) they never throw and always give either a well-formed command or a
 * short error with one example that itself parses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDay } from '../../src/days.js';
import { type Command, MAX_COMMAND_TEXT, type ParseResult, parseCommand, TOP_MAX } from '../../src/slack/command-parser.js';
import {
  DURATION_EXAMPLE,
  formatBytes,
  formatDuration,
  MAX_DURATION_MS,
  parseDuration,
  parseSize,
  SIZE_EXAMPLE,
  type ParseResult as UnitResult,
} from '../../src/units.js';
import { commandText, HOSTILE_PIECES, hostileText, hugeText } from '../support/hostile.js';

/** Slack turns a typed `#channel` into a link when the command has "escape channels" on. */
function asSlackSends(example: string): string {
  return example.replace(/#([a-z0-9_-]+)/g, '<#C0123ABCD|$1>').replace(/(^|\s)@([a-z0-9_.-]+)/g, '$1<!subteam^S0123ABCD|@$2>');
}

const nonEmptyName = (s: string) => typeof s === 'string' && s.trim() === s && s.length > 0 && s.length <= MAX_COMMAND_TEXT;
/** A problem when `v` (the `what` of a command) is not a well-formed name. */
const nameProblems = (what: string, v: string): string[] => (nonEmptyName(v) ? [] : [`bad ${what} ${JSON.stringify(v)}`]);
/** Problems of a size a command carries: a positive whole number of bytes that its text reads back to. */
function sizeProblems(bytes: number, sizeText: string): string[] {
  const p: string[] = [];
  if (!Number.isSafeInteger(bytes) || bytes <= 0) p.push(`bad bytes ${bytes}`);
  const again = parseSize(sizeText);
  if (!again.ok || again.value !== bytes) p.push(`sizeText ${sizeText} does not read back`);
  return p;
}

/** Why `c` is not a well-formed command (empty when it is). */
function commandProblems(c: Command): string[] {
  const p: string[] = [];
  switch (c.kind) {
    case 'help':
    case 'alerts':
    case 'threshold-list':
    case 'budget-show':
    case 'budget-clear':
    case 'route-list':
    case 'expect-list':
    case 'owner-list':
    case 'threshold-modal':
    case 'budget-modal':
    case 'digest':
    case 'refresh':
    case 'status':
    case 'price-show':
    case 'price-clear':
      if (Object.keys(c).length !== 1) p.push('extra fields');
      break;
    case 'summary':
      if (c.day !== undefined && !isDay(c.day)) p.push(`bad day ${c.day}`);
      break;
    case 'top':
      if (!Number.isInteger(c.n) || c.n < 1 || c.n > TOP_MAX) p.push(`bad n ${c.n}`);
      break;
    case 'log':
    case 'unsnooze':
    case 'mute':
    case 'unmute':
      p.push(...nameProblems('name', c.name));
      break;
    case 'chart':
      if (c.days !== 30 && c.days !== 90) p.push(`bad days ${c.days}`);
      if (c.target.type === 'log') p.push(...nameProblems('name', c.target.name));
      break;
    case 'threshold-set':
      p.push(...(c.money ? moneyProblems(c.money, c.sizeText) : sizeProblems(c.bytesPerDay, c.sizeText)));
      if (c.scope === 'org' ? c.name !== '' : !nonEmptyName(c.name)) p.push(`bad name ${JSON.stringify(c.name)}`);
      break;
    case 'threshold-remove':
    case 'expect-remove':
      if (!Number.isSafeInteger(c.id) || c.id < 0) p.push(`bad id ${c.id}`);
      break;
    case 'budget-set':
      p.push(...(c.money ? moneyProblems(c.money, c.sizeText) : sizeProblems(c.bytesPerMonth, c.sizeText)));
      break;
    case 'price-set':
      if (!Number.isFinite(c.perGb) || c.perGb <= 0) p.push(`bad price ${c.perGb}`);
      if (c.currency !== undefined && !/^[A-Z]{3}$/.test(c.currency)) p.push(`bad currency ${c.currency}`);
      break;
    case 'explain':
      p.push(...nameProblems('name', c.name));
      if (c.day !== undefined && !isDay(c.day)) p.push(`bad day ${c.day}`);
      break;
    case 'snooze': {
      p.push(...nameProblems('name', c.name));
      if (!Number.isInteger(c.ms) || c.ms <= 0 || c.ms > MAX_DURATION_MS) p.push(`bad ms ${c.ms}`);
      const again = parseDuration(c.durationText);
      if (!again.ok || again.value !== c.ms) p.push(`durationText ${c.durationText} does not read back`);
      break;
    }
    case 'route-set':
      if (!/^[CG][A-Z0-9]+$/.test(c.channel)) p.push(`bad channel ${c.channel}`);
      p.push(...nameProblems('log set', c.logset));
      break;
    case 'expect-set':
      p.push(...nameProblems('name', c.name));
      if (!isDay(c.until)) p.push(`bad day ${c.until}`);
      if (c.plan.kind === 'pct' ? !(c.plan.pct > 0) : !(Number.isSafeInteger(c.plan.bytesPerDay) && c.plan.bytesPerDay > 0))
        p.push('bad amount');
      break;
    case 'owner-set':
      if (!/^[UWS][A-Z0-9]+$/.test(c.owner)) p.push(`bad owner ${c.owner}`);
      p.push(...nameProblems('log set', c.logset));
      break;
    case 'route-remove':
    case 'owner-remove':
      p.push(...nameProblems('log set', c.logset));
      break;
    default:
      p.push(`unknown kind ${(c as { kind: string }).kind}`);
  }
  return p;
}

/** A money argument: a positive finite amount, an ISO 4217 code when one was written, its text as shown. */
function moneyProblems(m: { amount: number; currency: string | undefined; text: string }, shown: string): string[] {
  const p: string[] = [];
  if (!Number.isFinite(m.amount) || m.amount <= 0) p.push(`bad amount ${m.amount}`);
  if (m.currency !== undefined && !/^[A-Z]{3}$/.test(m.currency)) p.push(`bad currency ${m.currency}`);
  if (shown !== m.text) p.push(`shown "${shown}" is not the money text "${m.text}"`);
  return p;
}

/** Why `r` is neither a well-formed command nor a helpful error. */
function resultProblems(r: ParseResult): string[] {
  if (r.kind !== 'error') return commandProblems(r);
  const p: string[] = [];
  if (typeof r.message !== 'string' || r.message.trim().length < 5) p.push('empty message');
  if (r.message.length > 400) p.push(`message of ${r.message.length} characters`);
  const ex = parseCommand(asSlackSends(r.example));
  if (ex.kind === 'error') p.push(`example "${r.example}" does not parse: ${ex.message}`);
  return p;
}

function checkText(text: string): void {
  let r: ParseResult;
  try {
    r = parseCommand(text);
  } catch (err) {
    throw new Error(`parseCommand threw on ${JSON.stringify(text.slice(0, 200))}: ${String(err)}`);
  }
  const problems = resultProblems(r);
  if (problems.length > 0) throw new Error(`${JSON.stringify(text.slice(0, 200))} → ${JSON.stringify(r)}: ${problems.join('; ')}`);
  // Pure: the same text gives the same answer.
  expect(parseCommand(text)).toEqual(r);
}

describe('/logusage parser on generated input', () => {
  it('never throws, and gives a well-formed command or a short error whose example parses (20,000 inputs)', () => {
    fc.assert(
      fc.property(commandText, (text) => checkText(text)),
      { numRuns: 20_000 },
    );
  });

  it('takes what Slack sends: entity-escaped text, channel links and user mentions (5,000 inputs)', () => {
    const slackEscaped = hostileText.map((t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    fc.assert(
      fc.property(
        fc.constantFrom('log', 'snooze', 'mute', 'route', 'threshold set logset', 'chart'),
        slackEscaped,
        fc.constantFrom('', ' 3d', ' <#C0123ABCD|sec>', ' 5GB/day', ' 90d', ' <@U0ADMIN01|boss>'),
        (sub, body, tail) => checkText(`${sub} ${body}${tail}`),
      ),
      { numRuns: 5_000 },
    );
  });

  it('refuses anything longer than a command can be, at once, with a short error (300 inputs of 2–10 KB)', () => {
    fc.assert(
      fc.property(hugeText, (text) => {
        const r = parseCommand(text);
        if (text.length > MAX_COMMAND_TEXT) {
          expect(r.kind).toBe('error');
          expect((r as { message: string }).message).toMatch(/characters; commands are short/);
        }
        expect(resultProblems(r)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('a quoted empty name is a missing name, not a command (found by the property above)', () => {
    for (const t of ['snooze "" 3d', "snooze '' 12h", 'snooze “ ” 2w', 'route remove ""', 'route remove "   "', 'log ""', 'mute “”']) {
      const r = parseCommand(t);
      expect(r.kind, t).toBe('error');
      expect((r as { message: string }).message, t).toMatch(/^which log/);
    }
  });

  it('every example it gives is a command people can send as written', () => {
    const examples = new Set<string>();
    for (const t of [
      '',
      'x',
      'top 0',
      'chart',
      'threshold set',
      'budget set',
      'snooze',
      'route',
      'log "a',
      'summary 2026-02-30',
      ...HOSTILE_PIECES,
    ]) {
      for (const sub of ['', 'threshold ', 'budget ', 'snooze ', 'route ', 'chart ', 'top ', 'summary ']) {
        const r = parseCommand(`${sub}${t}`);
        if (r.kind === 'error') examples.add(r.example);
      }
    }
    expect(examples.size).toBeGreaterThan(8);
    for (const ex of examples) expect(parseCommand(asSlackSends(ex)).kind, ex).not.toBe('error');
  });
});

const SI = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 } as const;
const IEC = { KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, PiB: 2 ** 50 } as const;
const UNIT_FACTORS: Record<string, number> = { ...SI, ...IEC };

/** Text a person might type for an amount: a number, spacing and a unit word (real or not), or anything at all. */
const amountLike = (number: fc.Arbitrary<string>, spaces: string[], units: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    hostileText,
    fc.tuple(number, fc.constantFrom(...spaces), fc.constantFrom(...units)).map(([n, s, u]) => `${n}${s}${u}`),
    fc.string({ unit: 'binary', maxLength: 40 }),
    hugeText,
  );

/**
 * A parser's answer to any text: a value that `valid` accepts, or an error shorter than `maxError` that shows
 * `example`.
 */
function expectValueOrExample(r: UnitResult<number>, s: string, example: string, maxError: number, valid: (v: number) => void): void {
  if (r.ok) valid(r.value);
  else {
    expect(r.error, s).toContain(example);
    expect(r.error.length).toBeLessThan(maxError);
  }
}

const sizeLike = amountLike(
  fc.oneof(fc.double({ noNaN: false }).map(String), fc.bigInt().map(String), fc.nat().map(String)),
  ['', ' ', '\t'],
  ['', ...Object.keys(UNIT_FACTORS), 'bits', 'Gb', 'gbit', 'GBps', 'Mbps', 'b', 'k', 'xb', 'ZB', 'EiB', 'TB/day'],
);

describe('size parser on generated input', () => {
  it('never throws: a whole, safe, non-negative number of bytes, or an error with a valid example (20,000 inputs)', () => {
    fc.assert(
      fc.property(sizeLike, (s) => {
        expectValueOrExample(parseSize(s), s, SIZE_EXAMPLE, 300, (v) => {
          expect(Number.isSafeInteger(v) && v >= 0, `${s} → ${v}`).toBe(true);
        });
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads every number with every SI and IEC unit in any case and spacing, exactly (10,000 inputs)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 999_999 }), fc.double({ min: 0, max: 10_000, noNaN: true, noDefaultInfinity: true })),
        fc.constantFrom(...Object.keys(UNIT_FACTORS)),
        fc.constantFrom('', ' ', '  '),
        fc.constantFrom('asis', 'lower', 'upper'),
        (n, unit, space, kase) => {
          const num = Number.isInteger(n) ? String(n) : n.toFixed(3);
          const u = kase === 'lower' ? unit.toLowerCase() : kase === 'upper' ? unit.toUpperCase() : unit;
          const bytes = Math.round(Number(num) * (UNIT_FACTORS[unit] as number));
          const r = parseSize(`${num}${space}${u}`);
          if (bytes > Number.MAX_SAFE_INTEGER) expect(r.ok).toBe(false);
          else expect(r).toEqual({ ok: true, value: bytes });
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('never reads bits or rates as bytes', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e6 }), fc.constantFrom('bit', 'bits', 'Gbit', 'kbits', 'Mbps', 'GBps', 'gbps', 'KiBps'), (n, u) => {
        expect(parseSize(`${n}${u}`).ok).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('formatBytes reads back within its 3 significant digits (10,000 values up to 9 PB)', () => {
    // Above 9.004e15 the shown value ("9.01 PB") rounds past Number.MAX_SAFE_INTEGER and is refused.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_000_000_000_000_000 }), (b) => {
        const r = parseSize(formatBytes(b));
        expect(r.ok).toBe(true);
        if (r.ok) expect(Math.abs(r.value - b)).toBeLessThanOrEqual(b * 0.005 + 1);
      }),
      { numRuns: 10_000 },
    );
  });
});

const durationLike = amountLike(
  fc.oneof(fc.nat().map(String), fc.bigInt().map(String), fc.double().map(String)),
  ['', ' '],
  ['', 'm', 'min', 'h', 'hours', 'd', 'day', 'days', 'w', 'weeks', 's', 'y', 'month', 'D', 'W'],
);

describe('duration parser on generated input', () => {
  it('never throws: whole minutes from 1 minute to a year, or an error with a valid example (10,000 inputs)', () => {
    fc.assert(
      fc.property(durationLike, (s) => {
        expectValueOrExample(parseDuration(s), s, DURATION_EXAMPLE, 200, (v) => {
          expect(Number.isSafeInteger(v)).toBe(true);
          expect(v).toBeGreaterThan(0);
          expect(v).toBeLessThanOrEqual(MAX_DURATION_MS);
          expect(v % 60_000).toBe(0);
        });
      }),
      { numRuns: 10_000 },
    );
  });

  it('formatDuration reads back exactly (5,000 values)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_MS / 60_000 }), (minutes) => {
        expect(parseDuration(formatDuration(minutes * 60_000))).toEqual({ ok: true, value: minutes * 60_000 });
      }),
      { numRuns: 5_000 },
    );
  });
});
