import type Stripe from 'stripe';

/** Every stored object kind, typed with the SDK's own definitions so drift from the pinned API version fails to compile. */
export interface Collections {
  customer: Stripe.Customer;
  card: Stripe.Card;
  token: Stripe.Token;
  payment_method: Stripe.PaymentMethod;
  setup_intent: Stripe.SetupIntent;
  payment_intent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  refund: Stripe.Refund;
  event: Stripe.EventBase;
  webhook_endpoint: Stripe.WebhookEndpoint;
}
export type Kind = keyof Collections;
export const KINDS: readonly Kind[] = [
  'customer', 'card', 'token', 'payment_method', 'setup_intent', 'payment_intent', 'charge', 'refund', 'event', 'webhook_endpoint',
];

/**
 * What a card instrument (pm_, card_, tok_) does when used. Kept beside the object so the
 * full card number is never stored: only the test card's key.
 */
export interface InstrumentMeta {
  testCard: string;
  /** Set up for future use (SetupIntent or setup_future_usage): 3155-style cards then skip 3-D Secure. */
  setUp: boolean;
}

/** Pending 3-D Secure challenge for an intent (what to do when it completes). */
export interface ChallengeMeta {
  returnUrl: string | null;
  offSession: boolean;
}

export interface StoreSnapshot {
  objects: { [K in Kind]?: Array<Collections[K]> };
  instruments: Array<[string, InstrumentMeta]>;
  challenges: Array<[string, ChallengeMeta]>;
  webhookSecrets: Array<[string, string]>;
  deletedCustomers: string[];
}

type Maps = { [K in Kind]: Map<string, Collections[K]> };

function emptyMaps(): Maps {
  return {
    customer: new Map(), card: new Map(), token: new Map(), payment_method: new Map(), setup_intent: new Map(),
    payment_intent: new Map(), charge: new Map(), refund: new Map(), event: new Map(), webhook_endpoint: new Map(),
  };
}

/** In-memory object store. Map insertion order is creation order, which gives lists a deterministic newest-first order. */
export class Store {
  private maps: Maps = emptyMaps();
  readonly instruments = new Map<string, InstrumentMeta>();
  readonly challenges = new Map<string, ChallengeMeta>();
  readonly webhookSecrets = new Map<string, string>();
  readonly deletedCustomers = new Set<string>();
  private onChange: () => void = () => undefined;

  setChangeListener(listener: () => void): void {
    this.onChange = listener;
  }

  /** Handlers mutate stored objects in place; they call this so persistence picks the change up. */
  touch(): void {
    this.onChange();
  }

  get<K extends Kind>(kind: K, id: string): Collections[K] | undefined {
    return this.maps[kind].get(id);
  }

  insert<K extends Kind>(kind: K, obj: Collections[K]): Collections[K] {
    this.maps[kind].set(obj.id, obj);
    this.onChange();
    return obj;
  }

  remove(kind: Kind, id: string): void {
    this.maps[kind].delete(id);
    this.onChange();
  }

  /** Newest first. */
  list<K extends Kind>(kind: K, filter?: (obj: Collections[K]) => boolean): Array<Collections[K]> {
    const all = Array.from(this.maps[kind].values());
    const out: Array<Collections[K]> = [];
    for (let i = all.length - 1; i >= 0; i--) {
      const obj = all[i];
      if (obj && (!filter || filter(obj))) out.push(obj);
    }
    return out;
  }

  count(kind: Kind): number {
    return this.maps[kind].size;
  }

  clear(): void {
    this.maps = emptyMaps();
    this.instruments.clear();
    this.challenges.clear();
    this.webhookSecrets.clear();
    this.deletedCustomers.clear();
    this.onChange();
  }

  snapshot(): StoreSnapshot {
    const m = this.maps;
    const values = <T>(map: Map<string, T>): T[] => Array.from(map.values());
    return {
      objects: {
        customer: values(m.customer), card: values(m.card), token: values(m.token), payment_method: values(m.payment_method),
        setup_intent: values(m.setup_intent), payment_intent: values(m.payment_intent), charge: values(m.charge),
        refund: values(m.refund), event: values(m.event), webhook_endpoint: values(m.webhook_endpoint),
      },
      instruments: Array.from(this.instruments),
      challenges: Array.from(this.challenges),
      webhookSecrets: Array.from(this.webhookSecrets),
      deletedCustomers: Array.from(this.deletedCustomers),
    };
  }

  restore(snap: StoreSnapshot): void {
    const m = emptyMaps();
    const fill = <T extends { id: string }>(map: Map<string, T>, items: T[] | undefined): void => {
      for (const obj of items ?? []) map.set(obj.id, obj);
    };
    const o = snap.objects;
    fill(m.customer, o.customer); fill(m.card, o.card); fill(m.token, o.token); fill(m.payment_method, o.payment_method);
    fill(m.setup_intent, o.setup_intent); fill(m.payment_intent, o.payment_intent); fill(m.charge, o.charge);
    fill(m.refund, o.refund); fill(m.event, o.event); fill(m.webhook_endpoint, o.webhook_endpoint);
    this.maps = m;
    for (const [id, meta] of snap.instruments) this.instruments.set(id, meta);
    for (const [id, meta] of snap.challenges) this.challenges.set(id, meta);
    for (const [id, secret] of snap.webhookSecrets) this.webhookSecrets.set(id, secret);
    for (const id of snap.deletedCustomers) this.deletedCustomers.add(id);
  }
}
