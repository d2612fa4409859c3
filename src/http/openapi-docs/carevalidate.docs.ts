import { sample, shippingAddress } from './samples.js';
import type { DocsTable } from './types.js';

const cvUser = {
  id: sample.userId,
  email: 'john@example.com',
  firstName: 'John',
  lastName: 'Doe',
  phone: '+1 202 555 0143',
  dob: '1990-04-12',
  gender: 'male',
  shippingAddress,
  defaultPaymentMethod: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
  createdAt: sample.createdAt,
  updatedAt: sample.updatedAt,
};

/** The CareValidate-compatible API (seed 004), under /api/v1/users. */
export const careValidateDocs: DocsTable = {
  'POST /api/v1/users': {
    request: {
      examples: {
        UPDATE_PAYMENT_INFO: {
          summary: "Save a user's card (a succeeded SetupIntent), NMI token and shipping address (seed 004)",
          value: { action: 'UPDATE_PAYMENT_INFO', email: 'john@example.com', data: { stripeSetupId: sample.setupIntentId, nmiPaymentToken: '00000000-000000-000000-000000000000', shippingAddress } },
        },
        CREATE_USER: {
          summary: 'Create a user',
          value: { action: 'CREATE_USER', email: 'john@example.com', firstName: 'John', lastName: 'Doe', phone: '+1 202 555 0143', dob: '1990-04-12', gender: 'male' },
        },
        UPDATE_EMAIL: { summary: "Change a user's email (its Stripe customer follows)", value: { action: 'UPDATE_EMAIL', currentEmail: 'john@example.com', newEmail: 'john.doe@example.com' } },
      },
    },
    responses: {
      200: { description: 'UPDATE_PAYMENT_INFO or UPDATE_EMAIL succeeded', example: { status: 200, success: true, data: { code: 'PAYMENT_SETUP_UPDATED' } } },
      201: { description: 'CREATE_USER succeeded', example: { status: 201, success: true, data: { code: 'USER_CREATED', user: { ...cvUser, shippingAddress: null, defaultPaymentMethod: null, updatedAt: sample.createdAt } } } },
    },
  },
  'GET /api/v1/users': {
    responses: { 200: { description: "The organisation's users, in creation order; pass `meta.cursor` as `after` for the next page", example: { status: 200, success: true, data: [cvUser], meta: { hasMore: false, cursor: null } } } },
  },
};
