/**
 * Waiting for a quiet page before the busy-machine check: after two drawn frames and an idle main thread
 * when the page draws, after the time limit when it draws nothing (a hidden page), never before either.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { whenPageIdle } from '../../src/env/page-idle.ts';

/** Stand-ins for the page's frame and idle callbacks, run when the test says. */
function fakePage() {
  const frames: Array<() => void> = [];
  const idle: Array<() => void> = [];
  vi.stubGlobal('requestAnimationFrame', (callback: () => void) => frames.push(callback));
  vi.stubGlobal('requestIdleCallback', (callback: () => void) => idle.push(callback));
  return {
    drawFrame: () => frames.splice(0).forEach((callback) => callback()),
    goIdle: () => idle.splice(0).forEach((callback) => callback()),
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('whenPageIdle', () => {
  it('resolves after two frames and an idle moment, not after one frame', async () => {
    vi.useFakeTimers();
    const page = fakePage();
    let resolved = false;
    void whenPageIdle(10_000).then(() => (resolved = true));
    page.drawFrame();
    page.goIdle();
    await vi.advanceTimersByTimeAsync(1);
    expect(resolved).toBe(false);
    page.drawFrame();
    await vi.advanceTimersByTimeAsync(1);
    expect(resolved).toBe(false);
    page.goIdle();
    await vi.advanceTimersByTimeAsync(1);
    expect(resolved).toBe(true);
  });

  it('gives up waiting after its time limit when the page draws no frame', async () => {
    vi.useFakeTimers();
    fakePage();
    const limitMs = 100 + Math.floor(Math.random() * 900);
    let resolved = false;
    void whenPageIdle(limitMs).then(() => (resolved = true));
    await vi.advanceTimersByTimeAsync(limitMs - 1);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(resolved).toBe(true);
  });
});
