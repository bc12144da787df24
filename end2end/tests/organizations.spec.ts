import { test, expect } from '@playwright/test';
import { applyContext, hydrated, signIn } from './helpers';

test('an administrator adds a project whose HUD questions follow its type, gives it CE participation, and reads its history', async ({ page }) => {
  await signIn(page, 'admin');
  await hydrated(page);
  await applyContext(page, 'System Administrator', 'Riverbend HMIS Lead Agency');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
  await expect(page.getByRole('heading', { name: 'Organizations' })).toBeVisible();
  await page.getByRole('link', { name: 'Eastgate Community Services' }).click();
  await expect(page.getByRole('heading', { name: 'Eastgate Community Services' })).toBeVisible();
  await page.getByRole('link', { name: 'Add a project' }).click();
  await expect(page.getByRole('heading', { name: 'Add a project' })).toBeVisible();
  await hydrated(page);

  const form = page.locator('form.project-form');
  await form.getByLabel('Project Name').fill('Eastgate Rapid Re-Housing');
  await form.getByLabel('Operating Start Date').fill('2025-07-01');
  // Rapid Re-Housing asks its subtype; "Services Only" then asks about residential affiliation
  // and not the housing type (HUD 2.02.A, 2.02.B, 2.02.D).
  await expect(form.getByLabel('RRH Subtype')).toBeHidden();
  await form.getByLabel('Project Type').selectOption({ label: 'PH – Rapid Re-Housing' });
  await expect(form.getByLabel('RRH Subtype')).toBeVisible();
  await form.getByLabel('RRH Subtype').selectOption({ label: 'RRH: Services Only' });
  await expect(form.getByLabel('Affiliated with a residential project')).toBeVisible();
  await expect(form.getByLabel('Housing Type')).toBeHidden();
  await form.getByLabel('RRH Subtype').selectOption({ label: 'RRH: Housing with or without services' });
  await expect(form.getByLabel('Housing Type')).toBeVisible();
  await expect(form.getByLabel('Affiliated with a residential project')).toBeHidden();
  await form.getByLabel('Housing Type').selectOption({ label: 'Tenant-based – scattered site' });
  await form.getByLabel('Continuum of Care', { exact: true }).selectOption('RB-501');
  // The geocode rule speaks as soon as the field is touched.
  await form.getByLabel('Geocode').fill('27');
  await expect(page.getByText("Enter HUD's six-digit geographic code for the project's location.").first()).toBeVisible();
  await expect(form.getByRole('button', { name: 'Create project' })).toBeDisabled();
  await form.getByLabel('Geocode').fill('279001');
  await form.getByRole('button', { name: 'Create project' }).click();

  await expect(page.getByRole('heading', { name: 'Eastgate Rapid Re-Housing' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('link', { name: 'Add a CE participation record' }).click();
  await expect(page.getByRole('heading', { name: 'Add a CE participation record' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('CE Participation Status Start Date').fill('2025-07-01');
  await page.getByRole('button', { name: 'Save CE participation' }).click();
  await expect(page.getByText(/07\/01\/2025 –\s+· Receives referrals/)).toBeVisible();

  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByText('CE participation added')).toBeVisible();
  await expect(history.getByText('Created')).toBeVisible();
  await expect(history.getByText('RRH Subtype: RRH: Housing with or without services')).toBeVisible();

  // The programs page now lists it with its owning organization.
  await page.goto('/programs?q=Eastgate%20Rapid');
  const row = page.getByRole('row', { name: /Eastgate Rapid Re-Housing/ });
  await expect(row).toContainText('Eastgate Community Services');
  await expect(row).toContainText('Yes');
});

test('a housing provider cannot reach organization administration', async ({ page }) => {
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' })).toHaveCount(0);
  await page.goto('/admin/organizations');
  await expect(page.getByRole('heading', { name: 'Not available in this Workgroup' })).toBeVisible();
});
