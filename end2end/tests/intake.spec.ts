import { test, expect, Page } from '@playwright/test';
import { applyContext, expectTabletReady, hydrated, signIn, TABLET_SIZES, today } from './helpers';

/** Answers the universal data elements every member gets (adults also prior living). */
async function answerUdes(page: Page, name: RegExp, adult: boolean, race: string, sex: string) {
  const member = page.getByRole('group', { name });
  await member.getByLabel('Disabling Condition').selectOption({ label: 'No' });
  await member.getByLabel('Sex').selectOption({ label: sex });
  await member.getByLabel(race).check();
  if (adult) {
    await member.getByLabel('Veteran Status').selectOption({ label: 'No' });
    await member.getByLabel('Type of residence (the night before project start)').selectOption('101');
    // Coming from emergency shelter: the homeless-history questions follow.
    await member.getByLabel('Length of stay in prior living situation').selectOption({ label: 'One month or more, but less than 90 days' });
    await member.getByLabel('Times homeless in the past three years').selectOption({ label: 'One time' });
    await member.getByLabel('Months homeless in the past three years').selectOption({ label: '3 months' });
  } else {
    await expect(member.getByLabel('Veteran Status')).toHaveCount(0);
    await expect(member.getByLabel('Type of residence (the night before project start)')).toHaveCount(0);
  }
}

