// The workbench as a person uses it, in Chromium against `nnlab serve` with a fresh data folder:
// import a built-in dataset, build a model from a preset, train two runs with different settings
// while the live chart updates, compare them, save a model and predict with it. Each view is
// screenshotted into test-results/e2e/, and the page must log no errors.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  collectPageErrors,
  launchChromium,
  screenshot,
  CHROMIUM,
} from './support/browser.js';
import { startLabServer, type LabServerProcess } from './support/lab-server.js';

const RUN_TIMEOUT_MS = 150_000;

// In-page helpers. Playwright sends functions (not strings, which the page's strict CSP refuses
// to evaluate); this file is typechecked without the DOM library, hence the structural types.
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
}
interface PageGlobals {
  document: { body: unknown; querySelector(selector: string): PageElement | null };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
  __points: number[];
}

function textIs({ selector, expected }: { selector: string; expected: string }): boolean {
  const page = globalThis as unknown as PageGlobals;
  return page.document.querySelector(selector)?.textContent?.trim() === expected;
}

/** Records each distinct point count the chart draws into `__points`. */
function recordChartRedraws(selector: string): void {
  const page = globalThis as unknown as PageGlobals;
  const seen: number[] = (page.__points = []);
  new page.MutationObserver(() => {
    const points = Number(page.document.querySelector(selector)?.getAttribute('data-points') ?? 0);
    if (points && seen[seen.length - 1] !== points) seen.push(points);
  }).observe(page.document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-points'],
  });
}

describe.skipIf(!chromiumAvailable)('NN Lab in the browser (nnlab serve)', () => {
  let server: LabServerProcess;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    server = await startLabServer();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    errors = collectPageErrors(page);
    await page.goto(server.pageUrl);
  });

  // A failed step leaves a picture of what the page showed.
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && page) {
      await screenshot(page, `failed-${context.task.name.replace(/[^a-z0-9]+/gi, '-')}`).catch(
        () => undefined,
      );
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function show(view: string) {
    await page.click(`[data-view="${view}"]`);
    await page.waitForSelector(`[data-view="${view}"].active`);
  }

  async function train(name: string, settings: Record<string, string>, optimizer = 'adam') {
    await show('train');
    await page.fill('#hp-name', name);
    await page.selectOption('#hp-optimizer', optimizer);
    for (const [field, value] of Object.entries(settings)) await page.fill(field, value);
    await page.click('[data-action="start"]');
    await page.waitForFunction(textIs, { selector: '.status h2', expected: name });
  }

  async function waitForStatus(status: string) {
    await page.waitForFunction(
      textIs,
      { selector: '[data-testid="run-status"]', expected: status },
      { timeout: RUN_TIMEOUT_MS, polling: 200 },
    );
  }

  it('shows the empty workbench without errors', async () => {
    await page.waitForSelector('text=No datasets yet');
    expect(await page.textContent('.nav__status')).toContain('Connected');
  });

  it('imports a built-in dataset and previews it', async () => {
    await page.click('[data-sample="spirals"]');
    await page.waitForSelector('[data-dataset="spirals"]');
    await page.waitForSelector('text=Class balance');
    expect(await page.locator('.detail table.data tbody tr').count()).toBeGreaterThan(5);
    await page.click('text=Column statistics');
    await page.waitForSelector('td:has-text("x1")');
    await page.click('text=First rows');
    await screenshot(page, '1-datasets');
  });

  it('builds a model from a preset with a live summary', async () => {
    await show('builder');
    await page.click('[data-preset="tabular-classifier"]');
    // 2 → 16 → 16 → 2: (2·16+16) + (16·16+16) + (16·2+2) parameters.
    expect(await page.textContent('[data-testid="total-params"]')).toBe('354');
    await page.fill('.layer:nth-child(2) input[type="number"]', '0');
    await page.waitForSelector('.layer.invalid');
    await page.fill('.layer:nth-child(2) input[type="number"]', '16');
    await page.waitForSelector('.layer.invalid', { state: 'detached' });
    await screenshot(page, '2-builder');
  });

  it('trains a run and the live chart updates while it runs', async () => {
    // Record every redraw of the loss chart (its point count) while the run trains.
    await page.evaluate(recordChartRedraws, '[data-chart="loss"] .line-chart');
    await train('adam-lr-0.01', { '#hp-epochs': '40', '#hp-batch': '16', '#hp-lr': '0.01' });
    await waitForStatus('completed');
    const seen = await page.evaluate(() => (globalThis as unknown as { __points: number[] }).__points);
    expect(seen.length, `loss chart redraws: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-chart="accuracy"]').count()).toBe(1);
    await screenshot(page, '3-train');
  });

  it('trains a second run with different settings', async () => {
    await train('sgd-lr-0.1', { '#hp-epochs': '20', '#hp-batch': '32', '#hp-lr': '0.1' }, 'sgd');
    await waitForStatus('completed');
  });

  it('lists both runs and compares them', async () => {
    await show('runs');
    await page.waitForSelector('[data-run="adam-lr-0.01"]');
    await page.waitForSelector('[data-run="sgd-lr-0.1"]');
    await page.fill('input[type="search"]', 'sgd');
    await page.waitForSelector('[data-run="adam-lr-0.01"]', { state: 'detached' });
    await page.fill('input[type="search"]', '');
    await page.waitForSelector('[data-run="adam-lr-0.01"]');
    await page.check('[data-run="adam-lr-0.01"] input[type="checkbox"]');
    await page.check('[data-run="sgd-lr-0.1"] input[type="checkbox"]');
    await screenshot(page, '4-runs');
    await page.click('[data-action="compare"]');
    await page.waitForSelector('[data-testid="config-diff"]');
    const diff = await page.textContent('[data-testid="config-diff"]');
    expect(diff).toContain('learningRate');
    expect(diff).toContain('epochs');
    expect(diff).toContain('sgd');
    expect(await page.locator('[data-testid="compare-metrics"] .best-mark').count()).toBeGreaterThan(0);
    await page.selectOption('#read-at', 'best');
    await page.waitForSelector('[data-testid="compare-metrics"]');
    await screenshot(page, '5-compare');
  });

  it('saves a model from a run and predicts with it', async () => {
    await show('runs');
    await page.click('[data-run="adam-lr-0.01"] td:nth-child(2)');
    await page.waitForSelector('[data-action="save-model"]:not([disabled])');
    await page.fill('input[aria-label="Model name"]', 'spirals classifier');
    await page.click('[data-action="save-model"]');
    await page.waitForSelector('[data-view="models"].active, .notice.error');
    expect(await page.locator('.notice.error').allTextContents()).toEqual([]);
    await page.waitForSelector('[data-model="spirals classifier"]');
    await page.waitForSelector('[data-feature="x1"]');
    await page.fill('[data-feature="x1"]', '0.5');
    await page.fill('[data-feature="x2"]', '-0.25');
    await page.click('[data-action="predict"]');
    await page.waitForSelector('[data-testid="predictions"] tbody tr');
    expect(await page.textContent('[data-testid="predictions"] tbody tr')).toMatch(/%/);
    await screenshot(page, '6-models');
  });

  it('logged no errors and showed no error messages', async () => {
    expect(errors).toEqual([]);
    expect(await page.locator('.notice.error').allTextContents()).toEqual([]);
  });
});

describe.runIf(!chromiumAvailable)('NN Lab in the browser', () => {
  it.skip(`needs Chromium at ${CHROMIUM} (bash scripts/install-system-deps.sh installs it)`, () => undefined);
});
