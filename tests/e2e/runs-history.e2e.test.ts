// The Runs view against a long history: 3,000 runs seeded into a fresh data folder, then paged,
// resized, searched, filtered by tag, sorted and selected in Chromium through `nnlab serve`. The
// host does the paging and filtering, so the page only ever holds one page of rows.
import type { Browser, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, collectPageErrors, launchChromium, screenshot } from './support/browser.js';
import { startLabServer, type LabServerProcess } from './support/lab-server.js';
import { seedRunHistory } from './support/seed-runs.js';

const RUNS = 3000;
const runName = (r: number) => `sweep lr=${[0.001, 0.003, 0.01, 0.03][r % 4]} #${r}`;

describe.skipIf(!chromiumAvailable)('the Runs view with thousands of runs', () => {
  let dataDir: string;
  let server: LabServerProcess;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nnlab-e2e-history-'));
    seedRunHistory(dataDir, RUNS);
    server = await startLabServer({ dataDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark' });
    errors = collectPageErrors(page);
    await page.goto(server.pageUrl.replace(/#.*$/, '') + '#runs');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pager = () => page.textContent('[data-testid="pager"]');
  const rows = () => page.locator('tr[data-run]').count();

  it('shows the first page of the whole history', async () => {
    await page.waitForSelector('[data-testid="run-total"]:has-text("3,000 runs")');
    expect(await pager()).toBe(`Page 1 of ${RUNS / 50}`);
    expect(await rows()).toBe(50);
    // Newest first: the last run seeded tops the list.
    expect(await page.getAttribute('tr[data-run]:first-child', 'data-run')).toBe(
      `sweep lr=0.03 #${RUNS - 1}`,
    );
    await screenshot(page, 'runs-history-dark', 'runs-history-dark');
  });

  it('pages to the end and changes the page size', async () => {
    await page.click('button:has-text("Last")');
    await page.waitForSelector(`[data-testid="pager"]:has-text("Page ${RUNS / 50} of")`);
    // The oldest 50, newest first.
    await page.waitForSelector(`tr[data-run="${runName(49)}"]:first-child`);
    expect(await rows()).toBe(50);
    await page.selectOption('#page-size', '200');
    await page.waitForSelector(`[data-testid="pager"]:has-text("Page 1 of ${RUNS / 200}")`);
    // The pager follows the new size at once; the rows when the host answers.
    await page.waitForSelector('tr[data-run]:nth-child(200)');
    expect(await rows()).toBe(200);
  });

  it('searches names, filters by tag and sorts by name', async () => {
    await page.fill('[data-shortcut="search"]', '#2999');
    await page.waitForSelector('[data-testid="run-total"]:has-text("1 run")');
    expect(await rows()).toBe(1);
    await page.fill('[data-shortcut="search"]', '');
    await page.waitForSelector('[data-testid="run-total"]:has-text("3,000 runs")');
    // A tag only the oldest run carries is offered on the first page too (tags of the whole history).
    await page.click('.chip:has-text("#archived")');
    await page.waitForSelector('[data-testid="run-total"]:has-text("1 run")');
    expect(await page.getAttribute('tr[data-run]:first-child', 'data-run')).toBe(runName(0));
    await page.click('.chip:has-text("#archived")');
    await page.click('.chip:has-text("#baseline")');
    await page.waitForSelector(`[data-testid="run-total"]:has-text("${RUNS / 10} runs")`);
    expect(await page.getAttribute('.chip:has-text("#baseline")', 'title')).toBe(
      `${RUNS / 10} runs tagged #baseline`,
    );
    await page.click('th.sortable:has-text("Name")');
    await page.waitForSelector('th.sortable:has-text("Name ▲")');
    // The arrow turns at once; the rows follow when the host answers. "#0" sorts first.
    await page.waitForSelector(`tr[data-run="${runName(0)}"]:first-child`);
    const names = await page
      .locator('tr[data-run]')
      .evaluateAll((cells) =>
        cells.map((cell) =>
          (cell as unknown as { getAttribute(n: string): string }).getAttribute('data-run'),
        ),
      );
    expect(names.length).toBe(200);
    // The host sorts case-insensitively by code unit (SQLite NOCASE); these names are lower case.
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('selects a page, keeps the selection across pages and clears it', async () => {
    await page.check('input[aria-label="Select page"]');
    await page.waitForSelector('[data-testid="selection-count"]:has-text("200 selected")');
    const firstOnPage1 = await page.getAttribute('tr[data-run]:first-child', 'data-run');
    await page.click('button:has-text("Next")');
    await page.waitForSelector('[data-testid="pager"]:has-text("Page 2 of")');
    await page.waitForSelector(`tr[data-run]:first-child:not([data-run="${firstOnPage1}"])`);
    await page.check('tr[data-run]:first-child input[type="checkbox"]');
    await page.waitForSelector('[data-testid="selection-count"]:has-text("201 selected")');
    await page.click('button:has-text("Clear")');
    await page.waitForSelector('[data-testid="selection-count"]', { state: 'detached' });
  });

  it('logged no errors', () => {
    expect(errors).toEqual([]);
  });
});
