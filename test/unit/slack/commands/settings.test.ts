/** The handlers of thresholds, the budget and the price, called directly: the reply, and what the store holds after. */
import { describe, expect, it } from 'vitest';
import { budgetCommands } from '../../../../src/slack/commands/budget.js';
import { priceCommands } from '../../../../src/slack/commands/price.js';
import { thresholdCommands } from '../../../../src/slack/commands/threshold.js';
import { effectiveBudget, listAudit, listThresholds } from '../../../../src/store/controls.js';
import { allText, caller, cmd, noUpload, world } from './world.js';

describe('threshold', () => {
  it('set on a log stores it, audited, and says when it is checked; list shows it; remove removes it', async () => {
    const ctx = world();
    const set = await thresholdCommands['threshold-set'](
      ctx,
      cmd('threshold set log firewall-eu 80GB/day', 'threshold-set'),
      caller,
      noUpload,
    );
    const [t] = listThresholds(ctx.db);
    expect(t).toMatchObject({ scope: 'log', target: 'L1', bytesPerDay: 80e9 });
    expect(set.message.text).toBe(`Threshold #${t?.id} set to 80 GB/day.`);
    expect(allText(set.message)).toContain('Checked from the next daily run.');
    expect(listAudit(ctx.db, { limit: 5 }).map((a) => a.action)).toContain('threshold.set');
    const list = await thresholdCommands['threshold-list'](ctx, cmd('threshold list', 'threshold-list'), caller, noUpload);
    expect(list.message.text).toBe(`1 threshold: #${t?.id} 80 GB/day`);
    const removed = await thresholdCommands['threshold-remove'](
      ctx,
      cmd(`threshold remove ${t?.id}`, 'threshold-remove'),
      caller,
      noUpload,
    );
    expect(removed.message.text).toBe(`Removed threshold #${t?.id}.`);
    expect(listThresholds(ctx.db)).toEqual([]);
  });

  it('without a form to open, `threshold set` alone says what to type', async () => {
    const r = await thresholdCommands['threshold-modal'](world(), cmd('threshold set', 'threshold-modal'), caller, noUpload);
    expect(r.message.text).toBe(
      'the form opens only from Slack; type the whole command instead. Example: /logusage threshold set log firewall-eu 50GB/day',
    );
  });
});

describe('budget', () => {
  it('set stores the monthly budget and show reports it with the month to date', async () => {
    const ctx = world();
    const set = await budgetCommands['budget-set'](ctx, cmd('budget set 3TB/month', 'budget-set'), caller, noUpload);
    expect(set.message.text).toBe('Monthly budget set to 3 TB.');
    expect(effectiveBudget(ctx.db, undefined)).toMatchObject({ bytes: 3e12, source: 'slack' });
    const show = await budgetCommands['budget-show'](ctx, cmd('budget show', 'budget-show'), caller, noUpload);
    expect(show.message.text).toMatch(/^Monthly budget: 3 TB \(set from Slack by UADMIN001\)\. Month to date \(2026-03\): .+ = \d+%\.$/);
    const cleared = await budgetCommands['budget-clear'](ctx, cmd('budget clear', 'budget-clear'), caller, noUpload);
    expect(cleared.message.text).toBe('Monthly budget cleared.');
  });

  it('no budget is said plainly (money in another currency than the price: refusals.test.ts)', async () => {
    const ctx = world({ env: { PRICE_PER_GB: '0.35', CURRENCY: 'USD' } });
    expect(effectiveBudget(ctx.db, undefined).bytes).toBeUndefined();
    const show = await budgetCommands['budget-show'](ctx, cmd('budget show', 'budget-show'), caller, noUpload);
    expect(show.message.text).toBe('No monthly budget is set.');
  });

  it('without a form to open, `budget set` alone says what to type', async () => {
    const r = await budgetCommands['budget-modal'](world(), cmd('budget set', 'budget-modal'), caller, noUpload);
    expect(r.message.text).toBe('the form opens only from Slack; type the whole command instead. Example: /logusage budget set 30TB/month');
  });
});

describe('price', () => {
  it('set, show and clear the price per GB', async () => {
    const ctx = world();
    const set = await priceCommands['price-set'](ctx, cmd('price set $0.35/GB', 'price-set'), caller, noUpload);
    expect(set.message.text).toBe('Price set to $0.35/GB: alerts, the digest and summaries show money from now on.');
    const show = await priceCommands['price-show'](ctx, cmd('price show', 'price-show'), caller, noUpload);
    expect(show.message.text).toBe('Price: $0.35/GB (set from Slack by UADMIN001); 1 TB costs $350.');
    const cleared = await priceCommands['price-clear'](ctx, cmd('price clear', 'price-clear'), caller, noUpload);
    expect(cleared.message.text).toBe('Price cleared: no money is shown.');
  });

  it('no price is said plainly (a price in another currency than CURRENCY: refusals.test.ts)', async () => {
    const show = await priceCommands['price-show'](world(), cmd('price show', 'price-show'), caller, noUpload);
    expect(show.message.text).toBe('No price per GB is set, so no money is shown.');
  });
});
