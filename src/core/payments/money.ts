import { ValidationError } from '../errors.js';
import { STRIPE_CURRENCIES, THREE_DECIMAL_CURRENCIES } from './currencies.js';

// Stripe's minimum charge per currency, in minor units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
// Currencies not listed are left for Stripe to judge.
const MINIMUM_CHARGE: Record<string, number> = {
  usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, nzd: 50, sgd: 50, hkd: 400, jpy: 50,
  dkk: 250, nok: 300, sek: 300, pln: 200, czk: 1500, huf: 17500, mxn: 1000, brl: 50, inr: 50,
};
export const MAXIMUM_AMOUNT = 99_999_999;

/** Part of a payment (a capture, a refund): in three-decimal currencies Stripe takes only multiples of 10. */
export function assertPartialAmount(amount: number, currency: string): void {
  if (THREE_DECIMAL_CURRENCIES.has(currency) && amount % 10 !== 0) {
    throw new ValidationError(`Amounts in ${currency} must be multiples of 10 minor units`, [{ path: '/amount', message: `must be a multiple of 10 for ${currency}` }]);
  }
}

/** Amounts are integers in the currency's smallest unit, within what Stripe can charge. */
export function assertChargeable(amount: number, currency: string): void {
  if (!STRIPE_CURRENCIES.has(currency)) {
    throw new ValidationError(`Stripe does not take payments in ${currency}`, [{ path: '/currency', message: 'is not a currency Stripe supports' }]);
  }
  assertPartialAmount(amount, currency);
  const minimum = MINIMUM_CHARGE[currency] ?? 1;
  if (!Number.isInteger(amount) || amount < minimum || amount > MAXIMUM_AMOUNT) {
    throw new ValidationError(`The amount must be a whole number of minor units from ${minimum} to ${MAXIMUM_AMOUNT} for ${currency}`, [
      { path: '/amount', message: `must be between ${minimum} and ${MAXIMUM_AMOUNT} for ${currency}` },
    ]);
  }
}
