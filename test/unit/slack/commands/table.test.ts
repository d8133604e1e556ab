/** The table and the handler files agree: each subcommand's examples run in its own file, and no kind is handled twice. */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../../src/slack/command-parser.js';
import { HANDLERS, HANDLERS_OF } from '../../../../src/slack/commands/index.js';
import { SUBCOMMANDS } from '../../../../src/slack/commands/table.js';

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
        const sent = example.replace(/#([a-z-]+)/, '<#C0123456789|$1>').replace(/@([a-z]+)/, '<!subteam^S0123456789|$1>');
        const kind = parseCommand(sent).kind;
        expect(Object.keys(fileOf(c.name) ?? {}), `${example} → ${kind}`).toContain(kind);
      }
    }
  });
});
