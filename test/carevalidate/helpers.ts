import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../helpers/test-app.js';

export const USERS_URL = '/api/v1/users';

/** POST /api/v1/users as a CareValidate client sends it: JSON body, cv-api-key header (none with key null). */
export function cvPost(t: TestApp, body: unknown, key: string | null = t.apiKey): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers['cv-api-key'] = key;
  return t.inject({ method: 'POST', url: USERS_URL, headers, payload: typeof body === 'string' ? body : JSON.stringify(body) });
}

export function cvList(t: TestApp, query: Record<string, string> = {}, key: string = t.apiKey): Promise<LightMyRequestResponse> {
  return t.inject({ method: 'GET', url: USERS_URL, headers: { 'cv-api-key': key }, query });
}

/** The failure envelope of a refused request, as CareValidate documents it. */
export function invalidRequest(error: string) {
  return { status: 400, success: false, message: 'Invalid request', error };
}

export const INVALID_API_KEY = { status: 401, error: 'Invalid API key' };

export function assertAnswer(response: LightMyRequestResponse, status: number, body: unknown): void {
  assert.equal(response.statusCode, status, response.body);
  assert.deepEqual(response.json(), body);
}

export async function createCvUser(t: TestApp, email: string, profile: Record<string, string> = {}): Promise<{ id: string; email: string }> {
  const response = await cvPost(t, { action: 'CREATE_USER', email, ...profile });
  assert.equal(response.statusCode, 201, response.body);
  const user = response.json().data.user as { id: string; email: string };
  return user;
}

/** A fresh NMI-like token, registered with the log capture as a secret that must never be logged. */
export function nmiToken(t: TestApp): string {
  return t.logs.secret(`nmi_tok_${randomBytes(12).toString('hex')}`);
}

export const WHITE_HOUSE = {
  addressLine1: '1600 Pennsylvania Avenue NW',
  addressLine2: '',
  city: 'Washington',
  state: 'DC',
  country: 'US',
  postalCode: '20500',
};

/** Seed 004's example request, verbatim but for the ids and token only a live set-up can supply. */
export function paymentInfoRequest(email: string, stripeSetupId: string, nmiPaymentToken: string, shippingAddress: object = WHITE_HOUSE) {
  return { action: 'UPDATE_PAYMENT_INFO', email, data: { stripeSetupId, nmiPaymentToken, shippingAddress } };
}

/** A SetupIntent that has succeeded at the emulator, made through the SDK as a client's front end would. */
export async function succeededSetupIntent(t: TestApp, options: { customer?: string; paymentMethod?: string } = {}): Promise<string> {
  const intent = await t.stripe.setupIntents.create({
    payment_method: options.paymentMethod ?? 'pm_card_visa',
    confirm: true,
    usage: 'off_session',
    return_url: 'https://example.com/return',
    ...(options.customer ? { customer: options.customer } : {}),
  });
  assert.equal(intent.status, 'succeeded');
  return intent.id;
}

