import { test, expect, Browser, Page } from '@playwright/test';
import { applyContext, hydrated, signIn, PASSWORD, openCeEvent } from './helpers';

// The referral loop: a provider returns a CE referral for a rematch, the Priority List Manager
// confirms it (and refers the client elsewhere) or sends it back, both sides write notes.
// Two browser contexts side by side: the provider's and the PLM's.

async function signedIn(browser: Browser, username: string, workgroup: string, organization: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, username);
  await hydrated(page);
  await applyContext(page, workgroup, organization);
  return page;
}

/** The unread count the header's bell shows (0 when it shows none). */
async function unread(page: Page): Promise<number> {
  const badge = page.getByTestId('notification-bell').locator('.count');
  return (await badge.count()) === 0 ? 0 : Number(await badge.textContent());
}


test('a provider returns a referral, the PLM confirms it and refers the client to another provider', async ({ browser }) => {
  const provider = await signedIn(browser, 'caseworker', 'HMIS User', 'Northside Housing Partners');
  const plm = await signedIn(browser, 'plm', 'Priority List Manager', 'Riverbend CoC Coordinated Entry');
  const plmUnread = await unread(plm);

  await openCeEvent(provider, 'Nakamura', 'Cordelia Nakamura');
  const section = provider.getByRole('region', { name: 'Return to Coordinated Entry' });
  // The rules run as the user types: a note is required.
  await section.getByLabel('Return reason').selectOption({ label: 'Client declined the housing offered (Unsuccessful referral: client rejected)' });
  await section.getByLabel('Note to Coordinated Entry').fill('x');
  await section.getByLabel('Note to Coordinated Entry').fill('');
  await expect(provider.locator('#return_note-error')).toHaveText('Write a note.');
  await section.getByLabel('Note to Coordinated Entry').fill('She decided to stay with family in Duluth.');
  await section.getByRole('button', { name: 'Return to Coordinated Entry' }).click();
  await expect(provider.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(provider.getByRole('note').filter({ hasText: 'Awaiting the Priority List Manager' })).toContainText('Client declined the housing offered');
  await expect(provider.getByText('CES: Rematch Needed: Client Declined').first()).toBeVisible();
  // While the return awaits review the provider's answer stands.
  await expect(provider.getByRole('button', { name: 'Save' })).toHaveCount(0);

  // The PLM's bell counts it (read again on navigation) and links to the record.
  await plm.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
  // At least one more (the timeliness sweep may tell the PLM of other referrals meanwhile).
  await expect.poll(() => unread(plm)).toBeGreaterThanOrEqual(plmUnread + 1);
  await plm.getByTestId('notification-bell').click();
  await expect(plm.getByRole('heading', { name: 'Notifications' })).toBeVisible();
  await expect(plm.getByRole('link', { name: 'A referral to Northside Permanent Supportive Housing was returned for rematch: Client declined the housing offered.' }).first()).toBeVisible();
  // The PLM finds it in the Returned referrals queue.
  await plm.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Returned referrals' }).click();
  await expect(plm.getByRole('heading', { name: 'Returned referrals' })).toBeVisible();
  const row = plm.getByRole('row', { name: /Cordelia Nakamura/ });
  await expect(row).toContainText('Client declined the housing offered');
  await expect(row).toContainText('She decided to stay with family in Duluth.');
  await expect(row).toContainText('Northside Permanent Supportive Housing (Northside Housing Partners)');
  await row.getByRole('link', { name: 'Review the return of Cordelia Nakamura' }).click();
  await hydrated(plm);
  const review = plm.getByRole('region', { name: 'Review the return' });
  await review.getByRole('button', { name: 'Confirm return' }).click();
  await expect(plm.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(plm.getByRole('region', { name: 'Returns' })).toContainText('Confirmed on');
  await expect(plm.getByRole('region', { name: 'Review the return' })).toHaveCount(0);

  // On the Priority List the client shows her return, and may be referred again.
  await plm.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Priority List' }).click();
  await plm.getByLabel('Name').fill('Nakamura');
  await plm.getByRole('button', { name: 'Filter' }).click();
  await expect(plm.getByRole('row', { name: /Cordelia Nakamura/ })).toContainText('Returned 1×');
  await plm.getByRole('link', { name: 'Refer Cordelia Nakamura to housing opening' }).click();
  await hydrated(plm);
  await plm.getByLabel('Referred to project').selectOption({ label: 'Harbor Light Transitional Housing (Harbor Light Shelter)' });
  await plm.getByRole('button', { name: 'Refer' }).click();
  await expect(plm.getByText('Referral recorded.')).toBeVisible();

  // The other provider's bell and Counts widget show the new referral.
  const harbor = await signedIn(browser, 'shelter', 'HMIS User', 'Harbor Light Shelter');
  await harbor.getByTestId('notification-bell').click();
  await expect(harbor.getByRole('link', { name: 'New referral to Harbor Light Transitional Housing.' }).first()).toBeVisible();
  await harbor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
  const awaiting = Number(await harbor.getByTestId('count-awaiting').textContent());
  await harbor.getByRole('link', { name: `${awaiting} awaiting acknowledgement` }).click();
  await expect(harbor.getByRole('row', { name: /Cordelia Nakamura/ })).toBeVisible();
});

test('the PLM sends a return back with a note and the provider sees it reopened; notes go both ways; without JavaScript', async ({ browser }) => {
  // The provider works without JavaScript: returning and writing notes are plain forms.
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  const provider = await noScript.newPage();
  await provider.goto('/sign-in');
  await provider.getByLabel('Username').fill('caseworker');
  await provider.getByLabel('Password').fill(PASSWORD);
  await provider.getByRole('button', { name: 'Sign in' }).click();
  await expect(provider.getByRole('heading', { name: 'Home' })).toBeVisible();
  await provider.getByLabel('User settings').click();
  await provider.getByRole('button', { name: 'Apply' }).click();
  await expect(provider.getByTestId('active-context')).toHaveText('HMIS User · Northside Housing Partners');

  await openCeEvent(provider, 'Brennan', 'Silas Brennan', false);
  const section = provider.getByRole('region', { name: 'Return to Coordinated Entry' });
  // Refused at the field without JavaScript too.
  await section.getByLabel('Return reason').selectOption({ label: 'Unable to contact the client (Unsuccessful referral: provider rejected)' });
  await section.getByRole('button', { name: 'Return to Coordinated Entry' }).click();
  await expect(provider.locator('#return_note-error')).toHaveText('Write a note.');
  await provider.getByRole('region', { name: 'Return to Coordinated Entry' }).getByLabel('Return reason')
    .selectOption({ label: 'Unable to contact the client (Unsuccessful referral: provider rejected)' });
  await provider.getByLabel('Note to Coordinated Entry').fill('Three calls and a letter, no answer.');
  await provider.getByRole('button', { name: 'Return to Coordinated Entry' }).click();
  await expect(provider.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(provider.getByText('CES: Rematch Needed: Unable to Contact Client').first()).toBeVisible();
  await provider.getByLabel('Add a note').fill('Her phone seems disconnected.');
  await provider.getByRole('button', { name: 'Add note' }).click();
  await expect(provider.getByRole('region', { name: 'Notes' })).toContainText('Her phone seems disconnected.');

  // The PLM reads the note, answers, and sends the return back: a note is required.
  const plm = await signedIn(browser, 'plm', 'Priority List Manager', 'Riverbend CoC Coordinated Entry');
  await plm.goto('/returned-referrals');
  await plm.getByRole('link', { name: 'Review the return of Silas Brennan' }).click();
  await hydrated(plm);
  const notes = plm.getByRole('region', { name: 'Notes' });
  await expect(notes).toContainText('Her phone seems disconnected.');
  await expect(notes).toContainText('Casey Moreno');
  await plm.getByLabel('Add a note').fill('He checked in at the drop-in center today; new number 612-555-0199.');
  await plm.getByRole('button', { name: 'Add note' }).click();
  await expect(plm.getByRole('region', { name: 'Notes' })).toContainText('new number 612-555-0199');
  const review = plm.getByRole('region', { name: 'Review the return' });
  await review.getByRole('button', { name: 'Send back to provider' }).click();
  await expect(plm.locator('#review_note-error')).toHaveText('Write the provider a note: why the referral goes back to them.');
  await plm.getByLabel('Note to the provider').fill('Please try the new number in the notes.');
  await plm.getByRole('button', { name: 'Send back to provider' }).click();
  await expect(plm.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(plm.getByRole('region', { name: 'Returns' })).toContainText('Sent back to the provider');

  // The provider sees it reopened: the outcome can be answered again, with the PLM's notes.
  await provider.reload();
  await expect(provider.getByLabel('Referral Result')).toHaveValue('');
  await expect(provider.getByRole('button', { name: 'Save' })).toBeVisible();
  await expect(provider.getByRole('region', { name: 'Returns' })).toContainText('Please try the new number in the notes.');
  await expect(provider.getByRole('region', { name: 'Notes' })).toContainText('new number 612-555-0199');
  await expect(provider.getByText('CES: Matched: Awaiting response by Housing Provider').first()).toBeVisible();
  // Its bell, read when the page loads (no JavaScript), links to the sent-back referral.
  await provider.getByTestId('notification-bell').click();
  await expect(provider.getByRole('link', { name: 'Coordinated Entry sent a returned referral to Northside Permanent Supportive Housing back to you.' }).first()).toBeVisible();
  await provider.getByRole('button', { name: 'Mark all read' }).click();
  await expect(provider.getByRole('status')).toHaveText('0 unread');
  await noScript.close();
});
