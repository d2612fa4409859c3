import { createHmac } from 'node:crypto';

/**
 * `Paybridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, one v1 per
 * secret that is valid now (two during the day after a rotation), as Stripe signs its events.
 */
export function signatureHeader(secrets: readonly string[], body: string, timestamp: number): string {
  const signed = `${timestamp}.${body}`;
  const v1 = secrets.map((secret) => `v1=${createHmac('sha256', secret).update(signed).digest('hex')}`);
  return [`t=${timestamp}`, ...v1].join(',');
}
