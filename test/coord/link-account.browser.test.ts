import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { uniqueEmail, useTestApp } from '../helpers/test-app.js';
import { patchSettings, putCatalogue, systemsOf, userJwt } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
// Where Chromium is missing the test says so and skips, except under CI, where it must run (.ci/run installs it).
const skip = !existsSync(CHROMIUM) && !process.env.CI ? `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium); under CI=true this test runs` : false;

const PARTNER = 'https://partner.example/linked';

let browser: Browser | undefined;
const t = useTestApp({}, async () => {
  if (skip) return;
  assert.equal((await patchSettings(t, { redirectUris: [PARTNER] })).statusCode, 200);
  await putCatalogue(t, [{ systemId: 'CitiBike', name: 'Citi Bike', linkedAccountRequired: true, linkUrl: 'https://citibike.example/link' }]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  if (skip) return;
  await browser?.close();
});

/** A page whose trips to the partner's site are answered here, so the redirect can be read without a network. */
async function pageReturningToPartner(): Promise<{ page: Page; arrived: Promise<URL> }> {
  const page = await browser!.newPage();
  let resolveArrival: (url: URL) => void = () => undefined;
  const arrived = new Promise<URL>((resolve) => (resolveArrival = resolve));
  await page.route(`${PARTNER}**`, async (route) => {
    resolveArrival(new URL(route.request().url()));
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Partner app</title><h1>Back at the partner</h1>' });
  });
  return { page, arrived };
}

describe('the demo permission page in a real browser', { skip }, () => {
  for (const [button, linked] of [['Allow', true], ['Deny', false]] as const) {
    test(`a test user clicks ${button}: the choice is recorded and the browser lands on the partner's redirect_uri`, async () => {
      const email = uniqueEmail('browser');
      const jwt = await userJwt(t, { email }, 'test');
      const { page, arrived } = await pageReturningToPartner();
      try {
        const query = new URLSearchParams({ jwt, system_id: 'CitiBike', redirect_uri: PARTNER, state: `st-${button}` });
        const response = await page.goto(`${t.url}/v1/users/link-account?${query.toString()}`);
        assert.equal(response?.status(), 200);
        assert.equal(await page.title(), 'Link your Citi Bike account');
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Link your Citi Bike account');
        assert.ok((await page.locator('main').textContent())?.includes(email), 'the page names the user');

        await page.getByRole('button', { name: button }).click();
        const landed = await arrived;
        await page.waitForURL(`${PARTNER}**`);
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Back at the partner');
        assert.equal(landed.searchParams.get('system_id'), 'CitiBike');
        assert.equal(landed.searchParams.get('linked_account'), String(linked));
        assert.equal(landed.searchParams.get('state'), `st-${button}`);
        assert.equal(landed.searchParams.get('error'), linked ? null : 'access_denied');
        assert.equal((await systemsOf(t, jwt)).get('CitiBike')!.linked_account, linked);
      } finally {
        await page.close();
      }
    });
  }

  test('an unregistered redirect_uri shows an error page and goes nowhere', async () => {
    const jwt = await userJwt(t, { email: uniqueEmail('browser-evil') }, 'test');
    const page = await browser!.newPage();
    try {
      const query = new URLSearchParams({ jwt, system_id: 'CitiBike', redirect_uri: 'https://evil.example/' });
      const response = await page.goto(`${t.url}/v1/users/link-account?${query.toString()}`);
      assert.equal(response?.status(), 400);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Account linking failed');
      assert.equal(await page.getByRole('button').count(), 0);
      assert.ok(page.url().startsWith(t.url));
    } finally {
      await page.close();
    }
  });
});
