/** Reading the tiny-tasks break-even figures, which come as a number of µs, "≤N" or "never". */

/**
 * A break-even figure as an upper bound in µs: the number itself, or N for "≤N" (the path already won at the
 * smallest task size measured, N µs); undefined for "never" or anything else.
 */
export function breakEvenBoundUs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const bound = typeof value === 'string' ? /^≤\s*(\d+(?:\.\d+)?)$/.exec(value.trim()) : null;
  return bound ? Number(bound[1]) : undefined;
}
