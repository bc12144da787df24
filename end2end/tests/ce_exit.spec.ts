import { test, expect } from '@playwright/test';
import { applyContext, hydrated, signIn, today } from './helpers';

test('a housing provider sees why it cannot exit a client from Coordinated Entry', async ({ page }) => {
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');
  // Beatrix Oduya was referred to Northside: her CE enrollment is visible, read-only.
  await page.goto('/clients?q=Oduya&dob=');
  await page.getByRole('link', { name: 'Beatrix Oduya' }).click();
  await page.getByRole('navigation', { name: 'Client record' }).getByRole('link', { name: 'Enrollments' }).click();
  await page.getByRole('link', { name: 'Riverbend Coordinated Entry' }).click();
  await expect(page.getByRole('heading', { name: 'CE Enrollment Exit' })).toBeVisible();
  await expect(page.getByRole('note').filter({ hasText: "Only users working in the RB-501 CoC's Coordinated Entry organization" })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Exit the Enrollment' })).toHaveCount(0);
});

test('a Priority List Manager exits a client from CE and the client leaves the Priority List', async ({ page }) => {
  await signIn(page, 'plm');
  await hydrated(page);
  await applyContext(page, 'Priority List Manager', 'Riverbend CoC Coordinated Entry');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Priority List' }).click();
  await page.getByLabel('Name').fill('Marsh');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByRole('link', { name: 'Gideon Marsh', exact: true }).click();
  await page.getByRole('navigation', { name: 'Client record' }).getByRole('link', { name: 'Enrollments' }).click();
  await hydrated(page);
  // Article 004: "Locate the CE enrollment. Click the action button. Select Exit the Enrollment."
  const ceRow = page.getByRole('row', { name: /Riverbend Coordinated Entry/ });
  await expect(ceRow.getByRole('link', { name: 'Exit the Enrollment' })).toBeHidden();
  await ceRow.getByLabel('Actions for Riverbend Coordinated Entry').click();
  await ceRow.getByRole('link', { name: 'Exit the Enrollment' }).click();
  await expect(page).toHaveURL(/\/enrollments\/\d+#exit$/);
  await expect(page.getByRole('heading', { name: 'CE Enrollment Exit' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Project Exit Date').fill(today());
  await page.getByLabel('Destination', { exact: true }).selectOption({ label: 'Rental by client, no ongoing housing subsidy' });
  await page.getByRole('button', { name: 'Exit the Enrollment' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Priority List' }).click();
  await page.getByLabel('Name').fill('Marsh');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText(/No clients on the RB-501 Priority List match/)).toBeVisible();
});
