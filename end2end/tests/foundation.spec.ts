import { test, expect, Browser } from '@playwright/test';
import { applyContext, hydrated, signIn, PASSWORD } from './helpers';

test('a caseworker signs in, applies a context, searches a client and opens the record', async ({ page }) => {
  await signIn(page, 'caseworker');
  await hydrated(page);
  await expect(page.getByTestId('active-context')).toHaveText(/No Workgroup or Organization applied|HMIS User/);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
  await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible();
  await page.getByLabel('Name or Personal ID').fill('Quintero');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'Marisol Quintero' }).click();

  await expect(page.getByRole('heading', { name: 'Marisol Quintero' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Contact Information' })).toBeVisible();
  await expect(page.getByText('(612) 555-0000')).toBeVisible();
});

test('a user of one organization gets "not found" for a client of another, in the UI and by the server function', async ({ page }) => {
  // Find Lena Strand's Personal ID as the Lakeshore user who may see her.
  await signIn(page, 'lakeshore');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Lakeshore Family Housing');
  await page.goto('/clients?q=Strand&dob=');
  await page.getByRole('link', { name: 'Lena Strand' }).click();
  await expect(page.getByRole('heading', { name: 'Lena Strand' })).toBeVisible();
  const lenaUrl = page.url();
  const lenaId = lenaUrl.split('/').pop()!;

  await page.context().clearCookies();
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');

  // Another organization's record answers 404 (not 200), says so, and offers a way back.
  const notFound = await page.goto(lenaUrl);
  expect(notFound!.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expect(page.getByText('There is no such record, or it is not shared with your organization.')).toBeVisible();
  await page.getByRole('link', { name: 'Back to Clients' }).click();
  await expect(page).toHaveURL(/\/clients$/);
  await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible();
  await expect(page.getByText('Lena Strand')).toHaveCount(0);

  await page.goto('/clients?q=Strand&dob=');
  await expect(page.getByText('No clients found that your organization may see.')).toBeVisible();

  // The server function itself, called directly with this user's session.
  const origin = new URL(page.url()).origin;
  const response = await page.request.post('/api/clients/get', {
    form: { id: lenaId },
    headers: { Origin: origin, Accept: 'application/json' },
  });
  expect(response.status()).toBe(404);
  expect(await response.json()).toBe('NotFound');
});

test('pages hydrate under the Content-Security-Policy, and a first sign-in with one membership starts in it', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (execute|load|compile)/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto('/sign-in');
  const policy = response!.headers()['content-security-policy'];
  expect(policy).toContain("script-src 'self' 'nonce-");
  expect(policy).not.toContain("script-src 'self' 'unsafe-inline'");
  // The assessor holds one membership and has never applied one: it is applied at sign-in.
  await page.getByLabel('Username').fill('assessor');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Home' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId('active-context')).toHaveText('Coordinated Entry Assessor · Riverbend CoC Coordinated Entry');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
  await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible();
  expect(violations).toEqual([]);
});

async function noScriptPage(browser: Browser) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  return { context, page: await context.newPage() };
}

test('sign-in works with JavaScript disabled, and shows a wrong password at the form', async ({ browser }) => {
  const { context, page } = await noScriptPage(browser);
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill('caseworker');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('The username or password is incorrect.');

  await page.getByLabel('Username').fill('caseworker');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Home' })).toBeVisible();
  await expect(page.getByLabel('User settings')).toBeVisible();
  await context.close();
});

test('the Settings sidebar applies any Workgroup and Organization held, with JavaScript disabled', async ({ browser }) => {
  const { context, page } = await noScriptPage(browser);
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill('lakeshore');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Home' })).toBeVisible();

  // A pair the user does not hold is refused at the field, with the sidebar open on it.
  await page.getByLabel('User settings').click();
  let sidebar = page.getByRole('complementary', { name: 'Settings' });
  await sidebar.getByLabel('Workgroup').selectOption({ label: 'Priority List Manager' });
  await sidebar.getByLabel('Organization').selectOption({ label: 'Lakeshore Family Housing' });
  await sidebar.getByRole('button', { name: 'Apply' }).click();
  sidebar = page.getByRole('complementary', { name: 'Settings' });
  await expect(sidebar.getByText('You do not hold this Workgroup in this Organization.').first()).toBeVisible();

  // Every Organization is offered under its Workgroup, so the other pair can be applied too.
  await sidebar.getByLabel('Workgroup').selectOption({ label: 'Priority List Manager' });
  await sidebar.getByLabel('Organization').selectOption({ label: 'Lakeshore CoC Coordinated Entry' });
  await sidebar.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('active-context')).toHaveText('Priority List Manager · Lakeshore CoC Coordinated Entry');
  await context.close();
});

