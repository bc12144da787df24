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
