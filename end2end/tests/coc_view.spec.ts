import { test, expect, Page } from '@playwright/test';
import { applyContext, hydrated, signIn } from './helpers';

// The Priority List Manager's CoC view (issue 15.9): referrals by provider and project, each
// number a link to the list it counts. Other specs change the demo data (returns, referrals,
// enrollments), so this one follows whichever project has a number of each kind and checks that
// the number and its list agree, rather than fixed counts.

/** Follows the first non-zero link of a kind ("3 awaiting acknowledgement, Project (Provider)"):
 * the number it shows and the rows of the list it opens, whose heading names that project. */
async function followCount(page: Page, what: string, heading: string): Promise<{ shown: number; rows: number }> {
  const link = page.getByRole('link', { name: new RegExp(`^\\d+ ${what}, `) }).first();
  const name = (await link.getAttribute('aria-label'))!;
  const [, project, provider] = name.match(/, (.+) \((.+)\)$/)!;
  const shown = Number(await link.textContent());
  await link.click();
  await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: `${provider} · ${project}`, level: 2 })).toBeVisible();
  const rows = await page.getByRole('table').locator('tbody tr').count();
  return { shown, rows };
}

async function openCocReferrals(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'CoC referrals' }).click();
  await expect(page.getByRole('heading', { name: 'CoC referrals', level: 1 })).toBeVisible();
}

test("the PLM's CoC view counts referrals by provider and project, and each number opens its list", async ({ page }) => {
  await signIn(page, 'plm');
  await hydrated(page);
  await applyContext(page, 'Priority List Manager', 'Riverbend CoC Coordinated Entry');
  await openCocReferrals(page);
  await expect(page.getByText('Acknowledgement standard: within 2 business days of the Event Date (CES: Matched: Awaiting response by Housing Provider)')).toBeVisible();
  const table = page.getByRole('table', { name: 'Referrals by provider and project, CoC RB-501' });
  await expect(table.getByRole('rowheader', { name: 'Northside Housing Partners · Northside Permanent Supportive Housing' })).toBeVisible();
  // Another CoC's providers are not in it.
  await expect(table).not.toContainText('Lakeshore Family Housing');

  // Each kind of number is the length of the list it opens.
  for (const [what, heading] of [
    ['awaiting acknowledgement', 'Referrals awaiting acknowledgement'],
    ['overdue', 'Overdue referrals'],
    ['referrals in the last 90 days', 'Referrals of the last 90 days'],
  ]) {
    await hydrated(page);
    const { shown, rows } = await followCount(page, what, heading);
    expect(rows, what).toBe(shown);
    if (what === 'overdue') {
      // Every row of the overdue list carries the badge.
      await expect(page.getByRole('table').locator('tbody tr').filter({ hasNot: page.getByText('Overdue', { exact: true }) })).toHaveCount(0);
    }
    await page.getByRole('link', { name: 'Back to CoC referrals' }).click();
    await expect(page.getByRole('heading', { name: 'CoC referrals', level: 1 })).toBeVisible();
  }

  // A client's name opens the CE Event.
  await hydrated(page);
  await followCount(page, 'referrals in the last 90 days', 'Referrals of the last 90 days');
  const first = page.getByRole('table').locator('tbody tr').first().getByRole('link');
  const name = (await first.textContent())!;
  await first.click();
  await expect(page.getByRole('heading', { name: 'CE Event', exact: true })).toBeVisible();
  await expect(page.getByRole('main').getByText(name, { exact: true })).toBeVisible();

  // The medians open the referrals they are taken from.
  await page.goto('/coc-referrals');
  await hydrated(page);
  await page.getByRole('link', { name: /median days to acknowledgement, / }).first().click();
  await expect(page.getByRole('heading', { name: 'Referrals of the last 90 days', level: 1 })).toBeVisible();
});

test('the CoC view and its lists read and link without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'plm');
  await applyContext(page, 'Priority List Manager', 'Riverbend CoC Coordinated Entry');
  await openCocReferrals(page);
  const { shown, rows } = await followCount(page, 'referrals in the last 90 days', 'Referrals of the last 90 days');
  expect(shown).toBeGreaterThan(0);
  expect(rows).toBe(shown);
  await context.close();
});
