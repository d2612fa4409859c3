import type Stripe from 'stripe';
import type { Actor } from '../context.js';
import { invalidRequest, unexpectedState } from '../errors.js';
import { newId } from '../ids.js';
import { idOf } from './lookup.js';

const CANCELABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];

function latestCharge(actor: Actor, pi: Stripe.PaymentIntent): Stripe.Charge | undefined {
  const id = idOf(pi.latest_charge);
  return id ? actor.state.store.get('charge', id) : undefined;
}

export function capturePaymentIntent(actor: Actor, pi: Stripe.PaymentIntent, amountToCapture: number | null | undefined): Stripe.PaymentIntent {
  if (pi.status !== 'requires_capture') {
    throw unexpectedState(pi, `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`);
  }
  const amount = amountToCapture ?? pi.amount_capturable;
  if (amount > pi.amount_capturable) {
    throw invalidRequest(`The amount to capture (${amount}) must be less than or equal to the amount capturable (${pi.amount_capturable}).`, 'amount_too_large', 'amount_to_capture');
  }
  const charge = latestCharge(actor, pi);
  if (charge) {
    const chargeBefore = structuredClone(charge);
    charge.captured = true;
    charge.amount_captured = amount;
    // The uncaptured remainder is released, which Stripe reports as refunded.
    charge.amount_refunded = charge.amount - amount;
    charge.balance_transaction = newId('txn');
    actor.state.emit('charge.captured', charge, actor.origin, chargeBefore);
  }
  const before = structuredClone(pi);
  pi.status = 'succeeded';
  pi.amount_received = amount;
  pi.amount_capturable = 0;
  actor.state.emit('payment_intent.succeeded', pi, actor.origin, before);
  return pi;
}

export function cancelPaymentIntent(actor: Actor, pi: Stripe.PaymentIntent, reason: string | null | undefined): Stripe.PaymentIntent {
  if (!CANCELABLE.includes(pi.status)) {
    throw unexpectedState(pi, `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`);
  }
  const charge = pi.status === 'requires_capture' ? latestCharge(actor, pi) : undefined;
  if (charge) {
    const chargeBefore = structuredClone(charge);
    charge.amount_refunded = charge.amount;
    charge.refunded = true;
    actor.state.emit('charge.refunded', charge, actor.origin, chargeBefore);
  }
  const before = structuredClone(pi);
  pi.status = 'canceled';
  pi.canceled_at = actor.state.clock.now();
  pi.cancellation_reason = reason ?? null;
  pi.next_action = null;
  pi.amount_capturable = 0;
  actor.state.store.challenges.delete(pi.id);
  actor.state.emit('payment_intent.canceled', pi, actor.origin, before);
  return pi;
}
