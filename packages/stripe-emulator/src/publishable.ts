import { invalidRequest, StripeApiError } from './errors.js';
import type { FormObject } from './form.js';
import type { Store } from './store.js';

/** What Stripe.js and the mobile SDKs do with a publishable key; everything else needs a secret key. */
const ALLOWED: Array<[string, RegExp]> = [
  ['POST', /^\/v1\/tokens$/],
  ['POST', /^\/v1\/payment_methods$/],
  ['GET', /^\/v1\/(payment_intents|setup_intents)\/[^/]+$/],
  ['POST', /^\/v1\/(payment_intents|setup_intents)\/[^/]+\/confirm$/],
];

const secretKeyRequired = (): StripeApiError =>
  new StripeApiError(401, {
    type: 'invalid_request_error',
    message: 'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.',
  });

/**
 * A publishable key may only make the calls a browser makes, and reaches an intent only with
 * its client secret (which is what the key-holder in the browser has).
 */
export function checkPublishableKey(apiKey: string, method: string, path: string, form: FormObject, store: Store): void {
  if (!apiKey.startsWith('pk_')) return;
  if (!ALLOWED.some(([m, re]) => m === method && re.test(path))) throw secretKeyRequired();
  const id = path.split('/')[3];
  if (!id) return;
  const intent = id.startsWith('seti_') ? store.get('setup_intent', id) : store.get('payment_intent', id);
  const secret = form.client_secret;
  if (typeof secret !== 'string' || secret === '') {
    throw invalidRequest('You must provide a client_secret to access this object with a publishable key.', 'parameter_missing', 'client_secret');
  }
  if (!intent || intent.client_secret !== secret) {
    throw invalidRequest(`No such ${id.startsWith('seti_') ? 'setupintent' : 'payment_intent'}: '${id}'`, 'resource_missing', 'id', 404);
  }
}