test('a caseworker runs the intake for a household of three on a tablet and returns to the CE Event', async ({ page }) => {
  await page.setViewportSize({ width: 768, height: 1024 });
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');

  // The referral has no enrollment to point at yet: the CE Event form offers the intake.
  await page.goto('/clients?q=Achebe&dob=');
  await hydrated(page);
  await page.getByRole('link', { name: 'Rosalind Achebe' }).click();
  await page.getByRole('navigation', { name: 'Client record' }).getByRole('link', { name: 'CE Event' }).click();
  await page.getByRole('link', { name: /^Edit CE Event of/ }).first().click();
  await expect(page.getByRole('heading', { name: 'CE Event', exact: true })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Referral Result').selectOption({ label: 'Successful referral: client accepted' });
  await page.getByRole('button', { name: 'Start intake' }).click();

  // Step 1: the referred project is preselected.
  await expect(page.getByRole('heading', { name: 'Intake', exact: true })).toBeVisible();
  await hydrated(page);
  await expect(page.getByLabel('Project', { exact: true }).locator('option:checked')).toHaveText(/Northside Permanent Supportive Housing/);
  await expectTabletReady(page, 'Intake: project');
  await page.setViewportSize(TABLET_SIZES[0]);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('alert').getByRole('link', { name: /Project Start Date: Enter the Project Start Date/ })).toBeVisible();
  await page.getByLabel('Project Start Date').fill(today());
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 2: the household.
  await expect(page.getByRole('heading', { name: 'Household', exact: true })).toBeVisible();
  const members = page.getByRole('list', { name: 'Household members' }).getByRole('listitem');
  await expect(members).toHaveCount(1);
  // The only head of household cannot be removed (a household needs one).
  await expect(members.first().getByRole('button', { name: /^Remove/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Add a new client' }).click();
  const partner = members.nth(1);
  await expect(partner.getByRole('button', { name: /^Remove/ })).toBeVisible();
  await partner.getByLabel('First name').fill('Ezra');
  await partner.getByLabel('Last name').fill('Achebe');
  await partner.getByLabel('Date of birth').fill('1986-05-14');
  await partner.getByLabel('Relationship to Head of Household').selectOption({ label: "Head of household's spouse or partner" });
  await page.getByRole('button', { name: 'Add a new client' }).click();
  const child = members.nth(2);
  await child.getByLabel('First name').fill('Noor');
  await child.getByLabel('Last name').fill('Achebe');
  await child.getByLabel('Date of birth').fill('2017-04-12');
  // A second head of household is caught as the user goes.
  await child.getByLabel('Relationship to Head of Household').selectOption({ label: 'Self (Head of Household)' });
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('Only one member can be Self (Head of Household).').first()).toBeVisible();
  await child.getByLabel('Relationship to Head of Household').selectOption({ label: "Head of household's child" });
  await expectTabletReady(page, 'Intake: household');
  await page.setViewportSize(TABLET_SIZES[0]);
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 3: universal data elements; the tab is reloaded half-way and resumes.
  await expect(page.getByRole('heading', { name: 'Universal data elements' })).toBeVisible();
  await expect(page.getByLabel('Enrollment CoC (head of household)')).toHaveValue('RB-501');
  await answerUdes(page, /^Rosalind Achebe \(head of household\)/, true, 'Black, African American, or African', 'Female');
  await expect(page.getByRole('status').filter({ hasText: 'All answers saved.' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Universal data elements' })).toBeVisible();
  const head = page.getByRole('group', { name: /^Rosalind Achebe \(head of household\)/ });
  await expect(head.getByLabel('Months homeless in the past three years')).toHaveValue('103');
  await answerUdes(page, /^Ezra Achebe \(adult\)/, true, 'White', 'Male');
  await answerUdes(page, /^Noor Achebe \(child\)/, false, 'Asian', 'Female');
  await expectTabletReady(page, 'Intake: universal data elements');
  await page.setViewportSize(TABLET_SIZES[0]);
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 4: review and submit.
  await expect(page.getByRole('heading', { name: 'Review and submit' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Noor Achebe' })).toContainText("Head of household's child");
  await expectTabletReady(page, 'Intake: review and submit');
  await page.setViewportSize(TABLET_SIZES[0]);
  // While the submission is on its way (held back here for a moment), the page says so and
  // neither Back nor Discard intake can interrupt it.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => { release = resolve; });
  await page.route('**/api/intake/submit', async (route) => { await held; await route.continue(); });
  await page.getByRole('button', { name: 'Submit intake' }).click();
  await expect(page.getByRole('button', { name: 'Submitting…' })).toBeDisabled();
  await expect(page.getByRole('status').filter({ hasText: 'Submitting the intake…' })).toBeVisible();
  await expect(page.getByText('Unsaved changes…')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Back' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Discard intake' })).toBeDisabled();
  release();

  // Back on the CE Event with the new enrollment chosen as the result.
  await expect(page.getByRole('heading', { name: 'CE Event', exact: true })).toBeVisible();
  await hydrated(page);
  await expect(page.getByLabel('Referral Result')).toHaveValue('1');
  await expect(page.getByLabel('Resulting Enrollment').locator('option:checked')).toHaveText(/Northside Permanent Supportive Housing/);
  await expect(page.getByLabel('Result Date')).toHaveValue(today());
  await page.getByLabel('Date Referral Acknowledged').fill(today());
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  // The enrollment: Housing Move-in Date on the head of household, then a member exits.
  await page.getByRole('navigation', { name: 'Client record' }).getByRole('link', { name: 'Enrollments' }).click();
  await page.getByRole('link', { name: 'Northside Permanent Supportive Housing' }).click();
  await expect(page.getByRole('heading', { name: 'Enrollment', exact: true })).toBeVisible();
  await hydrated(page);
  await page.getByRole('textbox', { name: 'Housing Move-in Date' }).fill(today());
  await page.getByRole('button', { name: 'Record move-in' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Record move-in' })).toHaveCount(0);
  // The head cannot leave the others behind.
  await expect(page.getByText('the head of household cannot exit while other members remain enrolled')).toBeVisible();

  await page.getByRole('link', { name: 'Noor Achebe' }).click();
  await expect(page.getByRole('heading', { name: 'Enrollment', exact: true })).toBeVisible();
  await expect(page.getByText('Noor Achebe · Northside Permanent Supportive Housing')).toBeVisible();
  // The move-in's "Saved." stayed on the head of household's enrollment.
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toHaveCount(0);
  await hydrated(page);
  await page.getByLabel('Project Exit Date').fill(today());
  await page.getByLabel('Destination', { exact: true }).selectOption('435');
  await expect(page.getByLabel('Rental subsidy type')).toBeVisible();
  await page.getByRole('button', { name: 'Exit', exact: true }).click();
  await expect(page.locator('#destination_subsidy_type-error')).toHaveText('Choose the rental subsidy type.');
  await page.getByLabel('Destination', { exact: true }).selectOption('422');
  await expect(page.getByLabel('Rental subsidy type')).toBeHidden();
  const exited = page.waitForResponse((r) => r.url().includes('/api/enrollments/exit') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Exit', exact: true }).click();
  expect((await exited).status()).toBe(200);
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Exit', exact: true })).toHaveCount(0);
  const noor = page.getByRole('table', { name: 'Household' }).getByRole('row', { name: /Noor Achebe/ });
  await expect(noor).not.toContainText('Still enrolled');
});
