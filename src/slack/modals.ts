/**
 * The settings modals (SPEC §9): which view opens, the type-ahead options of the target picker, and
 * the validation of a submission. A valid submission becomes the same Command the slash command
 * parses, run by the service (`SlackService.apply`: the same permission check, the same audited
 * change, the same reply), so a modal and `/logusage threshold set …` can never disagree.
 * A bad field answers `{ errors: { <block_id>: why } }` and nothing changes.
 */
import type { Settings } from '../config.js';
import { addDays, diffDays, isDay, utcDayOf } from '../days.js';
import { effectiveBudget } from '../store/controls.js';
import type { Db } from '../store/db.js';
import { displayName, listLogs } from '../store/usage.js';
import { formatBytes } from '../units.js';
import {
  buildBudgetModal,
  buildExpectModal,
  buildThresholdModal,
  type ModalContext,
  type ModalView,
  option,
  type SelectOption,
  type ThresholdScope,
} from './blocks/modals.js';
import { type Command, decodeSlackText, MAX_PLAN_WHY, type MoneyArg, parseCommand } from './command-parser.js';
import { MAX_PLAN_DAYS } from './commands/expect.js';
import { resolveMoneyArgument } from './commands/money-argument.js';
import { logsetNames } from './names.js';
import { MODAL_FIELDS } from './ui-ids.js';

/** `view.state.values`: block_id → action_id → element state. */
export type ViewValues = Record<
  string,
  Record<string, { value?: string | null; selected_option?: { value?: string } | null; selected_date?: string | null }>
>;

export type Validated = { ok: true; command: Command } | { ok: false; errors: Record<string, string> };

/** Options shown by the type-ahead (Slack shows at most 100; fewer is faster to read). */
const MAX_LOG_OPTIONS = 25;
const MAX_SET_OPTIONS = 10;
/** Slack's limit on an option value. */
const MAX_OPTION_VALUE = 150;

export interface ModalDeps {
  db: Db;
  settings: Settings;
  now: () => Date;
}

function fieldValue(values: ViewValues, field: string): string {
  const v = values[field]?.[field];
  return (v?.value ?? v?.selected_option?.value ?? v?.selected_date ?? '').trim();
}

/**
 * A size or money amount typed in a modal ("50GB", "50 GB/day", "$500"), read by the slash command's own
 * parser (the same units, money and errors as `threshold set org 50GB/day` / `budget set 30TB/month`).
 */
function readAmount(text: string, period: 'day' | 'month'): { bytes: number; sizeText: string; money?: MoneyArg } | { error: string } {
  const example = period === 'day' ? '50GB or $500' : '30TB or $12,000';
  const t = text.trim();
  if (t === '') return { error: `Write a size or money per ${period}, e.g. ${example}.` };
  const cmd = parseCommand(period === 'day' ? `threshold set org ${t}` : `budget set ${t}`);
  if (cmd.kind === 'error') return { error: `${cmd.message.charAt(0).toUpperCase()}${cmd.message.slice(1)}. Write e.g. ${example}.` };
  if (cmd.kind === 'threshold-set' && period === 'day')
    return { bytes: cmd.bytesPerDay, sizeText: cmd.sizeText, ...(cmd.money ? { money: cmd.money } : {}) };
  if (cmd.kind === 'budget-set' && period === 'month')
    return { bytes: cmd.bytesPerMonth, sizeText: cmd.sizeText, ...(cmd.money ? { money: cmd.money } : {}) };
  return { error: `Write one size or money amount per ${period}, e.g. ${example}.` };
}

