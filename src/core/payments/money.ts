import { ValidationError } from '../errors.js';

// Stripe's minimum charge per currency, in minor units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
// Currencies not listed are left for Stripe to judge.
const MINIMUM_CHARGE: Record<string, number> = {
  usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, nzd: 50, sgd: 50, hkd: 400, jpy: 50,
  dkk: 250, nok: 300, sek: 300, pln: 200, czk: 1500, huf: 17500, mxn: 1000, brl: 50, inr: 50,
};
export const MAXIMUM_AMOUNT = 99_999_999;

/** Amounts are integers in the currency's smallest unit, within what Stripe can charge. */
export function assertChargeable(amount: number, currency: string): void {
  const minimum = MINIMUM_CHARGE[currency] ?? 1;
  if (!Number.isInteger(amount) || amount < minimum || amount > MAXIMUM_AMOUNT) {
    throw new ValidationError(`The amount must be a whole number of minor units from ${minimum} to ${MAXIMUM_AMOUNT} for ${currency}`, [
      { path: '/amount', message: `must be between ${minimum} and ${MAXIMUM_AMOUNT} for ${currency}` },
    ]);
  }
}
