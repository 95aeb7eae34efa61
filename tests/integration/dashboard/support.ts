import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { waitFor } from '../../harness/wait';

/**
 * Headless Chromium for the dashboard's browser tests (Debian's chromium, which scripts/setup.sh
 * installs), polling the page's DOM, and screenshots kept under tests/artifacts/ (git-ignored).
 */
export const CHROMIUM = process.env.SAMSA_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'artifacts');
export const WAIT_MS = 60_000;

/** Fails loudly when Chromium is absent: a missing browser must never pass as a skipped check. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing (${CHROMIUM}): the dashboard browser tests need Debian's chromium package; ` +
        'scripts/setup.sh installs it (apt-get install -y chromium), or set SAMSA_CHROMIUM',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/** Waits until `condition` holds (polled from here, generous deadline); names `what` on timeout. */
export async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  await waitFor(condition, { timeoutMs: WAIT_MS, intervalMs: 250, what: `the page to show ${what}` });
}

export function count(page: Page, selector: string): Promise<number> {
  return page.locator(selector).count();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Runs `check`, saving a screenshot named `name` whether it passes or fails. */
export async function step(page: Page, name: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } finally {
    await screenshot(page, name).catch(() => undefined);
  }
}
