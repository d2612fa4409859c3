import type Stripe from 'stripe';
import { API_VERSION } from '../context.js';
import { invalidRequest, parameterMissing, resourceMissing } from '../errors.js';
import { newId, newSecret } from '../ids.js';
import { paginate } from '../list.js';
import { bool, listShape, metadata, str, strArray, type Parser } from '../params.js';
import { route, type Route } from '../router.js';
import type { Store } from '../store.js';
import { applyMetadata } from './lookup.js';

const urlParam: Parser<string | null | undefined> = (value, param) => {
  const url = str(2048)(value, param);
  if (url && !/^https?:\/\//.test(url)) throw invalidRequest('Invalid URL: URL must be publicly accessible and use http or https.', 'url_invalid', param);
  if (url && !URL.canParse(url)) throw invalidRequest('Invalid URL', 'url_invalid', param);
  return url;
};

const eventsParam: Parser<string[] | null | undefined> = (value, param) => {
  const events = strArray(300)(value, param);
  for (const [i, e] of (events ?? []).entries()) {
    if (e !== '*' && !/^[a-z_]+(\.[a-z_]+)+$/.test(e)) throw invalidRequest(`Invalid ${param}[${i}]: unknown event type ${e.slice(0, 60)}`, undefined, `${param}[${i}]`);
  }
  return events;
};

function requireEndpoint(store: Store, id: string): Stripe.WebhookEndpoint {
  const we = store.get('webhook_endpoint', id);
  if (!we) throw resourceMissing('webhook_endpoint', id);
  return we;
}

export const webhookEndpointRoutes: Route[] = [
  route('POST', '/v1/webhook_endpoints', {
    url: urlParam, enabled_events: eventsParam, description: str(), metadata: metadata(), api_version: str(), connect: bool(),
  }, (ctx, input) => {
    if (!input.url) throw parameterMissing('url');
    if (!input.enabled_events || input.enabled_events.length === 0) throw parameterMissing('enabled_events');
    const secret = newSecret('whsec');
    const we: Stripe.WebhookEndpoint = {
      id: newId('we'), object: 'webhook_endpoint', api_version: input.api_version ?? API_VERSION, application: null,
      created: ctx.state.clock.now(), description: input.description ?? null, enabled_events: input.enabled_events,
      livemode: false, metadata: applyMetadata(null, input.metadata), status: 'enabled', url: input.url,
    };
    ctx.state.store.webhookSecrets.set(we.id, secret);
    ctx.state.store.insert('webhook_endpoint', we);
    // The signing secret is only ever shown in the create response, as on Stripe.
    return { ...we, secret };
  }),
  route('GET', '/v1/webhook_endpoints/:id', {}, (ctx, _input, [id = '']) => requireEndpoint(ctx.state.store, id)),
  route('POST', '/v1/webhook_endpoints/:id', {
    url: urlParam, enabled_events: eventsParam, description: str(), metadata: metadata(), disabled: bool(),
  }, (ctx, input, [id = '']) => {
    const we = requireEndpoint(ctx.state.store, id);
    if (input.url) we.url = input.url;
    if (input.enabled_events) we.enabled_events = input.enabled_events;
    if (input.description !== undefined) we.description = input.description;
    if (input.metadata !== undefined) we.metadata = applyMetadata(we.metadata, input.metadata);
    if (input.disabled != null) we.status = input.disabled ? 'disabled' : 'enabled';
    return we;
  }),
  route('DELETE', '/v1/webhook_endpoints/:id', {}, (ctx, _input, [id = '']) => {
    requireEndpoint(ctx.state.store, id);
    ctx.state.store.remove('webhook_endpoint', id);
    ctx.state.store.webhookSecrets.delete(id);
    return { id, object: 'webhook_endpoint', deleted: true };
  }),
  route('GET', '/v1/webhook_endpoints', listShape, (ctx, input) =>
    paginate(ctx.state.store.list('webhook_endpoint'), input, '/v1/webhook_endpoints', 'webhook_endpoint')),
];
