import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { coord, PLATE, userJwt } from './helpers.js';

let jwt: string;
const t = useTestApp({}, async () => {
  jwt = await userJwt(t, { email: uniqueEmail('driver'), name: 'Dana Driver' });
});

const setPlate = (plate: Record<string, unknown>, path = '/user/current/vehicle', method: 'PUT' | 'POST' = 'PUT') =>
  coord(t, { method, path, jwt, payload: { license_plate: plate } });

describe("the current user's vehicle", () => {
  test('PUT /user/current/vehicle and POST /user/current/update_vehicle echo the plate and store it', async () => {
    const put = await setPlate(PLATE.license_plate);
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), PLATE);
    const plate = { text: 'XYZ-987', country: 'CA', subdivision: 'ON' };
    const post = await setPlate(plate, '/user/current/update_vehicle', 'POST');
    assert.equal(post.statusCode, 200, post.body);
    assert.deepEqual(post.json(), { license_plate: plate });
    const me = await coord(t, { method: 'GET', path: '/user/current', jwt });
    assert.deepEqual(me.json().vehicle, { license_plate: plate });
    assert.equal(me.json().name, 'Dana Driver');
  });

  test('the stored form is upper-cased and single-spaced, with "US-NY" read as "NY"', async () => {
    const response = await setPlate({ text: '  abc   123 ', country: 'us', subdivision: 'us-ny' });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { license_plate: { text: 'ABC 123', country: 'US', subdivision: 'NY' } });
  });

  test("a plate is written in its country's alphabet, never in letters or digits that only look like it", async () => {
    for (const [plate, message] of [
      [{ text: 'АВС 1234', country: 'US', subdivision: 'NY' }, /A-Z letters and digits for a US plate/], // Cyrillic А, В, С
      [{ text: 'ΑΒΓ 12', country: 'CA', subdivision: 'ON' }, /A-Z letters and digits for a CA plate/],
      [{ text: 'АВС 1234', country: 'GB', subdivision: 'LND' }, /A-Z letters/],
      [{ text: 'AВC 123', country: 'DE', subdivision: 'BE' }, /one alphabet/],
      [{ text: 'AꓐC 123', country: 'GB', subdivision: 'LND' }, /A-Z letters/], // Lisu
      [{ text: 'ꓮꓐꓚ 123', country: 'GB', subdivision: 'LND' }, /A-Z letters/],
      [{ text: 'AᏴC 123', country: 'FR', subdivision: '75' }, /A-Z letters/], // Cherokee
      [{ text: 'ᴀʙᴄ 123', country: 'GB', subdivision: 'LND' }, /A-Z letters/], // small capitals
      [{ text: 'ABC ١٢٣', country: 'GB', subdivision: 'LND' }, /digits/], // Arabic-Indic digits
      [{ text: 'ABC १२३', country: 'GB', subdivision: 'LND' }, /digits/], // Devanagari digits
      [{ text: 'ABC·123', country: 'US', subdivision: 'NY' }, /spaces, dots or hyphens/],
      [{ text: 'A\u0336B\u0336C', country: 'GB', subdivision: 'LND' }, /vowel sign/], // struck through
      [{ text: 'AB\u20DD', country: 'GB', subdivision: 'LND' }, /vowel sign/], // enclosing circle
      [{ text: '1\u0338', country: 'GB', subdivision: 'LND' }, /vowel sign/],
      [{ text: 'A\u0489', country: 'GB', subdivision: 'LND' }, /vowel sign/],
      [{ text: '১\u09BE২', country: 'BD', subdivision: '13' }, /vowel sign/], // a vowel sign on a digit
      [{ text: 'AB12 CDE.', country: 'GB', subdivision: 'LND' }, /single spaces, dots or hyphens/],
      [{ text: 'A..B', country: 'GB', subdivision: 'LND' }, /single spaces, dots or hyphens/],
      [{ text: 'A123ВС 77', country: 'RU', subdivision: 'MOW' }, /one alphabet/], // Latin A, Cyrillic В, С
    ] as const) {
      const response = await setPlate(plate);
      assert.equal(response.statusCode, 400, `${plate.text}: ${response.body}`);
      assert.match(response.body, message);
    }
    for (const plate of [
      { text: 'А123ВС 77', country: 'RU', subdivision: 'MOW' },
      { text: 'A123BC 77', country: 'RU', subdivision: 'MOW' },
      { text: 'MÜ AB 123', country: 'DE', subdivision: 'BY' },
      { text: '京A·12345', country: 'CN', subdivision: 'BJ' },
      { text: '品川 500 さ 12-34', country: 'JP', subdivision: '13' },
      { text: '12가 3456', country: 'KR', subdivision: '11' },
      { text: 'ΙΚΗ 1234', country: 'GR', subdivision: 'I' },
      { text: 'أ ب ج ١٢٣٤', country: 'SA', subdivision: '01' },
      { text: 'ČK 123-AB', country: 'HR', subdivision: '01' },
      { text: 'BG 123-ŠĐ', country: 'RS', subdivision: '00' },
      { text: '品川 30A さ 12-34', country: 'JP', subdivision: '13' },
      { text: 'बा १ च १२३४', country: 'NP', subdivision: 'P3' },
      { text: 'ঢাকা মেট্রো গ ১২-৩৪৫৬', country: 'BD', subdivision: '13' },
      { text: 'ນວ 1234', country: 'LA', subdivision: 'VT' },
      { text: 'ភ្នំពេញ 2A-1234', country: 'KH', subdivision: '12' },
      { text: 'ኢት 3 12345', country: 'ET', subdivision: 'AA' },
    ]) {
      const response = await setPlate(plate);
      assert.equal(response.statusCode, 200, `${plate.text}: ${response.body}`);
    }
  });

  test('a plate typed in full-width forms is stored as the same plate typed in ASCII', async () => {
    const response = await setPlate({ text: 'ａｂｃ　１２３', country: 'ｕｓ', subdivision: 'ＵＳ－ＮＹ' });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { license_plate: { text: 'ABC 123', country: 'US', subdivision: 'NY' } });
  });

  test('countries without a subdivision list here are checked for the code form', async () => {
    const german = await setPlate({ text: 'M AB 1234', country: 'DE', subdivision: 'BY' });
    assert.equal(german.statusCode, 200, german.body);
    const malformed = await setPlate({ text: 'M AB 1234', country: 'DE', subdivision: 'Bavaria' });
    assert.equal(malformed.statusCode, 400);
    assert.deepEqual(malformed.json().fields.map((f: { field: string }) => f.field), ['/license_plate/subdivision']);
  });

  const invalid: Array<[string, Record<string, unknown>, string[]]> = [
    ['an unknown country', { text: 'ABC123', country: 'XX', subdivision: 'NY' }, ['/license_plate/country']],
    ['an alpha-3 country', { text: 'ABC123', country: 'USA', subdivision: 'NY' }, ['/license_plate/country']],
    ['a subdivision of no such state', { text: 'ABC123', country: 'US', subdivision: 'ZZ' }, ['/license_plate/subdivision']],
    ["another country's subdivision", { text: 'ABC123', country: 'US', subdivision: 'CA-ON' }, ['/license_plate/subdivision']],
    ['a plate of symbols', { text: '☺☺☺', country: 'US', subdivision: 'NY' }, ['/license_plate/text']],
    ['a plate too long', { text: 'ABCDEFGHIJKLMNOPQRSTU', country: 'US', subdivision: 'NY' }, ['/license_plate/text']],
    ['a blank plate', { text: '   ', country: 'US', subdivision: 'NY' }, ['/license_plate/text']],
    ['a plate of a Hangul filler (a letter that shows nothing)', { text: '\u3164', country: 'US', subdivision: 'NY' }, ['/license_plate/text']],
    ['a Hangul filler amid a plate', { text: 'AB\uFFA0CD', country: 'US', subdivision: 'NY' }, ['/license_plate/text']],
    ['everything wrong at once', { text: '!!', country: 'ZZ', subdivision: '?' }, ['/license_plate/text', '/license_plate/country', '/license_plate/subdivision']],
    ['a missing subdivision', { text: 'ABC123', country: 'US' }, ['/license_plate/subdivision']],
    ['an extra field', { ...PLATE.license_plate, colour: 'red' }, ['/license_plate/colour']],
  ];
  for (const [what, plate, fields] of invalid) {
    test(`${what} is a 400 naming the field, and the stored vehicle is unchanged`, async () => {
      await setPlate(PLATE.license_plate);
      const response = await setPlate(plate);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().code, 'VALIDATION_FAILED');
      assert.deepEqual(response.json().fields.map((f: { field: string }) => f.field), fields);
      assert.deepEqual((await coord(t, { method: 'GET', path: '/user/current', jwt })).json().vehicle, PLATE);
    });
  }

  test('a body without license_plate is a 400', async () => {
    const response = await coord(t, { method: 'PUT', path: '/user/current/vehicle', jwt, payload: { plate: 'ABC' } });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json().fields.map((f: { field: string }) => f.field).sort(), ['/license_plate', '/plate']);
  });
});
