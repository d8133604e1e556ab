import { describe, expect, it } from 'vitest';
import { buildHelp } from '../../../src/slack/blocks/help.js';
import { parseCommand } from '../../../src/slack/command-parser.js';
import { CHANGING_KINDS, EXAMPLES, SUBCOMMANDS, subcommandOf, usagesOf } from '../../../src/slack/commands/table.js';

describe('the one list of subcommands', () => {
  it('every name and alias is a command to the parser; anything else is not, and the error lists the names', () => {
    for (const c of SUBCOMMANDS) {
      for (const word of [c.name, ...c.aliases, c.name.toUpperCase()]) {
        const r = parseCommand(word);
        expect(r.kind === 'error' ? r.message : '', word).not.toMatch(/is not a command/);
        expect(subcommandOf(word)).toBe(c.name);
      }
    }
    const r = parseCommand('sumary');
    expect(r.kind).toBe('error');
    expect(r.kind === 'error' && r.message).toMatch(/did you mean `summary`/);
    expect(r.kind === 'error' && r.message).toContain(`Commands: ${SUBCOMMANDS.map((c) => c.name).join(', ')}`);
  });

  it('help shows every usage of the list, changes apart from reads', () => {
    const text = buildHelp({ isAdmin: false, adminsConfigured: true }).text;
    const [reads, changes] = text.split('Admins:');
    for (const u of usagesOf(false))
      expect(reads).toContain(`/logusage ${u.usage}`.replace(/[<>&]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[ch] as string));
    for (const u of usagesOf(true))
      expect(changes).toContain(
        `/logusage ${u.usage}`.replace(/[<>&]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[ch] as string),
      );
    expect(usagesOf(true).length + usagesOf(false).length).toBe(SUBCOMMANDS.reduce((n, c) => n + c.usages.length, 0));
  });

  it('every example of the table is a valid command of its own subcommand, and changes only list kinds it parses to', () => {
    for (const c of SUBCOMMANDS) {
      for (const [key, example] of Object.entries(c.examples)) {
        // As Slack sends it: a channel or group picked from its suggestions arrives as a link.
        const sent = example.replace(/#([a-z-]+)/, '<#C0123456789|$1>').replace(/@([a-z]+)/, '<!subteam^S0123456789|$1>');
        const r = parseCommand(sent);
        expect(r.kind, `${key}: ${example}`).not.toBe('error');
        expect(subcommandOf(example.split(' ')[0] as string), example).toBe(c.name);
        expect((EXAMPLES as Record<string, string>)[key]).toBe(example);
      }
    }
    const kinds = SUBCOMMANDS.flatMap((c) => ('admin' in c ? [...c.admin.kinds] : []));
    expect(new Set(kinds).size).toBe(kinds.length);
    expect([...CHANGING_KINDS].sort()).toEqual([...kinds].sort());
  });
});
