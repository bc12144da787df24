import { test, expect, Page } from '@playwright/test';
import { applyContext, hydrated, signIn, PASSWORD, today } from './helpers';

async function asEastgate(page: Page) {
  await signIn(page, 'eastgate');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Eastgate Community Services');
}

/** From the dashboard's non-CE count to the client's Referral Outcome form. */
async function openIncoming(page: Page, client: string) {
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('link', { name: /non-CE referrals awaiting acknowledgement/ }).click();
  await expect(page.getByRole('heading', { name: 'Incoming non-CE referrals awaiting acknowledgement' })).toBeVisible();
  await page.getByRole('link', { name: client }).click();
  await expect(page.getByRole('heading', { name: 'Referral Outcome' })).toBeVisible();
  await hydrated(page);
}

test('a provider acknowledges a non-CE referral, then resolves it as No Show', async ({ page }) => {
  await asEastgate(page);
  await openIncoming(page, 'Beatrix Oduya');
  await page.getByLabel('Date Referral Acknowledged').fill(today());
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Acknowledged' }).first()).toBeVisible();

  // Outcome Information: the rules speak as the user types.
  await page.getByLabel('Result', { exact: true }).selectOption({ label: 'No Show' });
  await expect(page.locator('#result_date-error')).toHaveText('Enter the Result Date: when the result was determined.');
  await page.getByLabel('Appointment Date').fill(today());
  await page.getByLabel('Result Date').fill(today());
  await page.getByLabel('Comments').fill('Did not come to the eligibility meeting.');
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Resolved: No Show' }).first()).toBeVisible();
  await page.getByRole('link', { name: 'Back to Client Referrals' }).click();
  await expect(page.getByRole('row', { name: /Case management/ }).first()).toContainText('Resolved: No Show');
});

test('Services Provided is followed by the intake for the receiving project', async ({ page }) => {
  await asEastgate(page);
  await openIncoming(page, 'Hollis Varga');
  await page.getByLabel('Date Referral Acknowledged').fill(today());
  await page.getByLabel('Appointment Date').fill(today());
  await page.getByLabel('Result Date').fill(today());
  await page.getByLabel('Result', { exact: true }).selectOption({ label: 'Services Provided' });
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Start intake' }).click();
  await expect(page.getByRole('heading', { name: 'Intake', exact: true })).toBeVisible();
  await hydrated(page);
  await expect(page.getByLabel('Project', { exact: true }).locator('option:checked')).toHaveText(/Eastgate Case Management/);
});

test('the Referral Outcome form works with JavaScript disabled', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill('eastgate');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('User settings').click();
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('active-context')).toHaveText('HMIS User · Eastgate Community Services');

  await page.goto('/clients?q=Solberg&dob=');
  await page.getByRole('link', { name: 'Ingrid Solberg' }).click();
  await page.getByRole('navigation', { name: 'Client record' }).getByRole('link', { name: 'Referrals' }).click();
  await expect(page.getByRole('heading', { name: 'Client Referrals' })).toBeVisible();
  await page.getByRole('link', { name: /^Edit referral for Case management/ }).click();
  await expect(page.getByRole('heading', { name: 'Referral Outcome' })).toBeVisible();
  // A bad date comes back as a field error.
  await page.getByLabel('Date Referral Acknowledged').fill('2001-01-01');
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(page.getByRole('alert')).toContainText('The date cannot be before the referral date.');
  await page.getByLabel('Date Referral Acknowledged').fill(today());
  await page.getByRole('button', { name: 'Finish' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByLabel('Date Referral Acknowledged')).toHaveValue(today());
  await context.close();
});
