/**
 * Through the real Bolt app: a name that repeats lists its candidates with their log sets, a name as shown
 * ("Endpoint Agents · Virus Alert") names one log, and a menu of a grouped message acts on the chosen log
 * (SPEC §4, §7, §9).
 */
import { describe, expect, it } from 'vitest';
import { applyAlertDay } from '../../../src/alerts/runner.js';
import type { Finding } from '../../../src/detect/types.js';
import { createSilentLogger } from '../../../src/logger.js';
import { ACTION_IDS } from '../../../src/slack/action-ids.js';
import { getSnooze } from '../../../src/store/controls.js';
import { listOutbox } from '../../../src/store/outbox.js';
import { blockActionsPayload, postSigned } from '../../support/fake-slack.js';
import { ADMIN, blockText, LAST_DAY, NOW, SECRET, USER, useHarness } from '../../support/slack-harness.js';

const SETS = ['Virus Alert', 'Asset Authentication', 'Host To IP Observations'];
const LOGS = [
  ...SETS.map((s, i) => ({ id: `ea-${i}`, name: 'Endpoint Agents', logsets: [s], base: (2 + i) * 1e9 })),
  ...Array.from({ length: 6 }, (_, i) => ({ id: `app-${i}`, name: `app-${i}`, logsets: ['Apps'], base: 1e9 })),
];

const h = useHarness(LOGS);

describe('names that repeat', () => {
  it('an ambiguous name lists the candidates with their log sets; the shown name picks one', async () => {
    const amb = await h.ask('log "Endpoint Agents"', { user: USER });
    const t = blockText(amb.blocks);
    expect(t).toContain('matches 3 names');
    for (const s of SETS) expect(t).toContain(`Endpoint Agents · ${s}`);
    const one = await h.ask('log "Endpoint Agents · Asset Authentication"', { user: USER });
    expect(blockText(one.blocks)).toContain('*Endpoint Agents · Asset Authentication*');
    expect(blockText(one.blocks)).toContain('ea-1');
  });

  it('a menu of a grouped message snoozes the chosen log', async () => {
    const spike = (id: string, name: string): Finding => ({
      day: LAST_DAY,
      kind: 'spike',
      scope: 'log',
      logId: id,
      logName: name,
      logsets: ['Apps'],
      value: 5e9,
      expected: 1e9,
      low: 0.8e9,
      high: 1.3e9,
      score: 4,
      reason: `${name} sent 5 GB.`,
      changeBytes: 4e9,
      changePct: 400,
    });
    applyAlertDay(
      { db: h.db, logger: createSilentLogger(), now: NOW, alertChannel: 'C0ALERTS1', resolveAfterDays: 2 },
      LAST_DAY,
      LOGS.slice(3).map((l) => spike(l.id, l.name)),
    );
    const group = listOutbox(h.db).find((r) => r.idemKey === 'group:1:post')!;
    const menus = (group.payload.blocks as Array<{ type: string; block_id?: string; elements?: Array<Record<string, unknown>> }>).find(
      (b) => b.type === 'actions',
    )!;
    const snooze = menus.elements!.find((e) => e.action_id === ACTION_IDS.snoozeDay) as {
      options: Array<{ value: string; text: { text: string } }>;
    };
    const chosen = snooze.options.find((o) => o.text.text.includes('app-4'))!;
    expect(chosen.value.length).toBeLessThanOrEqual(150);
    const payload = blockActionsPayload({
      actionId: ACTION_IDS.snoozeDay,
      value: '',
      userId: ADMIN,
      channelId: 'C0ALERTS1',
      messageTs: '1700000000.000100',
      message: { text: group.payload.text, blocks: group.payload.blocks as unknown[] },
      responseUrl: h.fake.responseUrl('menu1'),
      blockId: menus.block_id!,
    });
    payload.actions = [
      {
        type: 'static_select',
        action_id: ACTION_IDS.snoozeDay,
        block_id: menus.block_id,
        selected_option: { text: { type: 'plain_text', text: chosen.text.text }, value: chosen.value },
        placeholder: { type: 'plain_text', text: 'Snooze 1 day…' },
        action_ts: '1700000001.000100',
      },
    ];
    const res = await postSigned(h.url, SECRET, `payload=${encodeURIComponent(JSON.stringify(payload))}`);
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => getSnooze(h.db, 'app-4') !== undefined, 10_000);
    expect(getSnooze(h.db, 'app-4')?.until).toBe(new Date(NOW.getTime() + 86_400_000).toISOString());
    expect(getSnooze(h.db, 'app-3')).toBeUndefined();
  });
});
