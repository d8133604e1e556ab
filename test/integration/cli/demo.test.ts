/** `logusage demo` runs the real path with no credentials and prints every kind of message. */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestCli } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

describe('logusage demo', () => {
  it('exits 0 and prints alerts, updates, a resolution, a new normal, a silent and a new log, budget, a failure and the digest', async () => {
    const dir = tempDir();
    const cli = createTestCli({ env: {}, now: new Date('2026-11-26T09:00:00Z') });
    const code = await cli.run('demo', '--db', `${dir}/demo.db`);
    const out = cli.out();
    expect(cli.err()).toBe('');
    expect(code).toBe(0);

    expect(out).toContain('A simulated Rapid7 Log Search account on http://127.0.0.1:');
    expect(out).toContain('48 logs in 7 log sets, 60 days of usage (2026-09-27 … 2026-11-25)');
    expect(out).toMatch(/History: collected 46 days for 47 logs/);
    expect(out.match(/━━ daily run of /g)).toHaveLength(14);
    // An episode: posted once, updated on later days, resolved with a reply in its thread.
    expect(out).toMatch(/┌ new message\n│ 📈 Spike — nginx-access-eu/);
    // Day 2 of the spike: its money so far, and the cause Log Search told on day 1 kept on the message.
    expect(out).toMatch(
      /┌ ✎ message updated\n│ 📈 Spike — nginx-access-eu\n.*\+\$\d+ so far, 2 days\)\n│ 🔍 \d+ % of the extra .* came from nginx-eu-03 .*\n.*\n.*\n│ {3}Change: .*Day: .*\(day 2\)/,
    );
    expect(out).toMatch(/┌ ✎ message updated\n│ ✅ Resolved — nginx-access-eu \(was: spike\)/);
    expect(out).toMatch(/ {2}↳ reply in the thread\n {4}✅ Back to normal: nginx-access-eu has been within its usual range for 2 days/);
    // A lasting change becomes the new normal, once.
    expect(out.match(/↳ reply in the thread\n {4}🔄 New normal — k8s-audit/g)).toHaveLength(1);
    // A log going silent alerts once, then its message is updated.
    expect(out.match(/┌ new message\n│ 🔇 Silent — ad-dc-03/g)).toHaveLength(1);
    expect(out).toMatch(/│ 🔇 Silent — ad-dc-03\n│ ad-dc-03 sent no data on .* \(no data for 2 days in a row\)/);
    expect(out).toMatch(/┌ new message\n│ 🆕 New log — payments-api in Web/);
    // No floods (SPEC §7): the declared holiday is one notice, never one message per log that dipped.
    expect(out.match(/┌ new message\n│ 🌴 Holiday — \d+ of \d+ logs sent less on .*, a holiday\./g)).toHaveLength(1);
    expect(out).not.toMatch(/┌ new message\n│ 📉 Drop — /);
    // The collector outage is one message of its log set, updated in place, then resolved.
    expect(out.match(/┌ new message\n│ 🚨 Log set silent — Linux servers\n│ 6 of 6 logs of Linux servers sent nothing/g)).toHaveLength(1);
    expect(out).toMatch(/┌ ✎ message updated\n│ 🚨 Log set silent — Linux servers/);
    expect(out).toMatch(/┌ ✎ message updated\n│ ✅ Resolved — log set Linux servers/);
    expect(out).not.toMatch(/┌ new message\n│ 🔇 Silent — linux-/);
    // Two logs named "Endpoint Agents" are told apart by their log set (SPEC §4) …
    expect(out).toMatch(/┌ new message\n│ 📈 Spike — Endpoint Agents · Windows/);
    expect(out.match(/Endpoint Agents(?! · )/g)).toBeNull();
    // … and the internal log's spike raises nothing (WATCH_INTERNAL_LOGS is off).
    expect(out).not.toContain('Web Access Log');
    expect(out.match(/💰 Budget — The month is projected to reach 80% of the budget/g)).toHaveLength(1);
    expect(out.match(/❌ The daily logusage run for .* failed\.\n│ Rapid7 refused the API key \(401 Unauthorized\)/g)).toHaveLength(1);
    expect(out).toContain('✅ Working again: the daily run for');
    expect(out).toMatch(/┌ new message\n│ 📈 Spike — aws-vpc-flow/);
    // With the demo's price, money beside bytes; the spike's host in the alert's thread (SPEC §6.6).
    expect(out).toContain('price $0.35/GB');
    expect(out).toMatch(/│ 📈 Spike — aws-vpc-flow\n│ .*\(\+[\d.]+ GB: \+\$\d+ today\)/);
    expect(out).toMatch(
      /↳ reply in the thread\n {4}🔍 Where it came from — aws-vpc-flow\n {4}\d+ % of the extra [\d.]+ GB came from vpc-batch-c/,
    );
    expect(out).toMatch(/🔍 Where it came from — nginx-access-eu\n {4}\d+ % of the extra [\d.]+ GB came from nginx-eu-03/);
    // Earlier digests as one line each, the last in full with its chart.
    expect(out.match(/^• Log usage digest for /gm)).toHaveLength(12);
    expect(out).toContain('▌LOG USAGE DIGEST — WED 2026-11-25');
    for (const part of [
      "Yesterday's total",
      'Month to date (2026-11',
      'Budget ',
      'Top 10 logs',
      'Biggest movers up',
      'Silent logs',
      'Open alerts (2)',
    ]) {
      expect(out).toContain(part);
    }
    expect(out).toContain('[ Snooze 1 day ] [ Snooze 1 week ] [ Mark as expected ] [ Mute log ]');
    const chart = /chart in the thread: .* → saved to (\S+\.png)/.exec(out)?.[1] ?? '';
    expect(readFileSync(chart).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(out).toMatch(/\d+ Slack messages, posts and updates, delivered through the durable outbox \(0 waiting, 0 dropped\)/);
    expect(out).toMatch(/Took \d+\.\d s\./);
    expect(existsSync(`${dir}/demo.db`)).toBe(true);
    const tmp = /Charts saved in (\S+)\/charts/.exec(out)?.[1] ?? '';
    expect(readdirSync(`${tmp}/charts`).length).toBe(13);
    rmSync(tmp, { recursive: true, force: true });

    cli.reset();
    expect(await cli.run('demo', '--db', `${dir}/demo.db`)).toBe(2);
    expect(cli.err()).toContain('demo.db already exists: the demo builds a new database');
  }, 60_000);
});
