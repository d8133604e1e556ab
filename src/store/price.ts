/**
 * The price in force (SPEC §2, §9 `/logusage price`): the `price_per_gb` setting set from Slack overrides
 * PRICE_PER_GB from the environment. Stored value: `{ perGb, currency }`, or null = "cleared from Slack: show no
 * money even if the environment sets a price". Changes are audited by the settings store.
 */
import type { Price } from '../money.js';
import { deleteSetting, getSetting, setSetting, type Who } from './controls.js';
import type { Db } from './db.js';

export const PRICE_KEY = 'price_per_gb';

export interface EffectivePrice {
  price: Price | undefined;
  source: 'slack' | 'env' | 'cleared' | 'none';
  updatedBy?: string | null;
  updatedAt?: string;
}

export function effectivePrice(db: Db, envPrice: Price | undefined): EffectivePrice {
  const s = getSetting<Price | null>(db, PRICE_KEY);
  if (s) {
    const v = s.value;
    return v && typeof v.perGb === 'number' && v.perGb > 0 && typeof v.currency === 'string'
      ? { price: { perGb: v.perGb, currency: v.currency }, source: 'slack', updatedBy: s.updatedBy, updatedAt: s.updatedAt }
      : { price: undefined, source: 'cleared', updatedBy: s.updatedBy, updatedAt: s.updatedAt };
  }
  return envPrice ? { price: envPrice, source: 'env' } : { price: undefined, source: 'none' };
}

/** The price to use, or undefined (no money shown). */
export function priceInForce(db: Db, envPrice: Price | undefined): Price | undefined {
  return effectivePrice(db, envPrice).price;
}

/** Sets the price (or null: cleared, no money even with PRICE_PER_GB); audited. */
export function setPrice(db: Db, price: Price | null, who: Who): void {
  setSetting(db, PRICE_KEY, price, who);
}

/** Removes the Slack setting so PRICE_PER_GB applies again; audited. */
export function resetPrice(db: Db, who: Who): boolean {
  return deleteSetting(db, PRICE_KEY, who);
}
