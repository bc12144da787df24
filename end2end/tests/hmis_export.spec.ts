import { test, expect } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import JSZip from 'jszip';
import { applyContext, hydrated, isoDate, signIn } from './helpers';

// HUD HMIS CSV FY2026 header rows (reference section 3), as the files must start.
const HEADERS: Record<string, string> = {
  'Export.csv': 'ExportID,SourceType,SourceID,SourceName,SourceContactFirst,SourceContactLast,SourceContactPhone,SourceContactExtension,SourceContactEmail,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,SoftwareVersion,CSVVersion,ExportPeriodType,ExportDirective,HashStatus,ImplementationID',
  'Organization.csv': 'OrganizationID,OrganizationName,VictimServiceProvider,OrganizationCommonName,DateCreated,DateUpdated,UserID,DateDeleted,ExportID',
  'User.csv': 'UserID,UserFirstName,UserLastName,UserPhone,UserExtension,UserEmail,DateCreated,DateUpdated,DateDeleted,ExportID',
  'Project.csv': 'ProjectID,OrganizationID,ProjectName,ProjectCommonName,OperatingStartDate,OperatingEndDate,ContinuumProject,ProjectType,HousingType,RRHSubType,ResidentialAffiliation,TargetPopulation,HOPWAMedAssistedLivingFac,PITCount,DateCreated,DateUpdated,UserID,DateDeleted,ExportID',
  'ProjectCoC.csv': 'ProjectCoCID,ProjectID,CoCCode,Geocode,Address1,Address2,City,State,ZIP,GeographyType,DateCreated,DateUpdated,UserID,DateDeleted,ExportID',
  'CEParticipation.csv': 'CEParticipationID,ProjectID,AccessPoint,PreventionAssessment,CrisisAssessment,HousingAssessment,DirectServices,ReceivesReferrals,CEParticipationStatusStartDate,CEParticipationStatusEndDate,DateCreated,DateUpdated,UserID,DateDeleted,ExportID',
  'Client.csv': 'PersonalID,FirstName,MiddleName,LastName,NameSuffix,NameDataQuality,SSN,SSNDataQuality,DOB,DOBDataQuality,Sex,AmIndAKNative,Asian,BlackAfAmerican,HispanicLatinao,MidEastNAfrican,NativeHIPacific,White,RaceNone,AdditionalRaceEthnicity,VeteranStatus,',
  'Enrollment.csv': 'EnrollmentID,PersonalID,ProjectID,EntryDate,HouseholdID,RelationshipToHoH,EnrollmentCoC,LivingSituation,RentalSubsidyType,',
  'Exit.csv': 'ExitID,EnrollmentID,PersonalID,ExitDate,Destination,DestinationSubsidyType,OtherDestination,',
  'Event.csv': 'EventID,EnrollmentID,PersonalID,EventDate,Event,ProbSolDivRRResult,ReferralCaseManageAfter,LocationCrisisOrPHHousing,ReferralResult,ResultDate,DateCreated,DateUpdated,UserID,DateDeleted,ExportID',
};

test('an administrator exports the CoC and the ZIP holds HUD\'s files with their header rows', async ({ page }) => {
  await signIn(page, 'admin');
  await hydrated(page);
  await applyContext(page, 'System Administrator', 'Riverbend HMIS Lead Agency');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'HMIS CSV export' }).click();
  await expect(page.getByRole('heading', { name: 'HMIS CSV export' })).toBeVisible();
  await hydrated(page);

  await page.getByLabel('Continuum of Care').selectOption({ label: 'RB-501 Riverbend CoC' });
  await page.getByLabel('Reporting period: enrollments active in the range').check();
  // The shared rule speaks before anything is sent.
  await page.getByLabel('Export end date').fill('2999-01-01');
  await expect(page.getByText('The period cannot end in the future.').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create export' })).toBeDisabled();
  const today = new Date();
  await page.getByLabel('Export end date').fill(isoDate(today));
  await page.getByLabel('Export start date').fill(isoDate(new Date(today.getTime() - 400 * 86400000)));
  await page.getByRole('button', { name: 'Create export' }).click();

  const card = page.getByRole('article', { name: /RB-501 · Reporting period/ }).first();
  await expect(card.getByText('Checked against HUD\'s rules: no problems found.')).toBeVisible({ timeout: 30_000 });
  const downloading = page.waitForEvent('download');
  await card.getByRole('link', { name: /Download ZIP/ }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^HMIS_CSV_FY2026_RB-501_\d{4}-\d{2}-\d{2}\.zip$/);

  const zip = await JSZip.loadAsync(await readFile(await download.path()));
  expect(Object.keys(zip.files).sort()).toEqual(Object.keys(HEADERS).sort());
  for (const [name, header] of Object.entries(HEADERS)) {
    const text = await zip.file(name)!.async('string');
    expect(text.startsWith(header), name).toBe(true);
  }
  // One Export row whose ExportID every other file carries.
  const exportLines = (await zip.file('Export.csv')!.async('string')).trim().split('\r\n');
  expect(exportLines).toHaveLength(2);
  const exportId = exportLines[1].split(',')[0];
  expect(exportId).toMatch(/^"[0-9a-f]{32}"$/);
  const event = (await zip.file('Event.csv')!.async('string')).trim().split('\r\n');
  expect(event.length).toBeGreaterThan(40);
  expect(event[1].endsWith(`,${exportId}`)).toBe(true);
});

test('a housing provider cannot reach the export', async ({ page }) => {
  await signIn(page, 'caseworker');
  await hydrated(page);
  await applyContext(page, 'HMIS User', 'Northside Housing Partners');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'HMIS CSV export' })).toHaveCount(0);
  await page.goto('/export');
  await expect(page.getByRole('heading', { name: 'Not available in this Workgroup' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create export' })).toHaveCount(0);
});
