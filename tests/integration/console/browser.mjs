// browser.mjs - Debian's Chromium driven by playwright-core (from
// web/node_modules), shared by the console's test and its benchmark.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const web = process.env.COMB_WEB || new URL('../../../web/', import.meta.url).pathname;
const { chromium } = createRequire(join(web, 'package.json'))('playwright-core');

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// A fresh profile in its own directory, removed by close().
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'comb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    ignoreHTTPSErrors: true, // the test's server has a self-signed certificate
    viewport: { width: 1400, height: 900 },
  });
  context.close = ((orig) => async () => { await orig(); rmSync(profile, { recursive: true, force: true }); })(context.close.bind(context));
  return context;
}

// Log in through the console's form; resolves once the dashboard shows.
export async function logIn(page, base, user, password) {
  await page.goto(base + '/#/dashboard');
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#page-dashboard', { timeout: 30000 });
}

// How many pixels of the page's canvases (those matching canvas, default
// all) under selector are not blank.
export function paintedPixels(page, selector, canvas = 'canvas') {
  return page.evaluate(([sel, cv]) => {
    let n = 0;
    for (const c of document.querySelectorAll(`${sel} ${cv}`)) {
      if (!c.width || !c.height) continue;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
    }
    return n;
  }, [selector, canvas]);
}
