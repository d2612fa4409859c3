import type Stripe from 'stripe';
import type { Actor } from '../context.js';
import { cardError, invalidRequest, unexpectedState } from '../errors.js';
import { newId } from '../ids.js';
import { attachPaymentMethod, challengedInstrument, checkOwnership, resolveInstrument, type Instrument } from './instruments.js';
import { idOf } from './lookup.js';
import { threeDSecureUrl } from './payment-intent-flow.js';

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

function stateMessage(action: 'confirm' | 'cancel' | 'update', si: Stripe.SetupIntent): string {
  if (action === 'confirm' && si.status === 'succeeded') return 'You cannot confirm this SetupIntent because it has already succeeded.';
  if (action === 'confirm' && si.status === 'canceled') return 'You cannot confirm this SetupIntent because it has been canceled.';
  return `You cannot ${action} this SetupIntent because it has a status of ${si.status}.`;
}

export function setupUnexpectedState(action: 'confirm' | 'cancel' | 'update', si: Stripe.SetupIntent): Error {
  return unexpectedState(si, stateMessage(action, si));
}

/** Success attaches the method to the intent's customer and marks it set up (3155-style cards then skip 3-D Secure). */
function succeed(actor: Actor, si: Stripe.SetupIntent, inst: Instrument): void {
  const before = structuredClone(si);
  const customer = idOf(si.customer);
  if (customer && inst.paymentMethod) attachPaymentMethod(actor, inst.paymentMethod, customer);
  inst.meta.setUp = true;
  si.status = 'succeeded';
  si.payment_method = inst.id;
  si.next_action = null;
  si.last_setup_error = null;
  si.latest_attempt = newId('setatt');
  actor.state.store.challenges.delete(si.id);
  actor.state.emit('setup_intent.succeeded', si, actor.origin, before);
}

function fail(actor: Actor, si: Stripe.SetupIntent, inst: Instrument, error: Stripe.SetupIntent.LastSetupError): void {
  const before = structuredClone(si);
  si.status = 'requires_payment_method';
  si.payment_method = null;
  si.next_action = null;
  si.last_setup_error = { ...error, payment_method: inst.paymentMethod ? structuredClone(inst.paymentMethod) : undefined };
  si.latest_attempt = newId('setatt');
  actor.state.store.challenges.delete(si.id);
  actor.state.emit('setup_intent.setup_failed', si, actor.origin, before);
}

function challenge(actor: Actor, si: Stripe.SetupIntent, returnUrl: string | null): void {
  const before = structuredClone(si);
  si.status = 'requires_action';
  si.next_action = { type: 'redirect_to_url', redirect_to_url: { url: threeDSecureUrl(actor, si), return_url: returnUrl } };
  actor.state.store.challenges.set(si.id, { returnUrl, offSession: false });
  actor.state.emit('setup_intent.requires_action', si, actor.origin, before);
}

export interface SetupConfirmOptions {
  paymentMethod?: string | null;
  returnUrl?: string | null;
}

export function confirmSetupIntent(actor: Actor, si: Stripe.SetupIntent, opts: SetupConfirmOptions): Stripe.SetupIntent {
  if (!CONFIRMABLE.includes(si.status)) throw setupUnexpectedState('confirm', si);
  const pmId = opts.paymentMethod ?? idOf(si.payment_method);
  if (!pmId) {
    throw unexpectedState(si, "You cannot confirm this SetupIntent because it's missing a payment method. Update the SetupIntent with a payment method and then confirm it again.");
  }
  const inst = resolveInstrument(actor, pmId, 'payment_method');
  if (!inst.paymentMethod) throw invalidRequest('SetupIntents take a PaymentMethod (pm_…), not a card source.', undefined, 'payment_method');
  checkOwnership(inst, idOf(si.customer));
  const apm = si.automatic_payment_methods;
  if (apm?.enabled && apm.allow_redirects !== 'never' && !opts.returnUrl) {
    throw invalidRequest('This SetupIntent is configured to accept payment methods enabled in your Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents. If you do want to accept redirect-based payment methods, set `return_url` when confirming the SetupIntent.', undefined, 'return_url');
  }
  si.payment_method = inst.id;
  const b = inst.testCard.behaviour;
  if (b.kind === 'decline' && b.onAttach) {
    fail(actor, si, inst, { type: 'card_error', code: b.code, decline_code: b.declineCode, message: b.message, doc_url: docUrl(b.code) });
    throw cardError({ code: b.code, declineCode: b.declineCode, message: b.message, setupIntent: structuredClone(si), paymentMethod: structuredClone(inst.paymentMethod) });
  }
  if (b.kind === 'authenticate' && (b.always || !inst.meta.setUp)) challenge(actor, si, opts.returnUrl ?? null);
  else succeed(actor, si, inst);
  return si;
}

export function completeSetupIntentChallenge(actor: Actor, si: Stripe.SetupIntent, ok: boolean): void {
  const inst = challengedInstrument(actor, si);
  if (ok) {
    succeed(actor, si, inst);
    return;
  }
  fail(actor, si, inst, {
    type: 'invalid_request_error', code: 'setup_intent_authentication_failure', doc_url: docUrl('setup_intent_authentication_failure'),
    message: 'The latest attempt to set up the payment method has failed because authentication failed.',
  });
}

export function cancelSetupIntent(actor: Actor, si: Stripe.SetupIntent, reason: string | null | undefined): Stripe.SetupIntent {
  if (!CONFIRMABLE.includes(si.status)) throw setupUnexpectedState('cancel', si);
  const before = structuredClone(si);
  si.status = 'canceled';
  si.cancellation_reason = reason ?? null;
  si.next_action = null;
  actor.state.store.challenges.delete(si.id);
  actor.state.emit('setup_intent.canceled', si, actor.origin, before);
  return si;
}
