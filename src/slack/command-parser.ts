/**
 * Pure parser of `/logusage` text (SPEC §9) → a command, or an error that says what was wrong and
 * gives one valid example. No database, no clock: names are returned as typed (matched later).
 *
 * Slack sends the text with `&`, `<`, `>` escaped as entities and, with `should_escape` on, channels
 * as `<#C123|name>` and users as `<@U123|name>`: channel links are read first, then the entities are
 * decoded so names match what the store holds.
 */
import { isDay } from '../days.js';
import { looksLikeMoney, MONEY_EXAMPLE, PRICE_EXAMPLE, parseMoney, parsePrice } from '../money.js';
import { DURATION_EXAMPLE, parseDuration, parseSize, SIZE_EXAMPLE } from '../units.js';
import { EXAMPLES, exampleOf, SUBCOMMANDS, subcommandOf } from './commands/table.js';
import { ellipsize } from './mrkdwn.js';

/** Longest text accepted; anything longer is refused before it is parsed. */
export const MAX_COMMAND_TEXT = 2000;
export const TOP_MAX = 100;
export const TOP_DEFAULT = 10;

export type ChartRange = 30 | 90;

export type Command =
  | { kind: 'help' }
  | { kind: 'summary'; day: string | undefined }
  | { kind: 'top'; n: number }
  | { kind: 'log'; name: string }
  | { kind: 'alerts' }
  | { kind: 'chart'; target: { type: 'org' } | { type: 'log'; name: string }; days: ChartRange }
  | { kind: 'threshold-list' }
  /** `money`: the limit was written as money per day (`$500/day`); the service turns it into bytes at the price. */
  | { kind: 'threshold-set'; scope: 'log' | 'logset' | 'org'; name: string; bytesPerDay: number; sizeText: string; money?: MoneyArg }
  | { kind: 'threshold-remove'; id: number }
  /** `threshold set` / `budget set` without arguments: open the settings modal (SPEC §9). */
  | { kind: 'threshold-modal' }
  | { kind: 'budget-modal' }
  | { kind: 'budget-show' }
  | { kind: 'budget-set'; bytesPerMonth: number; sizeText: string; money?: MoneyArg }
  | { kind: 'budget-clear' }
  | { kind: 'snooze'; name: string; ms: number; durationText: string }
  | { kind: 'unsnooze'; name: string }
  | { kind: 'mute'; name: string }
  | { kind: 'unmute'; name: string }
  | { kind: 'route-set'; logset: string; channel: string }
  | { kind: 'route-list' }
  | { kind: 'route-remove'; logset: string }
  /** A planned change (SPEC §9): `name` is a log or a log set, as typed; `until` the last UTC day it covers. */
  | { kind: 'expect-set'; name: string; plan: PlanAmount; amountText: string; until: string; why: string }
  | { kind: 'expect-list' }
  | { kind: 'expect-remove'; id: number }
  /** A log set's owner (SPEC §7): a Slack user (U…/W…) or user group (S…) id, mentioned in its alerts. */
  | { kind: 'owner-set'; logset: string; owner: string }
  | { kind: 'owner-list' }
  | { kind: 'owner-remove'; logset: string }
  | { kind: 'price-show' }
  /** `currency` only when the text named one (`$0.35/GB`, `0.30 EUR/GB`); else CURRENCY applies. */
  | { kind: 'price-set'; perGb: number; currency: string | undefined; text: string }
  | { kind: 'price-clear' }
  | { kind: 'explain'; name: string; day: string | undefined }
  | { kind: 'digest' }
  | { kind: 'refresh' }
  | { kind: 'status' };

/** How much a planned change allows: up to +N % over the expected day, or up to a size per day. */
export type PlanAmount = { kind: 'pct'; pct: number } | { kind: 'bytes'; bytesPerDay: number };

/** Longest reason a planned change may carry (characters). */
export const MAX_PLAN_WHY = 300;

