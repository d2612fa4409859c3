import type Stripe from 'stripe';
import type { Config } from './config.js';
import type { Logger } from './core/logger.js';
import type { PaymentGateway } from './core/payments/payment-gateway.js';
import { createStripeClient } from './stripe/client.js';
import { createStripeGateway, registerWebhookEndpoint } from './stripe/gateway.js';

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

/**
 * Part of the composition root. With STRIPE_SECRET_KEY the SDK talks to Stripe and nothing of
 * the emulator starts; otherwise it talks to an emulator (STRIPE_API_BASE, or one started
 * in-process) through the very same SDK calls, and the service's webhook endpoint is
 * registered with it.
 */
export async function connectStripe(config: Config, log: Logger): Promise<StripeConnection> {
  const secretKey = config.stripe.secretKey ?? EMULATOR_KEY;
  let apiBase = config.stripe.apiBase;
  let closeEmulator: () => Promise<void> = async () => undefined;
  if (!config.stripe.secretKey && !apiBase) {
    const { startStripeEmulatorThread } = await import('./stripe-emulator/threaded.js');
    const emulator = await startStripeEmulatorThread({
      port: config.stripe.emulatorPort,
      dataDir: config.dataDir,
      // Its per-request lines would drown the service's own; they stay available at debug level.
      log: (level, msg, data) => (msg === 'request' && level === 'info' ? log.debug : log[level]).call(log, { component: 'stripe-emulator', ...data }, msg),
    });
    apiBase = emulator.url;
    closeEmulator = () => emulator.close();
  }
  const client = createStripeClient({ secretKey, apiBase, timeoutMs: config.stripe.timeoutMs });
  let webhookSecret = config.stripe.webhookSecret;
  const emulated = !config.stripe.secretKey;
  if (emulated) log.info({ stripe: apiBase }, 'payments are emulated: no real money moves (set STRIPE_SECRET_KEY for Stripe)');
  return {
    gateway: createStripeGateway({ client, secretKey, webhookSecret: () => webhookSecret }),
    client,
    apiBase,
    emulated,
    async registerWebhookEndpoint(url) {
      if (!emulated || config.stripe.webhookSecret) return;
      webhookSecret = await registerWebhookEndpoint(client, url);
      log.info({ url }, 'webhook endpoint registered with the Stripe emulator');
    },
    close: closeEmulator,
  };
}
