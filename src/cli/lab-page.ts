/**
 * The contract every browser driver meets (Playwright, Puppeteer, WebDriver): the runner and the tests
 * speak to these interfaces only, so a browser is one more launcher, not a change to its callers.
 */

/** The browsers the lab can drive; each is one launcher in browsers.ts. */
export type BrowserName = 'chromium' | 'firefox' | 'webkit';

/** What a page reports to `prefers-color-scheme`: the lab's theme follows it, and the tests audit both. */
export type ColorScheme = 'light' | 'dark';

/** The little of a page the runner and tests need, the same whichever driver is underneath. */
export interface LabPage {
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  evaluate<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  click(selector: string): Promise<void>;
  fill(selector: string, text: string): Promise<void>;
  /** Resize the page's viewport in CSS pixels, as a phone or a narrow iframe would show it (WebKit: its window). */
  setViewport(widthPx: number, heightPx: number): Promise<void>;
  /** Dedicated workers the driver sees in the page (Chromium only), an independent check on leaks. */
  driverWorkerCount(): number | undefined;
  /**
   * A PNG of the viewport, or of the element `selector` picks (brought into view), at the device pixel ratio
   * of 1 every launcher uses: one CSS pixel is one image pixel. For test artefacts and the README's picture.
   */
  screenshot(selector?: string): Promise<Buffer>;
  /** Console lines as the driver reports them; WebDriver classic (WebKit) reports none. */
  onConsole(listener: (line: string) => void): void;
  /**
   * The URL of every request the page and its workers make, as the driver reports them (a test checks that
   * none leaves the lab's origin); WebDriver classic (WebKit) reports none.
   */
  onRequest(listener: (url: string) => void): void;
  /**
   * Run `script` in every document the page loads from now on, before the document's own scripts (a test
   * listens for policy violations from the very start); WebDriver classic (WebKit) has no way to, and throws.
   */
  addInitScript(script: string): Promise<void>;
  /**
   * Run a script's source in the page now, as the driver runs its own code: not through the page's `eval`,
   * which the lab's Content-Security-Policy refuses (a test injects axe-core this way).
   */
  addScript(source: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The browser's page process died or stopped answering, so its driver ended the session: nothing the page
 * did can be read back. The message starts with `BROWSER_CRASH_MARKER`, so a caller (or a test runner's
 * retry rule) can tell a browser that went away from a lab that answered wrongly.
 */
export class BrowserCrashedError extends Error {
  override name = 'BrowserCrashedError';
}

/** The words every BrowserCrashedError message starts with. */
export const BROWSER_CRASH_MARKER = "The browser's page crashed or hung";

/** A started browser, with what the results record about how it was started. */
export interface LaunchedBrowser {
  name: BrowserName;
  /** How the browser was launched, recorded in results as environment.runner. */
  runner: Record<string, string | number | boolean>;
  /**
   * The browser's version as its driver reports it, where the page cannot read it from the user agent
   * (WebKitGTK's user agent carries no WebKitGTK version); the runner records it in environment.browser.
   */
  driverBrowserVersion?: string;
  newPage(): Promise<LabPage>;
  /** Whether a page of this browser has thrown BrowserCrashedError: its session is gone, and only a new launch helps. */
  crashed?(): boolean;
  close(): Promise<void>;
}
