import type { Route } from '../router.js';
import { chargeRoutes } from './charges.js';
import { customerRoutes } from './customers.js';
import { disputeRoutes } from './disputes.js';
import { eventRoutes } from './event-routes.js';
import { paymentIntentRoutes } from './payment-intents.js';
import { paymentMethodRoutes } from './payment-methods.js';
import { refundRoutes } from './refunds.js';
import { searchRoutes } from './search.js';
import { setupIntentRoutes } from './setup-intents.js';
import { tokenRoutes } from './tokens.js';
import { webhookEndpointRoutes } from './webhook-endpoints.js';

export const allRoutes: Route[] = [
  ...searchRoutes, ...customerRoutes, ...tokenRoutes, ...paymentMethodRoutes, ...setupIntentRoutes, ...paymentIntentRoutes,
  ...chargeRoutes, ...refundRoutes, ...eventRoutes, ...webhookEndpointRoutes, ...disputeRoutes,
];
