/**
 * WebKit for the runner and the tests: Debian's WebKitGTK MiniBrowser, driven over W3C WebDriver by
 * selenium-webdriver through WebKitWebDriver, on an Xvfb display (WebKitGTK has no headless mode).
 * The launcher owns both helper processes: it starts them, and stops them on close, on a failed start,
 * on Ctrl-C or SIGTERM, and when Node exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';
import type { WebDriver } from 'selenium-webdriver';
import { BROWSER_CRASH_MARKER, BrowserCrashedError, type LabPage, type LaunchedBrowser } from './lab-page.ts';

/** Where Debian's packages put the three programs; the environment variables override them. */
export const webkitPaths = {
  miniBrowser: process.env.WEBKIT_MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  webDriver: process.env.WEBKIT_WEBDRIVER_PATH ?? '/usr/bin/WebKitWebDriver',
  xvfb: process.env.XVFB_PATH ?? '/usr/bin/Xvfb',
};

/** The Debian packages that provide the programs above (MiniBrowser comes with webkit2gtk-driver's dependency). */
export const WEBKIT_PACKAGES = ['webkit2gtk-driver', 'xvfb'] as const;

/** How long a start step (Xvfb's display, the driver's port, the session) may take on a loaded machine. */
const START_TIMEOUT_MS = 60_000;
/** How long an evaluate waits inside one WebDriver call before it returns and asks again. */
const EVALUATE_SLICE_MS = 1_000;
/** How long close() lets a helper process exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 3_000;
/** The longest one evaluate may run: a thorough suite in one call, as for the other browsers. */
const EVALUATE_LIMIT_MS = 30 * 60_000;

/** A clear message when a program is missing, naming the packages that provide it. */
export function assertWebKitInstalled(): void {
  const missing = Object.entries(webkitPaths).filter(([, path]) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `WebKit needs ${missing.map(([name, path]) => `${name} (${path})`).join(', ')}. ` +
        `Install it with: apt-get install -y ${WEBKIT_PACKAGES.join(' ')} ` +
        '(or set WEBKIT_MINIBROWSER_PATH, WEBKIT_WEBDRIVER_PATH, XVFB_PATH).',
    );
  }
}

/** Process groups this Node process started and has not stopped yet: the exit and signal handlers end them. */
const liveGroups = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative: the whole group, so MiniBrowser and its web, network and GPU processes go with the driver.
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function killAllGroups(): void {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  untrackAll();
}

const onInterrupt = () => {
  killAllGroups();
  process.exit(130);
};
const onTerminate = () => {
  killAllGroups();
  process.exit(143);
};

/** Watch for Ctrl-C, SIGTERM and exit while a helper runs, and only then: otherwise Node keeps its defaults. */
function track(pid: number): void {
  if (liveGroups.size === 0) {
    process.on('exit', killAllGroups);
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onTerminate);
  }
  liveGroups.add(pid);
}

function untrack(pid: number): void {
  if (!liveGroups.delete(pid) || liveGroups.size > 0) return;
  untrackAll();
}

function untrackAll(): void {
  liveGroups.clear();
  process.off('exit', killAllGroups);
  process.off('SIGINT', onInterrupt);
  process.off('SIGTERM', onTerminate);
}

/** Start a program in its own process group, so that stopping it stops everything it started. */
function startGroup(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdio?: Array<'ignore' | 'pipe'> }): ChildProcess {
  const child = spawn(command, args, { detached: true, env: options.env ?? process.env, stdio: options.stdio ?? ['ignore', 'ignore', 'pipe'] });
  if (child.pid !== undefined) track(child.pid);
  // Detached children must not keep Node's event loop alive on their own.
  child.unref();
  return child;
}

/** Stop a group politely, then for good after a grace period. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || !liveGroups.has(pid)) return;
  const exited = child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(pid, 'SIGTERM');
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
  clearTimeout(timer);
  // The group's other members (MiniBrowser's child processes) may outlive its leader: end them too.
  killGroup(pid, 'SIGKILL');
  untrack(pid);
}

/** The last lines a helper wrote to stderr, for the error message when it fails to start. */
function stderrTail(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-2_000);
  });
  return () => text.trim();
}

