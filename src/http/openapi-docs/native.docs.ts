import { citiBike, nativePayment, nativePaymentView, nativeRefund, nativeUser, sample } from './samples.js';
import type { DocsTable } from './types.js';

const grant = { description: 'Signed in: an access token (JWT) for `Authorization: Bearer`; its `sub` is your userId', example: { access_token: sample.jwt } };
const oneUser = (description: string) => ({ description, example: nativeUser });
const apiKeyView = { id: sample.apiKeyId, name: 'billing backend', prefix: 'pbk_UMsR-T…', createdAt: sample.createdAt, revokedAt: null };
const settings = { publicRegistration: true, redirectUris: ['https://partner.example/linked'], identityProvider: { issuer: 'https://idp.partner.example', audience: 'paybridge', jwks: { keys: [{ kty: 'RSA', kid: 'key-1', n: '0vx7agoebGcQSuu…', e: 'AQAB' }] } } };
const emailTaken = { code: 'EMAIL_TAKEN', message: 'A user with this email exists already', description: 'A user with this email exists already' };
const idempotencyConflict = { code: 'IDEMPOTENCY_KEY_REUSED', message: 'This cuid was used for a different payment', description: 'The cuid was used before with a different body; a retry must send the same body' };
const refunded = { ...nativePaymentView, amountRefunded: 500, refunds: [nativeRefund] };
const disputed = { ...nativePaymentView, dispute: { status: 'needs_response', amount: 2000, reason: 'fraudulent', evidenceDueBy: '2026-12-08T09:31:39.000Z' } };
const htmlPage = (title: string) => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;

