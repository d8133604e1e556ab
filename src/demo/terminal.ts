/**
 * Slack messages as readable terminal text (the demo, and `--dry-run` of run-daily / digest), and a
 * SlackSender that prints instead of posting (the demo delivers through the real outbox into it).
 * Pure apart from the sender's `write` and file saving, which are passed in.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlackSender } from '../slack/outbox.js';
import type { OutboxRecord } from '../store/outbox.js';

const EMOJI: Record<string, string> = {
  chart_with_upwards_trend: '📈',
  mag: '🔍',
  chart_with_downwards_trend: '📉',
  mute: '🔇',
  new: '🆕',
  rotating_light: '🚨',
  moneybag: '💰',
  white_check_mark: '✅',
  arrows_counterclockwise: '🔄',
  bar_chart: '📊',
  warning: '⚠️',
  x: '❌',
  calendar: '📅',
  grey_question: '❔',
  zzz: '💤',
  no_bell: '🔕',
  ballot_box_with_check: '☑️',
  bell: '🔔',
  palm_tree: '🌴',
};

/** mrkdwn → plain terminal text: emoji codes, bold/italic/code markers, channel links, escapes. */
export function mrkdwnToText(s: string): string {
  return s
    .replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m)
    .replace(/<#([A-Z0-9]+)(\|[^>]*)?>/g, '#$1')
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1$2')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1$2')
    .replace(/`([^`\n]*)`/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

type AnyBlock = {
  type: string;
  text?: { text?: string };
  fields?: Array<{ text?: string }>;
  elements?: Array<{ type?: string; text?: string | { text?: string }; placeholder?: { text?: string }; options?: unknown[] }>;
};

/** The blocks of a message as lines of text (the fallback `text` when there are no blocks). */
export function blocksToText(text: string, blocks: unknown[] | undefined): string[] {
  if (!blocks || blocks.length === 0) return mrkdwnToText(text).split('\n');
  const lines: string[] = [];
  for (const raw of blocks as AnyBlock[]) {
    switch (raw.type) {
      case 'header':
        lines.push(`▌${mrkdwnToText(raw.text?.text ?? '').toUpperCase()}`);
        break;
      case 'section':
        if (raw.text?.text) lines.push(...mrkdwnToText(raw.text.text).split('\n'));
        if (raw.fields) {
          const cells = raw.fields.map((f) => mrkdwnToText(f.text ?? '').replace('\n', ': '));
          for (let i = 0; i < cells.length; i += 2) lines.push(`  ${cells.slice(i, i + 2).join('   ·   ')}`);
        }
        break;
      case 'context':
        lines.push(`  ${(raw.elements ?? []).map((e) => mrkdwnToText(typeof e.text === 'string' ? e.text : '')).join('  ·  ')}`);
        break;
      case 'actions':
        lines.push(
          `  ${(raw.elements ?? [])
            .map((e) =>
              // A menu of logs (grouped messages): its placeholder and how many logs it offers.
              e.type === 'static_select'
                ? `[ ${e.placeholder?.text ?? ''} ▾ ${e.options?.length ?? 0} ]`
                : `[ ${typeof e.text === 'object' ? (e.text?.text ?? '') : ''} ]`,
            )
            .join(' ')}`,
        );
        break;
      case 'divider':
        lines.push('  ────────────────────────────────────────');
        break;
      default:
        break;
    }
  }
  return lines;
}

function indent(lines: string[], prefix: string): string {
  return lines.map((l) => (l === '' ? prefix.trimEnd() : `${prefix}${l}`)).join('\n');
}

/** One queued message as the terminal shows it (dry runs print the outbox rows they would queue). */
export function renderOutboxRecord(r: OutboxRecord): string {
  const where = `#${r.channel}`;
  switch (r.method) {
    case 'post':
      return `┌ new message in ${where}\n${indent(blocksToText(r.payload.text, r.payload.blocks), '│ ')}\n└`;
    case 'update':
      return `┌ update of an earlier message in ${where}\n${indent(blocksToText(r.payload.text, r.payload.blocks), '│ ')}\n└`;
    case 'reply':
      return `  ↳ reply in the thread (${where})\n${indent(blocksToText(r.payload.text, r.payload.blocks), '    ')}`;
    case 'upload':
      return `  ↳ file in the thread (${where}): ${r.payload.filename ?? 'file'} — ${r.payload.title ?? ''}`;
  }
}

export interface TerminalSenderOptions {
  write: (text: string) => void;
  /** Where uploaded files are saved. */
  fileDir: string;
  /** Decides how a message is shown: 'full', 'line' (its fallback text on one line) or 'hide'. */
  show?: (key: string, method: 'post' | 'update' | 'reply') => 'full' | 'line' | 'hide';
  /** Whether a saved file is announced (all are saved). */
  showFile?: (filename: string) => boolean;
}

/**
 * A SlackSender that prints every message and saves uploads to `fileDir`, so the demo runs the real
 * outbox path end to end. Message ts are counters; lookups find nothing (nothing was lost).
 */
export function createTerminalSender(o: TerminalSenderOptions): SlackSender & { saved: string[] } {
  let n = 0;
  const saved: string[] = [];
  const byTs = new Map<string, string>();
  const show = o.show ?? (() => 'full');
  const print = (key: string, method: 'post' | 'update' | 'reply', text: string, blocks: unknown[] | undefined) => {
    const mode = show(key, method);
    if (mode === 'hide') return;
    if (mode === 'line') {
      o.write(`${method === 'reply' ? '  ↳ ' : method === 'update' ? '✎ ' : '• '}${mrkdwnToText(text).split('\n')[0] ?? ''}\n`);
      return;
    }
    const lines = blocksToText(text, blocks);
    if (method === 'reply') o.write(`  ↳ reply in the thread\n${indent(lines, '    ')}\n`);
    else o.write(`${method === 'update' ? '┌ ✎ message updated' : '┌ new message'}\n${indent(lines, '│ ')}\n└\n`);
  };
  return {
    saved,
    async postMessage(m) {
      const ts = `${1_700_000_000 + ++n}.000100`;
      byTs.set(ts, m.metadata.event_payload.key);
      print(m.metadata.event_payload.key, m.threadTs ? 'reply' : 'post', m.text, m.blocks);
      return { ts };
    },
    async updateMessage(m) {
      print(byTs.get(m.ts) ?? m.ts, 'update', m.text, m.blocks);
    },
    async uploadFile(f) {
      const path = join(o.fileDir, f.filename);
      writeFileSync(path, f.bytes);
      saved.push(path);
      if (o.showFile?.(f.filename) ?? true) o.write(`  ↳ chart in the thread: ${f.title} → saved to ${path}\n`);
      return { fileId: `F${++n}` };
    },
    async findMessageByKey() {
      return null;
    },
    async findFile() {
      return null;
    },
  };
}