/** Resolve with `promise`, or reject with `message` after `timeoutMs`. */
async function within<T>(promise: Promise<T>, timeoutMs: number, message: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), timeoutMs)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Start Xvfb on a display it picks itself (-displayfd), so parallel runs never collide. */
async function startXvfb(): Promise<{ child: ChildProcess; display: string }> {
  const child = startGroup(webkitPaths.xvfb, ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '2560x1600x24'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const tail = stderrTail(child);
  const displayPipe = child.stdio[3] as Readable;
  const display = new Promise<string>((resolve, reject) => {
    let text = '';
    displayPipe.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(`:${text.trim()}`);
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited (code ${code}) before it opened a display: ${tail()}`)));
    child.once('error', reject);
  });
  try {
    return { child, display: await within(display, START_TIMEOUT_MS, () => `Xvfb opened no display in time: ${tail()}`) };
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
}

/** A TCP port free on loopback right now, for WebKitWebDriver (which cannot pick its own). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('No free port.'))));
    });
  });
}

/** MiniBrowser's warning when its page's web process dies (a crash, or a kill from outside). */
const WEB_PROCESS_CRASHED = 'WebProcess CRASHED';

/** A running WebKitWebDriver: where it listens, its last output, and how many page crashes it has reported. */
interface DriverProcess {
  child: ChildProcess;
  url: string;
  tail: () => string;
  crashes: () => number;
}

/** Start WebKitWebDriver on `display` and wait until its status says it accepts a session. */
async function startDriver(display: string): Promise<DriverProcess> {
  const port = await freePort();
  const child = startGroup(webkitPaths.webDriver, [`--port=${port}`, '--host=local'], { env: { ...process.env, DISPLAY: display } });
  const tail = stderrTail(child);
  // MiniBrowser (whose output the driver passes on) says so when its page process dies.
  let crashes = 0;
  let carry = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = carry + chunk.toString();
    crashes += text.split(WEB_PROCESS_CRASHED).length - 1;
    carry = text.slice(-WEB_PROCESS_CRASHED.length);
  });
  const url = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (code ${child.exitCode}): ${tail()}`);
      try {
        const response = await fetch(`${url}/status`);
        const body = (await response.json()) as { value?: { ready?: boolean } };
        if (body.value?.ready) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    await within(ready, START_TIMEOUT_MS, () => `WebKitWebDriver did not answer on ${url} in time: ${tail()}`);
    return { child, url, tail, crashes: () => crashes };
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
}

/** What the page-side wrapper of an evaluate answers: a value, an error, or "still running, ask again". */
type Slice = { state: 'done'; value?: unknown } | { state: 'failed'; message: string } | { state: 'pending' };

/**
 * Classic WebDriver runs one command at a time per session, so a long evaluate (a whole suite) would hold the
 * session and starve the progress polls beside it. Each evaluate therefore starts its function in the page
 * and waits at most EVALUATE_SLICE_MS per WebDriver call, asking again while it runs: concurrent evaluates
 * interleave, as they do in the other two drivers.
 */
function startScript(source: string): string {
  return `
const [arg, sliceMs, done] = arguments;
// Node-side transpilers that keep function names (tsx, Vitest) wrap inner functions in __name().
const __name = (target) => target;
const fn = (${source});
const store = (window.__labEvaluations ??= { next: 0, pending: new Map() });
const id = store.next++;
const outcome = Promise.resolve().then(() => fn(arg)).then(
  (value) => ({ state: 'done', value }),
  (error) => ({ state: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
store.pending.set(id, outcome);
// Once this call has answered "pending", an outcome that settles later stays in the store for the next poll.
let answered = false;
const timer = setTimeout(() => { answered = true; done({ id, slice: { state: 'pending' } }); }, sliceMs);
outcome.then((slice) => { if (answered) return; clearTimeout(timer); store.pending.delete(id); done({ id, slice }); });
`;
}

/** Ask again after a "pending": the outcome is delivered (and forgotten) only by the call that answers with it. */
const POLL_SCRIPT = `
const [id, sliceMs, done] = arguments;
const outcome = window.__labEvaluations?.pending.get(id);
if (!outcome) { done({ state: 'failed', message: 'The page lost the evaluation (it navigated or reloaded).' }); return; }
let answered = false;
const timer = setTimeout(() => { answered = true; done({ state: 'pending' }); }, sliceMs);
outcome.then((slice) => { if (answered) return; clearTimeout(timer); window.__labEvaluations.pending.delete(id); done(slice); });
`;

async function evaluateIn(driver: WebDriver, source: string, arg: unknown): Promise<unknown> {
  const started = Date.now();
  // A function's undefined argument crosses WebDriver as null; the page gets undefined back, as elsewhere.
  const first = (await driver.executeAsyncScript(startScript(source), arg ?? null, EVALUATE_SLICE_MS)) as { id: number; slice: Slice };
  let slice = first.slice;
  while (slice.state === 'pending') {
    if (Date.now() - started > EVALUATE_LIMIT_MS) throw new Error(`An evaluate in WebKit ran past ${EVALUATE_LIMIT_MS / 60_000} minutes.`);
    slice = (await driver.executeAsyncScript(POLL_SCRIPT, first.id, EVALUATE_SLICE_MS)) as Slice;
  }
  if (slice.state === 'failed') throw new Error(slice.message);
  // WebDriver answers JSON: undefined came back as null or not at all.
  return slice.value ?? undefined;
}

/** Sizings of the window before setViewport gives up, and the pause before each re-measure, in ms. */
const VIEWPORT_ATTEMPTS = 5;
const VIEWPORT_SETTLE_MS = 150;
/** No window is sized smaller than this while correcting, in px: a page that needs less gets an error instead. */
const MIN_WINDOW_PX = 200;

/** A viewport size the browser's window cannot give the page: a test at that size has nothing to measure there. */
export class ViewportError extends Error {
  override name = 'ViewportError';
}

/** How long a command that came back unparsable waits for the driver to report a crash, in ms. */
const CRASH_REPORT_WAIT_MS = 3_000;

/**
 * Whether `error` means the session is gone: WebKitWebDriver deletes a session whose page process crashed
 * or hung, and a script whose page died under it first comes back unparsable, before the driver has
 * reported the crash (then this waits a moment for the report, or for the session to go).
 */
async function sessionLost(driver: WebDriver, error: unknown, crashes: () => number): Promise<boolean> {
  if (!(error instanceof Error)) return false;
  if (error.name === 'NoSuchSessionError' || crashes() > 0) return true;
  if (!/Could not parse script result/.test(error.message)) return false;
  const deadline = Date.now() + CRASH_REPORT_WAIT_MS;
  while (Date.now() < deadline) {
    if (crashes() > 0) return true;
    try {
      await within(driver.getCurrentUrl(), CRASH_REPORT_WAIT_MS, () => 'no answer');
    } catch (probe) {
      return probe instanceof Error && (probe.name === 'NoSuchSessionError' || probe.message === 'no answer');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return crashes() > 0;
}

/** Start Xvfb, WebKitWebDriver and a MiniBrowser session; a failure at any step stops what had started. */
export async function launchWebKit(): Promise<LaunchedBrowser> {
  assertWebKitInstalled();
  const xvfb = await startXvfb();
  let driverProcess: DriverProcess | undefined;
  let driver: WebDriver | undefined;
  const stopAll = async () => {
    if (driverProcess) await stopGroup(driverProcess.child);
    await stopGroup(xvfb.child);
  };
  try {
    driverProcess = await startDriver(xvfb.display);
    // Loaded here, as the other launchers load their drivers: only a WebKit run pays for it.
    const { WebDriver, By } = (await import('selenium-webdriver')).default;
    // Its HTTP module is CommonJS in a folder, which only require() resolves.
    const { Executor, HttpClient } = createRequire(import.meta.url)('selenium-webdriver/http') as typeof import('selenium-webdriver/http');
    const executor = new Executor(new HttpClient(driverProcess.url));
    const session = WebDriver.createSession(executor, {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: webkitPaths.miniBrowser, args: ['--automation'] },
    });
    driver = await within(Promise.resolve(session), START_TIMEOUT_MS, () => 'MiniBrowser did not start a WebDriver session in time.');
    await driver.manage().setTimeouts({ script: EVALUATE_SLICE_MS + 60_000, pageLoad: START_TIMEOUT_MS });
    const capabilities = await driver.getCapabilities();
    const version = String(capabilities.get('browserVersion') ?? 'unknown');
    const live = driver;
    const { tail: driverLog, crashes } = driverProcess;
    let closed = false;
    let crashed = false;
    /** Every command goes through here: a lost session becomes one clear error, with the driver's last words. */
    const guard = async <T>(command: () => Promise<T>): Promise<T> => {
      try {
        return await command();
      } catch (error) {
        if (closed || !(crashed || (await sessionLost(live, error, crashes)))) throw error;
        crashed = true;
        throw new BrowserCrashedError(
          `${BROWSER_CRASH_MARKER} (WebKit), so its session is gone${(error as Error).message ? ` (${(error as Error).message})` : ''}. ` +
            `WebKitWebDriver's last output: ${driverLog() || '(none)'}`,
          { cause: error },
        );
      }
    };
    return {
      name: 'webkit',
      driverBrowserVersion: version,
      runner: {
        driver: 'selenium-webdriver (W3C WebDriver, WebKitWebDriver)',
        browserVersion: version,
        browser: 'WebKitGTK MiniBrowser --automation',
        display: 'Xvfb',
      },
      async newPage() {
        // WebDriver classic drives one window per session: the session's own window is the page, blank as a
        // new page is (so a link that differs from what it showed only by its fragment loads a new document).
        await live.get('about:blank');
        return {
          goto: (url) => guard(() => live.get(url)),
          reload: () => guard(() => live.navigate().refresh()),
          evaluate: (fn, arg) => guard(() => evaluateIn(live, fn.toString(), arg)) as never,
          click: (selector) => guard(async () => {
            const element = await live.findElement(By.css(selector));
            try {
              await element.click();
            } catch (error) {
              // The driver scrolls the element just into view, where a sticky bar may cover it: bring it to the
              // middle of the viewport and click once more.
              if ((error as Error).name !== 'ElementClickInterceptedError') throw error;
              await live.executeScript('arguments[0].scrollIntoView({ block: "center", inline: "center" });', element);
              await element.click();
            }
          }),
          fill: (selector, text) => guard(async () => {
            const element = await live.findElement(By.css(selector));
            await element.clear();
            await element.sendKeys(text);
          }),
          // WebDriver sizes the window, toolbar and all: size it, see how much the page got, and grow it by the
          // difference. The window manager applies a size a moment later, and the toolbar settles once shown, so
          // measure and correct a few times before giving up.
          setViewport: (width, height) => guard(async () => {
            const window = live.manage().window();
            const inner = async () => (await live.executeScript('return [window.innerWidth, window.innerHeight];')) as [number, number];
            let rect = { width, height };
            let got: [number, number] = [0, 0];
            for (let attempt = 0; attempt < VIEWPORT_ATTEMPTS; attempt++) {
              await window.setRect(rect);
              if (attempt > 0) await new Promise((settled) => setTimeout(settled, VIEWPORT_SETTLE_MS));
              got = await inner();
              if (got[0] === width && got[1] === height) return;
              rect = { width: Math.max(MIN_WINDOW_PX, rect.width + width - got[0]), height: Math.max(MIN_WINDOW_PX, rect.height + height - got[1]) };
            }
            const why = got[0] > width ? " (MiniBrowser's toolbar sets a narrowest width)" : '';
            throw new ViewportError(`WebKit's window cannot give the page ${width} × ${height} px: it gives ${got[0]} × ${got[1]} px${why}.`);
          }),
          // WebDriver answers base64; an element's picture is its box, scrolled into view by the driver.
          screenshot: (selector) =>
            guard(async () => Buffer.from(selector ? await live.findElement(By.css(selector)).takeScreenshot() : await live.takeScreenshot(), 'base64')),
          driverWorkerCount: () => undefined,
          onConsole: () => undefined,
          onRequest: () => undefined,
          // WebDriver runs a script as a function body of its own, outside the page's policy.
          addScript: (source) => guard(async () => void (await live.executeScript(`${source}\n;return null;`))),
          addInitScript: () => Promise.reject(new Error('WebDriver classic cannot run a script before a page\'s own (WebKit has no init scripts here).')),
          close: async () => live.get('about:blank'),
        } satisfies LabPage;
      },
      crashed: () => crashed,
      async close() {
        if (closed) return;
        closed = true;
        await within(live.quit(), STOP_GRACE_MS * 2, () => 'quit timed out').catch(() => undefined);
        await stopAll();
      },
    };
  } catch (error) {
    if (driver) await driver.quit().catch(() => undefined);
    await stopAll();
    throw error;
  }
}
