/**
 * Pictures of a run's summary, for the README and the browser tests' artefacts. The viewport is made tall
 * enough to hold the page down to the summary's bottom edge, scrolled to the top, so that no scrolling puts
 * the sticky run bar over the summary; then the summary element alone is taken.
 */
import type { LabPage } from './lab-page.ts';

/** The summary of the run made on the page (an opened or shared run's summary has its own test id). */
export const SUMMARY_SELECTOR = '[data-testid="summary"]';

/** A PNG's pixel size, read from its header: how a test checks a picture's width without decoding it. */
export interface PngSize {
  widthPx: number;
  heightPx: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The width and height in a PNG's IHDR chunk, which the format puts first; throws when `bytes` is no PNG. */
export function pngSizePx(bytes: Uint8Array): PngSize {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < 24 || !data.subarray(0, 8).equals(PNG_SIGNATURE) || data.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('Not a PNG: the signature or the IHDR chunk is missing.');
  }
  return { widthPx: data.readUInt32BE(16), heightPx: data.readUInt32BE(20) };
}

/** A summary picture and the size, in CSS pixels, of the element it shows. */
export interface SummaryPicture {
  png: Buffer;
  elementWidthPx: number;
  elementHeightPx: number;
}

/** A picture of the summary as a `widthPx`-wide window shows it, at a device pixel ratio of 1. */
export async function summaryScreenshot(page: LabPage, widthPx: number, selector = SUMMARY_SELECTOR): Promise<SummaryPicture> {
  const box = () =>
    page.evaluate((s: string) => {
      scrollTo(0, 0);
      const rect = document.querySelector(s)?.getBoundingClientRect();
      return rect ? { bottomPx: rect.bottom, widthPx: rect.width, heightPx: rect.height } : null;
    }, selector);
  await page.setViewport(widthPx, 900);
  const first = await box();
  if (!first) throw new Error(`Nothing on the page matches ${selector}: the summary shows once a run has finished.`);
  // A little room below, so the element's lower edge is inside the viewport however the driver rounds.
  await page.setViewport(widthPx, Math.ceil(first.bottomPx) + 16);
  const shown = (await box())!;
  return { png: await page.screenshot(selector), elementWidthPx: shown.widthPx, elementHeightPx: shown.heightPx };
}
