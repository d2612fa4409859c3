import { ValidationError, type ErrorDetail } from '../errors.js';

/** Where a user's parcels go; the same shape on every face. */
export interface ShippingAddress {
  addressLine1: string;
  addressLine2: string;
  city: string;
  state: string;
  country: string;
  postalCode: string;
}

/**
 * USPS state codes: the 50 states, DC, the inhabited territories, the freely associated
 * states that use US ZIP codes, and the armed forces "states" (AA, AE, AP), since parcels
 * go to all of them with a US address.
 */
export const US_STATE_CODES: ReadonlySet<string> = new Set([
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY',
  'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND',
  'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY',
  'DC', 'AS', 'GU', 'MP', 'PR', 'VI', 'FM', 'MH', 'PW', 'AA', 'AE', 'AP',
]);

const COUNTRY_CODE = /^[A-Z]{2}$/;
// ZIP or ZIP+4: the only shapes USPS delivers to.
const US_ZIP = /^\d{5}(?:-\d{4})?$/;
// Letters, digits, spaces and hyphens: every country's postal code fits, nothing else does.
const POSTAL_CODE = /^[A-Z0-9][A-Z0-9 -]{0,14}$/i;

const REQUIRED_LINES = ['addressLine1', 'city', 'state', 'country', 'postalCode'] as const;

function trimmed(address: ShippingAddress): ShippingAddress {
  return {
    addressLine1: address.addressLine1.trim(),
    addressLine2: address.addressLine2.trim(),
    city: address.city.trim(),
    state: address.state.trim(),
    country: address.country.trim().toUpperCase(),
    postalCode: address.postalCode.trim(),
  };
}

function problemsOf(address: ShippingAddress): ErrorDetail[] {
  const problems: ErrorDetail[] = REQUIRED_LINES.filter((field) => address[field] === '').map((field) => ({ path: `/${field}`, message: 'must not be empty' }));
  const empty = new Set(problems.map((p) => p.path));
  if (!empty.has('/country') && !COUNTRY_CODE.test(address.country)) {
    problems.push({ path: '/country', message: 'must be a two-letter ISO 3166-1 country code (e.g. US)' });
  }
  const us = address.country === 'US';
  if (us && !empty.has('/state') && !US_STATE_CODES.has(address.state.toUpperCase())) {
    problems.push({ path: '/state', message: 'must be a US state code' });
  }
  if (!empty.has('/postalCode')) {
    if (us && !US_ZIP.test(address.postalCode)) problems.push({ path: '/postalCode', message: 'must be a US ZIP code (12345 or 12345-6789)' });
    if (!us && !POSTAL_CODE.test(address.postalCode)) problems.push({ path: '/postalCode', message: 'must be a postal code (letters, digits, spaces, hyphens)' });
  }
  return problems;
}

/**
 * The one rule for a shipping address, whichever face it came through: every line but the
 * second is required, the country is an ISO code, and a US address has a real state code and
 * a ZIP code. Answers the address as it should be stored (trimmed, codes upper-cased);
 * `path` prefixes the JSON pointers of the problems (where the address sits in the request).
 */
export function validateShippingAddress(address: ShippingAddress, path = ''): ShippingAddress {
  const clean = trimmed(address);
  const problems = problemsOf(clean);
  if (problems.length > 0) {
    throw new ValidationError('The shipping address is invalid', problems.map((p) => ({ path: `${path}${p.path}`, message: p.message })));
  }
  return clean.country === 'US' ? { ...clean, state: clean.state.toUpperCase() } : clean;
}
