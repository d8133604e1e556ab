/**
 * The rendering step of the alert stage (src/alerts/messages.ts `renderView`), pure: a view model in, the same
 * message the builders give out — the episode message, the resolved reply, the new-normal notice, one-off
 * notices (the organisation-wide dip among them), the grouped message and its resolved reply.
 */
import { describe, expect, it } from 'vitest';
import { renderView, type View } from '../../../src/alerts/messages.js';
import { buildAlertMessage, buildResolvedReply } from '../../../src/slack/blocks/alert.js';
import { buildOrgEventNotice } from '../../../src/slack/blocks/grouped.js';
import { finding } from '../../support/builders.js';

const spark = Float64Array.from({ length: 30 }, (_, i) => 1e9 + i * 1e7);

describe('renderView', () => {
  it('renders each view model with its builder, and every message has a plain-text fallback', () => {
    const f = finding();
    const episode = { alertId: 7, finding: f, state: 'open' as const, firstDay: f.day, dayNumber: 1, findingDays: 1, spark };
    const dip = finding({ kind: 'org', scope: 'org', logId: null, logName: 'organisation', details: { orgEvent: 'dip' } });
    const views: View[] = [
      { kind: 'episode', view: episode },
      { kind: 'resolved-reply', finding: f, day: '2026-11-05', normalDays: 2, latest: 15e9 },
      { kind: 'new-normal', finding: f, spark, inThread: true },
      { kind: 'notice', finding: finding({ kind: 'new' }), spark },
      { kind: 'notice', finding: dip, spark },
      { kind: 'group', view: { day: f.day, rows: [{ alertId: 7, finding: f, status: 'open' }] } },
      { kind: 'group-resolved', findings: [f], day: '2026-11-05' },
    ];
    for (const v of views) {
      const m = renderView(v);
      expect(m.text.length, v.kind).toBeGreaterThan(10);
      expect(m.blocks.length, v.kind).toBeGreaterThan(0);
    }
    expect(renderView(views[0]!)).toEqual(buildAlertMessage(episode));
    expect(renderView(views[1]!)).toEqual(buildResolvedReply(f, '2026-11-05', 2, 15e9));
    expect(renderView(views[4]!)).toEqual(buildOrgEventNotice(dip, spark));
  });

  it('an unusual organisation day names the logs that carried it in its message', () => {
    const org = finding({
      kind: 'org',
      scope: 'org',
      logId: null,
      logName: 'organisation',
      details: { orgEvent: 'unusual' },
      contributors: [{ logId: 'L1', logName: 'web-<b>', changeBytes: 3e9, share: 0.6 }],
    });
    const m = renderView({
      kind: 'episode',
      view: { alertId: 9, finding: org, state: 'open', firstDay: org.day, dayNumber: 1, findingDays: 1, spark },
    });
    const blocks = JSON.stringify(m.blocks);
    expect(blocks).toContain('Where it came from');
    expect(blocks).toContain('web-&lt;b&gt;');
    expect(blocks).not.toContain('alert_actions');
  });
});
