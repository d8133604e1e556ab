/**
 * Money in `/logusage` over the real Bolt app: price show|set|clear (admins, audited), budgets and thresholds
 * written in money, and money beside bytes in summary, top and log only when a price is in force.
 */
import { describe, expect, it } from 'vitest';
import { effectiveBudget, listAudit, listThresholds } from '../../../src/store/controls.js';
import { effectivePrice } from '../../../src/store/price.js';
import { ADMIN, blockText, FIREWALL_EU, USER, useHarness, WEB_PROXY } from '../../support/slack-harness.js';

const LOGS = [FIREWALL_EU, WEB_PROXY];

const h = useHarness(LOGS);

describe('/logusage price and money', () => {
  it('without a price nothing shows money, and money arguments are refused with the way out', async () => {
    const s = await h.ask('summary', { user: USER });
    expect(blockText(s.blocks)).not.toMatch(/\$/);
    expect((await h.ask('price show', { user: USER })).text).toMatch(/No price per GB is set/);
    const t = await h.ask('threshold set org $500/day');
    expect(t.text).toMatch(/no price per GB is set/);
    expect(listThresholds(h.db)).toHaveLength(0);
  });

  it('a non-admin cannot change the price; nothing changes', async () => {
    const r = await h.ask('price set $0.35/GB', { user: USER });
    expect(r.text).toMatch(/Only admins may change the price/);
    expect(effectivePrice(h.db, undefined).source).toBe('none');
  });

  it('an admin sets the price; budgets and thresholds in money become bytes at it; summary, top and log show money', async () => {
    const set = await h.ask('price set $0.35/GB');
    expect(set.text).toMatch(/Price set to \$0\.35\/GB/);
    expect(effectivePrice(h.db, undefined)).toMatchObject({ price: { perGb: 0.35, currency: 'USD' }, source: 'slack', updatedBy: ADMIN });
    expect(listAudit(h.db, { limit: 1 })[0]).toMatchObject({ action: 'setting.set', target: 'price_per_gb', actor: ADMIN });

    const other = await h.ask('price set 0.30 EUR/GB');
    expect(other.text).toMatch(/in EUR but money is shown in USD/);
    expect(effectivePrice(h.db, undefined).price?.currency).toBe('USD');

    const b = await h.ask('budget set $12,000/month');
    expect(b.text).toMatch(/Monthly budget set to 34\.3 TB/);
    expect(blockText(b.blocks)).toContain('$12,000/month at $0.35/GB = 34.3 TB/month');
    expect(effectiveBudget(h.db, undefined).bytes).toBe(34_285_714_285_714);

    const th = await h.ask('threshold set org $500/day');
    expect(blockText(th.blocks)).toMatch(/1\.43 TB.*\$500\/day at \$0\.35\/GB/);
    expect(listThresholds(h.db)[0]).toMatchObject({ scope: 'org', bytesPerDay: 1_428_571_428_571 });

    const summary = blockText((await h.ask('summary', { user: USER })).blocks);
    expect(summary).toMatch(/Organisation total \*[\d.]+ GB \(≈ \$\d+\)\*/);
    expect(summary).toMatch(/Budget 34\.3 TB\/month \(≈ \$12,000\)/);
    const top = blockText((await h.ask('top 2', { user: USER })).blocks);
    expect(top).toMatch(/firewall-eu\* _Firewalls_ — [\d.]+ GB \(≈ \$\d+/);
    const log = blockText((await h.ask('log "web proxy"', { user: USER })).blocks);
    expect(log).toMatch(/\(≈ \$\d/);
  });

  it('/logusage explain without Log Search in this process says why, and an unknown log gets an example', async () => {
    const r = await h.ask('explain firewall-eu', { user: USER });
    expect(r.text).toMatch(/No explanation for firewall-eu on 2026-03-10: Log Search cannot be asked from here/);
    const bad = await h.ask('explain nosuchlog', { user: USER });
    expect(bad.text).toMatch(/no log matches "nosuchlog"/);
  });

  it('price clear stops money everywhere', async () => {
    const c = await h.ask('price clear');
    expect(c.text).toMatch(/Price cleared/);
    expect(effectivePrice(h.db, undefined).source).toBe('cleared');
    const summary = blockText((await h.ask('summary', { user: USER })).blocks);
    expect(summary).not.toMatch(/\$/);
  });
});
