/** How result tables print times and ratios: one rule shared by the lab's views and the results element. */

/** A time in ms with as many decimals as its size needs: 1234 → "1234", 12.34 → "12.3", 0.0123 → "0.0123". */
export function formatMs(valueMs: number): string {
  return valueMs >= 100 ? valueMs.toFixed(0) : valueMs >= 10 ? valueMs.toFixed(1) : valueMs >= 0.1 ? valueMs.toFixed(2) : valueMs.toFixed(4);
}

/** A speedup or a ratio of medians: 1.949 → "1.95×". */
export function formatTimes(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/**
 * The interval cell's explanation: how well the median is known and, measured in rounds, each round's
 * median, so a wide interval says whether the rounds (fresh set-ups) disagreed or the samples did.
 */
export function describeInterval(result: { precision?: number; roundMediansMs?: readonly number[] }): string {
  const known = result.precision !== undefined ? `the median is known within ±${(result.precision * 100).toFixed(1)}%` : '';
  const rounds = result.roundMediansMs?.length ? `each round's median: ${result.roundMediansMs.map(formatMs).join(', ')} ms` : '';
  return [known, rounds].filter(Boolean).join('; ');
}