test('the Settings sidebar closes with its Close button and with Escape, back on the user icon', async ({ page }) => {
  await signIn(page, 'caseworker');
  await hydrated(page);
  // The icon's name starts with what it shows (WCAG 2.5.3).
  await expect(page.locator('.user-icon')).toHaveText('CM');
  const summary = page.getByLabel('CM, user settings of Casey Moreno');
  await expect(summary).toBeVisible();
  const sidebar = page.getByRole('complementary', { name: 'Settings' });

  await summary.click();
  await expect(sidebar).toBeVisible();
  // The icon stays above the open sidebar, so it can close it too.
  await expect(summary).toBeInViewport();
  await sidebar.getByRole('button', { name: 'Close' }).click();
  await expect(sidebar).toBeHidden();
  await expect(summary).toBeFocused();

  await summary.click();
  await expect(sidebar).toBeVisible();
  await sidebar.getByLabel('Workgroup').focus();
  await page.keyboard.press('Escape');
  await expect(sidebar).toBeHidden();
  await expect(summary).toBeFocused();

  // Opened again by the keyboard, from the icon.
  await page.keyboard.press('Enter');
  await expect(sidebar).toBeVisible();
  await summary.click();
  await expect(sidebar).toBeHidden();
});

test('the layout works at 768 px wide', async ({ page }) => {
  await page.setViewportSize({ width: 768, height: 1024 });
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');
  await page.goto('/clients?q=Okonkwo&dob=');
  await page.getByRole('link', { name: 'Dashiell Okonkwo' }).click();
  await expect(page.getByRole('heading', { name: 'Dashiell Okonkwo' })).toBeVisible();
  await expect(page.getByText(/^\*\*\*-\*\*-\d{4}$/)).toBeVisible(); // only the last four digits of the SSN
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('the app code reaches the browser brotli-compressed, under a content-hashed name it may keep', async ({ page }) => {
  const wasm = page.waitForResponse(response => /\/pkg\/threshold\.[\w-]+\.wasm$/.test(response.url()));
  await page.goto('/sign-in');
  const response = await wasm;
  expect(response.status()).toBe(200);
  const headers = await response.allHeaders();
  expect(headers['content-encoding']).toBe('br');
  expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
  await hydrated(page);
  // The page itself carries personal data once signed in: never stored.
  const html = await page.request.get('/sign-in');
  expect(html.headers()['cache-control']).toBe('no-store');
});

test("a page's code arrives when the user first goes there, not with the sign-in page", async ({ page }) => {
  const fetched: string[] = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith('/pkg/')) fetched.push(path);
  });
  await signIn(page, 'caseworker');
  await hydrated(page);
  // The sign-in page and the dashboard: the first WASM only, no page chunk.
  expect(fetched.filter((p) => p.includes('split___'))).toEqual([]);
  expect(fetched.filter((p) => /\/pkg\/threshold\.[\w-]+\.wasm$/.test(p))).toHaveLength(1);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');

  // Clients: its own chunk arrives on the way there, and the page works.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
  await expect(page.getByLabel('Name or Personal ID')).toBeVisible();
  expect(fetched.some((p) => p.includes('split___clients_route_view'))).toBe(true);
  expect(fetched.some((p) => p.includes('split___intake_route_view'))).toBe(false);
  await page.getByLabel('Name or Personal ID').fill('Okonkwo');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('link', { name: 'Dashiell Okonkwo' })).toBeVisible();

  // A page loaded straight from its address hydrates with its chunk, too.
  await page.goto('/referrals/incoming');
  await hydrated(page);
  expect(fetched.some((p) => p.includes('split___incoming_route_view'))).toBe(true);
});
