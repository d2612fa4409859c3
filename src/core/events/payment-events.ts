import type { Database } from '../../db/client.js';
import type { PaymentRecord } from '../payments/payment.repository.js';
import { toPaymentView } from '../payments/payment.views.js';
import { createRefundRepository, type RefundChanges } from '../payments/refund.repository.js';
import type { EventType } from './event-types.js';
import { recordEvent } from './outbox.js';

type PaymentState = Pick<PaymentRecord, 'status' | 'lastErrorCode' | 'dispute'>;

// Stripe's dispute statuses that end it.
const CLOSED_DISPUTE = new Set(['won', 'lost', 'warning_closed']);
const disputeClosed = (state: PaymentState) => state.dispute !== null && CLOSED_DISPUTE.has(state.dispute.status);

const STATUS_EVENTS: Partial<Record<string, EventType>> = {
  requires_action: 'payment.requires_action',
  requires_capture: 'payment.requires_capture',
  succeeded: 'payment.succeeded',
  canceled: 'payment.canceled',
};

/**
 * What an integrator hears of one write to a payment: its creation, a new status, a failure, and
 * per refund: one payment.refunded when it is first recorded, one payment.refund_failed when its
 * money goes back to the merchant (even if the first read already shows it failed).
 */
export function paymentEventsFor(before: PaymentState, after: PaymentState, refunds: RefundChanges = { recorded: 0, voided: 0 }): EventType[] {
  const types: EventType[] = [];
  if (after.status === 'creating') return types;
  if (before.status === 'creating') types.push('payment.created');
  const statusEvent = before.status !== after.status ? STATUS_EVENTS[after.status] : undefined;
  if (statusEvent) types.push(statusEvent);
  // A declined or abandoned attempt sends the intent back to awaiting a method, with the reason.
  const failed = after.status === 'requires_payment_method' && after.lastErrorCode !== null && (before.status !== after.status || before.lastErrorCode !== after.lastErrorCode);
  if (failed) types.push('payment.failed');
  for (let i = 0; i < refunds.recorded; i++) types.push('payment.refunded');
  for (let i = 0; i < refunds.voided; i++) types.push('payment.refund_failed');
  if (before.dispute === null && after.dispute !== null) types.push('payment.dispute.created');
  if (disputeClosed(after) && !disputeClosed(before)) types.push('payment.dispute.closed');
  return types;
}

/** Announces a payment write; call it in the write's transaction, with the row as it was and as it is. */
export async function announcePaymentChange(tx: Database, before: PaymentState, after: PaymentRecord, refunds?: RefundChanges): Promise<void> {
  const types = paymentEventsFor(before, after, refunds);
  if (types.length === 0) return;
  // A payment being created has no intent yet, so no refund can exist: spare the read.
  const refundRows = before.status === 'creating' ? [] : await createRefundRepository(tx).listFor([after.id]);
  const view = toPaymentView(after, refundRows);
  for (const type of types) await recordEvent(tx, after.organisationId, type, view);
}
