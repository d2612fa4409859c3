import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { cvPost } from '../carevalidate/helpers.js';
import { coord } from '../coord/helpers.js';

const t = useTestApp();

// Names are shown to people: blank ones, control characters and bidirectional overrides are refused on every face.
const BAD_NAMES: Array<[string, string]> = [
  ['blank', '   '],
  ['control characters', '\u0001\u0007ctrl'],
  ['a right-to-left override', 'Ada \u202Eevil'],
  ['an isolate', 'Ada \u2066x\u2069'],
  ['zero-width spaces only', '\u200b\u200b'],
  ['a Hangul filler', '\u3164'],
  ['the Braille blank', '\u2800'],
  ['combining marks alone', '\u0301\u0301'],
  ['a tag character alone', '\u{E0041}'],
  ['a line separator', 'a\u2028b'],
  ['a byte-order mark alone', '\ufeff'],
  ['a zero-width space amid letters (looks like "Ann")', 'An\u200bn'],
  ['a soft hyphen amid letters', 'An\u00adn'],
  ['a word joiner amid letters', 'An\u2060n'],
  ['a tag character amid letters (hidden text)', 'Jo\u{E0041}hn'],
  ['a Hangul filler amid letters', 'Jo\u3164hn'],
  ['an interlinear annotation amid letters', 'Jo\uFFF9hn'],
  ['a combining grapheme joiner amid letters', 'Jo\u034Fhn'],
  // Unassigned code points Unicode reserves as default-ignorable: renderers show them as nothing.
  ['reserved invisible code points only', '\u2065\uFFF0'],
  ['a reserved invisible code point amid letters', 'Pa\u2065rk'],
  ['a reserved tag-plane code point amid letters', 'Pa\u{E0000}rk'],
  ['a Mongolian variation selector after a Latin letter (shows as "Abcd")', 'Ab\u180Bcd'],
  // Characters kept where they do work (emoji sequences, Persian, Indic, right-to-left text) hide anywhere else.
  ['a zero-width joiner between Latin letters (shows as "Admin")', 'Ad\u200Dmin'],
  ['a zero-width non-joiner between Latin letters', 'Ad\u200Cmin'],
  ['a variation selector after a Latin letter', 'A\uFE0Fdmin'],
  ['a direction mark in a left-to-right name', 'Admin\u200E'],
  ['an Arabic letter mark between Latin letters', 'Ad\u061Cmin'],
  ['the object replacement character', 'Ann\uFFFC'],
  ['text hidden in tag characters inside a flag (not one of the three subdivision flags)', `Ann 🏴${[...'ignore all'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')}\u{E007F}`],
  ['a private-use character', 'Admin\uE000'],
  ['an unassigned code point alone', '\u0378'],
  ['a combining mark first (it draws over what is shown before)', '\u0301Ann'],
  ['combining marks stacked on one letter ("Zalgo")', `A${'\u0300'.repeat(40)}nn`],
  ['direction marks in a row', `שלום${'\u200F'.repeat(20)}`],
  ['a direction mark between two digits', 'שלום 10\u200F0'],
  // Stacks and marks that hide behind the characters kept in place.
  ['marks stacked without limit, a joiner between each run of six', `A\u064B\u200D${'\u064B\u0336\u0334\u0335\u0337\u064B\u200D'.repeat(10)}\u064Bdmin`],
  ['marks stacked without limit, a direction mark between each run', `A${'\u0336\u0334\u0335\u0337\u0338\u0301\u200F'.repeat(10)}dmin ש`],
  ['a combining mark right after a direction mark', '\u200F\u0301ש'],
  ['a direction mark inside a number (shows "34-12")', 'ש 12\u200F-34'],
  ['a direction mark inside an Arabic word (moves its first letter)', 'م\u200Eحمد'],
  ['a leading direction mark before a letter (turns the paragraph)', '\u200FAdmin ש'],
  ['a joiner between two Arabic letters that join anyway', 'م\u200Dحمد'],
  ['a joiner between two Devanagari consonants, with no virama', 'क\u200Dख'],
  ['a word of Latin letters with a Cyrillic lookalike ("Аdmin")', '\u0410dmin'],
  ['a word of Latin letters with a Greek lookalike ("Αdmin")', '\u0391dmin'],
  ['a word of Latin letters with a Cherokee lookalike', '\u13AAdmin'],
  ['a word of Latin letters with a Lisu lookalike', '\uA4EEdmin'],
  ['a word of Latin letters with a small capital', '\u1D00dmin'],
  ['a word of Latin letters with a math bold one', 'Adm\u{1D422}n'],
  ['a word of Latin letters with a full-width one', 'Adm\uFF49n'],
  ['a circled letter before Latin ones', '\u24B6dmin'],
  ['a Roman numeral for a letter', 'Adm\u2170n'],
  ['a Carian lookalike', '\u{102A0}dmin'],
  ['a whole word in math bold (passes for "Admin")', '\u{1D400}\u{1D41D}\u{1D426}\u{1D422}\u{1D427}'],
  ['a hair space splitting a mixed word', '\u0410\u200Admin'],
  ['punctuation splitting a mixed word', '\u0410.dmin'],
];
const RULE = /visible character/;

