/**
 * `/logusage price show | price set <MONEY>/GB | price clear` (SPEC §9): the price per GB in force (a Slack setting
 * over PRICE_PER_GB); with one, money is shown beside bytes. Changes are audited by src/store/price.ts.
 */
import { formatMoney, formatPrice, type Price } from '../../money.js';
import { effectivePrice, setPrice } from '../../store/price.js';
import { buildReply, buildUsageError } from '../blocks/common.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { type Handlers, whoAt } from './context.js';
import { EXAMPLES } from './table.js';

export const priceCommands: Handlers<'price-show' | 'price-set' | 'price-clear'> = {
  'price-show'({ db, settings }) {
    const p = effectivePrice(db, settings.price);
    if (!p.price) {
      const why =
        p.source === 'cleared'
          ? `No price: cleared from Slack${p.updatedBy ? ` by ${p.updatedBy}` : ''}${settings.price ? ` (PRICE_PER_GB=${formatPrice(settings.price)} is overridden)` : ''}, so no money is shown.`
          : 'No price per GB is set, so no money is shown.';
      return { message: buildReply(`${escapeMrkdwn(why)} Set one with \`/logusage ${EXAMPLES.priceSet}\`.`, why) };
    }
    const src = p.source === 'slack' ? `set from Slack${p.updatedBy ? ` by ${p.updatedBy}` : ''}` : 'from PRICE_PER_GB';
    const t = `Price: ${formatPrice(p.price)} (${src}); 1 TB costs ${formatMoney(p.price.perGb * 1000, p.price.currency)}.`;
    return { message: buildReply(escapeMrkdwn(t), t) };
  },

  'price-clear'(ctx, _cmd, caller) {
    const { db, settings } = ctx;
    setPrice(db, null, whoAt(ctx, caller.userId));
    ctx.cache.clear();
    const env = settings.price ? ` PRICE_PER_GB (${formatPrice(settings.price)}) stays overridden until a price is set again.` : '';
    const t = `Price cleared: no money is shown.${env}`;
    return { message: buildReply(`:white_check_mark: ${escapeMrkdwn(t)}`, t) };
  },

  'price-set'(ctx, cmd, caller) {
    const { db, settings } = ctx;
    const currency = cmd.currency ?? settings.currency;
    if (currency !== settings.currency) {
      return {
        message: buildUsageError(
          `that price is in ${currency} but money is shown in ${settings.currency} (CURRENCY); the bot does not convert currencies`,
          `price set ${formatMoney(0.35, settings.currency, { maxDigits: 4 })}/GB`,
        ),
      };
    }
    const price: Price = { perGb: cmd.perGb, currency };
    const before = effectivePrice(db, settings.price).price;
    setPrice(db, price, whoAt(ctx, caller.userId));
    ctx.cache.clear();
    const prev = before ? ` (was ${formatPrice(before)})` : '';
    const t = `Price set to ${formatPrice(price)}${prev}: alerts, the digest and summaries show money from now on.`;
    return { message: buildReply(`:white_check_mark: ${escapeMrkdwn(t)}`, t) };
  },
};
