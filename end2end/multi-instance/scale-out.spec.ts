import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import JSZip from 'jszip';
import { applyContext, hydrated, isoDate, openCeEvent, signIn, today } from '../tests/helpers';

// Run by scripts/multi-instance: BASE_URL is HAProxy in front of two instances (round robin, no
// stickiness), INSTANCES their names and process ids, STATS_URL HAProxy's statistics page.
type Instance = { name: string; pid: number; port: number };
const instances: Instance[] = JSON.parse(process.env.INSTANCES ?? '[]');

const sql = (query: string) =>
  execFileSync(process.env.PSQL ?? 'psql', [process.env.DATABASE_URL!, '-Atc', query], { encoding: 'utf8' }).trim();

/** Requests each instance answered, from HAProxy's statistics (with `http-reuse never` each
 * request is a server session of its own: `stot`). */
async function answeredBy(): Promise<Record<string, number>> {
  const csv = await (await fetch(`${process.env.STATS_URL};csv`)).text();
  const [head, ...lines] = csv.trim().split('\n');
  const columns = head.replace(/^# /, '').split(',');
  const [proxy, server, total] = ['pxname', 'svname', 'stot'].map((c) => columns.indexOf(c));
  const counts: Record<string, number> = {};
  for (const fields of lines.map((l) => l.split(','))) {
    if (fields[proxy] === 'instances' && fields[server] !== 'BACKEND') counts[fields[server]] = Number(fields[total]);
  }
  return counts;
}


test('two instances behind HAProxy: one is killed during an export, the export finishes on the other and every session keeps working', async ({ browser }) => {
  expect(instances.map((i) => i.name)).toEqual(['a', 'b']);
  const caseworker = await (await browser.newContext()).newPage();
  const serverErrors: string[] = [];
  caseworker.on('response', (r) => { if (r.status() >= 500) serverErrors.push(`${r.status()} ${r.url()}`); });
  const admin = await (await browser.newContext()).newPage();

  await test.step('sign-in and a CE Event save, spread over both instances', async () => {
    await signIn(caseworker, 'caseworker');
    await hydrated(caseworker);
    await applyContext(caseworker, 'HMIS User', 'Northside Housing Partners');
    await openCeEvent(caseworker, 'Okonkwo', 'Dashiell Okonkwo');
    await caseworker.getByLabel('Date Referral Acknowledged').fill(today());
    await caseworker.getByRole('button', { name: 'Save' }).click();
    await expect(caseworker.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
    const answered = await answeredBy();
    expect(answered.a, JSON.stringify(answered)).toBeGreaterThan(5);
    expect(answered.b, JSON.stringify(answered)).toBeGreaterThan(5);
  });

  let victim: Instance | undefined;
  await test.step('an export of the whole CoC starts; the instance running it is killed (SIGKILL)', async () => {
    await signIn(admin, 'admin');
    await hydrated(admin);
    await applyContext(admin, 'System Administrator', 'Riverbend HMIS Lead Agency');
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'HMIS CSV export' }).click();
    await hydrated(admin);
    await admin.getByLabel('Continuum of Care').selectOption({ label: 'RB-501 Riverbend CoC' });
    await admin.getByLabel('Reporting period: enrollments active in the range').check();
    await admin.getByLabel('Export end date').fill(today());
    await admin.getByLabel('Export start date').fill(isoDate(new Date(Date.now() - 400 * 86400000)));
    await admin.getByRole('button', { name: 'Create export' }).click();
    // The worker that claimed it names its process (host:pid:random).
    let claimedBy = '';
    await expect.poll(() => (claimedBy = sql("select coalesce(claimed_by, '') from hmis_exports where status = 'running'")),
      { timeout: 30_000, intervals: [50] }).not.toBe('');
    victim = instances.find((i) => i.pid === Number(claimedBy.split(':')[1]));
    expect(victim, claimedBy).toBeDefined();
    process.kill(victim!.pid, 'SIGKILL');
    // Killed half-way: the export is not done.
    expect(sql('select status from hmis_exports')).toBe('running');
  });

  await test.step('the caseworker runs an intake and saves the CE Event through the survivor', async () => {
    await openCeEvent(caseworker, 'Achebe', 'Rosalind Achebe');
    await caseworker.getByLabel('Referral Result').selectOption({ label: 'Successful referral: client accepted' });
    await caseworker.getByRole('button', { name: 'Start intake' }).click();
    await expect(caseworker.getByRole('heading', { name: 'Intake', exact: true })).toBeVisible();
    await hydrated(caseworker);
    await caseworker.getByLabel('Project Start Date').fill(today());
    await caseworker.getByRole('button', { name: 'Next' }).click();
    await expect(caseworker.getByRole('heading', { name: 'Household', exact: true })).toBeVisible();
    await caseworker.getByRole('button', { name: 'Next' }).click();
    await expect(caseworker.getByRole('heading', { name: 'Universal data elements' })).toBeVisible();
    const head = caseworker.getByRole('group', { name: /^Rosalind Achebe \(head of household\)/ });
    await head.getByLabel('Disabling Condition').selectOption({ label: 'No' });
    await head.getByLabel('Sex').selectOption({ label: 'Female' });
    await head.getByLabel('Black, African American, or African').check();
    await head.getByLabel('Veteran Status').selectOption({ label: 'No' });
    await head.getByLabel('Type of residence (the night before project start)').selectOption('101');
    await head.getByLabel('Length of stay in prior living situation').selectOption({ label: 'One month or more, but less than 90 days' });
    await head.getByLabel('Times homeless in the past three years').selectOption({ label: 'One time' });
    await head.getByLabel('Months homeless in the past three years').selectOption({ label: '3 months' });
    await caseworker.getByRole('button', { name: 'Next' }).click();
    await expect(caseworker.getByRole('heading', { name: 'Review and submit' })).toBeVisible();
    await caseworker.getByRole('button', { name: 'Submit intake' }).click();
    await expect(caseworker.getByRole('heading', { name: 'CE Event', exact: true })).toBeVisible();
    await hydrated(caseworker);
    await expect(caseworker.getByLabel('Resulting Enrollment').locator('option:checked')).toHaveText(/Northside Permanent Supportive Housing/);
    await caseworker.getByLabel('Date Referral Acknowledged').fill(today());
    await caseworker.getByRole('button', { name: 'Save' }).click();
    await expect(caseworker.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  });

  await test.step('the other instance takes the export over and it downloads whole through the proxy', async () => {
    const card = admin.getByRole('article', { name: /RB-501 · Reporting period/ }).first();
    await expect(card.getByText('Checked against HUD\'s rules: no problems found.')).toBeVisible({ timeout: 180_000 });
    const [attempts, claimedBy] = sql('select attempts, claimed_by from hmis_exports').split('|');
    expect(Number(attempts)).toBe(2);
    expect(Number(claimedBy.split(':')[1])).not.toBe(victim!.pid);
    const downloading = admin.waitForEvent('download');
    await card.getByRole('link', { name: /Download ZIP/ }).click();
    const zip = await JSZip.loadAsync(await readFile((await (await downloading).path())!));
    const clients = (await zip.file('Client.csv')!.async('string')).trim().split('\r\n');
    expect(clients.length).toBeGreaterThan(100_000);
  });

  await test.step('both sessions are still signed in; the caseworker never saw a server error', async () => {
    for (const page of [caseworker, admin]) {
      await page.goto('/');
      await expect(page.getByRole('heading', { name: 'Home' })).toBeVisible();
    }
    expect(serverErrors).toEqual([]);
    // Everything after the kill was answered by the survivor.
    const survivor = instances.find((i) => i !== victim)!.name;
    const answered = await answeredBy();
    expect(answered[survivor]).toBeGreaterThan(20);
  });
});
