import { invalidRequest } from './errors.js';
import type { Kind, Store } from './store.js';

const PREFIX_KIND: Array<[string, Kind]> = [
  ['cus_', 'customer'], ['pm_', 'payment_method'], ['ch_', 'charge'], ['py_', 'charge'], ['pi_', 'payment_intent'],
  ['seti_', 'setup_intent'], ['card_', 'card'], ['re_', 'refund'], ['tok_', 'token'], ['we_', 'webhook_endpoint'], ['dp_', 'dispute'],
];

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Ids the emulator hands out without keeping the object (balance transactions, setup attempts): left as ids.
const UNSTORED_PREFIXES = ['txn_', 'setatt_', 'acct_'];

/** The expanded object, the id itself when it cannot be resolved here, or undefined for a non-id field. */
function lookup(store: Store, id: string): unknown {
  if (id.startsWith('cus_') && store.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true };
  if (UNSTORED_PREFIXES.some((p) => id.startsWith(p))) return id;
  const entry = PREFIX_KIND.find(([prefix]) => id.startsWith(prefix));
  if (!entry) return undefined;
  const found = store.get(entry[1], id);
  return found ? structuredClone(found) : id;
}

/**
 * Balance transactions are not stored: the one of a charge or refund follows from it
 * (test mode: no fee, available at once).
 */
function balanceTransaction(owner: Json, id: string): Json {
  const amount = typeof owner.amount === 'number' ? owner.amount : 0;
  const isRefund = owner.object === 'refund';
  const signed = isRefund ? -amount : amount;
  const created = typeof owner.created === 'number' ? owner.created : 0;
  return {
    id, object: 'balance_transaction', amount: signed, available_on: created, created, currency: owner.currency ?? 'usd',
    description: typeof owner.description === 'string' ? owner.description : null, exchange_rate: null, fee: 0, fee_details: [],
    net: signed, reporting_category: isRefund ? 'refund' : 'charge', source: owner.id ?? null, status: 'available', type: isRefund ? 'refund' : 'charge',
  };
}

function cannotExpand(path: string): Error {
  return invalidRequest(`This property cannot be expanded (${path}).`, undefined, 'expand');
}

/** Virtual fields Stripe only includes when expanded (a charge's `refunds` since 2022-11-15). */
function virtualField(store: Store, node: Json, key: string): unknown {
  if (node.object === 'charge' && key === 'refunds' && typeof node.id === 'string') {
    const charge = node.id;
    const data = Array.from(store.list('refund', (r) => r.charge === charge));
    return { object: 'list', data: structuredClone(data), has_more: false, url: `/v1/charges/${charge}/refunds` };
  }
  if (node.object === 'customer' && key === 'sources' && typeof node.id === 'string') {
    const customer = node.id;
    const data = Array.from(store.list('card', (c) => c.customer === customer));
    return { object: 'list', data: structuredClone(data), has_more: false, url: `/v1/customers/${customer}/sources` };
  }
  return undefined;
}

function expandAt(store: Store, node: unknown, segs: string[], full: string): unknown {
  if (Array.isArray(node)) return node.map((item) => expandAt(store, item, segs, full));
  const [head, ...rest] = segs;
  if (!head || !isRecord(node)) return node;
  let child = node[head];
  if (child === undefined) child = virtualField(store, node, head);
  if (child === undefined) throw cannotExpand(full);
  if (typeof child === 'string' && child.startsWith('txn_')) child = balanceTransaction(node, child);
  else if (typeof child === 'string') {
    child = lookup(store, child);
    if (child === undefined) throw cannotExpand(full);
  } else if (rest.length === 0 && !isRecord(child) && child !== null) throw cannotExpand(full);
  node[head] = expandAt(store, child, rest, full);
  return node;
}

/** Applies `expand[]` paths (e.g. `latest_charge`, `data.customer`, `invoice_settings.default_payment_method`) to a response. */
export function expand(store: Store, body: unknown, paths: string[] | null | undefined): unknown {
  if (!paths || paths.length === 0) return body;
  let out = structuredClone(body);
  for (const path of paths) {
    const segs = path.split('.');
    if (segs.length > 4 || segs.some((s) => s === '')) throw cannotExpand(path);
    out = expandAt(store, out, segs, path);
  }
  return out;
}
