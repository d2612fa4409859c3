import { createHmac, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// One syscall per 8 KiB of randomness instead of one per id: ids are minted on every write.
const POOL_SIZE = 8192;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

function randomBase62(length: number): string {
  if (offset + length > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(pool[offset + i] ?? 0) % 62];
  offset += length;
  return out;
}

/** Stripe-looking id: `<prefix>_` followed by 24 base62 characters. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(24)}`;
}

export function newRequestId(): string {
  return `req_${randomBase62(14)}`;
}

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBase62(32)}`;
}

export function clientSecretFor(id: string): string {
  return `${id}_secret_${randomBase62(25)}`;
}

// A fixed key so one card number always maps to one fingerprint (as on Stripe),
// without the number itself ever being kept.
const FINGERPRINT_KEY = 'paybridge-stripe-emulator-fingerprint';

export function cardFingerprint(cardNumber: string): string {
  const digest = createHmac('sha256', FINGERPRINT_KEY).update(cardNumber).digest();
  let out = '';
  for (let i = 0; i < 16; i++) out += ALPHABET[(digest[i] ?? 0) % 62];
  return out;
}
