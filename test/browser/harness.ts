/** One real browser per test file, opened on the lab served by the global setup. */
import { afterAll, beforeAll, inject } from 'vitest';
import { launchBrowser, type BrowserName, type LabPage, type LaunchedBrowser } from '../../src/cli/browsers.ts';
import { openLab } from '../../src/cli/run-in-browser.ts';

export interface LabSession {
  browser: LaunchedBrowser;
  page: LabPage;
  url: string;
}

/** Launch `name` before the file's tests and close it after; `session()` gives the open page. */
export function useLab(name: BrowserName): () => LabSession {
  let session: LabSession | undefined;
  beforeAll(async () => {
    const url = inject('labUrl');
    const browser = await launchBrowser(name);
    session = { browser, page: await openLab(browser, url), url };
  });
  afterAll(async () => {
    await session?.browser.close();
  });
  return () => {
    if (!session) throw new Error(`${name} did not start`);
    return session;
  };
}