/** The Customers & Payments API (seed 003) and the operator routes around it. */
export const nativeDocs: DocsTable = {
  'GET /healthz': { responses: { 200: { description: 'The process is up', example: { status: 'ok' } } } },
  'GET /readyz': {
    responses: {
      200: { description: 'The database answers; the instance can take traffic', example: { status: 'ready', database: 'pglite' } },
      503: { description: 'The database does not answer; take the instance out of rotation', example: { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'The database is not reachable', requestId: sample.requestId } },
    },
  },
  'POST /user/register': {
    request: { example: { userName: 'Alan Turing', email: 'aturing@gmail.com', password: 'correct-horse-battery-staple' } },
    responses: { 201: grant }, errors: { 409: emailTaken },
  },
  'POST /user/login': { request: { example: { email: 'aturing@gmail.com', password: 'correct-horse-battery-staple' } }, responses: { 201: grant } },
  'POST /user/logout': { responses: { 204: { description: "Every session of the caller is ended; its tokens are refused from now on" } } },
  'POST /user': {
    request: { example: { userName: 'Alan Turing', email: 'aturing@gmail.com', password: 'correct-horse-battery-staple' } },
    responses: { 201: oneUser('The user is created (an API key or an admin may create users)') }, errors: { 409: emailTaken },
  },
  'GET /user': {
    responses: {
      200: { description: 'The users the caller may see, oldest first; a `Link: <…>; rel="next"` header announces the next page', example: [nativeUser, { userId: sample.otherUserId, userName: 'Grace Hopper', email: 'ghopper@example.com' }] },
    },
  },
  'GET /user/{id}': { responses: { 200: oneUser('The user') } },
  'PATCH /user/{id}': {
    request: { example: { userName: 'Alan Turing', email: 'aturing@gmail.com', customerId: sample.customerId } },
    responses: { 200: oneUser('The user as it is now') }, errors: { 409: emailTaken },
  },
  'DELETE /user/{id}': { responses: { 200: oneUser('The user as it was; its sessions are ended') } },
  'POST /admin/api-keys': {
    request: { example: { name: 'billing backend' } },
    responses: { 201: { description: 'The new key; `key` is shown only in this answer, keep it secret', example: { ...apiKeyView, key: 'pbk_UMsR-T3yaT_Fvn3ygHRo3w3U39vHi2X9mVRcs5_r' } } },
  },
  'GET /admin/api-keys': { responses: { 200: { description: "The organisation's keys (only their prefixes)", example: [apiKeyView] } } },
  'DELETE /admin/api-keys/{id}': { responses: { 200: { description: 'The key, revoked: it is refused from now on', example: { ...apiKeyView, revokedAt: sample.updatedAt } } } },
  'POST /payment': {
    request: {
      examples: {
        automatic: { summary: 'Charged when confirmed', value: { cuid: sample.cuid, amount: 2000, currency: 'usd' } },
        manual: { summary: 'Authorised when confirmed, captured later', value: { cuid: 'cjld2cjxh0001qzrmn831i7rn', amount: 2000, currency: 'usd', captureMethod: 'manual' } },
      },
    },
    responses: {
      201: { description: 'The PaymentIntent, created once per cuid: a retry with the same cuid returns the same payment', example: { ...nativePayment, status: 'requires_payment_method', paymentMethod: '', clientSecret: `${sample.paymentIntentId}_secret_cwRcvvuY4A8S66rzMvwySqivB` } },
    },
    errors: { 409: idempotencyConflict },
  },
  'GET /payment': { responses: { 200: { description: "The caller's payments, newest first; a `Link` header announces the next page", example: [refunded, disputed] } } },
  'GET /payment/{id}': { responses: { 200: { description: 'The payment, as Stripe last reported it, with its refunds and dispute', example: refunded } } },
  'POST /payment/{id}/capture': {
    request: { example: { amount: 1500 } },
    responses: { 200: { description: 'The payment, captured: `succeeded`, with `amountReceived` (the rest of the authorisation is released)', example: { ...nativePaymentView, amountReceived: 1500 } } },
    errors: { 409: { code: 'PAYMENT_NOT_CAPTURABLE', message: 'This payment was already captured', description: 'The payment is not in requires_capture (already captured, canceled, or its authorisation expired at Stripe)' } },
  },
  'POST /payment/{id}/cancel': {
    request: { example: { reason: 'requested_by_customer' } },
    responses: { 200: { description: 'The payment, `canceled`; an authorisation is released', example: { ...nativePaymentView, status: 'canceled', amountReceived: 0 } } },
    errors: { 409: { code: 'PAYMENT_NOT_CANCELABLE', message: 'This payment succeeded and cannot be canceled; refund it instead (POST /payment/{id}/refunds)', description: 'The payment succeeded: refund it instead' } },
  },
  'POST /payment/{id}/refunds': {
    request: { example: { cuid: 'refund-order-42-1', amount: 500, reason: 'requested_by_customer' } },
    responses: { 201: { description: 'The refund, made once per cuid: a retry with the same cuid and body answers the same refund', example: nativeRefund } },
    errors: { 409: { code: 'PAYMENT_NOT_REFUNDABLE', message: 'Only a payment that succeeded can be refunded; this one is requires_payment_method', description: 'The payment has not succeeded (or the cuid was used with another body: IDEMPOTENCY_KEY_REUSED)' } },
  },
  'GET /payment/{id}/refunds': { responses: { 200: { description: "The payment's refunds, oldest first, with their current status", example: [nativeRefund, { ...nativeRefund, id: 're_3QxR8aKAXrtjbq2d0Jm2uXoP', amount: 300, status: 'failed', reason: null, failureReason: 'expired_or_canceled_card' }] } } },
  'POST /payment/confirm': {
    request: { example: { cuid: sample.cuid, paymentId: sample.paymentIntentId, paymentMethodId: sample.paymentMethodId } },
    responses: {
      201: { description: 'The payment after confirmation: `succeeded` (`requires_capture` with captureMethod manual), or `requires_action` with a `nextActionUrl` for 3-D Secure', example: nativePaymentView },
    },
    errors: { 409: idempotencyConflict },
  },
  'GET /payment/return': { responses: { 200: { description: 'The page the browser lands on after a 3-D Secure step', example: htmlPage('Payment complete') } } },
  'POST /admin/reconcile': { responses: { 200: { description: 'One reconciliation pass over unsettled payments, counted', example: { examined: 3, changed: 1, deferred: 1, cancelled: 0, completed: 1, failed: 0, stripeCalls: 3 } } } },
  'GET /admin/transactable-systems': { responses: { 200: { description: "The organisation's transactable systems (Coord face)", example: [citiBike] } } },
  'PUT /admin/transactable-systems': {
    request: { example: [citiBike] },
    responses: { 200: { description: 'The catalogue, replaced as a whole', example: [citiBike] } },
  },
  'PUT /admin/transactable-systems/{systemId}': {
    request: { example: { name: citiBike.name, linkedAccountRequired: true, linkUrl: citiBike.linkUrl, jwtClaims: [], usersApiFields: ['stripe_info.stripe_customer_id'] } },
    responses: { 200: { description: 'The system, created or replaced', example: citiBike } },
  },
  'DELETE /admin/transactable-systems/{systemId}': { responses: { 204: { description: 'The system is removed from the catalogue' } } },
  'GET /admin/settings': { responses: { 200: { description: "The organisation's partner settings", example: settings } } },
  'PATCH /admin/settings': {
    request: { example: { redirectUris: ['https://partner.example/linked'] } },
    responses: { 200: { description: 'The settings as they are now', example: settings } },
  },
  'POST /webhooks/stripe': {
    responses: {
      200: { description: 'The event is stored (or was already: `duplicate`)', example: { received: true, duplicate: false } },
      400: { description: 'The Stripe-Signature header does not verify', example: { statusCode: 400, code: 'INVALID_SIGNATURE', message: 'The Stripe signature does not verify', requestId: sample.requestId } },
    },
  },
};
