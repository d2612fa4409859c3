import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Stripe from 'stripe';
import type { Metrics } from '../adapters/metrics.js';
import type { Config } from '../config.js';
import type { Logger } from '../core/logger.js';
import type { PaymentGateway } from '../core/payments/payment-gateway.js';
import { createStripeClient } from '../adapters/stripe/client.js';
import { createStripeGateway, registerWebhookEndpoint, type RegisteredEndpoint } from '../adapters/stripe/gateway.js';
import { blame, describeListenFault } from './startup-errors.js';

// Any sk_test_ key works against the emulator; this one says where it came from.
const EMULATOR_KEY = 'sk_test_paybridge_local_emulator';

export interface StripeConnection {
  gateway: PaymentGateway;
  client: Stripe;
  /** Where the SDK points: undefined for api.stripe.com. */
  apiBase: string | undefined;
  emulated: boolean;
  /** Emulated Stripe only: points its webhook deliveries at url (replacing an older registration). */
  registerWebhookEndpoint(url: string): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** A one-off command beside a running deployment: use the emulator that deployment started, if any. */
  shareRunningEmulator?: boolean;
  /** Where every Stripe call is timed and counted. */
  metrics?: Metrics;
}

// Where a serving instance records its embedded emulator, so one-off commands find the same Stripe.
const emulatorRecord = (config: Config) => join(config.dataDir, 'stripe-emulator-address.json');
// And the webhook endpoint it registered there (with its secret, so 0600), kept across restarts.
const endpointRecord = (config: Config) => join(config.dataDir, 'stripe-emulator-webhook.json');

function recordedEndpoint(config: Config): RegisteredEndpoint | undefined {
  try {
    const recorded = JSON.parse(readFileSync(endpointRecord(config), 'utf8')) as Partial<RegisteredEndpoint>;
    return typeof recorded.id === 'string' && typeof recorded.url === 'string' && typeof recorded.secret === 'string' ? (recorded as RegisteredEndpoint) : undefined;
  } catch {
    return undefined;
  }
}

async function startEmbeddedEmulator(config: Config, log: Logger) {
  const { startStripeEmulatorThread } = await import('@paybridge/stripe-emulator/threaded');
  const emulator = await blame(
    () =>
      startStripeEmulatorThread({
        port: config.stripe.emulatorPort,
        dataDir: join(config.dataDir, 'stripe-emulator'),
        // Its per-request lines would drown the service's own; they stay available at debug level.
        log: (level, msg, data) => (msg === 'request' && level === 'info' ? log.debug : log[level]).call(log, { component: 'stripe-emulator', ...data }, msg),
      }),
    (error) => describeListenFault(error, 'STRIPE_EMULATOR_PORT', '127.0.0.1', config.stripe.emulatorPort),
  );
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(emulatorRecord(config), JSON.stringify({ url: emulator.url }));
  return emulator;
}

async function isStripeEmulator(url: string): Promise<boolean> {
  return fetch(`${url}/_emulator/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
}

async function findRunningEmulator(config: Config): Promise<string | undefined> {
  const candidates = [recordedEmulatorUrl(config), config.stripe.emulatorPort === 0 ? undefined : `http://127.0.0.1:${config.stripe.emulatorPort}`];
  for (const url of candidates) if (url && (await isStripeEmulator(url))) return url;
  return undefined;
}

function recordedEmulatorUrl(config: Config): string | undefined {
  try {
    const recorded = (JSON.parse(readFileSync(emulatorRecord(config), 'utf8')) as { url?: unknown }).url;
    return typeof recorded === 'string' ? recorded : undefined;
  } catch {
    return undefined; // no deployment recorded one in this DATA_DIR
  }
}

/**
 * Part of the composition root. With STRIPE_SECRET_KEY the SDK talks to Stripe and nothing of
 * the emulator starts; otherwise it talks to an emulator (STRIPE_API_BASE, or one started
 * in-process) through the very same SDK calls, and the service's webhook endpoint is
 * registered with it.
 */
export async function connectStripe(config: Config, log: Logger, options: ConnectOptions = {}): Promise<StripeConnection> {
  const secretKey = config.stripe.secretKey ?? EMULATOR_KEY;
  let apiBase = config.stripe.apiBase;
  let closeEmulator: () => Promise<void> = async () => undefined;
  if (!config.stripe.secretKey && !apiBase && options.shareRunningEmulator) apiBase = await findRunningEmulator(config);
  if (!config.stripe.secretKey && !apiBase) {
    const emulator = await startEmbeddedEmulator(config, log);
    apiBase = emulator.url;
    closeEmulator = () => emulator.close();
  }
  const client = createStripeClient({ secretKey, apiBase, timeoutMs: config.stripe.timeoutMs });
  const emulated = !config.stripe.secretKey;
  // The endpoint registered with the emulator before a restart: its deliveries are verifiable as soon as the service listens.
  let webhookSecret = config.stripe.webhookSecret ?? (emulated ? recordedEndpoint(config)?.secret : undefined);
  if (emulated) log.info({ stripe: apiBase }, 'payments are emulated: no real money moves (set STRIPE_SECRET_KEY for Stripe)');
  return {
    gateway: createStripeGateway({ client, secretKey, webhookSecret: () => webhookSecret, metrics: options.metrics }),
    client,
    apiBase,
    emulated,
    async registerWebhookEndpoint(url) {
      if (!emulated || config.stripe.webhookSecret) return;
      const endpoint = await registerWebhookEndpoint(client, url, recordedEndpoint(config));
      webhookSecret = endpoint.secret;
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      writeFileSync(endpointRecord(config), JSON.stringify(endpoint), { mode: 0o600 });
      log.info({ url, endpoint: endpoint.id }, 'webhook endpoint registered with the Stripe emulator');
    },
    close: closeEmulator,
  };
}
