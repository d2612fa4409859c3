import { sample } from './samples.js';
import type { DocsTable } from './types.js';

const jwtGrant = { description: "The user's JWT, for `Authorization: Bearer` on the user routes", example: { jwt_token: sample.jwt } };
const partnerUser = { email: 'rider@example.com', external_uid: 'rider-4711', name: 'Ada Rider' };
const plate = { license_plate: { text: 'ABC1234', country: 'US', subdivision: 'NY' } };
const transactionInfo = { jwt_claims: [], linked_account: true, users_api_fields: ['stripe_info.stripe_customer_id'] };
const linkQuery = 'https://partner.example/linked?system_id=CitiBike&linked_account=true&state=st-42';
const consentPage = '<!doctype html><html><head><title>Link your Citi Bike account</title></head><body><main><h1>Link your Citi Bike account</h1><form method="post"><button>Allow</button><button>Deny</button></form></main></body></html>';
const testUserOnly = { description: 'Only for test users (made by the testing routes)', code: 'TEST_USER_REQUIRED', message: 'This route is for test users only' };

/** The Coord-compatible Users API (seeds 000-002), under /v1/users. */
export const coordDocs: DocsTable = {
  'POST /v1/users/create_jwt': { request: { example: partnerUser }, responses: { 200: jwtGrant } },
  'POST /v1/users/testing/create_jwt': { request: { example: { email: 'test-rider@example.com' } }, responses: { 200: { ...jwtGrant, description: "A test user's JWT (made if missing)" } } },
  'POST /v1/users/testing/user': { request: { example: { email: 'test-rider@example.com', name: 'Test Rider' } }, responses: { 200: { ...jwtGrant, description: 'A new test user and its JWT' } } },
  'GET /v1/users/user/current': {
    responses: {
      200: {
        description: 'The user the JWT names',
        example: { email: 'rider@example.com', name: 'Ada Rider', is_test: false, vehicle: plate, stripe_info: { stripe_customer_id: sample.customerId }, transactable_systems: [{ system_id: 'CitiBike', linked_account: true }] },
      },
    },
  },
  'PUT /v1/users/user/current/vehicle': { request: { example: plate }, responses: { 200: { description: "The user's vehicle, as stored", example: plate } } },
  'POST /v1/users/user/current/update_vehicle': { request: { example: plate }, responses: { 200: { description: "The user's vehicle, as stored", example: plate } } },
  'POST /v1/users/user/current/stripe_info': {
    request: { example: { coord_targeted_token: 'tok_123' } },
    responses: {
      200: { description: "The card token is attached to the user's Stripe customer (created if missing)", example: { coord_targeted_token: 'tok_123', customer_id: 'cus_xyz' } },
      402: { description: 'The card was declined', example: { status: 402, code: 'CARD_DECLINED', message: 'Your card was declined.', request_id: sample.requestId } },
    },
  },
  'GET /v1/users/transactable_systems': {
    responses: { 200: { description: 'The systems a user can transact with, and what each requires', example: { transactable_systems: [{ system_id: 'CitiBike', name: 'Citi Bike', transaction_info: transactionInfo }] } } },
  },
  'GET /v1/users/user/current/transactable_systems': {
    responses: {
      200: {
        description: 'Each system, and whether the current user can transact with it now (and what is missing)',
        example: {
          transactable_systems: [
            { system_id: 'CitiBike', name: 'Citi Bike', transaction_info: transactionInfo, transactable: false, linked_account: false, missing: { jwt_claims: [], users_api_fields: [], linked_account: true } },
          ],
        },
      },
    },
  },
  'POST /v1/users/testing/user/current/transactable_systems': {
    request: { example: { system_id: 'CitiBike', linked_account: true } },
    responses: { 200: { description: "The test user's link, as set", example: { system_id: 'CitiBike', linked_account: true } } },
    errors: { 403: testUserOnly },
  },
  'GET /v1/users/link-account': {
    responses: {
      200: { description: 'The permission page (HTML) for a test user: Allow or Deny', example: consentPage },
      302: { description: "A real user goes on to the system's own linking page", location: 'https://citibike.example/link?state=01a230f2-7c2e-7d52-ba71-bf334b568489' },
    },
  },
  'GET /v1/users/user/current/link_account': {
    responses: {
      200: { description: 'The permission page (HTML) for a test user: Allow or Deny', example: consentPage },
      302: { description: "A real user goes on to the system's own linking page", location: 'https://citibike.example/link?state=01a230f2-7c2e-7d52-ba71-bf334b568489' },
    },
  },
  'POST /v1/users/link-account/decision': {
    request: { example: { consent: 'eyJzeXN0ZW1JZCI6IkNpdGlCaWtlIn0.c2lnbmF0dXJl', decision: 'allow' } },
    responses: { 303: { description: "The choice is recorded; the browser returns to the partner's redirect_uri", location: linkQuery } },
  },
  'GET /v1/users/link-account/callback': {
    responses: { 303: { description: "The system confirmed the link; the browser returns to the partner's redirect_uri", location: linkQuery } },
  },
};
