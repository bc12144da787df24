import { test, expect, Page, Browser } from '@playwright/test';
import { applyContext, hydrated, signIn, PASSWORD, today, openCeEvent } from './helpers';

async function asProvider(page: Page) {
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');
}


const usDate = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;

test('a PLM refers a client from the Priority List and the provider acknowledges it', async ({ page }) => {
  await signIn(page, 'plm');
  await hydrated(page);
  await applyContext(page, 'Priority List Manager', 'Riverbend CoC Coordinated Entry');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Priority List' }).click();
  await page.getByLabel('Name').fill('Ashby');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByRole('link', { name: 'Refer Wendell Ashby to housing opening' }).click();
  await expect(page.getByRole('heading', { name: 'Refer to housing opening' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Referred to project').selectOption({ label: 'Northside Permanent Supportive Housing (Northside Housing Partners)' });
  await expect(page.getByLabel('Event', { exact: true })).toHaveValue('14');
  await page.getByRole('button', { name: 'Refer' }).click();
  await expect(page.getByText('Referral recorded.')).toBeVisible();
  const row = page.getByRole('row', { name: /Northside Permanent Supportive Housing/ });
  await expect(row).toContainText('CES: Matched: Awaiting response by Housing Provider');
  await expect(row).toContainText('Referral to PSH project resource opening');

  // The provider acknowledges it.
  await page.context().clearCookies();
  await asProvider(page);
  await openCeEvent(page, 'Ashby', 'Wendell Ashby');
  await expect(page.getByLabel('Housing Provider Contact Name')).toHaveValue('Casey Moreno'); // prefilled
  await page.getByLabel('Date Referral Acknowledged').fill(today());
  await page.getByLabel('Housing Provider Contact Phone').fill('612 555 0177');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByLabel('Housing Provider Contact Phone')).toHaveValue('(612) 555-0177');
  await expect(page.getByRole('heading', { name: 'History' })).toBeVisible();
  await expect(page.getByText(/Date Referral Acknowledged: \(blank\) →/)).toBeVisible();
});

test('field rules show as the user types, and Save says why it is unavailable', async ({ page }) => {
  await asProvider(page);
  await openCeEvent(page, 'Okonkwo', 'Dashiell Okonkwo');
  await page.getByLabel('Housing Provider Contact Email').fill('not-an-email');
  await expect(page.locator('#provider_contact_email-error')).toHaveText('Enter a valid email address, e.g. name@example.org.');
  await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
  await expect(page.locator('#save-reason')).toContainText('Housing Provider Contact Email');
  await page.getByLabel('Housing Provider Contact Email').fill('casey@northside.example');
  await expect(page.getByRole('button', { name: 'Save' })).toBeEnabled();
});

test('the provider resolves one referral unsuccessful with a reason', async ({ page }) => {
  await asProvider(page);
  await openCeEvent(page, 'Hendricks', 'Opal Hendricks');
  await expect(page.getByLabel('Result Date')).toBeHidden();
  await page.getByLabel('Referral Result').selectOption({ label: 'Unsuccessful referral: client rejected' });
  await expect(page.getByLabel('Result Date')).toBeVisible();
  await expect(page.getByLabel('Resulting Enrollment')).toBeHidden();
  await page.getByLabel('Result Date').fill(today());
  await expect(page.locator('#date_referral_acknowledged-error')).toHaveText('Record the date the referral was acknowledged before resolving it.');
  await page.getByLabel('Date Referral Acknowledged').fill(today());
  await page.getByLabel('If Not Housed, Reason').selectOption({ label: 'Client declined the housing offered' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to CE Events' }).click();
  await expect(page.getByRole('row', { name: /Unsuccessful referral: client rejected/ })).toBeVisible();
});

test('a successful referral against an existing enrollment is locked but takes If Not Housed, Reason', async ({ page }) => {
  await asProvider(page);
  await openCeEvent(page, 'Wren', 'Tobias Wren');
  await page.getByLabel('Date Referral Acknowledged').fill(today());
  await page.getByLabel('Referral Result').selectOption({ label: 'Successful referral: client accepted' });
  await page.getByLabel('Resulting Enrollment').selectOption({ label: `Northside Rapid Re-Housing (Project Start Date ${usDate(today())})` });
  await expect(page.getByLabel('Result Date')).toHaveValue(today());
  await expect(page.getByLabel('Result Date')).toHaveAttribute('readonly', '');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  // Enrolled but not housed: only the reason can change.
  await expect(page.getByRole('note')).toContainText('can no longer change');
  await expect(page.getByLabel('Referral Result')).toHaveCount(0);
  await page.getByLabel('If Not Housed, Reason').selectOption({ label: 'Unit not available or fell through' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByText(/If Not Housed, Reason: \(blank\) → Unit not available or fell through/)).toBeVisible();
  await expect(page.locator('.field-readonly').filter({ hasText: 'Referral Result' })).toContainText('Successful referral: client accepted');
});

test("a second browser's stale save is refused", async ({ browser }) => {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const a = await first.newPage();
  const b = await second.newPage();
  await asProvider(a);
  await asProvider(b);
  await openCeEvent(a, 'Okonkwo', 'Dashiell Okonkwo');
  await openCeEvent(b, 'Okonkwo', 'Dashiell Okonkwo');

  await a.getByLabel('Date Referral Acknowledged').fill(today());
  await a.getByRole('button', { name: 'Save' }).click();
  await expect(a.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await b.getByLabel('Date Referral Acknowledged').fill(today());
  await b.getByLabel('Housing Provider Contact Name').fill('Someone Else');
  await b.getByRole('button', { name: 'Save' }).click();
  await expect(b.getByRole('alert')).toContainText('changed by someone else');
  await b.getByRole('button', { name: 'Reload the latest version' }).click();
  await expect(b.getByLabel('Housing Provider Contact Name')).toHaveValue('Casey Moreno');
  await first.close();
  await second.close();
});

async function noScript(browser: Browser) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  return { context, page: await context.newPage() };
}

test('the acknowledge form works with JavaScript disabled', async ({ browser }) => {
  const { context, page } = await noScript(browser);
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill('caseworker');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Home' })).toBeVisible();
  // The Settings sidebar is a <details>: it opens without JavaScript.
  await page.getByLabel('User settings').click();
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('active-context')).toHaveText('HMIS User · Northside Housing Partners');

  await openCeEvent(page, 'Quintero', 'Marisol Quintero', false);
  // A bad date comes back as a field error.
  await page.getByLabel('Date Referral Acknowledged').fill('2001-01-01');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('The date acknowledged cannot be before the Event Date.');
  await page.getByLabel('Date Referral Acknowledged').fill(today());
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByLabel('Date Referral Acknowledged')).toHaveValue(today());

  // Resolving needs no JavaScript either: every outcome field is in the page, checked on the server.
  await expect(page.getByLabel('Result Date')).toBeVisible();
  await expect(page.getByLabel('If Not Housed, Reason')).toBeVisible();
  await page.getByLabel('Referral Result').selectOption({ label: 'Unsuccessful referral: provider rejected' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#result_date-error')).toHaveText('Enter the Result Date.');
  await expect(page.locator('#not_housed_reason-error')).toHaveText('Choose the reason the client was not housed.');
  await expect(page.getByRole('alert')).toContainText('Result Date');
  await page.getByLabel('Referral Result').selectOption({ label: 'Unsuccessful referral: provider rejected' });
  await page.getByLabel('Result Date').fill(today());
  await page.getByLabel('If Not Housed, Reason').selectOption({ label: 'Client declined the housing offered' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByLabel('Referral Result').locator('option:checked')).toHaveText('Unsuccessful referral: provider rejected');
  await expect(page.getByText(/Referral Result: \(blank\) → Unsuccessful referral: provider rejected/)).toBeVisible();
  await context.close();
});
