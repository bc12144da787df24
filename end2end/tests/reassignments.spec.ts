import { test, expect, Browser, Page } from '@playwright/test';
import { applyContext, hydrated, signIn } from './helpers';

// Non-CE reassignment (article 003: "If a referral was sent incorrectly or needs reassignment,
// coordinate with the referring agency before making changes"): the receiving organization asks,
// the referring organization reassigns or withdraws. Two browser contexts side by side.

async function signedIn(browser: Browser, username: string, workgroup: string, organization: string,
                        javaScript = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: javaScript });
  const page = await context.newPage();
  await signIn(page, username);
  if (javaScript) await hydrated(page);
  await applyContext(page, workgroup, organization);
  return page;
}

/** The client's Referral Outcome form, by the Client Referrals edit icon. */
async function openReferral(page: Page, lastName: string, fullName: string, javaScript = true) {
  await page.goto(`/clients?q=${lastName}&dob=`);
  await page.getByRole('link', { name: fullName }).click();
  await page.getByRole('navigation', { name: 'Client record' }).getByRole('link', { name: 'Referrals' }).click();
  await page.getByRole('link', { name: /^Edit referral for/ }).first().click();
  await expect(page.getByRole('heading', { name: 'Referral Outcome' })).toBeVisible();
  if (javaScript) await hydrated(page);
}

test('the receiving organization asks for reassignment and the referring organization reassigns the referral', async ({ browser }) => {
  const receiver = await signedIn(browser, 'eastgate', 'HMIS User', 'Eastgate Community Services');
  await openReferral(receiver, 'Xiong', 'Mai Xiong');
  const section = receiver.getByRole('region', { name: 'Reassignment' });
  await section.getByLabel('Note to the referring organization').fill('x');
  await section.getByLabel('Note to the referring organization').fill('');
  await expect(receiver.locator('#reassign_note-error')).toHaveText('Write a note.');
  await section.getByLabel('Note to the referring organization').fill('She needs a Spanish-speaking case manager; we have none.');
  await section.getByRole('button', { name: 'Ask for reassignment' }).click();
  await expect(receiver.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(section.getByRole('note')).toContainText('Reassignment requested by');
  await expect(receiver.getByRole('button', { name: 'Ask for reassignment' })).toHaveCount(0);

  const referrer = await signedIn(browser, 'shelter', 'HMIS User', 'Harbor Light Shelter');
  await referrer.getByTestId('notification-bell').click();
  await referrer.getByRole('link', { name: /Eastgate Community Services says a referral to Eastgate Case Management/ }).first().click();
  await expect(referrer.getByRole('heading', { name: 'Referral Outcome' })).toBeVisible();
  await hydrated(referrer);
  const answer = referrer.getByRole('region', { name: 'Reassignment' });
  await expect(answer.getByRole('note')).toContainText('She needs a Spanish-speaking case manager; we have none.');
  await answer.getByLabel('Reassign to project').selectOption({ label: 'Northside Rapid Re-Housing — Northside Housing Partners' });
  await answer.getByRole('button', { name: 'Reassign' }).click();
  await expect(referrer.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(referrer.getByRole('region', { name: 'Reassignment' }).getByRole('note')).toContainText('Closed: reassigned to Northside Rapid Re-Housing');
  await referrer.getByRole('link', { name: 'Open the new referral' }).click();
  await expect(referrer.getByRole('heading', { name: 'Referral Outcome' })).toBeVisible();
  await expect(referrer.getByText('Northside Rapid Re-Housing (Northside Housing Partners)')).toBeVisible();

  // The first receiver sees it closed; the new one has it among its incoming referrals.
  await receiver.reload();
  // The first receiver learns that it was reassigned, not where the client went.
  await expect(receiver.getByRole('region', { name: 'Reassignment' })).toContainText('Closed: reassigned');
  await expect(receiver.getByRole('region', { name: 'Reassignment' })).not.toContainText('Northside');
  await expect(receiver.getByRole('button', { name: 'Finish' })).toHaveCount(0);
  const northside = await signedIn(browser, 'caseworker', 'HMIS User', 'Northside Housing Partners');
  await northside.getByTestId('notification-bell').click();
  await expect(northside.getByRole('link', { name: 'New referral to Northside Rapid Re-Housing (Northside Housing Partners).' }).first()).toBeVisible();
});

test('without JavaScript the referring organization withdraws a referral it sent incorrectly', async ({ browser }) => {
  const receiver = await signedIn(browser, 'eastgate', 'HMIS User', 'Eastgate Community Services', false);
  await openReferral(receiver, 'Mohamed', 'Marcus Mohamed', false);
  await receiver.getByLabel('Note to the referring organization').fill('He lives in another county.');
  await receiver.getByRole('button', { name: 'Ask for reassignment' }).click();
  await expect(receiver.getByRole('region', { name: 'Reassignment' }).getByRole('note')).toContainText('He lives in another county.');

  const referrer = await signedIn(browser, 'shelter', 'HMIS User', 'Harbor Light Shelter', false);
  await openReferral(referrer, 'Mohamed', 'Marcus Mohamed', false);
  // Reassign without a project: the server's rule at the field.
  await referrer.getByRole('button', { name: 'Reassign' }).click();
  await expect(referrer.locator('#reassign_project-error')).toHaveText('Choose the project to refer the client to instead.');
  await referrer.getByRole('button', { name: 'Withdraw referral' }).click();
  await expect(referrer.getByRole('region', { name: 'Reassignment' })).toContainText('Closed: withdrawn by the referring organization');
  await receiver.reload();
  await expect(receiver.getByRole('region', { name: 'Reassignment' })).toContainText('Closed: withdrawn by the referring organization');
});
