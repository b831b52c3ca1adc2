// The workbench as a person uses it, in Chromium against `nnlab serve` with a fresh data folder:
// import a built-in dataset, build a model from a preset, train two runs with different settings
// while the live chart updates, read the diagnosis, tag and annotate a run, compare the two (config
// diff, metrics at a chosen epoch, confusion matrices, ROC/PR curves), save a model, predict with it
// on typed values and on a CSV, and export it. Each view is screenshotted into test-results/e2e/
// (NNLAB_UPDATE_SCREENSHOTS=1 refreshes the README's docs/screenshots/), and the page must log no
// errors.
import { statSync } from 'node:fs';
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
  getComputedStyle(element: unknown): { backgroundColor: string };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
  __points: number[];
}

function textIs({ selector, expected }: { selector: string; expected: string }): boolean {
  const page = globalThis as unknown as PageGlobals;
  return page.document.querySelector(selector)?.textContent?.trim() === expected;
}

/** True when `word` occurs exactly `times` times in the element's text. */
function occursTimes({ selector, word, times }: { selector: string; word: string; times: number }): boolean {
  const page = globalThis as unknown as PageGlobals;
  return (page.document.querySelector(selector)?.textContent ?? '').split(word).length - 1 === times;
}

function bodyBackground(): string {
  const page = globalThis as unknown as PageGlobals;
  return page.getComputedStyle(page.document.body).backgroundColor;
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

  /** Dismisses the success and info messages so screenshots show the view alone (errors stay, and fail the run). */
  async function dismissNotices() {
    for (const button of await page.locator('.notice:not(.error) button[aria-label="Dismiss"]').all())
      await button.click().catch(() => undefined);
  }

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
    await dismissNotices();
    await screenshot(page, '1-datasets', 'datasets');
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
    await dismissNotices();
    await screenshot(page, '2-builder', 'builder');
  });

  it('shows the detected devices in the Train view', async () => {
    await show('train');
    await page.waitForSelector('[data-testid="device"]:has-text("CPU")');
    // This machine may or may not have a GPU adapter: either way the picker says which.
    expect(await page.textContent('[data-testid="device"]')).toMatch(/GPU\s*(none — |\S)/);
  });

  it('trains a run and the live charts update while it runs', async () => {
    // Record every redraw of the loss chart (its point count) while the run trains.
    await page.evaluate(recordChartRedraws, '[data-chart="loss"] .line-chart');
    await train('adam-lr-0.01', { '#hp-epochs': '40', '#hp-batch': '16', '#hp-lr': '0.01' });
    await waitForStatus('completed');
    const seen = await page.evaluate(() => (globalThis as unknown as { __points: number[] }).__points);
    expect(seen.length, `loss chart redraws: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-chart="accuracy"]').count()).toBe(1);
    // Per-layer gradient norms, one line per dense layer, over the 40 epochs.
    await page.waitForSelector('[data-chart="layer-health"] .line-chart:not([data-points="0"])');
    expect(await page.textContent('[data-testid="throughput"]')).toMatch(/samples\/s/);
    expect(await page.textContent('.status')).toContain('epoch 40 of 40');
    // The diagnosis of the finished run: a verdict and what to try next.
    await page.waitForSelector('[data-testid="verdict"]');
    await dismissNotices();
    await screenshot(page, '3-train', 'train');
    await page.locator('[data-chart="layer-health"]').scrollIntoViewIfNeeded();
    await screenshot(page, '3-train-charts');
    await page
      .locator('.page')
      .first()
      .evaluate((element) => (element as unknown as { scrollIntoView(): void }).scrollIntoView());
  });

  it('trains a second run with different settings', async () => {
    await train('sgd-lr-0.1', { '#hp-epochs': '20', '#hp-batch': '32', '#hp-lr': '0.1' }, 'sgd');
    await waitForStatus('completed');
  });

  it('pauses and resumes a long run with P, shows its ETA, and cancels it', async () => {
    await train('long-run', { '#hp-epochs': '5000', '#hp-batch': '16', '#hp-lr': '0.01' });
    await waitForStatus('running');
    await page.waitForSelector('[data-testid="eta"]');
    await page.locator('body').press('p');
    await waitForStatus('paused');
    await page.locator('body').press('p');
    await waitForStatus('running');
    await page.click('.status button.danger:has-text("Cancel")');
    await waitForStatus('cancelled');
  });

  it('lists both runs, tags and annotates one, and shows its diagnosis', async () => {
    await show('runs');
    await page.waitForSelector('[data-run="adam-lr-0.01"]');
    await page.waitForSelector('[data-run="sgd-lr-0.1"]');
    await page.fill('input[type="search"]', 'sgd');
    await page.waitForSelector('[data-run="adam-lr-0.01"]', { state: 'detached' });
    await page.fill('input[type="search"]', '');
    await page.waitForSelector('[data-run="adam-lr-0.01"]');
    await page.click('[data-run="adam-lr-0.01"] td:nth-child(2)');
    await page.fill('input[aria-label="New tag"]', 'baseline');
    await page.press('input[aria-label="New tag"]', 'Enter');
    await page.waitForSelector('.detail .tag:has-text("#baseline")');
    await page.fill('textarea[aria-label="Notes"]', 'Adam at 0.01: the reference run.');
    await page.click('.detail h2'); // leaving the notes saves them
    await page.waitForSelector('[data-run="adam-lr-0.01"] .note-preview:has-text("reference run")');
    await page.waitForSelector('.detail [data-testid="verdict"]');
    await page.waitForSelector('.detail [data-testid="next-steps"] li, .detail [data-testid="verdict"]');
    // The tag filter finds it.
    await page.click('.toolbar .chip:has-text("#baseline")');
    await page.waitForSelector('[data-run="sgd-lr-0.1"]', { state: 'detached' });
    await page.click('.toolbar .chip:has-text("#baseline")');
    await page.waitForSelector('[data-run="sgd-lr-0.1"]');
    await page.check('[data-run="adam-lr-0.01"] input[type="checkbox"]');
    await page.check('[data-run="sgd-lr-0.1"] input[type="checkbox"]');
    await dismissNotices();
    await screenshot(page, '4-runs', 'runs');
  });

  it('compares the two runs: config diff, metrics at a chosen epoch, evaluations', async () => {
    // C is the shortcut for comparing the selection.
    await page.locator('body').press('c');
    await page.waitForSelector('[data-view="compare"].active');
    await page.waitForSelector('[data-testid="config-diff"]');
    const diff = await page.textContent('[data-testid="config-diff"]');
    expect(diff).toContain('learningRate');
    expect(diff).toContain('epochs');
    expect(diff).toContain('sgd');
    expect(await page.locator('[data-testid="config-diff"] td.differs').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="compare-metrics"] .best-mark').count()).toBeGreaterThan(0);
    // Epochs counted from 1: the last of 40 and of 20.
    expect(await page.textContent('[data-testid="compare-metrics"] thead')).toMatch(
      /epoch 40[\s\S]*epoch 20/,
    );
    await page.selectOption('#read-at', 'epoch');
    await page.fill('input[aria-label="Epoch"]', '10');
    await page.press('input[aria-label="Epoch"]', 'Enter');
    await page.waitForFunction(occursTimes, {
      selector: '[data-testid="compare-metrics"] thead',
      word: 'epoch 10',
      times: 2,
    });
    // Both runs are finished classifiers: a confusion matrix and ROC/PR curves each, side by side.
    await page.waitForSelector('[data-testid="evaluations"]');
    expect(await page.locator('[data-testid="evaluation"]').count()).toBe(2);
    expect(await page.locator('[data-testid="confusion-matrix"]').count()).toBe(2);
    await page.selectOption('#read-at', 'best');
    await page.waitForSelector('[data-testid="compare-metrics"][data-loading="false"]');
    await dismissNotices();
    await screenshot(page, '5-compare', 'compare');
    await page.locator('[data-testid="evaluations"]').scrollIntoViewIfNeeded();
    await dismissNotices();
    await screenshot(page, '5-compare-evaluation', 'compare-evaluation');
  });

  it('saves a model from a run and predicts with it', async () => {
    await show('runs');
    // The run's detail may still be open from tagging it; a click on its row would close it.
    if (!(await page.isVisible('.detail h2:has-text("adam-lr-0.01")')))
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
    await dismissNotices();
    await screenshot(page, '6-models', 'models');
  });

  it('predicts on an uploaded CSV', async () => {
    await page.click('button:has-text("CSV or image")');
    await page.setInputFiles('input[type="file"][data-testid="predict-file"]', {
      name: 'points.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('x1,x2\n0.5,-0.25\n-0.8,0.1\n0.0,0.9\n'),
    });
    await page.waitForSelector('[data-testid="predictions"] tbody tr:nth-child(3)');
    expect(await page.locator('[data-testid="predictions"] tbody tr').count()).toBe(3);
  });

  it('exports the saved model file', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-action="export-model"]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^spirals classifier/);
    const path = await download.path();
    expect(path).toBeTruthy();
    expect(statSync(path!).size).toBeGreaterThan(1000);
  });

  it('lists the keyboard shortcuts on ?', async () => {
    await page.locator('body').press('?');
    await page.waitForSelector('[data-testid="shortcuts"]');
    expect(await page.textContent('[data-testid="shortcuts"]')).toContain('Start training');
    await screenshot(page, '7-shortcuts');
    await page.locator('body').press('Escape');
    await page.waitForSelector('[data-testid="shortcuts"]', { state: 'detached' });
  });

  it('follows the system into the dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await show('compare');
    await page.waitForSelector('[data-testid="compare-metrics"]');
    const background = await page.evaluate(bodyBackground);
    expect(background).toBe('rgb(18, 22, 28)');
    await dismissNotices();
    await screenshot(page, '8-compare-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('deletes a run chosen in the list', async () => {
    await show('runs');
    await page.click('button:has-text("Clear")').catch(() => undefined);
    await page.check('[data-run="long-run"] input[type="checkbox"]');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('.actions button.danger:has-text("Delete")');
    await page.waitForSelector('[data-run="long-run"]', { state: 'detached' });
    await page.waitForSelector('[data-testid="run-total"]:has-text("2 runs")');
  });

  it('logged no errors and showed no error messages', async () => {
    expect(errors).toEqual([]);
    expect(await page.locator('.notice.error').allTextContents()).toEqual([]);
  });
});

describe.runIf(!chromiumAvailable)('NN Lab in the browser', () => {
  it.skip(`needs Chromium at ${CHROMIUM} (bash scripts/install-system-deps.sh installs it)`, () => undefined);
});
