/**
 * What `size` means in each experiment that sweeps one: plain data, so that views reading a results document
 * (the standalone results element) can name the size without loading the experiments themselves.
 */
export const SIZE_LABELS = {
  'array-add': 'array length (elements)',
  'dot-product': 'matrix n (n×n)',
  'tiny-tasks': 'task size (µs of serial compute)',
  'data-transfer': 'payload bytes',
} as const satisfies Readonly<Record<string, string>>;

/** The size label of an experiment id, or undefined for one that sweeps no size (or is unknown). */
export function sizeLabelOf(experimentId: string): string | undefined {
  return Object.hasOwn(SIZE_LABELS, experimentId) ? SIZE_LABELS[experimentId as keyof typeof SIZE_LABELS] : undefined;
}
