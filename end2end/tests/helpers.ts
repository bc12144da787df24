import { expect, Page } from '@playwright/test';

export const PASSWORD = 'threshold-demo-2026';

/** Waits until the WASM has hydrated the page, so clicks reach Leptos' handlers. */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__threshold_hydrated === true);
}

export async function signIn(page: Page, username: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Home' })).toBeVisible();
}

/** Opens the Settings sidebar from the user icon and applies a Workgroup and Organization. */
export async function applyContext(page: Page, workgroup: string, organization: string) {
  await page.getByLabel('User settings').click();
  const sidebar = page.getByRole('complementary', { name: 'Settings' });
  await expect(sidebar).toBeVisible();
  await sidebar.getByLabel('Workgroup').selectOption({ label: workgroup });
  await sidebar.getByLabel('Organization').selectOption({ label: organization });
  await sidebar.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('active-context')).toHaveText(`${workgroup} · ${organization}`);
  // Applying returns to Home (the server's redirect): let that navigation finish before the
  // test clicks on, or a loaded machine lands the next click on the page being left.
  await page.waitForLoadState('networkidle');
}
