import { invalidRequest } from './errors.js';
import { reqStr, str, type Parser } from './params.js';

/** The presentment currencies Stripe accepts, lower case, as its error message lists them. */
const CURRENCIES = [
  'usd', 'aed', 'afn', 'all', 'amd', 'ang', 'aoa', 'ars', 'aud', 'awg', 'azn', 'bam', 'bbd', 'bdt', 'bgn', 'bhd', 'bif', 'bmd', 'bnd',
  'bob', 'brl', 'bsd', 'bwp', 'byn', 'bzd', 'cad', 'cdf', 'chf', 'clp', 'cny', 'cop', 'crc', 'cve', 'czk', 'djf', 'dkk', 'dop', 'dzd',
  'egp', 'etb', 'eur', 'fjd', 'fkp', 'gbp', 'gel', 'gip', 'gmd', 'gnf', 'gtq', 'gyd', 'hkd', 'hnl', 'hrk', 'htg', 'huf', 'idr', 'ils',
  'inr', 'isk', 'jmd', 'jod', 'jpy', 'kes', 'kgs', 'khr', 'kmf', 'krw', 'kwd', 'kyd', 'kzt', 'lak', 'lbp', 'lkr', 'lrd', 'lsl', 'mad',
  'mdl', 'mga', 'mkd', 'mmk', 'mnt', 'mop', 'mur', 'mvr', 'mwk', 'mxn', 'myr', 'mzn', 'nad', 'ngn', 'nio', 'nok', 'npr', 'nzd', 'omr',
  'pab', 'pen', 'pgk', 'php', 'pkr', 'pln', 'pyg', 'qar', 'ron', 'rsd', 'rub', 'rwf', 'sar', 'sbd', 'scr', 'sek', 'sgd', 'shp', 'sle',
  'sos', 'srd', 'std', 'szl', 'thb', 'tjs', 'tnd', 'top', 'try', 'ttd', 'twd', 'tzs', 'uah', 'ugx', 'uyu', 'uzs', 'vnd', 'vuv', 'wst',
  'xaf', 'xcd', 'xof', 'xpf', 'yer', 'zar', 'zmw',
];
const KNOWN = new Set(CURRENCIES);

function check(value: string, param: string): string {
  const lower = value.toLowerCase();
  if (!KNOWN.has(lower)) {
    throw invalidRequest(`Invalid currency: ${lower}. Stripe currently supports these currencies: ${CURRENCIES.join(', ')}`, undefined, param);
  }
  return lower;
}

/** An optional ISO currency code Stripe supports; answered lower case. */
export const currency = (): Parser<string | null | undefined> => (value, param) => {
  const s = str(3)(value, param);
  return s ? check(s, param) : s;
};

export const reqCurrency = (): Parser<string> => (value, param) => check(reqStr(3)(value, param), param);
