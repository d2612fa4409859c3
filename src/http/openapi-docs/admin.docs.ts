import { sample } from './samples.js';
import type { DocsTable } from './types.js';

const organisation = { id: 'org_01JD8X3Q2M', name: 'Acme Rides', isDefault: false, disabled: false, createdAt: sample.createdAt };
const endpoint = {
  id: 'we_01JD8X5K7T',
  url: 'https://app.example/hooks/paybridge',
  events: ['payment.succeeded', 'payment.failed'],
  description: 'orders',
  enabled: true,
  disabledReason: null,
  failingSince: null,
  createdAt: sample.createdAt,
  updatedAt: sample.createdAt,
};
const withSecret = { ...endpoint, secret: 'whsec_5f0c3e8a9b1d4c7e2f6a8b0c1d3e5f7a9b1c3d5e7f9a1b3c' };
const attempt = {
  id: 'wa_01JD8X6N2P',
  eventId: 'evt_01JD8X6M9Q',
  eventType: 'payment.succeeded',
  attempt: 2,
  status: 'succeeded',
  responseStatus: 200,
  error: null,
  durationMs: 84,
  createdAt: sample.createdAt,
  nextAttemptAt: null,
};

/** The operator API and the organisation's webhook endpoints. */
export const adminDocs: DocsTable = {
  'POST /operator/organisations': {
    request: { example: { name: 'Acme Rides' } },
    responses: { 201: { description: 'The organisation and its first API key (shown only now; keep it)', example: { id: organisation.id, name: organisation.name, apiKey: 'pbk_Xk2v9QeJr7c1mN4tLw8sZ0aYbH6dF3gP' } } },
  },
  'GET /operator/organisations': { responses: { 200: { description: 'Every organisation, the disabled ones too', example: [organisation] } } },
  'PATCH /operator/organisations/{id}': {
    request: { example: { name: 'Acme Rides EU' } },
    responses: { 200: { description: 'The organisation as it is now (`disabled: false` re-enables it)', example: { ...organisation, name: 'Acme Rides EU' } } },
  },
  'DELETE /operator/organisations/{id}': {
    responses: { 200: { description: 'Disabled: its keys and tokens stop working; nothing is deleted', example: { ...organisation, disabled: true } } },
  },
  'DELETE /operator/organisations/{id}/identity-provider': {
    responses: { 204: { description: 'The organisation trusts no identity provider any more; another organisation may now claim its issuer and audience' } },
  },
  'GET /admin/transactable-systems/{systemId}/link-secret': {
    responses: { 200: { description: "The secret the system signs its callbacks with: signature = hex HMAC-SHA256(secret, state + '.' + outcome)", example: { systemId: 'citi_bike', secret: 'lks_8d1f0b7e3a5c9e2d4f6a8b0c2e4f6a8b' } } },
  },
  'POST /admin/webhook-endpoints': {
    request: { example: { url: endpoint.url, events: endpoint.events, description: endpoint.description } },
    responses: { 201: { description: 'The endpoint with its signing secret (shown only here)', example: withSecret } },
  },
  'GET /admin/webhook-endpoints': { responses: { 200: { description: "The organisation's endpoints", example: [endpoint] } } },
  'GET /admin/webhook-endpoints/{id}': { responses: { 200: { description: 'The endpoint; `enabled: false` with `disabledReason` once disabled', example: endpoint } } },
  'PATCH /admin/webhook-endpoints/{id}': {
    request: { example: { events: ['*'], enabled: true } },
    responses: { 200: { description: 'The endpoint as it is now', example: { ...endpoint, events: ['*'] } } },
  },
  'DELETE /admin/webhook-endpoints/{id}': { responses: { 204: { description: 'The endpoint and its pending deliveries are gone' } } },
  'POST /admin/webhook-endpoints/{id}/rotate-secret': {
    responses: { 200: { description: 'A new secret (shown only here); the old one keeps signing too for 24 hours', example: withSecret } },
  },
  'GET /admin/webhook-endpoints/{id}/deliveries': { responses: { 200: { description: 'Delivery attempts, newest first (Link header for the next page)', example: [attempt] } } },
  'POST /admin/webhook-endpoints/{id}/deliveries/{deliveryId}/retry': {
    responses: { 201: { description: 'The delivery was sent again now: the new attempt', example: { ...attempt, attempt: 3 } } },
  },
};