/** A money amount typed in a command; `currency` only when the text named one. */
export interface MoneyArg {
  amount: number;
  currency: string | undefined;
  text: string;
}

export interface ParseError {
  kind: 'error';
  /** What was wrong, plain text (not escaped). */
  message: string;
  /** One valid command, without the leading `/logusage`. */
  example: string;
}

export type ParseResult = Command | ParseError;

/** The subcommand words, for "did you mean" and the list in the error (src/slack/commands/table.ts). */
const SUBCOMMAND_NAMES = SUBCOMMANDS.map((c) => c.name);

const err = (message: string, example: string): ParseError => ({ kind: 'error', message, example });

/** Decodes the three entities Slack escapes in command text. */
export function decodeSlackText(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

interface Token {
  /** Decoded text of the token (quotes removed). */
  text: string;
  quoted: boolean;
  /** A channel link `<#C…|name>`: its channel id. */
  channel?: string;
}

const OPEN_QUOTES: Record<string, string> = { '"': '"', '“': '”', '”': '”', '„': '“', "'": "'", '‘': '’', '’': '’' };

/** Splits on whitespace; quoted runs ("…", “…”, '…', ‘…’) are one token and may hold spaces. */
export function tokenize(raw: string): Token[] | ParseError {
  const tokens: Token[] = [];
  let i = 0;
  const s = raw;
  while (i < s.length) {
    const ch = s[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '<') {
      const end = s.indexOf('>', i);
      if (end > i) {
        const inner = s.slice(i + 1, end);
        const m = /^#([CG][A-Z0-9]+)(?:\|[^>]*)?$/.exec(inner);
        if (m) {
          tokens.push({ text: s.slice(i, end + 1), quoted: false, channel: m[1] as string });
          i = end + 1;
          continue;
        }
      }
    }
    const close = OPEN_QUOTES[ch];
    if (close !== undefined) {
      // Smart quotes: accept either closing form.
      const closers = close === '”' || close === '“' ? ['”', '“', '"'] : close === '’' ? ['’', "'"] : [close];
      let end = -1;
      for (let j = i + 1; j < s.length; j++) {
        if (closers.includes(s[j] as string)) {
          end = j;
          break;
        }
      }
      if (end < 0) {
        // An apostrophe inside a word (o'brien) is not a quote.
        if (ch === "'" || ch === '’') {
          const m = /^\S+/.exec(s.slice(i));
          tokens.push({ text: decodeSlackText(m?.[0] ?? ch), quoted: false });
          i += m?.[0].length ?? 1;
          continue;
        }
        return err('a quote is not closed', `log "web server logs"`);
      }
      tokens.push({ text: decodeSlackText(s.slice(i + 1, end)), quoted: true });
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j] as string)) j++;
    tokens.push({ text: decodeSlackText(s.slice(i, j)), quoted: false });
    i = j;
  }
  return tokens;
}

function joinName(tokens: Token[]): string {
  return tokens
    .map((t) => t.text)
    .join(' ')
    .trim();
}

/** Reads a size from the last one or two tokens (`50GB`, `1.5 TB`), after removing a `/day`-style suffix. */
function takeSize(tokens: Token[], suffixes: RegExp): { bytes: number; text: string; rest: Token[] } | { error: string } | undefined {
  if (tokens.length === 0) return undefined;
  const last = tokens[tokens.length - 1] as Token;
  let lastText = last.text;
  let suffixFound = false;
  const sm = /\s*\/\s*([a-z]+)$/i.exec(lastText);
  if (sm) {
    if (!suffixes.test(sm[1] as string)) return { error: `"/${sm[1]}" is not the right period here` };
    lastText = lastText.slice(0, sm.index);
    suffixFound = true;
  }
  let rest = tokens.slice(0, -1);
  if (lastText === '' && suffixFound) {
    // "50 GB /day"
    const prev = rest.at(-1);
    if (!prev) return undefined;
    lastText = prev.text;
    rest = rest.slice(0, -1);
  }
  const one = parseSize(lastText);
  if (one.ok) return { bytes: one.value, text: lastText, rest };
  const prev = rest.at(-1);
  if (prev && /^[a-z]+$/i.test(lastText)) {
    const two = parseSize(`${prev.text} ${lastText}`);
    if (two.ok) return { bytes: two.value, text: `${prev.text} ${lastText}`, rest: rest.slice(0, -1) };
  }
  return { error: one.error };
}

