// First load on a tablet-like link (issue 16): headless Chromium with the cache off and the
// network throttled through the DevTools protocol (1.6 Mbit/s down, 750 kbit/s up, 150 ms
// latency). Measures bytes on the wire and the time until the page is interactive (hydrated):
// the sign-in page from a cold cache, then signing in and landing on the dashboard (the sign-in
// page's files now cached, as a browser would have them). Prints one JSON object.
import { chromium } from 'playwright-core';

const base = process.env.BASE_URL;
const runs = Number(process.env.RUNS ?? 3);
const username = process.env.USERNAME_DEMO ?? 'caseworker';
const password = 'threshold-demo-2026';
const conditions = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6e6 / 8),
  uploadThroughput: (750e3 / 8),
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function once(browser) {
  const context = await browser.newContext({ viewport: { width: 768, height: 1024 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', conditions);
  const files = new Map();
  let bytes = 0;
  cdp.on('Network.responseReceived', (e) => files.set(e.requestId, { url: e.response.url, fromCache: e.response.fromDiskCache }));
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    const file = files.get(e.requestId);
    if (file) file.bytes = e.encodedDataLength;
  });
  const hydrated = () => page.waitForFunction(() => window.__threshold_hydrated === true, null, { polling: 20, timeout: 120_000 });

  // The sign-in page, cold: the first visit of a tablet.
  await cdp.send('Network.clearBrowserCache');
  let started = Date.now();
  await page.goto(`${base}/sign-in`, { waitUntil: 'commit' });
  await hydrated();
  const signIn = { bytes, ms: Date.now() - started, files: [...files.values()].filter((f) => f.bytes) };

  // Signing in: the dashboard with its counts, interactive.
  bytes = 0; files.clear();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  started = Date.now();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Home' }).waitFor({ timeout: 120_000 });
  await hydrated();
  await page.getByTestId('count-awaiting').or(page.getByText('Choose your Workgroup and Organization')).first().waitFor({ timeout: 120_000 });
  await page.waitForLoadState('networkidle');
  const dashboard = { bytes, ms: Date.now() - started, files: [...files.values()].filter((f) => f.bytes) };
  await context.close();
  return { signIn, dashboard };
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic'],
});
const results = [];
for (let i = 0; i < runs; i++) results.push(await once(browser));
await browser.close();
const largest = (files) => files.sort((a, b) => b.bytes - a.bytes).slice(0, 4).map((f) => `${new URL(f.url).pathname} ${f.bytes} B`);
console.log(JSON.stringify({
  runs,
  conditions: '1.6 Mbit/s down, 750 kbit/s up, 150 ms latency, cache disabled for the first page',
  sign_in: { bytes: median(results.map((r) => r.signIn.bytes)), ms: median(results.map((r) => r.signIn.ms)), largest: largest(results[0].signIn.files) },
  dashboard: { bytes: median(results.map((r) => r.dashboard.bytes)), ms: median(results.map((r) => r.dashboard.ms)), largest: largest(results[0].dashboard.files) },
  in_all_bytes: median(results.map((r) => r.signIn.bytes + r.dashboard.bytes)),
}, null, 2));
