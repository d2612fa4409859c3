import { invalidApiKey, missingApiKey } from './errors.js';

const KEY_PATTERN = /^(sk|rk|pk)_test_[A-Za-z0-9_]+$/;

function mask(key: string): string {
  return key.length <= 12 ? '*'.repeat(key.length) : `${key.slice(0, 8)}${'*'.repeat(Math.min(20, key.length - 12))}${key.slice(-4)}`;
}

function keyFromHeader(header: string): string {
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    // curl -u sk_test_x: sends the key as the Basic user name.
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.split(':')[0] ?? '';
  }
  return '';
}

/** Returns the API key, or throws Stripe's 401. Any test-mode secret, restricted or publishable key is accepted (see publishable.ts). */
export function authenticate(header: string | undefined): string {
  if (!header) throw missingApiKey();
  const key = keyFromHeader(header);
  if (!key) throw missingApiKey();
  if (!KEY_PATTERN.test(key)) throw invalidApiKey(mask(key));
  return key;
}
