import { test, expect } from '@playwright/test';
import { applyContext, hydrated, signIn, today } from './helpers';

test('the provider follows "awaiting acknowledgement" to a CE Event, acknowledges it, and the counts change without a reload', async ({ page }) => {
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');
  await expect(page.getByRole('heading', { name: 'Incoming referrals' })).toBeVisible();
  await expect(page.getByText(/^Last updated /)).toBeVisible();
  const awaiting = Number(await page.getByTestId('count-awaiting').textContent());
  const inProgress = Number(await page.getByTestId('count-in-progress').textContent());
  expect(awaiting).toBeGreaterThan(0);

  // Mark this document: a full reload would lose the mark.
  await page.evaluate(() => { (window as any).__no_reload = true; });

  await page.getByRole('link', { name: `${awaiting} awaiting acknowledgement` }).click();
  await expect(page.getByRole('heading', { name: 'Incoming referrals awaiting acknowledgement' })).toBeVisible();
  const rows = page.getByRole('row');
  await expect(rows).toHaveCount(awaiting + 1); // header + one row per referral
  await rows.nth(1).getByRole('link').click();
  await expect(page.getByRole('heading', { name: 'CE Event', exact: true })).toBeVisible();
  await page.getByLabel('Date Referral Acknowledged').fill(today());
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByText('CES: Attempted/Attempting Contact').first()).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
  await expect(page.getByTestId('count-awaiting')).toHaveText(String(awaiting - 1));
  await expect(page.getByTestId('count-in-progress')).toHaveText(String(inProgress + 1));
  expect(await page.evaluate(() => (window as any).__no_reload)).toBe(true);
});

test('an overdue referral is flagged in the list behind the Overdue count', async ({ page }) => {
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');
  const overdue = Number(await page.getByTestId('count-overdue').textContent());
  expect(overdue).toBeGreaterThan(0);
  await page.getByRole('link', { name: `${overdue} overdue` }).click();
  await expect(page.getByRole('heading', { name: 'Overdue incoming referrals' })).toBeVisible();
  await expect(page.getByRole('cell', { name: /Overdue/ }).first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Timeliness at a glance (last 90 days)' })).toHaveCount(0);
});

test('a referral left 8 days without a response shows in timeliness at a glance and leads to its CE Event', async ({ page }) => {
  const d = new Date(Date.now() - 8 * 86400000);
  const eightDaysAgo = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  // The Priority List Manager records a referral made 8 days ago.
  await signIn(page, 'plm');
  await hydrated(page);
  await applyContext(page, 'Priority List Manager', 'Riverbend CoC Coordinated Entry');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Priority List' }).click();
  await page.getByLabel('Name').fill('Peterson');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByRole('link', { name: 'Refer Omar Peterson to housing opening' }).click();
  await hydrated(page);
  await page.getByLabel('Referred to project').selectOption({ label: 'Northside Rapid Re-Housing (Northside Housing Partners)' });
  await page.getByLabel('Event Date').fill(eightDaysAgo);
  await page.getByRole('button', { name: 'Refer' }).click();
  await expect(page.getByText('Referral recorded.')).toBeVisible();

  // The provider's dashboard: medians by project, and the referral among the warnings.
  await page.context().clearCookies();
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');
  const panel = page.getByRole('region', { name: 'Timeliness at a glance (last 90 days)' });
  await expect(panel.getByRole('columnheader', { name: 'Median days to acknowledgement' })).toBeVisible();
  await expect(panel.getByRole('row', { name: /^Northside Rapid Re-Housing \d+/ })).toBeVisible();
  await expect(panel.getByText(/referral\(s\) with no acknowledgement and no result 7 or more days after the Event Date/)).toBeVisible();
  const warning = panel.getByRole('row', { name: /Omar Peterson/ });
  await expect(warning.getByRole('cell').nth(6)).toHaveText('8'); // days since referral
  await warning.getByRole('link', { name: 'Omar Peterson' }).click();
  await expect(page.getByRole('heading', { name: 'CE Event', exact: true })).toBeVisible();
  await expect(page.getByLabel('Date Referral Acknowledged')).toHaveValue('');
});
