import type Stripe from 'stripe';
import { bool, object, oneOf, opaqueObject, str, type Parsed } from '../params.js';

/**
 * `payment_method_options[card]` of a PaymentIntent, every key the SDK sends. The emulator acts on
 * `request_three_d_secure`, `capture_method` and `setup_future_usage` (card-level values override the
 * intent's, as on Stripe) and stores and echoes the rest; the nested hashes are accepted and not acted on.
 */
export const cardOptionsShape = {
  request_three_d_secure: oneOf(['automatic', 'any', 'challenge']),
  capture_method: oneOf(['manual']),
  setup_future_usage: oneOf(['none', 'off_session', 'on_session']),
  network: oneOf(['amex', 'cartes_bancaires', 'diners', 'discover', 'eftpos_au', 'girocard', 'interac', 'jcb', 'link', 'mastercard', 'unionpay', 'unknown', 'visa']),
  request_extended_authorization: oneOf(['if_available', 'never']),
  request_incremental_authorization: oneOf(['if_available', 'never']),
  request_multicapture: oneOf(['if_available', 'never']),
  request_overcapture: oneOf(['if_available', 'never']),
  require_cvc_recollection: bool(), moto: bool(), cvc_token: str(),
  setup_credential_usage: str(), stored_credential_usage: str(),
  statement_descriptor_suffix_kana: str(22), statement_descriptor_suffix_kanji: str(17),
  installments: opaqueObject(), mandate_options: opaqueObject(), three_d_secure: opaqueObject(),
};

export const paymentMethodOptionsShape = { card: object(cardOptionsShape) };

type CardOptionsInput = Parsed<typeof cardOptionsShape>;
type CardOptions = Stripe.PaymentIntent.PaymentMethodOptions.Card;

export function defaultCardOptions(): CardOptions {
  return { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' };
}

const ECHOED = [
  'capture_method', 'setup_future_usage', 'request_extended_authorization', 'request_incremental_authorization',
  'request_multicapture', 'request_overcapture', 'require_cvc_recollection', 'statement_descriptor_suffix_kana',
  'statement_descriptor_suffix_kanji',
] as const;

/** Merges given options into the intent's (an empty value unsets one, as everywhere on Stripe). */
export function applyCardOptions(current: CardOptions | undefined, input: CardOptionsInput | null | undefined): CardOptions {
  const next: CardOptions = { ...defaultCardOptions(), ...current };
  if (!input) return next;
  const echoed = next as unknown as Record<string, unknown>;
  for (const key of ECHOED) {
    const v = input[key];
    if (v === null) delete echoed[key];
    else if (v !== undefined) echoed[key] = v;
  }
  if (input.network !== undefined) next.network = input.network;
  if (input.request_three_d_secure) next.request_three_d_secure = input.request_three_d_secure;
  return next;
}

/** The capture method that applies to a card payment: the card-level one wins. */
export function cardCaptureMethod(pi: Stripe.PaymentIntent): Stripe.PaymentIntent.CaptureMethod {
  return pi.payment_method_options?.card?.capture_method ?? pi.capture_method;
}

/** Whether a card payment saves its method: the card-level `setup_future_usage` wins (`none` turns it off). */
export function cardSetupFutureUsage(pi: Stripe.PaymentIntent): string | null {
  const card = pi.payment_method_options?.card?.setup_future_usage;
  if (card === 'none') return null;
  return card ?? pi.setup_future_usage;
}
