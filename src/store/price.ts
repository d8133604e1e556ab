/**
 * The price in force (SPEC §2, §9 `/logusage price`): the `price_per_gb` setting set from Slack overrides
 * PRICE_PER_GB from the environment. Stored value: `{ perGb, currency }`, or null = "cleared from Slack: show no
 * money even if the environment sets a price". Changes are audited by the settings store.
 */
import type { Price } from '../money.js';
import { deleteSetting, type OverEnv, setSetting, settingOverEnv, type Who } from './controls.js';
import type { Db } from './db.js';

export const PRICE_KEY = 'price_per_gb';

export interface EffectivePrice extends OverEnv {
  price: Price | undefined;
}

export function effectivePrice(db: Db, envPrice: Price | undefined): EffectivePrice {
  const { value, ...rest } = settingOverEnv(db, PRICE_KEY, envPrice, (stored) => {
    const v = stored as Partial<Price> | null;
    return v && typeof v.perGb === 'number' && v.perGb > 0 && typeof v.currency === 'string'
      ? { perGb: v.perGb, currency: v.currency }
      : undefined;
  });
  return { price: value, ...rest };
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
