/** What this browser and machine offer: the device panel and every results file report it. */
import Bowser from 'bowser';
import { measureTimerResolutionMs } from '../measure/clock.ts';
import { assertWebGpuAdapter } from '../executors/gpu-device.ts';
import type { EnvironmentReport } from '../results/schema.ts';
import type { Capabilities } from '../engine/backends.ts';
import { detectWasmSimd } from '../executors/wasm-detect.ts';

async function describeWebGpu(): Promise<EnvironmentReport['webgpu']> {
  try {
    const adapter = await assertWebGpuAdapter();
    const info = adapter.info;
    const report: Record<string, string | number | boolean> = {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
      isFallbackAdapter: Boolean((adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
      maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      timestampQuery: adapter.features.has('timestamp-query'),
    };
    return { available: true, adapter: report };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

function describeWebGl(): EnvironmentReport['webgl'] {
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2');
    if (!gl) return { available: false, reason: 'WebGL2 is not available (no context could be created).' };
    // Firefox deprecates the debug extension and already reports a sanitised renderer through RENDERER.
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { available: true, renderer };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Tokens of browsers that carry AppleWebKit and Safari in their user agent but are not WebKit's own browsers. */
const NOT_WEBKIT = /\b(?:Chrome|Chromium|HeadlessChrome|CriOS|Edg[A-Z]*|OPR|SamsungBrowser|FxiOS|Android)\//;
/** Apple's platforms, where a Safari user agent is Safari's. */
const APPLE_UA = /\b(?:Macintosh|iPhone|iPad|iPod)\b/;

/**
 * Browser name and version, lower-case names as in the results JSON ("chromium" for Chrome-family, "webkit"
 * for WebKitGTK and WPE). `platform` (navigator.platform) tells a Safari user agent sent from Linux, as WPE
 * and recent Epiphany send, from Safari's own.
 * WebKitGTK's user agent names no WebKitGTK version (its "Version/60.5" is a compatibility token, not a
 * release), so its version is "unknown" here; the bench runner fills it in from the driver.
 */
export function describeBrowser(userAgent: string, platform = ''): { name: string; version: string; os: string } {
  const parsed = Bowser.parse(userAgent);
  const os = [parsed.os.name, parsed.os.versionName ?? parsed.os.version].filter(Boolean).join(' ');
  const webKitBuild = /AppleWebKit\/([\d.]+)/.exec(userAgent)?.[1];
  const safariLike = webKitBuild !== undefined && /\bSafari\//.test(userAgent) && !NOT_WEBKIT.test(userAgent);
  const epiphany = /\bEpiphany\/([\d.]+)/.exec(userAgent);
  if (epiphany) {
    // Epiphany long sent WebKit's frozen build number in its own token: no version to read there.
    return { name: 'epiphany', version: epiphany[1] === webKitBuild ? 'unknown' : epiphany[1]!, os };
  }
  const applePlatform = platform === '' || /^(?:Mac|iPhone|iPad|iPod)/.test(platform);
  if (safariLike && (!APPLE_UA.test(userAgent) || !applePlatform)) {
    return { name: 'webkit', version: 'unknown', os: APPLE_UA.test(userAgent) ? platformOs(platform) : os };
  }
  const raw = (parsed.browser.name ?? 'unknown').toLowerCase();
  const name = raw.includes('chrom') ? 'chromium' : raw.includes('firefox') ? 'firefox' : raw.replace(/\s+/g, '-');
  return { name, version: parsed.browser.version ?? 'unknown', os };
}

/** The operating system as navigator.platform names it ("Linux x86_64" is Linux). */
function platformOs(platform: string): string {
  return /linux/i.test(platform) ? 'Linux' : platform;
}

interface UserAgentData {
  getHighEntropyValues(hints: string[]): Promise<{ fullVersionList?: Array<{ brand: string; version: string }> }>;
}

/** Chromium freezes the user-agent string at "156.0.0.0"; the full version needs a Client Hints request. */
async function fullChromiumVersion(): Promise<string | undefined> {
  const data = (navigator as Navigator & { userAgentData?: UserAgentData }).userAgentData;
  if (!data) return undefined;
  try {
    const { fullVersionList = [] } = await data.getHighEntropyValues(['fullVersionList']);
    return fullVersionList.find((b) => /chrom/i.test(b.brand))?.version;
  } catch {
    return undefined;
  }
}

/** The SIMD features as the results record them. */
function wasmFeatures(): { simd: boolean; relaxedSimd: boolean } {
  const { simd, relaxedSimd } = detectWasmSimd();
  return { simd, relaxedSimd };
}

/**
 * How an isolated page got its headers: from the server, or added by the lab's service worker on a host that
 * sets none (it marks what it adds with X-Parallel-Lab-Isolation). Undefined when the page is not isolated.
 */
async function isolationSource(): Promise<'headers' | 'service-worker' | undefined> {
  if (globalThis.crossOriginIsolated !== true) return undefined;
  try {
    const response = await fetch(location.href, { method: 'HEAD', cache: 'no-store' });
    return response.headers.get('X-Parallel-Lab-Isolation') === 'service-worker' ? 'service-worker' : 'headers';
  } catch {
    return 'headers';
  }
}

/** Collect the environment once per page load; the timer resolution is measured, not assumed. */
export async function collectEnvironment(): Promise<EnvironmentReport> {
  const browser = describeBrowser(navigator.userAgent, navigator.platform);
  const version = (browser.name === 'chromium' ? await fullChromiumVersion() : undefined) ?? browser.version;
  return {
    userAgent: navigator.userAgent,
    browser: { name: browser.name, version },
    os: browser.os,
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    ...(await isolationSource().then((source) => (source ? { isolatedBy: source } : {}))),
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    timerResolutionMs: Math.round(measureTimerResolutionMs() * 1e6) / 1e6,
    webgpu: await describeWebGpu(),
    wasm: wasmFeatures(),
    webgl: describeWebGl(),
  };
}

/** The subset of the environment that decides which backends can run. */
export function capabilitiesOf(env: EnvironmentReport): Capabilities {
  return {
    workers: typeof Worker === 'function',
    sharedArrayBuffer: env.sharedArrayBuffer,
    crossOriginIsolated: env.crossOriginIsolated,
    webgpu: { available: env.webgpu.available, ...(env.webgpu.reason ? { reason: env.webgpu.reason } : {}) },
    wasmSimd: env.wasm ?? wasmFeatures(),
  };
}
