import Stripe from 'stripe';
import {
  AppError,
  InternalError,
  NotFoundError,
  PaymentDeclinedError,
  ProviderRejectedError,
  ProviderUnavailableError,
} from '../../core/errors.js';
import { withoutCardCredentials } from '../../core/redaction.js';

/** Translates the SDK's error classes into the core's catalogue. */
export function translateStripeError(error: unknown): unknown {
  if (error instanceof AppError || !(error instanceof Stripe.errors.StripeError)) return error;
  // Stripe's message is passed on to clients and logs, but never a card token or client secret it quotes.
  const message = withoutCardCredentials(error.message);
  if (error instanceof Stripe.errors.StripeCardError) {
    const intent = (error.raw as { payment_intent?: { id?: string } }).payment_intent;
    return new PaymentDeclinedError(message, error.decline_code ?? error.code ?? 'card_declined', intent?.id);
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    // 409: an earlier attempt with this key is still running at Stripe (e.g. it hung); retrying later is right.
    if (error.statusCode === 409) return new ProviderUnavailableError(undefined, undefined, { cause: error });
    // 400: one of our derived keys went out with other parameters: our fault, never the client's.
    return new InternalError(undefined, undefined, { cause: error });
  }
  if (error instanceof Stripe.errors.StripeAuthenticationError || error instanceof Stripe.errors.StripePermissionError) {
    // A wrong or restricted STRIPE_SECRET_KEY is a configuration fault: retrying will not help, and the log must say so.
    return new InternalError(undefined, undefined, { cause: error });
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    const details = error.param ? [{ path: `/${error.param}`, message: error.code ?? 'invalid' }] : undefined;
    if (error.statusCode === 404 && error.code === 'resource_missing') return new NotFoundError(message, details, { cause: error });
    return new ProviderRejectedError(message, details, { cause: error });
  }
  // Authentication, permission, rate limit, connection and API errors: nothing the client did wrong.
  return new ProviderUnavailableError(undefined, undefined, { cause: error });
}

export async function callStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateStripeError(error);
  }
}
