/** What the event-loop sweep says about the browser's limit on requests in flight to one host. */
import { isMeasured } from '../../engine/scaling.ts';
import type { BackendResult, MeasuredResult } from '../../results/schema.ts';

/** HTTP/1.1 connections a browser opens per host (Chromium and Firefox both default to 6). */
export const HTTP1_CONNECTIONS_PER_HOST = 6;

/** Speedup over serial by lane count, with the interval bounds taken from the two medians' intervals. */
function speedupOf(serial: MeasuredResult, r: MeasuredResult) {
  return { speedup: serial.medianMs / r.medianMs, low: serial.ci95Ms[0] / r.ci95Ms[1], high: serial.ci95Ms[1] / r.ci95Ms[0] };
}

/**
 * The experiment's figures: the event loop's speedup over serial at each lane count, and the lane count from
 * which it stops improving (the smallest whose interval reaches the best point's), which over HTTP/1.1 sits at
 * the per-host connection limit. Event-loop results past that limit get a note saying their requests queued.
 */
export function summarizeApiCalls(results: readonly BackendResult[]): Record<string, number | string | null> {
  const measured = results.filter(isMeasured);
  const serial = measured.find((r) => r.backend === 'serial');
  const eventLoop = measured.filter((r) => r.backend === 'event-loop').sort((a, b) => a.workers - b.workers);
  if (!serial || eventLoop.length === 0) return {};
  const points = eventLoop.map((r) => ({ workers: r.workers, ...speedupOf(serial, r) }));
  const best = points.reduce((a, b) => (b.speedup > a.speedup ? b : a));
  const saturatesAt = points.find((p) => p.high >= best.low)?.workers ?? null;
  // A service worker answers inside the browser, and HTTP/2 multiplexes one connection: neither has the cap.
  const capped = !eventLoop.some((r) => r.mode === 'service-worker' || /over (h2|h3|http\/2|http\/3)/i.test(r.note ?? ''));
  if (capped) {
    for (const r of eventLoop) {
      if (r.workers <= HTTP1_CONNECTIONS_PER_HOST) continue;
      const text = `over HTTP/1.1 the browser opens ${HTTP1_CONNECTIONS_PER_HOST} connections per host: ${r.workers - HTTP1_CONNECTIONS_PER_HOST} of these ${r.workers} requests queue`;
      r.note = r.note ? `${r.note}; ${text}` : text;
    }
  }
  const figures: Record<string, number | string | null> = {};
  for (const p of points) figures[`eventLoopSpeedup.${p.workers}`] = Number(p.speedup.toFixed(3));
  figures.eventLoopSaturatesAt = saturatesAt;
  figures.connectionsPerHost = capped ? HTTP1_CONNECTIONS_PER_HOST : 'not limited (HTTP/2 or a service worker)';
  return figures;
}
