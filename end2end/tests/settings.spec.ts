import { test, expect } from '@playwright/test';
import { applyContext, hydrated, signIn } from './helpers';

test('an administrator changes a need status timeliness standard', async ({ page }) => {
  await signIn(page, 'admin');
  await hydrated(page);
  await applyContext(page, 'System Administrator', 'Riverbend HMIS Lead Agency');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Need statuses' }).click();
  await expect(page.getByRole('heading', { name: 'Referral Need Statuses' })).toBeVisible();
  await page.getByRole('link', { name: 'Edit CES: Client Engaged, In Progress to Enrollment' }).click();
  await expect(page.getByRole('heading', { name: /Edit “CES: Client Engaged/ })).toBeVisible();
  await page.getByLabel('Days allowed').fill('400');
  await page.getByRole('button', { name: 'Save status' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter 1 to 365 days');
  await page.getByLabel('Days allowed').fill('20');
  await page.getByLabel('Count').selectOption({ label: 'Calendar days' });
  await page.getByRole('button', { name: 'Save status' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByRole('row', { name: /^3 CES: Client Engaged/ })).toContainText('20 calendar days');
});

test('a housing provider cannot reach the need status settings', async ({ page }) => {
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Need statuses' })).toHaveCount(0);
  await page.goto('/settings/need-statuses');
  await expect(page.getByRole('heading', { name: 'Not available in this Workgroup' })).toBeVisible();
});

test('an administrator adds a CoC holiday that business days skip, then removes it', async ({ page }) => {
  await signIn(page, 'admin');
  await hydrated(page);
  await applyContext(page, 'System Administrator', 'Riverbend HMIS Lead Agency');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Need statuses' }).click();
  await page.getByLabel('Continuum of Care').selectOption({ label: 'RB-501 Riverbend CoC' });
  await page.getByRole('button', { name: 'Show' }).click();
  const holidays = page.getByRole('region', { name: 'Holidays of RB-501' });
  await expect(holidays.getByRole('row', { name: /Thanksgiving Day/ }).first()).toBeVisible(); // the demo's federal holidays
  await hydrated(page);

  // The shared rule speaks as the date is typed: weekends never count anyway.
  await holidays.getByLabel('Holiday', { exact: true }).fill('Staff training closure');
  await holidays.getByLabel('Date', { exact: true }).fill('2026-12-26');
  await expect(holidays.getByText(/Saturdays and Sundays never count as business days/).first()).toBeVisible();
  await expect(holidays.getByRole('button', { name: 'Add holiday' })).toBeDisabled();
  await holidays.getByLabel('Date', { exact: true }).fill('2026-12-28');
  await holidays.getByRole('button', { name: 'Add holiday' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const row = page.getByRole('region', { name: 'Holidays of RB-501' }).getByRole('row', { name: /Staff training closure/ });
  await expect(row).toContainText('12/28/2026');
  await expect(row).toContainText('Avery Admin');

  await row.getByRole('button', { name: 'Remove Staff training closure (12/28/2026)' }).click();
  await expect(page.getByRole('region', { name: 'Holidays of RB-501' }).getByRole('row', { name: /Staff training closure/ })).toHaveCount(0);
});
