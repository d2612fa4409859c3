import { randomBytes } from 'node:crypto';
import { isAdmin, type Principal } from '../auth/principal.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import { newId } from '../ids.js';
import type { DeliveryWorker } from './delivery-worker.js';
import { checkEndpointUrl, type EndpointUrlPolicy } from './endpoint-url.js';
import { ALL_EVENTS } from './event-types.js';
import type { WebhookDeliveryRepository } from './webhook-delivery.repository.js';
import type { WebhookEndpointChanges, WebhookEndpointRepository } from './webhook-endpoint.repository.js';
import type { WebhookSender } from './webhook-sender.js';
import { toAttemptView, toEndpointView, type DeliveryAttemptView, type WebhookEndpointView } from './webhook-endpoint.views.js';

export interface WebhookEndpointServiceDeps {
  endpoints: WebhookEndpointRepository;
  deliveries: WebhookDeliveryRepository;
  worker: DeliveryWorker;
  sender: WebhookSender;
  secretBox: SecretBox;
  urlPolicy: EndpointUrlPolicy;
}

export interface EndpointInput {
  url: string;
  events?: string[] | undefined;
  description?: string | undefined;
}

export interface EndpointPatch {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

// As many as Stripe allows per account: each one multiplies every event.
const MAX_ENDPOINTS = 16;
const ROTATION_GRACE_MS = 24 * 3_600_000;

const newSecret = () => `whsec_${randomBytes(24).toString('hex')}`;

/** The organisation's webhook endpoints and their delivery log: administrators and API keys only. */
export function createWebhookEndpointService(deps: WebhookEndpointServiceDeps) {
  const { endpoints, secretBox } = deps;

  function organisationOf(principal: Principal): string {
    if (!isAdmin(principal)) throw new ForbiddenError('Only an administrator or an API key can manage webhook endpoints');
    return principal.organisationId;
  }

  async function findOwn(principal: Principal, id: string) {
    const endpoint = await endpoints.find(organisationOf(principal), id);
    if (!endpoint) throw new NotFoundError('No such webhook endpoint');
    return endpoint;
  }

  const checkUrl = (url: string) => checkEndpointUrl(url, deps.urlPolicy, (host) => deps.sender.resolve(host));
  const eventsOf = (events: string[] | undefined) => (events && events.length > 0 ? [...new Set(events)] : [ALL_EVENTS]);

  return {
    async createEndpoint(principal: Principal, input: EndpointInput): Promise<WebhookEndpointView & { secret: string }> {
      const organisationId = organisationOf(principal);
      const url = await checkUrl(input.url);
      if ((await endpoints.count(organisationId)) >= MAX_ENDPOINTS) {
        throw new ConflictError(`An organisation can have at most ${MAX_ENDPOINTS} webhook endpoints`, [{ path: '/url', message: 'one endpoint too many' }]);
      }
      const secret = newSecret();
      const row = await endpoints.insert({ id: newId(), organisationId, url, events: eventsOf(input.events), description: input.description ?? null, secret: secretBox.seal(secret) });
      return { ...toEndpointView(row), secret };
    },

    async listEndpoints(principal: Principal): Promise<WebhookEndpointView[]> {
      return (await endpoints.list(organisationOf(principal))).map(toEndpointView);
    },

    async getEndpoint(principal: Principal, id: string): Promise<WebhookEndpointView> {
      return toEndpointView(await findOwn(principal, id));
    },

    async updateEndpoint(principal: Principal, id: string, patch: EndpointPatch): Promise<WebhookEndpointView> {
      const current = await findOwn(principal, id);
      const changes: WebhookEndpointChanges = {};
      if (patch.url !== undefined) changes.url = await checkUrl(patch.url);
      if (patch.events !== undefined) changes.events = eventsOf(patch.events);
      if (patch.description !== undefined) changes.description = patch.description;
      // Enabling again starts a fresh failing streak.
      if (patch.enabled !== undefined) Object.assign(changes, patch.enabled ? { enabled: true, disabledReason: null, failingSince: null } : { enabled: false, disabledReason: 'Disabled by the organisation' });
      const row = await endpoints.update(current.organisationId, id, changes);
      if (!row) throw new NotFoundError('No such webhook endpoint');
      return toEndpointView(row);
    },

    async deleteEndpoint(principal: Principal, id: string): Promise<void> {
      if (!(await endpoints.delete(organisationOf(principal), id))) throw new NotFoundError('No such webhook endpoint');
    },

    /** A new secret signs from now on; the old one signs too (a second v1) for 24 hours. */
    async rotateSecret(principal: Principal, id: string): Promise<WebhookEndpointView & { secret: string }> {
      const current = await findOwn(principal, id);
      const secret = newSecret();
      const row = await endpoints.update(current.organisationId, id, {
        secret: secretBox.seal(secret),
        previousSecret: current.secret,
        previousSecretExpiresAt: new Date(Date.now() + ROTATION_GRACE_MS),
      });
      if (!row) throw new NotFoundError('No such webhook endpoint');
      return { ...toEndpointView(row), secret };
    },

    async listDeliveries(principal: Principal, id: string, page: { limit: number; startingAfter?: string | undefined }): Promise<DeliveryAttemptView[]> {
      const endpoint = await findOwn(principal, id);
      return (await deps.deliveries.listAttempts(endpoint.id, page)).map(toAttemptView);
    },

    /** Sends a logged delivery's event to the endpoint again, now; answers the new attempt. */
    async retryDelivery(principal: Principal, id: string, attemptId: string): Promise<DeliveryAttemptView> {
      const endpoint = await findOwn(principal, id);
      const logged = await deps.deliveries.findAttempt(endpoint.id, attemptId);
      if (!logged) throw new NotFoundError('No such delivery');
      const attempt = await deps.worker.sendNow(logged.deliveryId);
      if (!attempt) throw new ConflictError('This delivery is being sent right now; look at the log shortly', [{ path: '/params/deliveryId', message: 'is being sent' }], { headers: { 'retry-after': '10' } });
      return toAttemptView(attempt);
    },
  };
}

export type WebhookEndpointService = ReturnType<typeof createWebhookEndpointService>;
