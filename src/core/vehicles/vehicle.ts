import { ValidationError, type ErrorDetail } from '../errors.js';
import { isDisplayName } from '../users/display-name.js';
import { ISO_3166_1_ALPHA_2, ISO_3166_2_SUBDIVISIONS } from './iso-3166.js';
import { plateAlphabetProblem } from './plate-alphabets.js';

/** A user's vehicle as stored and shown (Coord's shape). */
export interface Vehicle {
  license_plate: { text: string; country: string; subdivision: string };
}

export interface LicensePlateInput {
  text: string;
  country: string;
  subdivision: string;
}

// Letters and digits, with the separators plates are written with: 1 to 20 characters, not
// counting the vowel signs and viramas on them (ঢাকা মেট্রো গ ১২-৩৪৫৬). Which letters, digits and
// separators is the plate's country's (plate-alphabets.ts).
const PLATE_TEXT = /^[\p{L}\p{N}][\p{L}\p{M}\p{N} .·\u30FB-]{0,44}$/u;
const MARKS = /\p{M}/gu;
const isPlateText = (text: string) => PLATE_TEXT.test(text) && [...text.replace(MARKS, '')].length <= 20;
// The part of an ISO 3166-2 code after "CC-": one to three letters or digits.
const SUBDIVISION_CODE = /^[A-Z0-9]{1,3}$/;

/**
 * Validates a vehicle and returns it in its stored form: every part in compatibility form (NFKC:
 * full-width "ＡＢＣ１２３" is "ABC123", as the same plate typed on another keyboard), plate text
 * trimmed, single-spaced and upper-cased (plates are case-insensitive), country and subdivision
 * upper-cased, and a subdivision given as "US-NY" reduced to "NY". Every fault is reported, each
 * with its field.
 */
export function normaliseVehicle(input: { license_plate: LicensePlateInput }): Vehicle {
  const plate = input.license_plate;
  const text = plate.text.normalize('NFKC').trim().replace(/\s+/g, ' ').toUpperCase();
  const country = plate.country.normalize('NFKC').trim().toUpperCase();
  const subdivision = stripCountryPrefix(plate.subdivision.normalize('NFKC').trim().toUpperCase(), country);
  const details: ErrorDetail[] = [];
  const countryKnown = ISO_3166_1_ALPHA_2.has(country);
  const wellFormed = isPlateText(text);
  const alphabetProblem = wellFormed && countryKnown ? plateAlphabetProblem(text, country) : undefined;
  if (alphabetProblem) details.push({ path: '/license_plate/text', message: alphabetProblem });
  // The Hangul fillers are letters (Lo) that show nothing: the rule for names keeps them out.
  else if (!wellFormed || !isDisplayName(text)) {
    details.push({ path: '/license_plate/text', message: 'must be 1 to 20 letters, digits, spaces, dots or hyphens, starting with a letter or digit' });
  }
  if (!countryKnown) details.push({ path: '/license_plate/country', message: 'must be an ISO 3166-1 alpha-2 country code, e.g. US' });
  const subdivisionProblem = checkSubdivision(subdivision, countryKnown ? country : undefined);
  if (subdivisionProblem) details.push({ path: '/license_plate/subdivision', message: subdivisionProblem });
  if (details.length > 0) throw new ValidationError('The license plate is invalid', details);
  return { license_plate: { text, country, subdivision } };
}

function stripCountryPrefix(subdivision: string, country: string): string {
  return subdivision.startsWith(`${country}-`) ? subdivision.slice(country.length + 1) : subdivision;
}

function checkSubdivision(subdivision: string, country: string | undefined): string | undefined {
  if (!SUBDIVISION_CODE.test(subdivision)) {
    return 'must be the ISO 3166-2 subdivision code (e.g. NY, or US-NY), of the plate\'s country';
  }
  const known = country ? ISO_3166_2_SUBDIVISIONS[country] : undefined;
  if (known && !known.has(subdivision)) return `is not an ISO 3166-2 subdivision of ${country}`;
  return undefined;
}
