/**
 * The handlers that use what `serve` gives the slash command (a chart upload, Log Search, the digest preview, a
 * refresh, the next run, channel membership), called directly with plain functions in their place.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/errors.js';
import { buildReply } from '../../../../src/slack/blocks/common.js';
import { chartCommands } from '../../../../src/slack/commands/chart.js';
import { digestCommands } from '../../../../src/slack/commands/digest.js';
import { explainCommands } from '../../../../src/slack/commands/explain.js';
import { refreshCommands } from '../../../../src/slack/commands/refresh.js';
import { statusCommands } from '../../../../src/slack/commands/status.js';
import { listAudit } from '../../../../src/store/controls.js';
import { allText, CHANNEL, caller, cmd, LAST_DAY, noUpload, recordingUpload, world } from './world.js';

describe('chart', () => {
  it('uploads a PNG of the organisation to the channel it was asked in, with an alt text', async () => {
    const upload = recordingUpload();
    const r = await chartCommands.chart(world(), cmd('chart org 30d', 'chart'), caller, upload);
    expect(r.message.text).toBe('Chart of Organisation posted to this channel.');
    expect(upload.calls).toHaveLength(1);
    const f = upload.calls[0];
    expect(f).toMatchObject({ channelId: CHANNEL, filename: `logusage-org-30d-${LAST_DAY}.png`, title: 'Organisation: last 30 days' });
    expect(f?.png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(f?.altText).toMatch(/^Line chart of Organisation: bytes per day from 2026-02-09 to 2026-03-10 \(UTC\)/);
  });

  it('an upload refused for membership says to invite the app (an unknown log: refusals.test.ts)', async () => {
    const refused = await chartCommands.chart(world(), cmd('chart firewall-eu 90d', 'chart'), caller, recordingUpload('not_in_channel'));
    expect(refused.message.text).toBe('The chart could not be uploaded (not_in_channel).');
    expect(allText(refused.message)).toContain('Invite the app to this channel');
  });
});

describe('explain', () => {
  it('asks Log Search through the hook when no explanation is stored, and says why when it finds none', async () => {
    const asked: Array<[string, string, string]> = [];
    const ctx = world({
      features: {
        explainLog: async (logId, day, direction) => {
          asked.push([logId, day, direction]);
          return { status: 'none', text: 'Log Search lists no host-like key for this log' };
        },
      },
    });
    const r = await explainCommands.explain(ctx, cmd(`explain firewall-eu ${LAST_DAY}`, 'explain'), caller, noUpload);
    expect(asked).toEqual([['L1', LAST_DAY, expect.stringMatching(/^(up|down)$/)]]);
    expect(r.message.text).toBe(`No explanation for firewall-eu on ${LAST_DAY}: Log Search lists no host-like key for this log`);
  });

  it('without Log Search the answer says it cannot ask (an unknown log: refusals.test.ts)', async () => {
    const none = await explainCommands.explain(world(), cmd('explain firewall-eu', 'explain'), caller, noUpload);
    expect(none.message.text).toContain('Log Search cannot be asked from here');
  });
});

describe('digest', () => {
  it("previews today's digest, marked as not posted", async () => {
    const ctx = world({ features: { previewDigest: () => buildReply('*Daily digest*', 'Daily digest') } });
    const r = await digestCommands.digest(ctx, cmd('digest', 'digest'), caller, noUpload);
    expect(r.message.text).toBe('Preview: Daily digest');
    expect(allText(r.message)).toContain('_Preview: this digest was not posted._');
  });

  it('without the preview in this process says so', async () => {
    const r = await digestCommands.digest(world(), cmd('digest', 'digest'), caller, noUpload);
    expect(r.message.text).toBe('The digest preview is not available here.');
  });
});

describe('refresh', () => {
  it('starts a collection, audited, and the follow-up says what it did; a failure says its message only', async () => {
    let fail = false;
    const ctx = world({
      features: {
        refresh: async ({ actor }) => {
          if (fail) throw new AppError('RAPID7_UNAUTHORIZED', 'Rapid7 refused the API key');
          return `collected 3 logs for ${actor}`;
        },
      },
    });
    const r = await refreshCommands.refresh(ctx, cmd('refresh', 'refresh'), caller, noUpload);
    expect(r.message.text).toBe('Collecting now…');
    expect(listAudit(ctx.db, { limit: 1 })[0]).toMatchObject({ action: 'refresh', actor: caller.userId });
    expect((await r.followUp?.())?.text).toBe(`collected 3 logs for ${caller.userId}`);
    fail = true;
    const again = await refreshCommands.refresh(ctx, cmd('refresh', 'refresh'), caller, noUpload);
    expect((await again.followUp?.())?.text).toBe('Collection failed: Rapid7 refused the API key');
  });

  it('without a Rapid7 key in this process nothing is collected or audited', async () => {
    const ctx = world();
    const r = await refreshCommands.refresh(ctx, cmd('refresh', 'refresh'), caller, noUpload);
    expect(r.message.text).toBe('Collection is not available in this process.');
    expect(r.followUp).toBeUndefined();
    expect(listAudit(ctx.db, { limit: 5 })).toEqual([]);
  });
});

describe('status', () => {
  it('reports the coverage and the next run, and whether the app is in the channels it posts to', async () => {
    const next = new Date('2026-03-12T06:00:00.000Z');
    const ctx = world({
      features: { nextRun: () => next },
      checkMembership: async (channels) => channels.map((channel) => ({ channel, state: 'not-member' as const })),
    });
    const r = await statusCommands.status(ctx, cmd('status', 'status'), caller, noUpload);
    expect(r.message.text).toMatch(/next run 2026-03-12 06:00/);
    expect(r.message.text).toContain('data 2026-01-10 … 2026-03-10 (60 days, 3 logs); 0 open alerts.');
    expect(allText(r.message)).toContain('C0ALERTS1');
  });

  it('a next-run hook that throws still answers, with no next run', async () => {
    const ctx = world({
      features: {
        nextRun: () => {
          throw new Error('schedule broken');
        },
      },
    });
    const r = await statusCommands.status(ctx, cmd('status', 'status'), caller, noUpload);
    expect(r.message.text).toContain('next run not scheduled here');
  });
});
