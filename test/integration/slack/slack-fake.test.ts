/** The fake Slack Web API answers the real @slack/web-api client the way Slack does. */
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CALL_ONCE, type FakeSlack, slackSignature, slashCommandBody, startFakeSlack } from '../../support/fake-slack.js';

let fake: FakeSlack;
let client: InstanceType<typeof webApi.WebClient>;

beforeAll(async () => {
  fake = await startFakeSlack({ token: 'xoxb-test' });
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, ...CALL_ONCE, rejectRateLimitedCalls: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('fake Slack Web API', () => {
  it('posts, updates and returns history with metadata only when asked', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }];
    const posted = await client.chat.postMessage({
      channel: 'C1',
      text: 'fallback',
      blocks,
      metadata: { event_type: 'logusage_alert', event_payload: { alertId: 7 } },
    });
    expect(posted.ok).toBe(true);
    expect(posted.ts).toMatch(/^\d+\.\d{6}$/);
    const second = await client.chat.postMessage({ channel: 'C1', text: 'two' });
    expect(second.ts).not.toBe(posted.ts);

    const call = fake.callsTo('chat.postMessage')[0];
    expect(call?.body.blocks).toEqual(blocks);
    expect(call?.headers.authorization).toBe('Bearer xoxb-test');
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');

    await client.chat.update({ channel: 'C1', ts: posted.ts as string, text: 'changed', blocks: [] });
    expect(fake.message('C1', posted.ts as string)?.text).toBe('changed');
    expect(fake.message('C1', posted.ts as string)?.updates).toBe(1);

    const withMeta = await client.conversations.history({ channel: 'C1', limit: 10, include_all_metadata: true });
    expect(withMeta.messages?.map((m) => m.ts)).toEqual([second.ts, posted.ts]);
    expect(withMeta.messages?.[1]?.metadata?.event_payload).toEqual({ alertId: 7 });
    const noMeta = await client.conversations.history({ channel: 'C1', limit: 1 });
    expect(noMeta.messages).toHaveLength(1);
    expect(noMeta.messages?.[0]?.metadata).toBeUndefined();

    await expect(client.chat.update({ channel: 'C1', ts: '1.000000', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
  });

  it('keeps thread replies out of history', async () => {
    const parent = await client.chat.postMessage({ channel: 'C2', text: 'parent' });
    await client.chat.postMessage({ channel: 'C2', text: 'reply', thread_ts: parent.ts as string });
    const h = await client.conversations.history({ channel: 'C2' });
    expect(h.messages).toHaveLength(1);
    const r = await client.conversations.replies({ channel: 'C2', ts: parent.ts as string });
    expect(r.messages?.map((m) => m.text)).toEqual(['parent', 'reply']);
  });

  it('uploads a file with files.uploadV2 (URL on itself, upload, complete)', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
    await client.filesUploadV2({ channel_id: 'C3', file: png, filename: 'chart.png', title: 'Chart' });
    expect(fake.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(fake.callsTo('upload')).toHaveLength(1);
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
    expect(fake.files).toHaveLength(1);
    expect(fake.files[0]?.bytes?.equals(png)).toBe(true);
    expect(fake.files[0]?.channel).toBe('C3');
    expect(fake.files[0]?.title).toBe('Chart');
  });

  it('injects 429 with Retry-After, HTTP 500 and ok:false', async () => {
    fake.fail('chat.postMessage', { kind: 'ratelimit', retryAfter: 7 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 7,
    });
    fake.fail('chat.postMessage', { kind: 'http', status: 500 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_http_error',
      statusCode: 500,
    });
    fake.fail('chat.postMessage', { kind: 'error', error: 'channel_not_found' }, 2);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    const ok = await client.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(ok.ok).toBe(true);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.fault)).toHaveLength(4);
    expect(fake.messages).toHaveLength(1);
  });

  it('refuses a wrong token and unknown methods', async () => {
    const other = new webApi.WebClient('xoxb-wrong', { slackApiUrl: fake.apiUrl, ...CALL_ONCE });
    await expect(other.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(client.apiCall('no.such')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    expect((await client.auth.test()).user_id).toBe('UBOT0001');
  });

  it('records response_url posts', async () => {
    const url = fake.responseUrl('abc');
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi' }) });
    expect(res.status).toBe(200);
    expect(fake.responses('abc')).toEqual([{ text: 'hi' }]);
    fake.fail('response_url', { kind: 'http', status: 404 });
    const bad = await fetch(url, { method: 'POST', body: '{}' });
    expect(bad.status).toBe(404);
  });

  it("signs like Slack (the example from Slack's request-verification docs)", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
    expect(slashCommandBody({ text: 'top 5', response_url: 'http://x' })).toContain('command=%2Flogusage&text=top%205');
  });
});
