/**
 * Rows to records, for every store module: SQLite columns are snake_case (migrations/), records camelCase. A
 * record type names its row type as `Snake<Record>` (with the columns stored as text overridden), and `camelRow`
 * turns a row into the record with the same values; JSON columns are parsed by the caller.
 */

type SnakeKey<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${SnakeKey<Rest>}`
  : S;
type CamelKey<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelKey<T>>}` : S;

/** The row of a record: the same fields under snake_case names. */
export type Snake<T> = { [K in keyof T as K extends string ? SnakeKey<K> : never]: T[K] };
/** The record of a row: the same fields under camelCase names. */
export type Camel<R> = { [K in keyof R as K extends string ? CamelKey<K> : never]: R[K] };

const camelKeys = new Map<string, string>();
function camelKey(k: string): string {
  let c = camelKeys.get(k);
  if (c === undefined) {
    c = k.replace(/_([a-z0-9])/g, (_, x: string) => x.toUpperCase());
    camelKeys.set(k, c);
  }
  return c;
}

/** The row's fields under camelCase names (a new object; the values as they are). */
export function camelRow<R extends object>(row: R): Camel<R> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[camelKey(k)] = v;
  return out as Camel<R>;
}

/** A JSON object column (details …): the object, or null when empty, not an object, or not JSON. */
export function jsonObject(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
