/**
 * Real browsers for the bench runner and the browser tests: Debian's Chromium through playwright-core,
 * Debian's Firefox ESR through puppeteer-core over WebDriver BiDi (both headless), and Debian's WebKitGTK
 * through selenium-webdriver over W3C WebDriver on an Xvfb display (webkit.ts).
 */
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { BrowserName, ColorScheme, LabPage, LaunchedBrowser } from './lab-page.ts';
import { freshFirefoxProfile } from './firefox-profile.ts';
import { assertWebKitInstalled, launchWebKit } from './webkit.ts';

export type { BrowserName, ColorScheme, LabPage, LaunchedBrowser } from './lab-page.ts';

/** The three engines: every browser the bench (and every other --browser option) can drive, and the tests run in. */
export const ENGINES: readonly BrowserName[] = ['chromium', 'firefox', 'webkit'];
/** The two headless browsers with WebGPU: the browser tests that exercise what WebKitGTK lacks run in these. */
export const BROWSERS: readonly BrowserName[] = ['chromium', 'firefox'];

/** The two headless browsers' binaries; WebKit's three programs are in webkit.ts. */
export const executablePaths: Record<Exclude<BrowserName, 'webkit'>, string> = {
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  firefox: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
};

/** Flags for Chromium in a sandbox-less container with no outside network, WebGPU enabled on SwiftShader. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

export interface LaunchOptions {
  /** Firefox ships WebGPU off on Linux; these prefs turn it on (with lavapipe as the Vulkan driver). */
  firefoxWebgpu?: boolean;
  /**
   * The colour scheme every page reports to `prefers-color-scheme` (unset: the browser's own, light when
   * headless). Chosen at launch because Firefox can take it only then, as a preference: WebDriver BiDi has no
   * media emulation, and Puppeteer's needs CDP, which Firefox no longer speaks. WebKit's WebDriver has
   * neither, so WebKit refuses the option.
   */
  colorScheme?: ColorScheme;
}

/** A clear message when the browser binary is missing, naming the package that provides it. */
export function assertBrowserInstalled(name: BrowserName): void {
  if (name === 'webkit') return assertWebKitInstalled();
  if (!existsSync(executablePaths[name])) {
    const pkg = name === 'chromium' ? 'chromium' : 'firefox-esr mesa-vulkan-drivers';
    throw new Error(
      `${name} was not found at ${executablePaths[name]}. Install it with: apt-get install -y ${pkg} ` +
        `(or set ${name === 'chromium' ? 'CHROMIUM_PATH' : 'FIREFOX_PATH'}).`,
    );
  }
}

/** Start `name` with a fresh profile; close() stops it and everything it started. */
export async function launchBrowser(name: BrowserName, options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  assertBrowserInstalled(name);
  if (name === 'webkit') {
    if (options.colorScheme) throw new Error('WebKit cannot be launched with a colour scheme: its WebDriver has no way to emulate prefers-color-scheme.');
    return launchWebKit();
  }
  return name === 'chromium' ? launchChromium(options.colorScheme) : launchFirefox(options.firefoxWebgpu ?? true, options.colorScheme);
}

/** Firefox's override of what pages see in prefers-color-scheme: 0 dark, 1 light. */
const FIREFOX_COLOR_SCHEME_PREF = 'layout.css.prefers-color-scheme.content-override';

async function launchChromium(colorScheme: ColorScheme | undefined): Promise<LaunchedBrowser> {
  const { chromium } = await import('playwright-core');
  // Playwright gives every launch a fresh temporary profile, removed on close.
  const browser = await chromium.launch({ executablePath: executablePaths.chromium, headless: true, args: chromiumArgs });
  return {
    name: 'chromium',
    runner: { driver: `playwright-core (CDP)`, browserVersion: browser.version(), flags: chromiumArgs.join(' '), ...(colorScheme ? { colorScheme } : {}) },
    async newPage() {
      const context = await browser.newContext(colorScheme ? { colorScheme } : {});
      const page = await context.newPage();
      return {
        goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
        reload: async () => void (await page.reload({ waitUntil: 'load' })),
        evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
        click: (selector) => page.click(selector),
        fill: (selector, text) => page.fill(selector, text),
        setViewport: (width, height) => page.setViewportSize({ width, height }),
        screenshot: (selector) => (selector ? page.locator(selector).screenshot() : page.screenshot()),
        driverWorkerCount: () => page.workers().length,
        onConsole: (listener) => page.on('console', (m) => listener(`${m.type()}: ${m.text()}`)),
        // The context's requests: the page's, its workers' and its service worker's.
        onRequest: (listener) => context.on('request', (request) => listener(request.url())),
        addInitScript: async (script) => void (await page.addInitScript(script)),
        addScript: async (source) => void (await page.evaluate(`${source}\n;undefined`)),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function launchFirefox(webgpu: boolean, colorScheme: ColorScheme | undefined): Promise<LaunchedBrowser> {
  const puppeteer = (await import('puppeteer-core')).default;
  // A copy of a profile set up once, rather than an empty one each launch: Firefox starts about 2 s sooner.
  const profile = await freshFirefoxProfile(executablePaths.firefox, async (empty) => {
    const first = await puppeteer.launch({ browser: 'firefox', executablePath: executablePaths.firefox, headless: true, userDataDir: empty });
    await first.close();
  });
  const prefs = {
    ...(webgpu ? { 'dom.webgpu.enabled': true, 'gfx.webgpu.ignore-blocklist': true } : {}),
    ...(colorScheme ? { [FIREFOX_COLOR_SCHEME_PREF]: colorScheme === 'dark' ? 0 : 1 } : {}),
  };
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: executablePaths.firefox,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: prefs,
    // A full default suite can keep one evaluate call busy for minutes.
    protocolTimeout: 30 * 60_000,
  });
  return {
    name: 'firefox',
    runner: {
      driver: 'puppeteer-core (WebDriver BiDi)',
      browserVersion: await browser.version(),
      webgpuPrefs: webgpu,
      ...(colorScheme ? { colorScheme } : {}),
    },
    async newPage() {
      const page = await browser.newPage();
      return {
        goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
        reload: async () => void (await page.reload({ waitUntil: 'load' })),
        evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
        click: (selector) => page.click(selector),
        fill: async (selector, text) => {
          await page.locator(selector).fill(text);
        },
        setViewport: (width, height) => page.setViewport({ width, height }),
        screenshot: async (selector) => {
          if (!selector) return Buffer.from(await page.screenshot());
          const element = await page.$(selector);
          if (!element) throw new Error(`Nothing on the page matches ${selector}, so there is nothing to take a picture of.`);
          return Buffer.from(await element.screenshot());
        },
        driverWorkerCount: () => undefined,
        onConsole: (listener) => page.on('console', (m) => listener(`${m.type()}: ${m.text()}`)),
        onRequest: (listener) => page.on('request', (request) => listener(request.url())),
        addInitScript: async (script) => void (await page.evaluateOnNewDocument(script)),
        addScript: async (source) => void (await page.evaluate(`${source}\n;undefined`)),
        close: () => page.close(),
      };
    },
    async close() {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
