import { openDispute } from './disputes.js';
import type Stripe from 'stripe';
import type { Actor } from '../context.js';
import { cardError, invalidRequest, unexpectedState } from '../errors.js';
import { createCharge, type ChargeFailure } from './charges.js';
import { attachPaymentMethod, challengedInstrument, checkOwnership, resolveInstrument, type Instrument } from './instruments.js';
import { cardCaptureMethod, cardSetupFutureUsage } from './card-options.js';
import { idOf } from './lookup.js';

export interface ConfirmOptions {
  paymentMethod?: string | null;
  returnUrl?: string | null;
  offSession?: boolean;
  errorOnRequiresAction?: boolean;
}

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const AUTH_REQUIRED: ChargeFailure = {
  code: 'authentication_required', declineCode: 'authentication_required',
  message: 'Your card was declined. This transaction requires authentication.',
};

/** The challenge page of an intent: keyed by its client secret too, as Stripe's hosted pages are, so its id alone opens nothing. */
export function threeDSecureUrl(actor: Actor, intent: Stripe.PaymentIntent | Stripe.SetupIntent): string {
  const secret = intent.client_secret ? `?client_secret=${encodeURIComponent(intent.client_secret)}` : '';
  return `${actor.state.baseUrl}/_emulator/3ds/${intent.id}${secret}`;
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

/** Card issuer's verdict for this attempt: a failure, a 3-D Secure challenge, or approval. */
function verdict(inst: Instrument, offSession: boolean, forceChallenge: boolean): ChargeFailure | 'challenge' | 'approve' {
  const b = inst.testCard.behaviour;
  if (b.kind === 'decline') return { code: b.code, declineCode: b.declineCode, message: b.message };
  if (b.kind === 'authenticate' && (b.always || !inst.meta.setUp)) return offSession ? AUTH_REQUIRED : 'challenge';
  return forceChallenge && !offSession ? 'challenge' : 'approve';
}

function setUpForFutureUse(actor: Actor, pi: Stripe.PaymentIntent, inst: Instrument): void {
  if (!cardSetupFutureUsage(pi)) return;
  const customer = idOf(pi.customer);
  if (customer && inst.paymentMethod) attachPaymentMethod(actor, inst.paymentMethod, customer);
  inst.meta.setUp = true;
}

/** Approved (directly or after 3-D Secure): charge, then `succeeded` or `requires_capture`. */
export function approve(actor: Actor, pi: Stripe.PaymentIntent, inst: Instrument, threeDSecure: boolean): void {
  const capture = cardCaptureMethod(pi) !== 'manual';
  const charge = createCharge(actor, { pi, instrument: inst, capture, failure: null, threeDSecure });
  const before = structuredClone(pi);
  pi.latest_charge = charge.id;
  pi.payment_method = inst.id;
  pi.next_action = null;
  pi.last_payment_error = null;
  if (capture) {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
  } else {
    pi.status = 'requires_capture';
    pi.amount_capturable = pi.amount;
  }
  setUpForFutureUse(actor, pi, inst);
  if (capture && inst.testCard.afterCharge === 'dispute') openDispute(actor, charge);
  if (inst.paymentMethod && !inst.paymentMethod.customer) inst.meta.consumed = true;
  actor.state.store.challenges.delete(pi.id);
  actor.state.emit(capture ? 'payment_intent.succeeded' : 'payment_intent.amount_capturable_updated', pi, actor.origin, before);
}

/** A declined attempt: failed charge, back to `requires_payment_method`, then the 402 that embeds the intent. */
function decline(actor: Actor, pi: Stripe.PaymentIntent, inst: Instrument, failure: ChargeFailure): never {
  const charge = createCharge(actor, { pi, instrument: inst, capture: false, failure, threeDSecure: false });
  const before = structuredClone(pi);
  const pm = inst.paymentMethod ? structuredClone(inst.paymentMethod) : undefined;
  pi.status = 'requires_payment_method';
  pi.latest_charge = charge.id;
  pi.payment_method = null;
  pi.next_action = null;
  pi.last_payment_error = {
    type: 'card_error', code: failure.code, decline_code: failure.declineCode, message: failure.message,
    charge: charge.id, doc_url: docUrl(failure.code), payment_method: pm,
  };
  actor.state.emit('payment_intent.payment_failed', pi, actor.origin, before);
  throw cardError({
    code: failure.code, declineCode: failure.declineCode, message: failure.message, charge: charge.id,
    paymentIntent: structuredClone(pi), paymentMethod: pm,
  });
}

function challenge(actor: Actor, pi: Stripe.PaymentIntent, returnUrl: string | null, offSession: boolean): void {
  const before = structuredClone(pi);
  pi.status = 'requires_action';
  pi.next_action = { type: 'redirect_to_url', redirect_to_url: { url: threeDSecureUrl(actor, pi), return_url: returnUrl } };
  actor.state.store.challenges.set(pi.id, { returnUrl, offSession });
  actor.state.emit('payment_intent.requires_action', pi, actor.origin, before);
}

function checkRedirectable(pi: Stripe.PaymentIntent, opts: ConfirmOptions): void {
  const apm = pi.automatic_payment_methods;
  if (!apm?.enabled || apm.allow_redirects === 'never' || opts.returnUrl || opts.offSession) return;
  throw invalidRequest(
    'This PaymentIntent is configured to accept payment methods enabled in your Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents. If you do want to accept redirect-based payment methods, set `return_url` when confirming the PaymentIntent.',
    undefined, 'return_url');
}

export function confirmPaymentIntent(actor: Actor, pi: Stripe.PaymentIntent, opts: ConfirmOptions): Stripe.PaymentIntent {
  if (pi.status === 'succeeded') {
    throw unexpectedState(pi, 'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.');
  }
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(pi, `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.`);
  }
  const pmId = opts.paymentMethod ?? idOf(pi.payment_method);
  if (!pmId) {
    throw unexpectedState(pi, "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.");
  }
  const inst = resolveInstrument(actor, pmId, 'payment_method');
  checkOwnership(inst, idOf(pi.customer));
  checkRedirectable(pi, opts);
  pi.payment_method = inst.id;
  const offSession = opts.offSession ?? false;
  const requested = pi.payment_method_options?.card?.request_three_d_secure;
  const v = verdict(inst, offSession || (opts.errorOnRequiresAction ?? false), requested === 'any' || requested === 'challenge');
  if (v === 'approve') approve(actor, pi, inst, false);
  else if (v === 'challenge') challenge(actor, pi, opts.returnUrl ?? null, offSession);
  else decline(actor, pi, inst, v);
  return pi;
}

/** The shopper finished (or failed) the 3-D Secure page. */
export function completePaymentIntentChallenge(actor: Actor, pi: Stripe.PaymentIntent, ok: boolean): void {
  const inst = challengedInstrument(actor, pi);
  if (ok) {
    approve(actor, pi, inst, true);
    return;
  }
  const before = structuredClone(pi);
  pi.status = 'requires_payment_method';
  pi.next_action = null;
  pi.payment_method = null;
  pi.last_payment_error = {
    type: 'invalid_request_error', code: 'payment_intent_authentication_failure', doc_url: docUrl('payment_intent_authentication_failure'),
    message: 'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
    payment_method: inst.paymentMethod ? structuredClone(inst.paymentMethod) : undefined,
  };
  actor.state.store.challenges.delete(pi.id);
  actor.state.emit('payment_intent.payment_failed', pi, actor.origin, before);
}
