/**
 * Stripe's documented test cards. Only the key of a card is ever stored beside an
 * instrument; numbers live here and nowhere else.
 */
export type CardBehaviour =
  | { kind: 'succeed' }
  /** `onAttach`: the issuer check run on attach/setup already declines (all decline cards but 0341). */
  | { kind: 'decline'; code: string; declineCode: string; message: string; onAttach: boolean }
  /** `always`: 3-D Secure on every payment; otherwise only until the card is set up for future use. */
  | { kind: 'authenticate'; always: boolean };

export interface TestCard {
  key: string;
  number: string;
  brand: 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay';
  funding: 'credit' | 'debit' | 'prepaid';
  country: string;
  behaviour: CardBehaviour;
  /** What the cardholder does after a successful charge: 0259 disputes it. */
  afterCharge?: 'dispute';
  /** 5126: refunds are answered `succeeded`, then fail (`expired_or_canceled_card`), as Stripe's do asynchronously. */
  refunds?: 'fail';
}

const GENERIC = 'Your card was declined.';

function decline(code: string, declineCode: string, message: string, onAttach = true): CardBehaviour {
  return { kind: 'decline', code, declineCode, message, onAttach };
}

const CARDS: TestCard[] = [
  { key: 'visa', number: '4242424242424242', brand: 'visa', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'visa_debit', number: '4000056655665556', brand: 'visa', funding: 'debit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'mastercard', number: '5555555555554444', brand: 'mastercard', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'mastercard_debit', number: '5200828282828210', brand: 'mastercard', funding: 'debit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'amex', number: '378282246310005', brand: 'amex', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'discover', number: '6011111111111117', brand: 'discover', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' } },
  // The other numbers Stripe's testing page lists by brand (keys named as its `pm_card_*` values where it has one).
  { key: 'mastercard_2series', number: '2223003122003222', brand: 'mastercard', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'mastercard_prepaid', number: '5105105105105100', brand: 'mastercard', funding: 'prepaid', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'amex_2', number: '371449635398431', brand: 'amex', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'discover_2', number: '6011000990139424', brand: 'discover', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'discover_debit', number: '6011981111111113', brand: 'discover', funding: 'debit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'diners', number: '3056930009020004', brand: 'diners', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'diners_14', number: '36227206271667', brand: 'diners', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'jcb', number: '3566002020360505', brand: 'jcb', funding: 'credit', country: 'JP', behaviour: { kind: 'succeed' } },
  { key: 'unionpay', number: '6200000000000005', brand: 'unionpay', funding: 'credit', country: 'CN', behaviour: { kind: 'succeed' } },
  { key: 'refundFail', number: '4000000000005126', brand: 'visa', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' }, refunds: 'fail' },
  { key: 'createDispute', number: '4000000000000259', brand: 'visa', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' }, afterCharge: 'dispute' },
  { key: 'chargeDeclined', number: '4000000000000002', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('card_declined', 'generic_decline', GENERIC) },
  { key: 'chargeDeclinedInsufficientFunds', number: '4000000000009995', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('card_declined', 'insufficient_funds', 'Your card has insufficient funds.') },
  { key: 'chargeDeclinedLostCard', number: '4000000000009987', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('card_declined', 'lost_card', GENERIC) },
  { key: 'chargeDeclinedStolenCard', number: '4000000000009979', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('card_declined', 'stolen_card', GENERIC) },
  { key: 'chargeDeclinedFraudulent', number: '4100000000000019', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('card_declined', 'fraudulent', GENERIC) },
  { key: 'chargeDeclinedExpiredCard', number: '4000000000000069', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('expired_card', 'expired_card', 'Your card has expired.') },
  { key: 'chargeDeclinedIncorrectCvc', number: '4000000000000127', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect.") },
  { key: 'chargeDeclinedProcessingError', number: '4000000000000119', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('processing_error', 'processing_error', 'An error occurred while processing your card. Try again in a little bit.') },
  { key: 'chargeDeclinedVelocityLimitExceeded', number: '4000000000006975', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('card_declined', 'card_velocity_exceeded', GENERIC, false) },
  // Radar: 4954 is `highest` risk, which the default rule blocks; 9235 is `elevated`, which only reviews.
  { key: 'riskLevelHighest', number: '4000000000004954', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('card_declined', 'fraudulent', GENERIC, false) },
  { key: 'riskLevelElevated', number: '4000000000009235', brand: 'visa', funding: 'credit', country: 'US', behaviour: { kind: 'succeed' } },
  { key: 'chargeCustomerFail', number: '4000000000000341', brand: 'visa', funding: 'credit', country: 'US', behaviour: decline('card_declined', 'generic_decline', GENERIC, false) },
  { key: 'authenticationRequired', number: '4000002760003184', brand: 'visa', funding: 'credit', country: 'DE', behaviour: { kind: 'authenticate', always: true } },
  { key: 'threeDSecure2Required', number: '4000000000003220', brand: 'visa', funding: 'credit', country: 'US', behaviour: { kind: 'authenticate', always: true } },
  { key: 'threeDSecureRequired', number: '4000000000003063', brand: 'visa', funding: 'credit', country: 'US', behaviour: { kind: 'authenticate', always: true } },
  { key: 'authenticationRequiredOnSetup', number: '4000002500003155', brand: 'visa', funding: 'credit', country: 'IE', behaviour: { kind: 'authenticate', always: false } },
];

const BY_KEY = new Map(CARDS.map((c) => [c.key, c]));
const BY_NUMBER = new Map(CARDS.map((c) => [c.number, c]));
// Aliases Stripe documents under other names.
const ALIASES: Record<string, string> = {
  chargeDeclinedInsufficientFund: 'chargeDeclinedInsufficientFunds', authenticationRequiredSetupForOffSession: 'authenticationRequiredOnSetup',
  visa_chargeDeclined: 'chargeDeclined', visa_chargeDeclinedInsufficientFunds: 'chargeDeclinedInsufficientFunds',
  visa_chargeDeclinedLostCard: 'chargeDeclinedLostCard', visa_chargeDeclinedStolenCard: 'chargeDeclinedStolenCard',
  visa_chargeDeclinedVelocityLimitExceeded: 'chargeDeclinedVelocityLimitExceeded', radarBlock: 'chargeDeclinedFraudulent',
};

export function testCardByKey(key: string): TestCard | undefined {
  return BY_KEY.get(key);
}

export function testCardByNumber(num: string): TestCard | undefined {
  return BY_NUMBER.get(num);
}

/** Resolves `tok_visa`, `pm_card_visa`, `pm_card_chargeDeclined`, … ; undefined for anything else. */
export function testCardByName(name: string, prefix: 'tok_' | 'pm_card_'): TestCard | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const key = name.slice(prefix.length);
  return BY_KEY.get(Object.prototype.hasOwnProperty.call(ALIASES, key) ? (ALIASES[key] ?? key) : key);
}

export function luhnValid(num: string): boolean {
  let sum = 0;
  for (let i = 0; i < num.length; i++) {
    let d = num.charCodeAt(num.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

export const CARD_OBJECT_BRAND: Record<TestCard['brand'], string> = {
  visa: 'Visa', mastercard: 'MasterCard', amex: 'American Express', discover: 'Discover', diners: 'Diners Club', jcb: 'JCB', unionpay: 'UnionPay',
};