/** Reads money from the last one or two tokens (`$500/day`, `500 USD /day`), after removing a period suffix. */
function takeMoney(tokens: Token[], suffixes: RegExp): { money: MoneyArg; rest: Token[] } | { error: string } | undefined {
  if (tokens.length === 0) return undefined;
  let rest = tokens.slice(0, -1);
  let lastText = (tokens.at(-1) as Token).text;
  const sm = /\s*\/\s*([a-z]+)$/i.exec(lastText);
  if (sm) {
    if (!suffixes.test(sm[1] as string)) return { error: `"/${sm[1]}" is not the right period here` };
    lastText = lastText.slice(0, sm.index);
    if (lastText === '') {
      const prev = rest.at(-1);
      if (!prev) return undefined;
      lastText = prev.text;
      rest = rest.slice(0, -1);
    }
  }
  const candidates: Array<{ text: string; rest: Token[] }> = [{ text: lastText, rest }];
  const prev = rest.at(-1);
  if (prev) candidates.unshift({ text: `${prev.text} ${lastText}`, rest: rest.slice(0, -1) });
  for (const c of candidates) {
    if (!looksLikeMoney(c.text)) continue;
    const r = parseMoney(c.text);
    if (r.ok) {
      const named = /[A-Za-z]{3}/.test(c.text) || /^[$€£¥]/.test(c.text.trim());
      return { money: { amount: r.value.amount, currency: named ? r.value.currency : undefined, text: c.text }, rest: c.rest };
    }
    if (c === candidates.at(-1)) return { error: r.error };
  }
  return undefined;
}

/** True when the last token(s) of a size-or-money argument are money. */
function endsWithMoney(tokens: Token[]): boolean {
  const last = tokens.at(-1)?.text.replace(/\s*\/\s*[a-z]+$/i, '') ?? '';
  const prev = tokens.at(-2)?.text ?? '';
  return looksLikeMoney(last) || (last === '' ? looksLikeMoney(prev) : looksLikeMoney(`${prev} ${last}`) && /^[A-Za-z]{3}$/.test(last));
}

