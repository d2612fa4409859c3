import { invalidRequest } from './errors.js';

/**
 * Stripe's documented minimum charge amounts (docs: Supported currencies, "Minimum and maximum
 * charge amounts"), in the smallest unit. Other currencies must convert to at least $0.50, which
 * needs exchange rates the emulator does not have: they only need a positive amount.
 */
const MINIMUM: Record<string, number> = {
  usd: 50, aed: 200, aud: 50, bgn: 100, brl: 50, cad: 50, chf: 50, czk: 1500, dkk: 250, eur: 50, gbp: 30, hkd: 400,
  huf: 17500, inr: 50, jpy: 50, mxn: 1000, myr: 200, nok: 300, nzd: 50, pln: 200, ron: 200, sek: 300, sgd: 50, thb: 1000,
};

/** The largest amount Stripe takes in one charge: eight digits ($999,999.99). */
const MAXIMUM = 99999999;

// Stripe's zero-decimal currencies (its own list: HUF and ISK, zero-decimal in ISO, are not here).
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

/** As Stripe writes an amount in its messages: `$0.50`, `¥50`, `€999,999.99`. */
export function formatAmount(amount: number, currency: string): string {
  const digits = ZERO_DECIMAL.has(currency) ? 0 : 2;
  return new Intl.NumberFormat('en-US', {
    style: 'currency', currency, currencyDisplay: 'narrowSymbol', minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(amount / 10 ** digits);
}

/** Stripe's 400s on `amount` for a charge below the currency's minimum or above the maximum. */
export function checkChargeAmount(amount: number, currency: string): void {
  const min = MINIMUM[currency] ?? 1;
  if (amount < min) throw invalidRequest(`Amount must be at least ${formatAmount(min, currency)} ${currency}`, 'amount_too_small', 'amount');
  if (amount > MAXIMUM) throw invalidRequest(`Amount must be no more than ${formatAmount(MAXIMUM, currency)}`, 'amount_too_large', 'amount');
}
