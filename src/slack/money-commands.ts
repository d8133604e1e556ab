/**
 * `/logusage price show | price set <MONEY>/GB | price clear` (SPEC §9), and the money arguments of
 * `budget set` / `threshold set` (turned into bytes at the price in force: budgets and thresholds are kept in
 * bytes, and the reply says what the amount stands for). Price changes are admin-only and audited by the
 * settings store.
 */
import type { Settings } from '../config.js';
import { bytesFor, formatMoney, formatPrice, type Price } from '../money.js';
import type { Who } from '../store/controls.js';
import type { Db } from '../store/db.js';
import { effectivePrice, setPrice } from '../store/price.js';
import { formatBytes } from '../units.js';
import { buildReply, buildUsageError } from './blocks/common.js';
import type { Command, MoneyArg } from './command-parser.js';
import { EXAMPLES } from './commands/table.js';
import { escapeMrkdwn, type SlackMessage } from './mrkdwn.js';

export interface MoneyCommandDeps {
  db: Db;
  settings: Settings;
}

/** The price in force for the service (Slack setting over PRICE_PER_GB). */
export function currentPrice(deps: MoneyCommandDeps): Price | undefined {
  return effectivePrice(deps.db, deps.settings.price).price;
}

export function runPriceCommand(
  deps: MoneyCommandDeps,
  cmd: Extract<Command, { kind: 'price-show' | 'price-set' | 'price-clear' }>,
  who: Who,
): SlackMessage {
  const { db, settings } = deps;
  if (cmd.kind === 'price-show') {
    const p = effectivePrice(db, settings.price);
    if (!p.price) {
      const why =
        p.source === 'cleared'
          ? `No price: cleared from Slack${p.updatedBy ? ` by ${p.updatedBy}` : ''}${settings.price ? ` (PRICE_PER_GB=${formatPrice(settings.price)} is overridden)` : ''}, so no money is shown.`
          : 'No price per GB is set, so no money is shown.';
      return buildReply(`${escapeMrkdwn(why)} Set one with \`/logusage ${EXAMPLES.priceSet}\`.`, why);
    }
    const src = p.source === 'slack' ? `set from Slack${p.updatedBy ? ` by ${p.updatedBy}` : ''}` : 'from PRICE_PER_GB';
    const t = `Price: ${formatPrice(p.price)} (${src}); 1 TB costs ${formatMoney(p.price.perGb * 1000, p.price.currency)}.`;
    return buildReply(escapeMrkdwn(t), t);
  }
  if (cmd.kind === 'price-clear') {
    setPrice(db, null, who);
    const env = settings.price ? ` PRICE_PER_GB (${formatPrice(settings.price)}) stays overridden until a price is set again.` : '';
    const t = `Price cleared: no money is shown.${env}`;
    return buildReply(`:white_check_mark: ${escapeMrkdwn(t)}`, t);
  }
  const currency = cmd.currency ?? settings.currency;
  if (currency !== settings.currency) {
    return buildUsageError(
      `that price is in ${currency} but money is shown in ${settings.currency} (CURRENCY); the bot does not convert currencies`,
      `price set ${formatMoney(0.35, settings.currency, { maxDigits: 4 })}/GB`,
    );
  }
  const price: Price = { perGb: cmd.perGb, currency };
  const before = effectivePrice(db, settings.price).price;
  setPrice(db, price, who);
  const prev = before ? ` (was ${formatPrice(before)})` : '';
  const t = `Price set to ${formatPrice(price)}${prev}: alerts, the digest and summaries show money from now on.`;
  return buildReply(`:white_check_mark: ${escapeMrkdwn(t)}`, t);
}

/**
 * A `budget set` / `threshold set` written in money, with its bytes at the price in force; or the reply that
 * refuses it (no price, another currency). Commands written as sizes come back unchanged.
 */
export function resolveMoneyArgument<C extends Command>(
  deps: MoneyCommandDeps,
  cmd: C,
): { cmd: C; note: string } | { reply: SlackMessage } {
  if (cmd.kind !== 'budget-set' && cmd.kind !== 'threshold-set') return { cmd, note: '' };
  const money: MoneyArg | undefined = cmd.money;
  if (!money) return { cmd, note: '' };
  const per = cmd.kind === 'budget-set' ? 'month' : 'day';
  const price = currentPrice(deps);
  if (!price) {
    return {
      reply: buildUsageError(
        `"${money.text}" is money, but no price per GB is set to turn it into bytes; set one first (price set $0.35/GB) or give a size`,
        EXAMPLES.priceSet,
      ),
    };
  }
  const currency = money.currency ?? price.currency;
  if (currency !== price.currency) {
    return {
      reply: buildUsageError(
        `"${money.text}" is in ${currency} but the price is in ${price.currency}; the bot does not convert currencies`,
        cmd.kind === 'budget-set'
          ? `budget set ${formatMoney(12000, price.currency)}/month`
          : `threshold set org ${formatMoney(500, price.currency)}/day`,
      ),
    };
  }
  const bytes = bytesFor(money.amount, price);
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) {
    return { reply: buildUsageError(`"${money.text}" is not a usable amount at ${formatPrice(price)}`, EXAMPLES.budgetSetMoney) };
  }
  const note = ` (${formatMoney(money.amount, price.currency)}/${per} at ${formatPrice(price)} = ${formatBytes(bytes)}/${per})`;
  const out = cmd.kind === 'budget-set' ? { ...cmd, bytesPerMonth: bytes } : { ...cmd, bytesPerDay: bytes };
  return { cmd: out as C, note };
}
