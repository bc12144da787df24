import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// scripts/multi-instance: two server instances behind HAProxy; the tests in ./multi-instance
// run against the proxy (BASE_URL) and kill an instance on purpose.
export default defineConfig({
  ...base,
  testDir: './multi-instance',
  timeout: 300_000,
});
