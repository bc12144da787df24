import { test, expect, Browser, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { applyContext, hydrated, signIn, openCeEvent } from './helpers';

// E-mail notifications through a real SMTP server: scripts/test starts aiosmtpd, points the
// server at it (THRESHOLD_SMTP_URL) and tells this spec where it stores what arrives.
const MAILDIR = process.env.THRESHOLD_TEST_MAILDIR;

/** Every e-mail that arrived, headers unfolded and quoted-printable soft breaks undone. */
function arrived(): string[] {
  const folder = path.join(MAILDIR ?? '', 'new');
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder).map((name) =>
    fs.readFileSync(path.join(folder, name), 'utf8').replace(/=\r?\n/g, '').replace(/\r?\n /g, ' '));
}

async function signedIn(browser: Browser, username: string, workgroup: string, organization: string,
                        javaScript = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: javaScript });
  const page = await context.newPage();
  await signIn(page, username);
  if (javaScript) await hydrated(page);
  await applyContext(page, workgroup, organization);
  return page;
}

test('a caseworker chooses an e-mail for each notification; a note from Coordinated Entry arrives without the client', async ({ browser }) => {
  expect(MAILDIR, 'scripts/test starts aiosmtpd and sets THRESHOLD_TEST_MAILDIR').toBeTruthy();
  const casey = await signedIn(browser, 'caseworker', 'HMIS User', 'Northside Housing Partners');
  await casey.goto('/notifications');
  await hydrated(casey);
  const delivery = casey.getByRole('region', { name: 'Notification delivery' });
  await expect(delivery.getByLabel('In Threshold only')).toBeChecked();
  await delivery.getByLabel('By e-mail as each one happens').check();
  await delivery.getByRole('button', { name: 'Save delivery' }).click();
  await expect(delivery.getByRole('status')).toHaveText('Saved.');
  await casey.reload();
  await expect(casey.getByRole('region', { name: 'Notification delivery' }).getByLabel('By e-mail as each one happens')).toBeChecked();

  const plm = await signedIn(browser, 'plm', 'Priority List Manager', 'Riverbend CoC Coordinated Entry');
  await openCeEvent(plm, 'Larson', 'Marcus Larson');
  await plm.getByLabel('Add a note').fill('Marcus prefers calls in the morning.');
  await plm.getByRole('button', { name: 'Add note' }).click();
  await expect(plm.getByRole('region', { name: 'Notes' })).toContainText('Marcus prefers calls in the morning.');

  // The outbox worker sends it within seconds.
  const about = 'added a note on a referral to Northside Permanent Supportive Housing';
  const mine = () => arrived().filter((m) => m.includes('To: caseworker@riverbend-hmis.example') && m.includes(about));
  await expect.poll(() => mine().length, { timeout: 30_000 }).toBe(1);
  const mail = mine()[0];
  expect(mail).toContain('Subject: Threshold: Riverbend CoC Coordinated Entry added a note on a referral to Northside Permanent Supportive Housing.');
  expect(mail).toMatch(/http:\/\/127\.0\.0\.1:\d+\/clients\/\d+\/ce-events\/\d+/);
  // HMIS privacy: neither the client's name nor what the note says.
  for (const personal of ['Marcus', 'Larson', 'morning']) expect(mail).not.toContain(personal);
  await plm.context().close();
  await casey.context().close();

  // Without JavaScript the choice is a plain form.
  const plain = await signedIn(browser, 'caseworker', 'HMIS User', 'Northside Housing Partners', false);
  await plain.goto('/notifications');
  const form = plain.getByRole('region', { name: 'Notification delivery' });
  await form.getByLabel('In Threshold only').check();
  await form.getByRole('button', { name: 'Save delivery' }).click();
  await expect(plain.getByRole('region', { name: 'Notification delivery' }).getByRole('status')).toHaveText('Saved.');
  await expect(plain.getByRole('region', { name: 'Notification delivery' }).getByLabel('In Threshold only')).toBeChecked();
  await plain.context().close();
});

test('the System Administrator reads the e-mail outbox', async ({ page }) => {
  await signIn(page, 'admin');
  await hydrated(page);
  await applyContext(page, 'System Administrator', 'Riverbend HMIS Lead Agency');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'E-mail outbox' }).click();
  await expect(page.getByRole('heading', { name: 'E-mail outbox' })).toBeVisible();
  await expect(page.getByText('A mail server sends these e-mails')).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: 'caseworker@riverbend-hmis.example' }).first();
  await expect(row).toContainText('added a note on a referral to Northside Permanent Supportive Housing');
  await expect(row).toContainText(/Sent \d\d\/\d\d\/\d{4}/);
  // The message itself, behind its subject.
  await row.getByText(/^Threshold: .*added a note/).click();
  await expect(row.locator('pre')).toContainText('Open it in Threshold (sign-in required):');
});
