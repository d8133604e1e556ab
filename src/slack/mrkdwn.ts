/**
 * Pure helpers for Slack text: mrkdwn escaping, the one sanitiser of untrusted text and a text sparkline
 * (docs: ../shared/SLACK.md "Rules"). Block Kit structure and its limits are in `block-kit.ts`.
 *
 * Untrusted text — log and log-set names, what people type, error messages — goes through
 * `escapeUntrusted` (or `shownName` / `plainName` / `codeSpan`, built on it) before it is put into a
 * message: `& < >` escaped (so `<!channel>` or `<@U…>` is shown, never acted on), `* _ ~ \` :`
 * neutralised (formatting and `:shortcode:` do not render), line breaks and bidi controls removed
 * (a name cannot fake a line or reverse text). Our own text uses `escapeMrkdwn` only.
 */
/** Escapes `&`, `<`, `>` (in that order) for mrkdwn and plain_text alike. */
export function escapeMrkdwn(s: string): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Line breaks of any kind (CR, LF, VT, FF, NEL, LS, PS): in untrusted text each becomes one space. */
const LINE_BREAKS = /\r\n|[\r\n\v\f\u0085\u2028\u2029]/g;
/** Bidi embedding, override and isolate controls (U+202A–202E, U+2066–2069) and the LRM/RLM/ALM marks. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
/** Zero-width joiner: put around a formatting marker it keeps the marker from opening or closing anything. */
export const MARKUP_GUARD = '\u200d';
/**
 * Markers that can open or close formatting: `* _ ~` unless inside a word (letters or digits on both
 * sides: `RAPID7_API_KEY`, `a*b` never format in Slack), every backtick, the colons of anything shaped
 * like an emoji shortcode (`:fire:`), and the colon of `://` (so a URL in a fallback does not link).
 */
const LIVE_MARKERS = /(?<![\p{L}\p{N}])[*_~]|[*_~](?![\p{L}\p{N}])|`|:(?=[\p{L}\p{N}_+'-]+:)|:(?<=:[\p{L}\p{N}_+'-]+:)|:(?=\/\/)/gu;

/** Text without bidi controls (line breaks kept): what a plain-text fallback may carry. */
export function stripBidiControls(s: string): string {
  return String(s).replace(BIDI_CONTROLS, '');
}

/** Untrusted text on one line, without bidi controls (not escaped). */
export function flattenText(s: string): string {
  return stripBidiControls(String(s).replace(LINE_BREAKS, ' '));
}

/**
 * Untrusted text with a zero-width joiner on both sides of every marker that could format (not
 * escaped): no bold, italic, strike, code or emoji shortcode renders from it, and `://` does not
 * link. Invisible when shown; words such as `RAPID7_API_KEY` or `08:00` are left as they are, so
 * they can be copied.
 */
export function neutraliseMarkup(s: string): string {
  return String(s).replace(LIVE_MARKERS, `${MARKUP_GUARD}$&${MARKUP_GUARD}`);
}

/**
 * THE sanitiser of untrusted text (names, user text, error messages) for mrkdwn: one line, no bidi
 * controls, no live formatting, `& < >` escaped. Safe anywhere in a mrkdwn text except in a code span
 * (use `codeSpan`).
 */
export function escapeUntrusted(s: string): string {
  return escapeMrkdwn(neutraliseMarkup(flattenText(s)));
}

/** Removes the guards `neutraliseMarkup` put around markers: text copied from a message back into a command. */
export function stripMarkupGuards(s: string): string {
  return String(s).replace(/\u200d(?=[*_~`:])|(?<=[*_~`:])\u200d/g, '');
}

/**
 * Untrusted text as an inline code span: one line, no bidi controls, escaped, a backtick shown as `ˋ`
 * (it would end the span), `://` guarded (no link), at most `max` characters of the original.
 */
export function codeSpan(s: string, max = 200): string {
  const inert = ellipsize(flattenText(s), max).replace(/`/g, 'ˋ').replace(/:\/\//g, `:${MARKUP_GUARD}//`);
  return `\`${escapeMrkdwn(inert) || ' '}\``;
}

/** Cuts raw text to at most `max` characters (code points), ending in `…` when cut. */
export function ellipsize(s: string, max: number): string {
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  return max <= 1 ? '…'.slice(0, Math.max(0, max)) : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Cuts escaped text to at most `max` UTF-16 code units (what `.length` and the message budget count,
 * the stricter way of counting Slack's limits: an emoji is 2), ending in `…` when cut, without
 * splitting an entity (`&amp;` …) or a surrogate pair, so the result is still valid escaped text, and
 * without ending in a formatting marker or a guard of `neutraliseMarkup`.
 */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  let end = max - 1;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  let body = s.slice(0, end);
  const amp = body.lastIndexOf('&');
  if (amp >= 0 && !body.slice(amp).includes(';') && body.length - amp < 6) body = body.slice(0, amp);
  // A marker cut off from its guard (or a lone guard) is dropped: the cut never leaves a live marker.
  return `${body.replace(/[\u200d*_~`:]+$/, '')}…`;
}

/** A name for mrkdwn, shortened for lists: at most `max` characters shown of the original name, sanitised. */
export function shownName(name: string, max = 80): string {
  return escapeUntrusted(ellipsize(flattenText(name), max));
}

/**
 * A name for a plain-text fallback that is escaped as a whole afterwards (`escapeMrkdwn(text)`):
 * shortened to `max` characters, one line, no bidi controls, no live formatting — not escaped.
 */
export function plainName(name: string, max = 80): string {
  return neutraliseMarkup(ellipsize(flattenText(name), max));
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/** Shown for a day with no data (never observed): a gap, never drawn as zero. */
export const SPARK_GAP = '·';

/**
 * A text sparkline, one character per value (e.g. 30 days → 30 characters), scaled from the smallest
 * to the largest finite value; NaN (and other non-finite values) show as `·`. A flat series shows
 * mid-height bars (or the lowest bar when it is all zeros).
 */
export function sparkline(values: ArrayLike<number>): string {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) out += SPARK_GAP;
    else if (max === min) out += max === 0 ? BARS[0] : BARS[3];
    else out += BARS[Math.min(BARS.length - 1, Math.floor(((v - min) / (max - min)) * BARS.length))];
  }
  return out;
}
