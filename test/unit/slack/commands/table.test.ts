/** The one table of subcommands: the parser, help and the handler files all agree with it. */
import { describe, expect, it } from 'vitest';
import { buildHelp } from '../../../../src/slack/blocks/help.js';
import { parseCommand } from '../../../../src/slack/command-parser.js';
import { HANDLERS, HANDLERS_OF } from '../../../../src/slack/commands/index.js';
import { CHANGING_KINDS, EXAMPLES, SUBCOMMANDS, subcommandOf, usagesOf } from '../../../../src/slack/commands/table.js';

/** An example as Slack sends it: a channel or a group picked from its suggestions arrives as a link. */
const asSent = (example: string) => example.replace(/#([a-z-]+)/, '<#C0123456789|$1>').replace(/@([a-z]+)/, '<!subteam^S0123456789|$1>');

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
        const r = parseCommand(asSent(example));
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

/** The file that handles a subcommand: its own, or its pair's for an undo word. */
const fileOf = (name: string) => (HANDLERS_OF as Record<string, object>)[name.replace(/^un(snooze|mute)$/, '$1')];

describe('the handler files', () => {
  it('handle every kind once, each in the file of the subcommand it belongs to', () => {
    const kinds = Object.values(HANDLERS_OF).flatMap((h) => Object.keys(h));
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(Object.keys(HANDLERS).sort()).toEqual([...kinds].sort());
    for (const [name, handlers] of Object.entries(HANDLERS_OF)) {
      for (const kind of Object.keys(handlers)) expect(kind.replace(/^un/, '').split('-')[0], kind).toBe(name);
    }
  });

  it("every example of the table parses to a kind its subcommand's file handles", () => {
    for (const c of SUBCOMMANDS) {
      for (const example of Object.values(c.examples)) {
        const kind = parseCommand(asSent(example)).kind;
        expect(Object.keys(fileOf(c.name) ?? {}), `${example} → ${kind}`).toContain(kind);
      }
    }
  });
});
