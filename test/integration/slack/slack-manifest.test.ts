/** manifest.yml: what a person pastes into "Create app from manifest" matches what the app needs. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/slack/command-parser.js';

const text = readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'manifest.yml'), 'utf8');
const active = text
  .split('\n')
  .filter((l) => !/^\s*#/.test(l))
  .map((l) => l.replace(/\s+#.*$/, ''))
  .join('\n');

describe('manifest.yml', () => {
  it('declares the bot user, /logusage with description, usage hint and escaping', () => {
    expect(active).toMatch(/bot_user:\n\s+display_name: logusage/);
    expect(active).toMatch(/- command: \/logusage\n\s+description: \S.+\n\s+usage_hint: ".+"\n\s+should_escape: true/);
  });
  it('asks for exactly the scopes the app uses', () => {
    const scopes = [...active.matchAll(/^\s+- ([a-z:.]+)$/gm)].map((m) => m[1]);
    expect(scopes.sort()).toEqual([
      'channels:history',
      'channels:read',
      'chat:write',
      'chat:write.public',
      'commands',
      'files:write',
      'groups:history',
      'groups:read',
    ]);
  });
  it('turns on interactivity and Socket Mode, and documents the HTTP request URLs', () => {
    expect(active).toMatch(/interactivity:\n\s+is_enabled: true/);
    expect(active).toMatch(/socket_mode_enabled: true/);
    expect(text).toContain('# url: https://YOUR-HOST/slack/events');
    expect(text).toContain('# request_url: https://YOUR-HOST/slack/events');
  });
  it('turns the Home tab on and subscribes to app_home_opened', () => {
    expect(active).toMatch(/app_home:\n\s+home_tab_enabled: true/);
    expect(active).toMatch(/event_subscriptions:\n\s+bot_events:\n\s+- app_home_opened/);
  });
  it('its usage hint only shows commands the parser accepts', () => {
    const hint = /usage_hint: "(.+)"/.exec(active)?.[1] ?? '';
    const examples = hint.split(' | ').map((e) => e.replace('<name|org>', 'org').replace('<name>', 'firewall'));
    expect(examples.length).toBeGreaterThan(5);
    for (const e of examples) expect(parseCommand(e).kind, e).not.toBe('error');
  });
});
