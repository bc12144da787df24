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

/** A date as the date inputs take it (YYYY-MM-DD, local time). */
export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Today, as the date inputs take it. */
export const today = () => isoDate(new Date());

/** Opens the client's CE Event page from a search, then the edit icon of its referral
 * (JavaScript on or off). */
export async function openCeEvent(page: Page, lastName: string, fullName: string, javaScript = true) {
  await page.goto(`/clients?q=${lastName}&dob=`);
  if (javaScript) await hydrated(page);
  await page.getByRole('link', { name: fullName }).click();
  await expect(page.getByRole('heading', { name: fullName })).toBeVisible();
  await page.getByRole('navigation', { name: 'Client record' }).getByRole('link', { name: 'CE Event' }).click();
  await expect(page.getByRole('heading', { name: 'Coordinated Entry Event' })).toBeVisible();
  await page.getByRole('link', { name: /^Edit CE Event of/ }).first().click();
  await expect(page.getByRole('heading', { name: 'CE Event', exact: true })).toBeVisible();
  if (javaScript) await hydrated(page);
}

/** The tablet sizes every page must fit: portrait and landscape. */
export const TABLET_SIZES = [
  { width: 768, height: 1024 },
  { width: 1024, height: 768 },
];

/** Checks the page at each tablet size: no sideways scrolling of the page itself (a wide table
 * may scroll inside its own box) and axe's WCAG 2.1 A/AA rules clean. Failures are soft, so one
 * run names every page that does not fit. */
export async function expectTabletReady(page: Page, label: string) {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  for (const size of TABLET_SIZES) {
    await page.setViewportSize(size);
    const { scroll, inner } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
    }));
    expect.soft(scroll, `${label} at ${size.width}×${size.height} is ${scroll} px wide`).toBeLessThanOrEqual(inner);
  }
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
  expect.soft(found, `${label}: accessibility violations`).toEqual([]);
}
