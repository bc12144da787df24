import { test, expect, Browser, Page } from '@playwright/test';
import { applyContext, hydrated, signIn } from './helpers';

// Transfer requests (article 001, Coordinated Entry Transfer Policy): a provider asks for a
// transfer of an enrolled client; the Priority List Manager answers from the Transfer requests
// queue with a new referral or a decline. Two browser contexts side by side.

async function signedIn(browser: Browser, username: string, workgroup: string, organization: string,
                        javaScript = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: javaScript });
  const page = await context.newPage();
  await signIn(page, username);
  if (javaScript) await hydrated(page);
  await applyContext(page, workgroup, organization);
  return page;
}

/** Opens the client's enrollment in the project from a search and the Enrollments page. */
async function openEnrollment(page: Page, lastName: string, fullName: string, project: string, javaScript = true) {
  await page.goto(`/clients?q=${lastName}&dob=`);
  await page.getByRole('link', { name: fullName }).click();
  await page.getByRole('navigation', { name: 'Client record' }).getByRole('link', { name: 'Enrollments' }).click();
  await page.getByRole('row', { name: new RegExp(project) }).getByRole('link', { name: project }).click();
  await expect(page.getByRole('heading', { name: 'Enrollment', exact: true })).toBeVisible();
  if (javaScript) await hydrated(page);
}

test('a provider asks for a transfer and the PLM refers the client to a new opening from the queue', async ({ browser }) => {
  const provider = await signedIn(browser, 'caseworker', 'HMIS User', 'Northside Housing Partners');
  await openEnrollment(provider, 'Mohamed', 'Fatima Mohamed', 'Northside Permanent Supportive Housing');
  const section = provider.getByRole('region', { name: 'Transfer', exact: true });
  // The rules as the user types: the note is required once touched.
  await section.getByLabel('Reason for the transfer').selectOption({ label: 'Safety concern at the current project' });
  await section.getByLabel('Note to Coordinated Entry').fill('x');
  await section.getByLabel('Note to Coordinated Entry').fill('');
  await expect(provider.locator('#transfer_note-error')).toHaveText('Write a note.');
  await section.getByLabel('Transfer to project type').selectOption({ label: 'PH – Rapid Re-Housing' });
  await section.getByLabel('Transfer to provider').selectOption({ label: 'Eastgate Community Services' });
  await section.getByLabel('Note to Coordinated Entry').fill('Her former partner found the building.');
  await section.getByRole('button', { name: 'Request transfer' }).click();
  await expect(provider.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const requests = provider.getByRole('list', { name: 'Transfer requests' });
  await expect(requests).toContainText('Awaiting Coordinated Entry');
  await expect(requests).toContainText('PH – Rapid Re-Housing at Eastgate Community Services');
  await expect(section.getByRole('button', { name: 'Request transfer' })).toHaveCount(0);

  const plm = await signedIn(browser, 'plm', 'Priority List Manager', 'Riverbend CoC Coordinated Entry');
  await plm.getByTestId('notification-bell').click();
  await expect(plm.getByRole('link', { name: 'Northside Housing Partners asked for a transfer of a client enrolled in Northside Permanent Supportive Housing.' }).first()).toBeVisible();
  await plm.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transfer requests' }).click();
  await expect(plm.getByRole('heading', { name: 'Transfer requests' })).toBeVisible();
  const row = plm.getByRole('row', { name: /Fatima Mohamed/ });
  await expect(row).toContainText('Safety concern at the current project: Her former partner found the building.');
  await expect(row).toContainText('Northside Permanent Supportive Housing (Northside Housing Partners)');
  await row.getByRole('link', { name: 'Refer to housing opening: Fatima Mohamed' }).click();
  await expect(plm.getByRole('heading', { name: 'Refer to housing opening' })).toBeVisible();
  await hydrated(plm);
  await expect(plm.getByRole('note')).toContainText('This referral answers the transfer request from Northside Permanent Supportive Housing (Northside Housing Partners)');
  await plm.getByLabel('Referred to project').selectOption({ label: 'Eastgate Housing Only (Eastgate Community Services)' });
  await plm.getByRole('button', { name: 'Refer' }).click();
  await expect(plm.getByText('Referral recorded.')).toBeVisible();
  await plm.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transfer requests' }).click();
  await expect(plm.getByRole('row', { name: /Fatima Mohamed/ })).toHaveCount(0);

  // The provider is told, and the enrollment shows the answer.
  await provider.getByTestId('notification-bell').click();
  await expect(provider.getByRole('link', { name: 'Coordinated Entry answered a transfer request from Northside Permanent Supportive Housing with a referral to Eastgate Housing Only.' }).first()).toBeVisible();
  await provider.getByRole('link', { name: /Coordinated Entry answered a transfer request/ }).first().click();
  await expect(provider.getByRole('list', { name: 'Transfer requests' })).toContainText('Referred to Eastgate Housing Only');
  // The receiving provider's bell shows the new referral.
  const eastgate = await signedIn(browser, 'eastgate', 'HMIS User', 'Eastgate Community Services');
  await eastgate.getByTestId('notification-bell').click();
  await expect(eastgate.getByRole('link', { name: 'New referral to Eastgate Housing Only.' }).first()).toBeVisible();
});

test('without JavaScript a provider asks for a transfer and the PLM declines it with a note', async ({ browser }) => {
  const provider = await signedIn(browser, 'caseworker', 'HMIS User', 'Northside Housing Partners', false);
  await openEnrollment(provider, 'Johnson', 'Marcus Johnson', 'Northside Permanent Supportive Housing', false);
  let section = provider.getByRole('region', { name: 'Transfer', exact: true });
  // The server's rules at the field when nothing is chosen.
  await section.getByRole('button', { name: 'Request transfer' }).click();
  section = provider.getByRole('region', { name: 'Transfer', exact: true });
  await expect(provider.locator('#transfer_reason-error')).toHaveText('Choose why the client needs a transfer.');
  await section.getByLabel('Reason for the transfer').selectOption({ label: 'Needs a different level of services' });
  await section.getByLabel('Transfer to project type').selectOption({ label: 'Transitional Housing' });
  await section.getByLabel('Note to Coordinated Entry').fill('Needs on-site support staff.');
  await section.getByRole('button', { name: 'Request transfer' }).click();
  await expect(provider.getByRole('list', { name: 'Transfer requests' })).toContainText('Awaiting Coordinated Entry');

  const plm = await signedIn(browser, 'plm', 'Priority List Manager', 'Riverbend CoC Coordinated Entry', false);
  await plm.goto('/transfer-requests');
  const row = plm.getByRole('row', { name: /Marcus Johnson/ });
  await row.getByLabel('Decline: Marcus Johnson').click();
  await row.getByLabel('Note to the provider').fill('No Transitional Housing openings; we will call you.');
  await row.getByRole('button', { name: 'Decline transfer' }).click();
  await expect(plm.getByRole('status')).toHaveText('Declined; the provider was told.');
  await expect(plm.getByRole('row', { name: /Marcus Johnson/ })).toHaveCount(0);

  await provider.reload();
  const answered = provider.getByRole('list', { name: 'Transfer requests' });
  await expect(answered).toContainText('Declined');
  await expect(answered).toContainText('Coordinated Entry: No Transitional Housing openings; we will call you.');
  // Answered, a new request may be made.
  await expect(provider.getByRole('button', { name: 'Request transfer' })).toBeVisible();
});
