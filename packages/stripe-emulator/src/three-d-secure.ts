import { timingSafeEqual } from 'node:crypto';
import type Stripe from 'stripe';
import type { EmulatorState } from './context.js';
import { resourceMissing } from './errors.js';
import { completePaymentIntentChallenge } from './resources/payment-intent-flow.js';
import { completeSetupIntentChallenge } from './resources/setup-intent-flow.js';

type Intent = Stripe.PaymentIntent | Stripe.SetupIntent;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The intent whose challenge page this is, if the caller holds its client secret (from the
 * next_action URL). A challenge made before the pages were keyed (its URL has no secret) opens by
 * id, as it did then. Anything else is answered as an unknown id.
 */
export function findChallengedIntent(state: EmulatorState, id: string, clientSecret: string | null): Intent {
  const intent = findIntent(state, id);
  const pendingUrl = intent.next_action?.redirect_to_url?.url;
  const legacy = clientSecret === null && pendingUrl !== undefined && pendingUrl !== null && !pendingUrl.includes('client_secret=');
  if (legacy || (clientSecret !== null && intent.client_secret !== null && sameSecret(clientSecret, intent.client_secret))) return intent;
  throw resourceMissing(intent.object === 'setup_intent' ? 'setupintent' : 'payment_intent', id);
}

function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

function findIntent(state: EmulatorState, id: string): Intent {
  if (id.startsWith('seti_')) {
    const si = state.store.get('setup_intent', id);
    if (si) return si;
    throw resourceMissing('setupintent', id);
  }
  const pi = state.store.get('payment_intent', id);
  if (!pi) throw resourceMissing('payment_intent', id);
  return pi;
}

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1a1f36}
.box{border:1px solid #e3e8ee;border-radius:8px;padding:1.5rem}button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem;border-radius:6px;border:1px solid #635bff;cursor:pointer}
.ok{background:#635bff;color:#fff}.fail{background:#fff;color:#635bff}small{color:#697386}</style></head>
<body><div class="box">${body}</div></body></html>`;
}

export function challengePage(intent: Intent, actionPath: string): string {
  const what = intent.object === 'payment_intent'
    ? `a payment of ${(intent.amount / 100).toFixed(2)} ${escapeHtml(intent.currency.toUpperCase())}`
    : 'saving this card for future payments';
  const pending = intent.status === 'requires_action';
  const buttons = pending
    ? `<form method="post" action="${escapeHtml(actionPath)}" style="display:inline"><input type="hidden" name="action" value="complete"><button class="ok" type="submit">Complete authentication</button></form>
<form method="post" action="${escapeHtml(actionPath)}" style="display:inline"><input type="hidden" name="action" value="fail"><button class="fail" type="submit">Fail authentication</button></form>`
    : `<p>This ${intent.object === 'payment_intent' ? 'PaymentIntent' : 'SetupIntent'} has status <b>${escapeHtml(intent.status)}</b>; there is nothing to authenticate.</p>`;
  return layout('3D Secure test authentication', `<h1>3D Secure 2 test page</h1>
<p>Stripe emulator: authenticate ${what}.</p><p><small>${escapeHtml(intent.id)}</small></p>${buttons}`);
}

export function resultPage(intent: Intent): string {
  return layout('Authentication finished', `<h1>Authentication finished</h1>
<p><small>${escapeHtml(intent.id)}</small> is now <b id="status">${escapeHtml(intent.status)}</b>.</p><p>You can close this page.</p>`);
}

/** Completes or fails the challenge; returns where to send the shopper next (null: show the result page). */
export function finishChallenge(state: EmulatorState, intent: Intent, ok: boolean): string | null {
  const challenge = state.store.challenges.get(intent.id);
  const actor = { state, origin: null };
  if (intent.object === 'payment_intent') completePaymentIntentChallenge(actor, intent, ok);
  else completeSetupIntentChallenge(actor, intent, ok);
  const returnUrl = challenge?.returnUrl;
  if (!returnUrl) return null;
  const url = new URL(returnUrl);
  const kind = intent.object === 'payment_intent' ? 'payment_intent' : 'setup_intent';
  url.searchParams.set(kind, intent.id);
  if (intent.client_secret) url.searchParams.set(`${kind}_client_secret`, intent.client_secret);
  url.searchParams.set('redirect_status', ok ? 'succeeded' : 'failed');
  return url.toString();
}

export function receiptHtml(charge: Stripe.Charge): string {
  const card = charge.payment_method_details?.card;
  return layout('Receipt', `<h1>Receipt</h1><p>${(charge.amount / 100).toFixed(2)} ${escapeHtml(charge.currency.toUpperCase())}
${card ? ` paid with ${escapeHtml(card.brand ?? 'card')} ending ${escapeHtml(card.last4 ?? '')}` : ''}</p>
<p>Status: <b>${escapeHtml(charge.status)}</b>${charge.amount_refunded ? `, refunded ${(charge.amount_refunded / 100).toFixed(2)}` : ''}</p><p><small>${escapeHtml(charge.id)}</small></p>`);
}
