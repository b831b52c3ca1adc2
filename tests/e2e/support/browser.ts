// Debian's Chromium through playwright-core (never a downloaded browser), and a collector for
// everything the page reports as an error.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './lab-server.js';

export const CHROMIUM = process.env.NNLAB_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
export const screenshotDir = join(repoRoot, 'test-results', 'e2e');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Console errors, uncaught exceptions and CSP violations the page reported. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** The README's pictures: refreshed from a test run with NNLAB_UPDATE_SCREENSHOTS=1. */
export const docsScreenshotDir = join(repoRoot, 'docs', 'screenshots');

/**
 * Saves what the page shows as test-results/e2e/<name>.png; with `docsName` and
 * NNLAB_UPDATE_SCREENSHOTS=1 also as docs/screenshots/<docsName>.png.
 */
export async function screenshot(page: Page, name: string, docsName?: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  if (docsName && process.env.NNLAB_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(docsScreenshotDir, { recursive: true });
    copyFileSync(path, join(docsScreenshotDir, `${docsName}.png`));
  }
}
