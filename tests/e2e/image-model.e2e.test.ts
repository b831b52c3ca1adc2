// An image classifier end to end in the browser: a folder of PNGs imported by path, the Small CNN
// preset, a short run, the model saved, and a prediction on an uploaded image.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, collectPageErrors, launchChromium, screenshot } from './support/browser.js';
import { startLabServer, type LabServerProcess } from './support/lab-server.js';

const SIZE = 12;

/** A grayscale-looking PNG: a bright bar, across for `across`, down otherwise, with seeded noise. */
function barImage(across: boolean, seed: number): Buffer {
  const png = new PNG({ width: SIZE, height: SIZE });
  let state = seed * 7919 + 1;
  const noise = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 40;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const onBar = across ? Math.abs(y - SIZE / 2) < 2 : Math.abs(x - SIZE / 2) < 2;
      const value = Math.round((onBar ? 210 : 20) + noise());
      const at = (y * SIZE + x) * 4;
      png.data[at] = png.data[at + 1] = png.data[at + 2] = value;
      png.data[at + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

describe.skipIf(!chromiumAvailable)('an image classifier in the browser', () => {
  let root: string;
  let server: LabServerProcess;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'nnlab-e2e-images-'));
    const folder = join(root, 'bars');
    for (const [className, across] of [
      ['across', true],
      ['down', false],
    ] as const) {
      mkdirSync(join(folder, className), { recursive: true });
      for (let i = 0; i < 24; i++) writeFileSync(join(folder, className, `${i}.png`), barImage(across, i));
    }
    server = await startLabServer();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    errors = collectPageErrors(page);
    await page.goto(server.pageUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('imports a folder of images by path', async () => {
    await page.click('summary:has-text("Import from a path")');
    await page.selectOption('select[aria-label="Kind of data"]', 'image-folder');
    await page.fill('input[aria-label="Path"]', join(root, 'bars'));
    await page.press('input[aria-label="Path"]', 'Enter');
    await page.waitForSelector('[data-dataset="bars"]');
    await page.waitForSelector('text=Class balance');
  });

  it('trains the Small CNN preset on it', async () => {
    await page.click('button:has-text("Build a model for it")');
    await page.waitForSelector('[data-view="builder"].active');
    await page.click('[data-preset="small-cnn"]');
    await page.click('[data-view="train"]');
    await page.fill('#hp-name', 'bars-cnn');
    await page.fill('#hp-epochs', '4');
    await page.fill('#hp-batch', '8');
    await page.click('[data-action="start"]');
    await page.waitForSelector('[data-testid="run-status"]:has-text("completed")', { timeout: 120_000 });
  });

  it('saves the model and classifies an uploaded image', async () => {
    await page.click('[data-view="runs"]');
    await page.click('[data-run="bars-cnn"] td:nth-child(2)');
    await page.fill('input[aria-label="Model name"]', 'bars model');
    await page.click('[data-action="save-model"]:not([disabled])');
    await page.waitForSelector('[data-model="bars model"]');
    await page.click('button:has-text("CSV or image")');
    await page.setInputFiles('[data-testid="predict-file"]', {
      name: 'bar.png',
      mimeType: 'image/png',
      buffer: barImage(true, 99),
    });
    await page.waitForSelector('[data-testid="predictions"] tbody tr');
    expect(await page.textContent('[data-testid="predictions"] tbody tr td:nth-child(2)')).toMatch(
      /^\s*(across|down)\s*$/,
    );
    await page.waitForSelector('img.preview-image');
    await screenshot(page, 'models-image');
  });

  it('logged no errors', () => {
    expect(errors).toEqual([]);
  });
});
