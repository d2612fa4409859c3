import type Stripe from 'stripe';
import { cardError, parameterMissing } from '../errors.js';
import { cardFingerprint } from '../ids.js';
import { int, str } from '../params.js';
import { CARD_OBJECT_BRAND, luhnValid, testCardByNumber, type TestCard } from '../test-cards.js';

/** What the emulator keeps of a card: never the number or CVC. */
export interface CardDetails {
  testCard: TestCard;
  last4: string;
  expMonth: number;
  expYear: number;
  fingerprint: string;
  name: string | null;
  cvcProvided: boolean;
}

export const rawCardShape = {
  number: str(30),
  exp_month: int(),
  exp_year: int(),
  cvc: str(10),
  name: str(),
  address_line1: str(), address_line2: str(), address_city: str(), address_state: str(), address_zip: str(), address_country: str(),
};

export interface RawCard {
  number?: string | null;
  exp_month?: number | null;
  exp_year?: number | null;
  cvc?: string | null;
  name?: string | null;
}

function checkExpiry(month: number, year: number, now: Date): void {
  if (month < 1 || month > 12) throw cardError({ code: 'invalid_expiry_month', message: "Your card's expiration month is invalid.", param: 'exp_month' });
  const fullYear = year < 100 ? 2000 + year : year;
  const thisYear = now.getUTCFullYear();
  if (fullYear < thisYear || fullYear > thisYear + 50) throw cardError({ code: 'invalid_expiry_year', message: "Your card's expiration year is invalid.", param: 'exp_year' });
  if (fullYear === thisYear && month < now.getUTCMonth() + 1) throw cardError({ code: 'invalid_expiry_month', message: "Your card's expiration month is invalid.", param: 'exp_month' });
}

/** Validates raw card input as Stripe's tokenizer does (402 card_error for a bad number/expiry/CVC). */
export function cardFromInput(raw: RawCard, prefix: string, nowSeconds: number): CardDetails {
  if (!raw.number) throw parameterMissing(`${prefix}[number]`);
  if (raw.exp_month == null) throw parameterMissing(`${prefix}[exp_month]`);
  if (raw.exp_year == null) throw parameterMissing(`${prefix}[exp_year]`);
  const num = raw.number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(num) || !luhnValid(num)) {
    throw cardError({ code: 'incorrect_number', message: 'Your card number is incorrect.', param: 'number' });
  }
  checkExpiry(raw.exp_month, raw.exp_year, new Date(nowSeconds * 1000));
  if (raw.cvc != null && !/^\d{3,4}$/.test(raw.cvc)) {
    throw cardError({ code: 'invalid_cvc', message: "Your card's security code is invalid.", param: 'cvc' });
  }
  const testCard = testCardByNumber(num);
  if (!testCard) {
    throw cardError({
      code: 'card_declined', declineCode: 'test_mode_live_card',
      message: 'Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.',
    });
  }
  const expYear = raw.exp_year < 100 ? 2000 + raw.exp_year : raw.exp_year;
  return {
    testCard, last4: num.slice(-4), expMonth: raw.exp_month, expYear, fingerprint: cardFingerprint(num),
    name: raw.name ?? null, cvcProvided: raw.cvc != null,
  };
}

/** The details Stripe uses for a named test value (`tok_visa`, `pm_card_visa`). */
export function cardFromTestCard(testCard: TestCard, nowSeconds: number): CardDetails {
  return {
    testCard, last4: testCard.number.slice(-4), expMonth: 12, expYear: new Date(nowSeconds * 1000).getUTCFullYear() + 3,
    fingerprint: cardFingerprint(testCard.number), name: null, cvcProvided: true,
  };
}

export function buildCardObject(id: string, d: CardDetails, customer: string | null): Stripe.Card {
  return {
    id, object: 'card',
    address_city: null, address_country: null, address_line1: null, address_line1_check: null, address_line2: null,
    address_state: null, address_zip: null, address_zip_check: null,
    brand: CARD_OBJECT_BRAND[d.testCard.brand], country: d.testCard.country, customer,
    cvc_check: d.cvcProvided ? 'pass' : null, dynamic_last4: null,
    exp_month: d.expMonth, exp_year: d.expYear, fingerprint: d.fingerprint, funding: d.testCard.funding,
    last4: d.last4, metadata: {}, name: d.name, regulated_status: 'unregulated', tokenization_method: null,
  };
}

export function buildPaymentMethodCard(d: CardDetails): Stripe.PaymentMethod.Card {
  return {
    brand: d.testCard.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: d.cvcProvided ? 'pass' : null },
    country: d.testCard.country, display_brand: d.testCard.brand, exp_month: d.expMonth, exp_year: d.expYear,
    fingerprint: d.fingerprint, funding: d.testCard.funding, generated_from: null, last4: d.last4,
    networks: { available: [d.testCard.brand], preferred: null }, regulated_status: 'unregulated',
    three_d_secure_usage: { supported: true }, wallet: null,
  };
}

/** Card details back from a stored Card or PaymentMethod (for charges and tokens made from them). */
export function detailsFromCardObject(card: Stripe.Card | Stripe.PaymentMethod.Card, testCard: TestCard): CardDetails {
  return {
    testCard, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year,
    fingerprint: card.fingerprint ?? '', name: 'name' in card ? card.name : null, cvcProvided: true,
  };
}
