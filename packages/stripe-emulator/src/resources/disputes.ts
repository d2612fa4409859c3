import type Stripe from 'stripe';
import { actorOf, type Actor } from '../context.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { newId } from '../ids.js';
import { paginate } from '../list.js';
import { bool, createdRange, inCreatedRange, listShape, metadata, str } from '../params.js';
import { route, type Route } from '../router.js';
import { applyMetadata, idOf } from './lookup.js';

const EVIDENCE_FIELDS = [
  'access_activity_log', 'billing_address', 'cancellation_policy', 'cancellation_policy_disclosure', 'cancellation_rebuttal',
  'customer_communication', 'customer_email_address', 'customer_name', 'customer_purchase_ip', 'customer_signature',
  'duplicate_charge_documentation', 'duplicate_charge_explanation', 'duplicate_charge_id', 'product_description', 'receipt',
  'refund_policy', 'refund_policy_disclosure', 'refund_refusal_explanation', 'service_date', 'service_documentation',
  'shipping_address', 'shipping_carrier', 'shipping_date', 'shipping_documentation', 'shipping_tracking_number',
  'uncategorized_file', 'uncategorized_text',
] as const;
const RESPONSE_DAYS = 7;

function emptyEvidence(): Stripe.Dispute.Evidence {
  const evidence: Record<string, unknown> = { appeal: null, enhanced_evidence: {} };
  for (const field of EVIDENCE_FIELDS) evidence[field] = null;
  return evidence as unknown as Stripe.Dispute.Evidence;
}

/**
 * The cardholder disputes a charge (test card 4000 0000 0000 0259, `pm_card_createDispute`):
 * a `needs_response` fraud dispute, the charge `disputed`, funds withdrawn.
 */
export function openDispute(actor: Actor, charge: Stripe.Charge): Stripe.Dispute {
  const now = actor.state.clock.now();
  const dispute: Stripe.Dispute = {
    id: newId('dp'), object: 'dispute', amount: charge.amount, balance_transactions: [], charge: charge.id, created: now,
    currency: charge.currency, enhanced_eligibility_types: [], evidence: emptyEvidence(),
    evidence_details: { due_by: now + RESPONSE_DAYS * 86400, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'manual' },
    intended_submission_method: null, is_charge_refundable: false, livemode: false, metadata: {}, network_reason_code: '10.4',
    payment_intent: idOf(charge.payment_intent), payment_method_details: { card: { brand: charge.payment_method_details?.card?.brand ?? 'visa', case_type: 'chargeback', network: 'visa', network_reason_code: '10.4' }, type: 'card' },
    reason: 'fraudulent', status: 'needs_response',
  };
  actor.state.store.insert('dispute', dispute);
  charge.disputed = true;
  actor.state.emit('charge.dispute.created', dispute, actor.origin);
  actor.state.emit('charge.dispute.funds_withdrawn', dispute, actor.origin);
  return dispute;
}

export function requireDispute(actor: Actor, id: string): Stripe.Dispute {
  const d = actor.state.store.get('dispute', id);
  if (!d) throw resourceMissing('dispute', id);
  return d;
}

/** Closes a dispute as the card network decides it (control surface) or as the merchant accepts it (`close`: lost). */
export function closeDispute(actor: Actor, dispute: Stripe.Dispute, outcome: 'won' | 'lost'): Stripe.Dispute {
  if (dispute.status === 'won' || dispute.status === 'lost') {
    throw invalidRequest(`This dispute is already closed (${dispute.status}).`, undefined, 'dispute');
  }
  const before = structuredClone(dispute);
  dispute.status = outcome;
  dispute.is_charge_refundable = false;
  actor.state.emit('charge.dispute.closed', dispute, actor.origin, before);
  if (outcome === 'won') actor.state.emit('charge.dispute.funds_reinstated', dispute, actor.origin);
  return dispute;
}

export const disputeRoutes: Route[] = [
  route('GET', '/v1/disputes/:id', {}, (ctx, _input, [id = '']) => requireDispute(actorOf(ctx), id)),
  route('GET', '/v1/disputes', { ...listShape, charge: str(), payment_intent: str(), created: createdRange() }, (ctx, input) => {
    const items = ctx.state.store.list('dispute', (d) =>
      (!input.charge || d.charge === input.charge) && (!input.payment_intent || d.payment_intent === input.payment_intent)
      && inCreatedRange(d.created, input.created));
    return paginate(items, input, '/v1/disputes', 'dispute');
  }),
  route('POST', '/v1/disputes/:id', { metadata: metadata(), submit: bool() }, (ctx, input, [id = '']) => {
    const d = requireDispute(actorOf(ctx), id);
    const before = structuredClone(d);
    if (input.metadata !== undefined) d.metadata = applyMetadata(d.metadata, input.metadata);
    if (input.submit && d.status === 'needs_response') {
      d.status = 'under_review';
      d.evidence_details.submission_count += 1;
    }
    ctx.state.emit('charge.dispute.updated', d, actorOf(ctx).origin, before);
    return d;
  }),
  route('POST', '/v1/disputes/:id/close', {}, (ctx, _input, [id = '']) => closeDispute(actorOf(ctx), requireDispute(actorOf(ctx), id), 'lost')),
];
