import type Stripe from 'stripe';
import { actorOf, type Actor } from '../context.js';
import { invalidRequest, parameterMissing, resourceMissing, tokenAlreadyUsed } from '../errors.js';
import type { FormValue } from '../form.js';
import { newId } from '../ids.js';
import { object, str, type Parser } from '../params.js';
import { route, type Route } from '../router.js';
import { testCardByKey, testCardByName } from '../test-cards.js';
import { buildCardObject, cardFromInput, cardFromTestCard, detailsFromCardObject, rawCardShape, type CardDetails } from './card-details.js';
import { requireCustomer } from './lookup.js';

type CardParam = string | ReturnType<ReturnType<typeof object<typeof rawCardShape>>>;

/** `card` is either the card's fields or (with `customer`, for Connect) a card id. */
const cardParam: Parser<CardParam | undefined> = (value: FormValue | undefined, param: string) => {
  if (typeof value === 'string') return str()(value, param) ?? undefined;
  return object(rawCardShape)(value, param) ?? undefined;
};

function insertToken(actor: Actor, details: CardDetails): Stripe.Token {
  const { store, clock } = actor.state;
  const card = buildCardObject(newId('card'), details, null);
  const token: Stripe.Token = { id: newId('tok'), object: 'token', card, client_ip: null, created: clock.now(), livemode: false, type: 'card', used: false };
  store.instruments.set(token.id, { testCard: details.testCard.key, setUp: false });
  return store.insert('token', token);
}

/** A token for a connected account, made from a platform customer's default card. */
function tokenFromCustomer(actor: Actor, customerId: string, stripeAccount: string | null): Stripe.Token {
  if (!stripeAccount) {
    throw invalidRequest('You can only use the `customer` parameter to create a token on behalf of a connected account (send a Stripe-Account header).', undefined, 'customer');
  }
  const { store } = actor.state;
  const customer = requireCustomer(store, customerId, 'customer');
  const sourceId = typeof customer.default_source === 'string' ? customer.default_source : customer.default_source?.id;
  const card = sourceId ? store.get('card', sourceId) : undefined;
  const meta = card ? store.instruments.get(card.id) : undefined;
  const testCard = meta ? testCardByKey(meta.testCard) : undefined;
  if (!card || !testCard) throw invalidRequest(`The customer ${customerId} must have an active payment source attached.`, 'missing', 'customer');
  return insertToken(actor, detailsFromCardObject(card, testCard));
}

export interface ConsumedToken {
  details: CardDetails;
  /** The card id Stripe carries over to the source created from this token. */
  cardId: string;
}

/** Uses a token once (`tok_visa`-style test values may be reused, as on Stripe). */
export function consumeToken(actor: Actor, id: string, param: string): ConsumedToken {
  const { store, clock } = actor.state;
  const named = testCardByName(id, 'tok_');
  if (named) return { details: cardFromTestCard(named, clock.now()), cardId: newId('card') };
  const token = store.get('token', id);
  if (!token) throw resourceMissing('token', id, param);
  if (token.used) throw tokenAlreadyUsed(id);
  const meta = store.instruments.get(id);
  const testCard = meta ? testCardByKey(meta.testCard) : undefined;
  if (!token.card || !testCard) throw invalidRequest(`The token ${id} does not hold a card.`, undefined, param);
  token.used = true;
  return { details: detailsFromCardObject(token.card, testCard), cardId: token.card.id };
}

export const tokenRoutes: Route[] = [
  route('POST', '/v1/tokens', { card: cardParam, customer: str() }, (ctx, input) => {
    const actor = actorOf(ctx);
    if (input.customer) return tokenFromCustomer(actor, input.customer, ctx.stripeAccount);
    if (!input.card) throw parameterMissing('card');
    if (typeof input.card === 'string') throw invalidRequest('A card id can only be tokenized together with `customer`.', undefined, 'card');
    return insertToken(actor, cardFromInput(input.card, 'card', ctx.state.clock.now()));
  }),
  route('GET', '/v1/tokens/:id', {}, (ctx, _input, [id = '']) => {
    const token = ctx.state.store.get('token', id);
    if (!token) throw resourceMissing('token', id);
    return token;
  }),
];
