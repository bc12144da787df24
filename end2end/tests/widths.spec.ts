import { test, expect, Page } from '@playwright/test';
import { applyContext, expectTabletReady, hydrated, signIn, TABLET_SIZES } from './helpers';

// Every route at 768×1024 and 1024×768: the page never scrolls sideways and axe's WCAG 2.1 AA
// rules pass. (The intake's steps are checked on the way in intake.spec.ts.) Runs last: it
// only reads.

test.beforeEach(async ({ page }) => {
  await page.setViewportSize(TABLET_SIZES[0]);
});

/** Visits `address`, waits for hydration and checks it. */
async function visit(page: Page, address: string, label: string) {
  await page.goto(address);
  await hydrated(page);
  await expectTabletReady(page, label);
}

/** The address a link on the current page points to. */
async function linkTo(page: Page, name: string | RegExp): Promise<string> {
  const href = await page.getByRole('link', { name }).first().getAttribute('href');
  expect(href, `a link named ${name}`).toBeTruthy();
  return href!;
}

test('the sign-in page and an unknown address fit a tablet', async ({ page }) => {
  await visit(page, '/sign-in', 'Sign in');
  const missing = await page.goto('/no-such-page');
  expect(missing!.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expectTabletReady(page, 'Page not found');
});

test("a caseworker's pages fit a tablet", async ({ page }) => {
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');
  await visit(page, '/', 'Home');
  // Each count's name holds what it shows (WCAG 2.5.3, label in name).
  for (const [count, shown] of [['count-awaiting', 'Awaiting acknowledgement'], ['count-resolved', 'Resolved, last 30 days']]) {
    const tile = page.getByRole('link').filter({ has: page.getByTestId(count) });
    const name = (await tile.getAttribute('aria-label'))!.toLowerCase();
    expect(name).toContain(shown.toLowerCase());
    expect(name).toContain((await page.getByTestId(count).textContent())!.trim());
  }
  await visit(page, '/clients?q=Wren&dob=', 'Clients (search)');
  const client = await linkTo(page, 'Tobias Wren');
  await visit(page, client, 'Client record');
  await visit(page, `${client}/ce-events`, 'Coordinated Entry Event');
  await visit(page, await linkTo(page, /^Edit CE Event of/), 'CE Event');
  await visit(page, `${client}/enrollments`, 'Enrollments');
  await page.getByLabel(/^Actions for /).first().click();
  await expectTabletReady(page, 'Enrollments (action button open)');
  await visit(page, await linkTo(page, 'Northside Rapid Re-Housing'), 'Enrollment');
  await visit(page, `${client}/referrals`, 'Client Referrals');
  await visit(page, '/referrals/incoming', 'Incoming referrals');
  await visit(page, '/notifications', 'Notifications');
  await visit(page, '/change-password', 'Change password');
  await page.getByLabel('User settings').click();
  await expectTabletReady(page, 'Settings sidebar');
});

test("a non-CE provider's pages fit a tablet", async ({ page }) => {
  await signIn(page, 'eastgate');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Eastgate Community Services');
  await visit(page, '/referrals/non-ce', 'Non-CE referrals');
  await visit(page, '/clients?q=Solberg&dob=', 'Clients (search)');
  const client = await linkTo(page, 'Ingrid Solberg');
  await visit(page, `${client}/referrals`, 'Client Referrals');
  await visit(page, await linkTo(page, /^Edit referral for/), 'Referral outcome');
});

test("a Priority List Manager's pages fit a tablet", async ({ page }) => {
  await signIn(page, 'plm');
  await hydrated(page);
  await applyContext(page, 'Priority List Manager', 'Riverbend CoC Coordinated Entry');
  await visit(page, '/priority-list', 'Priority List');
  await visit(page, '/returned-referrals', 'Returned referrals');
  await visit(page, '/transfer-requests', 'Transfer requests');
  await visit(page, '/coc-referrals', 'CoC referrals');
  await visit(page, await linkTo(page, /^\d+ awaiting acknowledgement, /), 'CoC referral list');
  await visit(page, '/clients?q=Ashby&dob=', 'Clients (search)');
  const client = await linkTo(page, 'Wendell Ashby');
  await visit(page, `${client}/refer`, 'Refer to housing opening');
});

test("a System Administrator's pages fit a tablet", async ({ page }) => {
  await signIn(page, 'admin');
  await hydrated(page);
  await applyContext(page, 'System Administrator', 'Riverbend HMIS Lead Agency');
  await visit(page, '/admin/users', 'Users');
  await visit(page, await linkTo(page, /Casey Moreno|caseworker/), 'User');
  await visit(page, '/admin/organizations', 'Organizations');
  await visit(page, await linkTo(page, 'Northside Housing Partners'), 'Organization');
  await visit(page, await linkTo(page, 'Northside Permanent Supportive Housing'), 'Project');
  await visit(page, '/programs', 'Programs');
  await visit(page, '/export', 'HMIS CSV export');
  await visit(page, '/settings/need-statuses', 'Referral Need Statuses');
  await visit(page, '/settings/return-reasons', 'Return reasons');
  await visit(page, '/admin/outbox', 'E-mail outbox');
});
