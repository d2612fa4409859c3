import { invalidRequest } from '../errors.js';
import { int, reqStr, str } from '../params.js';
import { route, type Route } from '../router.js';
import { matchesSearch, parseSearchQuery, type SearchFields } from '../search-query.js';
import type { Collections } from '../store.js';
import type { RequestContext } from '../context.js';

const CUSTOMER_FIELDS: SearchFields = {
  created: { type: 'number', read: (c) => (c as Collections['customer']).created },
  email: { type: 'string', read: (c) => (c as Collections['customer']).email },
  metadata: { type: 'token', read: (c) => (c as Collections['customer']).metadata },
  name: { type: 'string', read: (c) => (c as Collections['customer']).name },
  phone: { type: 'string', read: (c) => (c as Collections['customer']).phone },
};

const PAYMENT_INTENT_FIELDS: SearchFields = {
  amount: { type: 'number', read: (p) => (p as Collections['payment_intent']).amount },
  created: { type: 'number', read: (p) => (p as Collections['payment_intent']).created },
  currency: { type: 'token', read: (p) => (p as Collections['payment_intent']).currency },
  customer: { type: 'token', read: (p) => (p as Collections['payment_intent']).customer },
  metadata: { type: 'token', read: (p) => (p as Collections['payment_intent']).metadata },
  status: { type: 'token', read: (p) => (p as Collections['payment_intent']).status },
};

const searchShape = { query: reqStr(), limit: int({ min: 1, max: 100 }), page: str() };

/** `next_page` is the id of the last object returned, so the next page starts after it. */
function pageCursor(page: string | null | undefined): string | null {
  if (!page) return null;
  const id = Buffer.from(page, 'base64url').toString('utf8');
  if (!/^[a-z]+_[A-Za-z0-9]+$/.test(id)) throw invalidRequest(`Invalid page: ${page.slice(0, 40)}`, undefined, 'page');
  return id;
}

interface SearchResult<T> {
  object: 'search_result';
  url: string;
  has_more: boolean;
  data: T[];
  next_page: string | null;
  total_count?: number;
}

/** Newest first, like lists; Stripe's own order is unspecified. */
function search<K extends 'customer' | 'payment_intent'>(
  ctx: RequestContext, kind: K, fields: SearchFields, resource: string,
  input: { query: string; limit?: number | null; page?: string | null; expand?: string[] | null },
): SearchResult<Collections[K]> {
  const q = parseSearchQuery(input.query, fields, resource);
  const after = pageCursor(input.page);
  const limit = input.limit ?? 10;
  const data: Array<Collections[K]> = [];
  let started = after === null;
  let total = 0;
  let hasMore = false;
  const countAll = input.expand?.includes('total_count') ?? false;
  for (const obj of ctx.state.store.list(kind, (o) => matchesSearch(q, fields, o))) {
    total++;
    if (!started) {
      started = obj.id === after;
    } else if (data.length < limit) {
      data.push(obj);
    } else {
      hasMore = true;
      if (!countAll) break;
    }
  }
  const last = data[data.length - 1];
  const result: SearchResult<Collections[K]> = {
    object: 'search_result', url: `/v1/${resource}/search`, has_more: hasMore, data,
    next_page: hasMore && last ? Buffer.from(last.id).toString('base64url') : null,
  };
  if (countAll) result.total_count = total;
  return result;
}

/** `total_count` is a search-only expansion that the handler answers itself. */
function withoutTotalCount(input: { expand?: string[] | null }): void {
  if (input.expand) input.expand = input.expand.filter((p) => p !== 'total_count');
}

export const searchRoutes: Route[] = [
  route('GET', '/v1/customers/search', searchShape, (ctx, input) => {
    const result = search(ctx, 'customer', CUSTOMER_FIELDS, 'customers', input);
    withoutTotalCount(input);
    return result;
  }),
  route('GET', '/v1/payment_intents/search', searchShape, (ctx, input) => {
    const result = search(ctx, 'payment_intent', PAYMENT_INTENT_FIELDS, 'payment_intents', input);
    withoutTotalCount(input);
    return result;
  }),
];
