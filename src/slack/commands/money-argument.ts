/**
 * The money arguments of `budget set` / `threshold set` (SPEC §9), turned into bytes at the price in force:
 * budgets and thresholds are kept in bytes, and the reply says what the amount stands for.
 */
import type { Settings } from '../../config.js';
import { bytesFor, formatMoney, formatPrice, type Price } from '../../money.js';
import type { Db } from '../../store/db.js';
import { effectivePrice } from '../../store/price.js';
import { formatBytes } from '../../units.js';
import type { SlackMessage } from '../block-kit.js';
import { buildUsageError } from '../blocks/common.js';
import type { Command, MoneyArg } from '../command-parser.js';
import { EXAMPLES } from './table.js';

export interface MoneyCommandDeps {
  db: Db;
  settings: Settings;
}

/** The price in force for the service (Slack setting over PRICE_PER_GB). */
export function currentPrice(deps: MoneyCommandDeps): Price | undefined {
  return effectivePrice(deps.db, deps.settings.price).price;
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
