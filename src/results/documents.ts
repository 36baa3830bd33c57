/**
 * The results formats by name, and a comparison made of runs: plain code, so that the page can write and
 * combine documents without the schemas. Those are TypeBox values, and TypeBox (with its compiler, the
 * largest library the page uses) loads only when results are first read back: from a file, a link or the history.
 */
/** The `schema` field of a results document. */
export const RESULTS_SCHEMA_ID = 'parallel-lab/results/v1';

/** The `schema` field of a comparison document (several results documents side by side). */
export const COMPARISON_SCHEMA_ID = 'parallel-lab/comparison/v1';

/** Most runs one comparison may hold: a few browsers on one machine, with room to spare, not thousands. */
export const MAX_COMPARISON_RUNS = 32;

/** Put runs side by side in one comparison document, e.g. runs picked from the history. */
export function makeComparison<Run>(
  runs: readonly Run[],
  createdAt = new Date().toISOString(),
): { schema: typeof COMPARISON_SCHEMA_ID; createdAt: string; runs: Run[] } {
  return { schema: COMPARISON_SCHEMA_ID, createdAt, runs: [...runs] };
}
