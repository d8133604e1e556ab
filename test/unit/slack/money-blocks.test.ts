/** Money beside bytes in the alert message and the digest, only when the finding / view carries a price. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/detect/types.js';
import { priceFindings, withEpisodeImpact } from '../../../src/money.js';
import { buildAlertMessage, buildNoticeMessage } from '../../../src/slack/blocks/alert.js';
import { buildDigest, type DigestView } from '../../../src/slack/blocks/digest.js';
import { buildHome, type HomeView } from '../../../src/slack/blocks/home.js';
import { k8sAuditSpike } from '../../support/builders.js';

const spark = new Array(30).fill(16e9);
const base: Finding = k8sAuditSpike({ day: '2026-03-12', logName: 'k8s-audit · Platform' });
const text = (m: { text: string; blocks: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks)}`;
const price = { perGb: 0.35, currency: 'USD' };

describe('alert money', () => {
  it('no price: no money anywhere in the message', () => {
    const m = buildAlertMessage({ alertId: 1, finding: base, state: 'open', firstDay: base.day, dayNumber: 1, findingDays: 1, spark });
    expect(text(m)).not.toMatch(/\$|≈/);
  });

  it("with a price: the change in money today and the episode's impact so far", () => {
    const d1 = withEpisodeImpact(priceFindings([{ ...base, day: '2026-03-10', changeBytes: 30e9 }], price)[0] as Finding, null);
    const d2 = withEpisodeImpact(priceFindings([{ ...base, day: '2026-03-11', changeBytes: 20e9 }], price)[0] as Finding, d1);
    const d3 = withEpisodeImpact(priceFindings([base], price)[0] as Finding, d2);
    const m = buildAlertMessage({ alertId: 1, finding: d3, state: 'open', firstDay: '2026-03-10', dayNumber: 3, findingDays: 3, spark });
    expect(m.text).toContain(
      'Spike: k8s-audit · Platform: k8s-audit sent 41 GB, 2.6× its usual 16 GB. (+25 GB: +$8.75 today, +$26 so far, 3 days)',
    );
    expect(JSON.stringify(m.blocks)).toContain('+156% (+25 GB ≈ +$8.75)');
  });

  it('budget notice shows month to date, projection and budget in money', () => {
    const f: Finding = {
      ...base,
      kind: 'budget',
      scope: 'org',
      logId: null,
      logName: 'organisation',
      logsets: [],
      value: 40e12,
      expected: 34e12,
      details: { level: 'projected-100', monthToDate: 12e12, projected: 40e12 },
    };
    const m = buildNoticeMessage(priceFindings([f], price)[0] as Finding, spark);
    const all = JSON.stringify(m.blocks);
    expect(all).toContain('12 TB (≈ $4,200)');
    expect(all).toContain('40 TB (≈ $14,000)');
    expect(all).toContain('34 TB/month (≈ $11,900)');
  });
});

/** The organisation's day as the digest and the Home tab both show it: 100 GB, 1 TB month to date, 3 TB budget. */
const orgDay: Pick<DigestView & HomeView, 'day' | 'total' | 'expected' | 'spark' | 'month' | 'openAlertCount'> = {
  day: '2026-03-10',
  total: 100e9,
  expected: { expected: 90e9, low: 80e9, high: 110e9 },
  spark: '▁▂',
  month: { month: '2026-03', toDate: 1e12, projected: 3.1e12, knownDays: 10, daysInMonth: 31 },
  openAlertCount: 0,
};

describe('digest money', () => {
  const view: DigestView = {
    ...orgDay,
    observed: true,
    budget: { bytes: 3e12, source: 'env' },
    top: [],
    logsWithData: 3,
    movers: { up: [], down: [] },
    newLogs: [],
    silentLogs: [],
    openAlerts: [],
  };
  it('yesterday, month to date, projection and budget in money with a price; none without', () => {
    expect(text(buildDigest(view))).not.toMatch(/\$/);
    const all = text(buildDigest({ ...view, price: { perGb: 0.3, currency: 'EUR' } }));
    expect(all).toContain("Yesterday's total *100 GB* (≈ €30)");
    expect(all).toContain('*1 TB* (≈ €300), projected *3.1 TB* (≈ €930) by month end');
    expect(all).toContain('Budget 3 TB/month (≈ €900)');
  });
});

describe('App Home money', () => {
  const home: HomeView = {
    userId: 'U0USER001',
    isAdmin: false,
    builtAt: '2026-03-11T08:00:00.000Z',
    ...orgDay,
    budget: { bytes: 3e12 },
    top: [],
    alerts: [],
    plans: [],
  };
  it('yesterday, month to date, projection and budget in money only with a price', () => {
    expect(JSON.stringify(buildHome(home).blocks)).not.toMatch(/\$/);
    const all = JSON.stringify(buildHome({ ...home, price: { perGb: 0.35, currency: 'USD' } }).blocks);
    expect(all).toContain('organisation total *100 GB* (≈ $35)');
    expect(all).toContain('*1 TB* (≈ $350), projected *3.1 TB* (≈ $1,085) by month end');
    expect(all).toContain('Budget 3 TB/month (≈ $1,050)');
  });
});