export function parseCommand(input: string): ParseResult {
  const raw = String(input ?? '');
  if (raw.length > MAX_COMMAND_TEXT) {
    return err(`that is ${raw.length.toLocaleString('en-US')} characters; commands are short`, EXAMPLES.log);
  }
  const tk = tokenize(raw.trim());
  if (!Array.isArray(tk)) return tk;
  const tokens = tk;
  if (tokens.length === 0) return { kind: 'help' };
  const head = tokens[0] as Token;
  const sub = head.quoted ? '' : (subcommandOf(head.text) ?? head.text.toLowerCase());
  const args = tokens.slice(1);

  switch (sub) {
    case 'help':
      return { kind: 'help' };

    case 'summary': {
      if (args.length === 0) return { kind: 'summary', day: undefined };
      const d = (args[0] as Token).text;
      if (args.length > 1 || !isDay(d)) return err(`"${ellipsize(joinName(args), 60)}" is not a date: write YYYY-MM-DD`, EXAMPLES.summary);
      return { kind: 'summary', day: d };
    }

    case 'top': {
      if (args.length === 0) return { kind: 'top', n: TOP_DEFAULT };
      const t = (args[0] as Token).text;
      if (args.length > 1 || !/^\d{1,6}$/.test(t) || Number(t) < 1 || Number(t) > TOP_MAX) {
        return err(`"${ellipsize(joinName(args), 60)}" is not a number of logs from 1 to ${TOP_MAX}`, EXAMPLES.top);
      }
      return { kind: 'top', n: Number(t) };
    }

    case 'log': {
      const name = joinName(args);
      if (!name) return err('which log? Give its name or id', EXAMPLES.log);
      return { kind: 'log', name };
    }

    case 'alerts':
      if (args.length > 0) return err('`alerts` takes no arguments', EXAMPLES.alerts);
      return { kind: 'alerts' };

    case 'chart': {
      let rest = args;
      let days: ChartRange = 30;
      const last = rest.at(-1);
      if (last && !last.quoted && /^\d+\s*d(ays?)?$/i.test(last.text)) {
        const n = Number.parseInt(last.text, 10);
        if (n !== 30 && n !== 90) return err(`charts cover 30d or 90d, not "${ellipsize(last.text, 60)}"`, 'chart firewall-eu 90d');
        days = n;
        rest = rest.slice(0, -1);
      }
      const name = joinName(rest);
      if (!name) return err('chart what? Give a log name or id, or `org`', EXAMPLES.chart);
      if (rest.length === 1 && !(rest[0] as Token).quoted && /^(org|organi[sz]ation|total)$/i.test(name)) {
        return { kind: 'chart', target: { type: 'org' }, days };
      }
      return { kind: 'chart', target: { type: 'log', name }, days };
    }

    case 'threshold': {
      const action = args[0]?.text.toLowerCase();
      if (action === undefined || action === 'list' || action === 'show') {
        if (args.length > 1) return err('`threshold list` takes no more arguments', EXAMPLES.thresholdList);
        return { kind: 'threshold-list' };
      }
      if (action === 'remove' || action === 'delete' || action === 'rm') {
        const id = args[1]?.text.replace(/^#/, '');
        if (args.length !== 2 || id === undefined || !/^\d{1,15}$/.test(id)) {
          return err('give the id of the threshold to remove (see `threshold list`)', EXAMPLES.thresholdRemove);
        }
        return { kind: 'threshold-remove', id: Number(id) };
      }
      if (action === 'set' || action === 'add') {
        if (args.length === 1) return { kind: 'threshold-modal' };
        const scopeWord = args[1]?.text.toLowerCase();
        const scope =
          scopeWord === 'log'
            ? 'log'
            : scopeWord === 'logset' || scopeWord === 'log-set'
              ? 'logset'
              : scopeWord === 'org'
                ? 'org'
                : undefined;
        if (!scope) return err('say what the threshold is for: `log <name>`, `logset <name>` or `org`', EXAMPLES.thresholdSet);
        if (endsWithMoney(args.slice(2))) {
          const m = takeMoney(args.slice(2), /^(day|d)$/i);
          if (!m) return err('a money amount per day is missing', EXAMPLES.thresholdSetMoney);
          if ('error' in m) return err(`${m.error}; a threshold is a size or money per day`, EXAMPLES.thresholdSetMoney);
          if (!(m.money.amount > 0)) return err('a threshold must be larger than zero', EXAMPLES.thresholdSetMoney);
          const mname = joinName(m.rest);
          if (scope === 'org' && mname) return err('`org` takes no name', EXAMPLES.thresholdSetMoney);
          if (scope !== 'org' && !mname)
            return err(
              `which ${scope === 'log' ? 'log' : 'log set'}? Give its name before the amount`,
              'threshold set log firewall-eu $50/day',
            );
          return { kind: 'threshold-set', scope, name: mname, bytesPerDay: 0, sizeText: m.money.text, money: m.money };
        }
        const size = takeSize(args.slice(2), /^(day|d)$/i);
        if (!size) return err('a size per day is missing', EXAMPLES.thresholdSet);
        if ('error' in size) return err(`${size.error}; a threshold is a size per day`, EXAMPLES.thresholdSet);
        if (size.bytes <= 0) return err('a threshold must be larger than zero', EXAMPLES.thresholdSet);
        const name = joinName(size.rest);
        if (scope === 'org') {
          if (name) return err('`org` takes no name', 'threshold set org 2TB/day');
          return { kind: 'threshold-set', scope, name: '', bytesPerDay: size.bytes, sizeText: size.text };
        }
        if (!name) return err(`which ${scope === 'log' ? 'log' : 'log set'}? Give its name before the size`, EXAMPLES.thresholdSet);
        return { kind: 'threshold-set', scope, name, bytesPerDay: size.bytes, sizeText: size.text };
      }
      return err(`"${ellipsize(args[0]?.text ?? '', 60)}" is not a threshold action: use list, set or remove`, EXAMPLES.thresholdSet);
    }

    case 'budget': {
      const shown = parseShowOrClear('budget', args);
      if (shown) return shown;
      if (args[0]?.text.toLowerCase() === 'set') {
        if (args.length === 1) return { kind: 'budget-modal' };
        if (endsWithMoney(args.slice(1))) {
          const m = takeMoney(args.slice(1), /^(month|mo|m)$/i);
          if (!m) return err('a money amount per month is missing', EXAMPLES.budgetSetMoney);
          if ('error' in m) return err(`${m.error}; a budget is a size or money per month`, EXAMPLES.budgetSetMoney);
          if (m.rest.length > 0) return err('write only the amount after `budget set`', EXAMPLES.budgetSetMoney);
          if (!(m.money.amount > 0)) return err('a budget must be larger than zero', EXAMPLES.budgetSetMoney);
          return { kind: 'budget-set', bytesPerMonth: 0, sizeText: m.money.text, money: m.money };
        }
        const size = takeSize(args.slice(1), /^(month|mo|m)$/i);
        if (!size) return err('a size per month is missing', EXAMPLES.budgetSet);
        if ('error' in size) return err(`${size.error}; a budget is a size per month`, EXAMPLES.budgetSet);
        if (size.rest.length > 0) return err('write only the size after `budget set`', EXAMPLES.budgetSet);
        if (size.bytes <= 0) return err('a budget must be larger than zero', EXAMPLES.budgetSet);
        return { kind: 'budget-set', bytesPerMonth: size.bytes, sizeText: size.text };
      }
      return err(`"${ellipsize(args[0]?.text ?? '', 60)}" is not a budget action: use show, set or clear`, EXAMPLES.budgetSet);
    }

    case 'price': {
      const shown = parseShowOrClear('price', args);
      if (shown) return shown;
      if (args[0]?.text.toLowerCase() === 'set') {
        const text = joinName(args.slice(1));
        if (!text) return err(`a price per GB is missing (e.g. ${PRICE_EXAMPLE})`, EXAMPLES.priceSet);
        const r = parsePrice(text, 'USD');
        if (!r.ok) return err(r.error, EXAMPLES.priceSet);
        const bare = text.replace(/\s*(\/|per\s+)\s*gb$/i, '');
        const named = /[A-Za-z]/.test(bare) || /^[$€£¥]/.test(bare);
        return { kind: 'price-set', perGb: r.value.perGb, currency: named ? r.value.currency : undefined, text };
      }
      return err(`"${ellipsize(args[0]?.text ?? '', 60)}" is not a price action: use show, set or clear`, EXAMPLES.priceSet);
    }

    case 'explain': {
      let rest = args;
      let day: string | undefined;
      const last = rest.at(-1);
      if (last && !last.quoted && isDay(last.text)) {
        day = last.text;
        rest = rest.slice(0, -1);
      }
      const name = joinName(rest);
      if (!name) return err('which log? Give its name or id, and optionally a date YYYY-MM-DD', EXAMPLES.explain);
      return { kind: 'explain', name, day };
    }

    case 'snooze': {
      if (args.length < 2) return err('give a log and how long, e.g. 12h, 3d or 2w', EXAMPLES.snooze);
      const last = args.at(-1) as Token;
      const d = parseDuration(last.text);
      if (!d.ok) return err(`${d.error}`, EXAMPLES.snooze);
      const name = joinName(args.slice(0, -1));
      if (!name) return err('which log? Give its name before how long', EXAMPLES.snooze);
      return { kind: 'snooze', name, ms: d.value, durationText: last.text };
    }

    case 'unsnooze':
    case 'mute':
    case 'unmute': {
      const name = joinName(args);
      if (!name) return err('which log? Give its name or id', EXAMPLES[sub]);
      return { kind: sub, name };
    }

    case 'route': {
      const first = args[0];
      if (args.length === 0 || (args.length === 1 && first?.text.toLowerCase() === 'list')) return { kind: 'route-list' };
      if (first && !first.quoted && ['remove', 'delete', 'rm'].includes(first.text.toLowerCase()) && args.length >= 2) {
        const logset = joinName(args.slice(1));
        if (!logset) return err('which log set? Give its name after `route remove`', 'route remove Firewalls');
        return { kind: 'route-remove', logset };
      }
      const last = args.at(-1) as Token;
      let channel = last.channel;
      if (!channel && /^[CG][A-Z0-9]{6,}$/.test(last.text)) channel = last.text;
      if (!channel) {
        return err(
          last.text.startsWith('#')
            ? `pick the channel from Slack's suggestions (so it arrives as a link), or give its id such as C0123456789`
            : 'the last word must be a channel such as #security-alerts',
          EXAMPLES.route,
        );
      }
      const logset = joinName(args.slice(0, -1));
      if (!logset) return err('which log set? Give its name before the channel', EXAMPLES.route);
      return { kind: 'route-set', logset, channel };
    }

    case 'expect':
      return parseExpect(args);

    case 'owner':
      return parseOwner(args);

    case 'digest':
    case 'refresh':
    case 'status':
      if (args.length > 0) return err(`\`${sub}\` takes no arguments`, EXAMPLES[sub]);
      return { kind: sub };

    default: {
      const shown = `"${ellipsize(head.text, 30)}"`;
      const close =
        sub.length >= 3 && sub.length <= 20
          ? (SUBCOMMAND_NAMES.find((c) => c.startsWith(sub) || sub.startsWith(c)) ??
            SUBCOMMAND_NAMES.find((c) => editDistance(c, sub) <= 2))
          : undefined;
      return err(
        `${shown} is not a command${close ? ` (did you mean \`${close}\`?)` : ''}. Commands: ${SUBCOMMAND_NAMES.join(', ')}`,
        (close && exampleOf(close)) ?? EXAMPLES.summary,
      );
    }
  }
}

/**
 * `<setting>` or `<setting> show`, and `<setting> clear|remove|off`, of the budget or the price: each takes no more
 * arguments. Undefined for any other action (`set`, or a word that is not one).
 */
function parseShowOrClear(setting: 'budget' | 'price', args: Token[]): ParseResult | undefined {
  const action = args[0]?.text.toLowerCase();
  const form = action === undefined || action === 'show' ? 'show' : ['clear', 'remove', 'off'].includes(action) ? 'clear' : undefined;
  if (form === undefined) return undefined;
  if (args.length > 1)
    return err(`\`${setting} ${form}\` takes no more arguments`, EXAMPLES[`${setting}${form === 'show' ? 'Show' : 'Clear'}`]);
  return { kind: `${setting}-${form}` };
}

/** `owner <logset name> <@user|@group>`, `owner list`, `owner remove <logset>`. */
function parseOwner(args: Token[]): ParseResult {
  const first = args[0];
  if (args.length === 0 || (args.length === 1 && first?.text.toLowerCase() === 'list')) return { kind: 'owner-list' };
  if (first && !first.quoted && ['remove', 'delete', 'rm', 'clear'].includes(first.text.toLowerCase()) && args.length >= 2) {
    return { kind: 'owner-remove', logset: joinName(args.slice(1)) };
  }
  const last = args.at(-1) as Token;
  const m = /^<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>$|^<!subteam\^(S[A-Z0-9]{2,30})(?:\|[^>]*)?>$|^([UWS][A-Z0-9]{8,30})$/.exec(last.text);
  const owner = m ? (m[1] ?? m[2] ?? m[3]) : undefined;
  if (!owner) {
    return err(
      "the last word must be a person or a user group picked from Slack's suggestions (@name), or its id such as U0123456789",
      EXAMPLES.owner,
    );
  }
  const logset = joinName(args.slice(0, -1));
  if (!logset) return err('which log set? Give its name before the owner', EXAMPLES.owner);
  return { kind: 'owner-set', logset, owner };
}

/** `expect <name|logset> <+N%|SIZE/day> until <DATE> [why…]`, `expect list`, `expect remove <ID>`. */
function parseExpect(args: Token[]): ParseResult {
  const first = args[0];
  if (args.length === 0 || (args.length === 1 && first?.text.toLowerCase() === 'list')) return { kind: 'expect-list' };
  if (first && !first.quoted && ['remove', 'end', 'delete', 'rm'].includes(first.text.toLowerCase())) {
    const id = args[1]?.text.replace(/^#/, '');
    if (args.length !== 2 || id === undefined || !/^\d{1,15}$/.test(id)) {
      return err('give the id of the planned change to end (see `expect list`)', EXAMPLES.expectRemove);
    }
    return { kind: 'expect-remove', id: Number(id) };
  }
  const u = args.findIndex((t, i) => i >= 2 && !t.quoted && t.text.toLowerCase() === 'until');
  if (u < 0) return err('say what is expected and until when: a log, +N% or a size per day, then `until YYYY-MM-DD`', EXAMPLES.expect);
  const date = args[u + 1];
  if (!date || !isDay(date.text)) return err(`"${ellipsize(date?.text ?? '', 30)}" is not a date: write until YYYY-MM-DD`, EXAMPLES.expect);
  const why = joinName(args.slice(u + 2));
  if (why.length > MAX_PLAN_WHY) return err(`the reason is ${why.length} characters; keep it under ${MAX_PLAN_WHY}`, EXAMPLES.expect);
  const before = args.slice(0, u);
  const last = before.at(-1) as Token;
  const pm = last.quoted ? null : /^\+(\d{1,5}(?:\.\d{1,2})?)\s*%$/.exec(last.text);
  let plan: PlanAmount;
  let amountText: string;
  let rest: Token[];
  if (pm) {
    const pct = Number(pm[1]);
    if (!(pct > 0)) return err('a planned change must be larger than zero', EXAMPLES.expect);
    plan = { kind: 'pct', pct };
    amountText = `+${pct}%`;
    rest = before.slice(0, -1);
  } else {
    if (/^[-−]\d/.test(last.text)) return err('a planned change is growth: +N% or a size per day (drops are not covered)', EXAMPLES.expect);
    const size = takeSize(before, /^(day|d)$/i);
    if (!size || 'error' in size) {
      return err(`${size && 'error' in size ? `${size.error}; ` : ''}a planned change is +N% or a size per day`, EXAMPLES.expect);
    }
    if (size.bytes <= 0) return err('a planned change must be larger than zero', EXAMPLES.expect);
    plan = { kind: 'bytes', bytesPerDay: size.bytes };
    amountText = `${size.text}/day`;
    rest = size.rest;
  }
  const name = joinName(rest);
  if (!name) return err('which log or log set? Give its name before the size', EXAMPLES.expect);
  return { kind: 'expect-set', name, plan, amountText, until: date.text, why };
}

/** Levenshtein distance (short words only: the subcommand names). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

export { DURATION_EXAMPLE, MONEY_EXAMPLE, SIZE_EXAMPLE };