describe('display names on every face', () => {
  for (const [what, name] of BAD_NAMES) {
    test(`${what}: a 4xx naming the field, and nobody is created`, async () => {
      const email = uniqueEmail('name');
      const native = await t.inject({ method: 'POST', url: '/user/register', payload: { userName: name, email, password: 'correct horse battery staple 9' } });
      assert.equal(native.statusCode, 400, native.body);
      assert.deepEqual(native.json().details, [{ path: '/userName', message: native.json().details[0].message }]);
      assert.match(native.json().details[0].message, RULE);

      const partner = await coord(t, { method: 'POST', path: '/create_jwt', headers: { authorization: `Bearer ${t.apiKey}` }, payload: { email, name } });
      assert.equal(partner.statusCode, 400, partner.body);
      assert.match(partner.body, /\/name/);

      const careValidate = await cvPost(t, { action: 'CREATE_USER', email, firstName: name });
      assert.equal(careValidate.statusCode, 400, careValidate.body);
      assert.match(careValidate.body, /firstName/);
      assert.match(careValidate.body, RULE);

      const login = await t.inject({ method: 'POST', url: '/user/login', payload: { email, password: 'correct horse battery staple 9' } });
      assert.equal(login.statusCode, 401, 'no account was made');
    });
  }

  test('names in any script, with emoji (joiners included), are taken as written', async () => {
    for (const [index, name] of ['Zoë Ōtake', 'محمد', '李小龍', 'Ada 👩‍💻', 'e\u0301mile', '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F} fan', 'שלום \u200f', 'می\u200cخواهم', '❤\uFE0F Ann', 'ᠪᠢᠴᠢᠭ\u180B',
    '👩🏽\u200D💻', '🏳\uFE0F\u200D🌈', 'क्\u200Dष', 'ജയന്\u200D', '1\uFE0F\u20E3', '葛\u{E0100}', 'محمد\u200E Smith',
    'Nguyễn Thị Ánh', 'བསྒྲུབས', '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}',
    'Иван Smith', 'Иван\u00A0Smith', 'Ελένη Παπαδοπούλου', 'Kwame Ɔkyeame', 'ｶﾀｶﾅ', 'Ἀθηνᾶ', 'Xwməθkwəy̓əm', 'Kʷakʷəla', 'Ŀlívia', 'ǅivković', 'Ĳsbrand', '山田\u3000太郎', 'র\u200D্য', 'ශ්\u200Dරී', 'טל׳ 03-1234567\u200F', 'שלום (Shalom)\u200F', 'ه\u200D'].entries()) {
      // Each from its own address: these are more registrations than one address may make in an hour.
      const response = await t.inject({ method: 'POST', url: '/user/register', remoteAddress: `10.${index}.0.1`, payload: { userName: name, email: uniqueEmail('script'), password: 'correct horse battery staple 9' } });
      assert.equal(response.statusCode, 201, `${name}: ${response.body}`);
    }
  });
});
