import { invalidRequest, resourceMissing } from '../errors.js';
import { paginate } from '../list.js';
import { bool, createdRange, inCreatedRange, listShape, str, strArray } from '../params.js';
import { route, type Route } from '../router.js';

/** `charge.*` style wildcards, as Stripe accepts in the `type` filter. */
function typeMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export const eventRoutes: Route[] = [
  route('GET', '/v1/events/:id', {}, (ctx, _input, [id = '']) => {
    const e = ctx.state.store.get('event', id);
    if (!e) throw resourceMissing('event', id);
    return e;
  }),
  route('GET', '/v1/events', { ...listShape, type: str(), types: strArray(20), created: createdRange(), delivery_success: bool() }, (ctx, input) => {
    if (input.type && input.types) throw invalidRequest('You may only specify one of these parameters: type, types.', 'parameters_exclusive', 'type');
    const items = ctx.state.store.list('event', (e) =>
      (!input.type || typeMatches(input.type, e.type)) && (!input.types || input.types.includes(e.type))
      && inCreatedRange(e.created, input.created));
    return paginate(items, input, '/v1/events', 'event');
  }),
];