export interface Modals {
  thresholdView(ctx: ModalContext, prefillLogId?: string | null): ModalView;
  budgetView(ctx: ModalContext): ModalView;
  /** Type-ahead of the target picker: logs and log sets whose name (or id) contains `query`. */
  targetOptions(query: string): {
    option_groups: Array<{ label: { type: 'plain_text'; text: string }; options: ReturnType<typeof option>[] }>;
  };
  validateThreshold(values: ViewValues): Validated;
  validateBudget(values: ViewValues): Validated;
  /** The planned-change modal for a log (undefined when the log is unknown), or with a picker without one. */
  expectView(ctx: ModalContext, logId?: string): ModalView | undefined;
  /** A planned change for `logId` (from the modal's private_metadata). */
  validateExpect(values: ViewValues, logId: string | null | undefined): Validated;
}

export function createModals(deps: ModalDeps): Modals {
  const { db } = deps;

  const logOption = (id: string): SelectOption | undefined => {
    const log = listLogs(db).find((l) => l.id === id);
    return log ? { text: displayName(log), value: `log:${log.id}` } : undefined;
  };

  /** Money needs a price in force (and its currency): else the size field says why, as the command would. */
  const priced = (command: Command): Validated => {
    const r = resolveMoneyArgument(deps, command);
    if ('reply' in r) return { ok: false, errors: { [MODAL_FIELDS.size]: decodeSlackText(r.reply.text).replace(/ Example: .*$/, '') } };
    return { ok: true, command };
  };

  return {
    thresholdView(ctx, prefillLogId) {
      const target = prefillLogId ? logOption(prefillLogId) : undefined;
      return buildThresholdModal(ctx, target ? { scope: 'log', target } : {});
    },
    budgetView(ctx) {
      const b = effectiveBudget(db, deps.settings.monthlyBudget);
      return buildBudgetModal(ctx, b.bytes === undefined ? null : `${formatBytes(b.bytes)}/month`);
    },
    targetOptions(query) {
      const q = query.trim().toLowerCase();
      const logs = listLogs(db);
      const matches = logs
        .filter((l) => q === '' || l.id.toLowerCase().includes(q) || (l.name ?? '').toLowerCase().includes(q))
        .map((l) => ({ l, name: displayName(l) }))
        .sort((a, b) => a.name.localeCompare(b.name) || a.l.id.localeCompare(b.l.id))
        .slice(0, MAX_LOG_OPTIONS)
        .map(({ l, name }) => option({ text: name, value: `log:${l.id}` }))
        .filter((o) => o.value.length <= MAX_OPTION_VALUE);
      const sets = logsetNames(logs)
        .filter((n) => q === '' || n.toLowerCase().includes(q))
        .filter((n) => `set:${n}`.length <= MAX_OPTION_VALUE)
        .slice(0, MAX_SET_OPTIONS)
        .map((n) => option({ text: n, value: `set:${n}` }));
      const groups = [];
      if (matches.length > 0) groups.push({ label: { type: 'plain_text' as const, text: 'Logs' }, options: matches });
      if (sets.length > 0) groups.push({ label: { type: 'plain_text' as const, text: 'Log sets' }, options: sets });
      return { option_groups: groups };
    },
    validateThreshold(values) {
      const errors: Record<string, string> = {};
      const scope = fieldValue(values, MODAL_FIELDS.scope) as ThresholdScope | '';
      const target = fieldValue(values, MODAL_FIELDS.target);
      const size = readAmount(fieldValue(values, MODAL_FIELDS.size), 'day');
      if ('error' in size) errors[MODAL_FIELDS.size] = size.error;
      let name = '';
      if (scope !== 'log' && scope !== 'logset' && scope !== 'org') errors[MODAL_FIELDS.scope] = 'Pick what the threshold is for.';
      else if (scope === 'log') {
        const id = target.startsWith('log:') ? target.slice(4) : '';
        if (!id)
          errors[MODAL_FIELDS.target] = target
            ? 'That is a log set: pick a log, or choose "A log set" above.'
            : 'Pick the log (type part of its name).';
        else if (!listLogs(db).some((l) => l.id === id)) errors[MODAL_FIELDS.target] = 'That log is not known (any more): pick another.';
        name = id;
      } else if (scope === 'logset') {
        const set = target.startsWith('set:') ? target.slice(4) : '';
        if (!set)
          errors[MODAL_FIELDS.target] = target
            ? 'That is a log: pick a log set, or choose "One log" above.'
            : 'Pick the log set (type part of its name).';
        else if (!logsetNames(listLogs(db)).includes(set))
          errors[MODAL_FIELDS.target] = 'That log set is not known (any more): pick another.';
        name = set;
      }
      if (Object.keys(errors).length > 0 || 'error' in size) return { ok: false, errors };
      return {
        ok: true,
        command: {
          kind: 'threshold-set',
          scope: scope as ThresholdScope,
          name,
          bytesPerDay: size.bytes,
          sizeText: formatBytes(size.bytes),
        },
      };
    },
    expectView(ctx, logId) {
      if (logId === undefined) return buildExpectModal({ ...ctx, logId: null }, null, utcDayOf(deps.now()));
      const log = listLogs(db).find((l) => l.id === logId);
      return log ? buildExpectModal({ ...ctx, logId }, displayName(log), utcDayOf(deps.now())) : undefined;
    },
    validateExpect(values, logId) {
      const errors: Record<string, string> = {};
      let name = logId ?? '';
      if (!logId) {
        // From the Home tab: the picker names a log (`log:<id>`) or a log set (`set:<name>`).
        const picked = fieldValue(values, MODAL_FIELDS.target);
        if (picked.startsWith('log:') && listLogs(db).some((l) => l.id === picked.slice(4))) name = picked.slice(4);
        else if (picked.startsWith('set:') && logsetNames(listLogs(db)).includes(picked.slice(4))) name = picked.slice(4);
        else errors[MODAL_FIELDS.target] = 'Pick the log or log set (type part of its name).';
      } else if (!listLogs(db).some((l) => l.id === logId)) {
        return { ok: false, errors: { [MODAL_FIELDS.size]: 'This log is not known (any more).' } };
      }
      const today = utcDayOf(deps.now());
      const until = fieldValue(values, MODAL_FIELDS.until);
      if (!isDay(until)) errors[MODAL_FIELDS.until] = 'Pick the last day of the change.';
      else if (until < today) errors[MODAL_FIELDS.until] = 'That day is in the past: pick today or later.';
      else if (diffDays(until, today) > MAX_PLAN_DAYS)
        errors[MODAL_FIELDS.until] = `Plan at most a year ahead (until ${addDays(today, MAX_PLAN_DAYS)}).`;
      const why = fieldValue(values, MODAL_FIELDS.why).replace(/\s+/g, ' ');
      if (why.length > MAX_PLAN_WHY) errors[MODAL_FIELDS.why] = `Keep it under ${MAX_PLAN_WHY} characters.`;
      const size = fieldValue(values, MODAL_FIELDS.size);
      // The amount is read by the command's own parser (the same +N% and sizes as `/logusage expect`).
      const parsed = size ? parseCommand(`expect x ${size} until ${today}`) : null;
      if (!parsed) errors[MODAL_FIELDS.size] = 'Write +N% or a size per day, e.g. +50% or 80GB.';
      else if (parsed.kind !== 'expect-set') {
        errors[MODAL_FIELDS.size] =
          parsed.kind === 'error' ? `${parsed.message.charAt(0).toUpperCase()}${parsed.message.slice(1)}.` : 'Write +N% or a size per day.';
      }
      if (Object.keys(errors).length > 0 || parsed?.kind !== 'expect-set') return { ok: false, errors };
      return { ok: true, command: { kind: 'expect-set', name, plan: parsed.plan, amountText: parsed.amountText, until, why } };
    },
    validateBudget(values) {
      const size = readAmount(fieldValue(values, MODAL_FIELDS.size), 'month');
      if ('error' in size) return { ok: false, errors: { [MODAL_FIELDS.size]: size.error } };
      return priced({
        kind: 'budget-set',
        bytesPerMonth: size.bytes,
        sizeText: size.sizeText,
        ...(size.money ? { money: size.money } : {}),
      });
    },
  };
}
