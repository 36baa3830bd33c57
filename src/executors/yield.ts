/** Yield to the event loop with a fresh macrotask, so other tasks, input and rendering get a turn. */

let channel: MessageChannel | undefined;
const waiting: Array<() => void> = [];

/**
 * A MessageChannel message is a macrotask that, unlike setTimeout(0), is not clamped to 4 ms after
 * nesting, so yielding costs microseconds rather than distorting the measurement.
 */
export function nextMacrotask(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel!.port2.postMessage(null);
  });
}
