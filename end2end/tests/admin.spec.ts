import { test, expect } from '@playwright/test';
import { applyContext, hydrated, signIn } from './helpers';

const INITIAL = 'first-Sign-in-2026';

test('an administrator creates a user who signs in, changes the password and works until the membership is revoked', async ({ browser }) => {
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, 'admin');
  await hydrated(admin);
  await applyContext(admin, 'System Administrator', 'Riverbend HMIS Lead Agency');
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(admin.getByRole('heading', { name: 'Users' })).toBeVisible();
  await hydrated(admin);
  await admin.getByLabel('Username').fill('nia.okoro');
  await admin.getByLabel('Initial password').fill(INITIAL);
  await admin.getByLabel('First name').fill('Nia');
  await admin.getByLabel('Last name').fill('Okoro');
  await admin.getByRole('button', { name: 'Create user' }).click();
  await expect(admin.getByRole('heading', { name: 'Nia Okoro' })).toBeVisible();
  await hydrated(admin);
  await admin.getByLabel('Workgroup to grant').selectOption({ label: 'HMIS User' });
  await admin.getByLabel('In Organization').selectOption({ label: 'Northside Housing Partners' });
  await admin.getByRole('button', { name: 'Grant' }).click();
  await expect(admin.getByRole('row', { name: /HMIS User Northside Housing Partners/ })).toBeVisible();

  // The new user: the initial password must be changed first.
  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  await user.goto('/sign-in');
  await user.getByLabel('Username').fill('nia.okoro');
  await user.getByLabel('Password').fill(INITIAL);
  await user.getByRole('button', { name: 'Sign in' }).click();
  await expect(user.getByRole('heading', { name: 'Change your password' })).toBeVisible();
  await hydrated(user);
  await user.getByLabel('Current password').fill(INITIAL);
  await user.getByLabel('New password', { exact: true }).fill('my-own-Passphrase-7');
  await user.getByLabel('Confirm new password').fill('my-own-Passphrase-7');
  await user.getByRole('button', { name: /Change password/ }).click();
  await expect(user.getByRole('heading', { name: 'Home' })).toBeVisible();
  await hydrated(user);
  await applyContext(user, 'HMIS User', 'Northside Housing Partners');
  await expect(user.getByTestId('count-awaiting')).not.toHaveText('0');

  // Revoked: the next request is refused.
  await admin.getByRole('button', { name: 'Revoke HMIS User in Northside Housing Partners' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await user.goto('/referrals/incoming?filter=awaiting');
  await expect(user.getByRole('heading', { name: 'Choose your Workgroup and Organization' })).toBeVisible();

  // Deactivating asks first; cancelled, nothing changes; confirmed, the user is signed out.
  await admin.getByText('Deactivate user…').click();
  const confirm = admin.getByRole('group', { name: 'Confirm deactivation' });
  await expect(confirm).toContainText('Deactivate nia.okoro? They are signed out at once');
  await admin.getByText('Deactivate user…').click();
  await expect(confirm).toBeHidden();
  await user.reload();
  await expect(user.getByRole('heading', { name: 'Choose your Workgroup and Organization' })).toBeVisible();
  await admin.getByText('Deactivate user…').click();
  await confirm.getByRole('button', { name: 'Yes, deactivate user' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(admin.getByRole('button', { name: 'Reactivate user' })).toBeVisible();
  await user.reload();
  await expect(user.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await adminContext.close();
  await userContext.close();
});

test('any user finds a project\'s owning organization on the programs page', async ({ page }) => {
  await signIn(page, 'shelter');
  await hydrated(page);
  await page.getByLabel('User settings').click();
  await page.getByRole('link', { name: 'Programs and their owning organizations' }).click();
  await expect(page.getByRole('heading', { name: 'Programs and their owning organizations' })).toBeVisible();
  await page.getByLabel('Project or organization').fill('Rapid Re-Housing');
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByRole('row', { name: /Northside Rapid Re-Housing/ });
  await expect(row).toContainText('Northside Housing Partners');
  await expect(row).toContainText('Yes');
});
