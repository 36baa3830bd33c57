/**
 * The lab's reader of results from outside the page (a file, a share link), checked by the lab's validator;
 * how it reads and refuses is in read-results.ts. Loaded on first use (load-importer.ts): it brings TypeBox.
 */
import { createResultsReader, type ImportOptions, type ImportOutcome } from './read-results.ts';
import { labValidator } from './validate.ts';

export { MAX_IMPORT_CHARS, type ImportOptions, type ImportOutcome } from './read-results.ts';

let reader: ReturnType<typeof createResultsReader> | undefined;
const labReader = () => (reader ??= createResultsReader(labValidator()));

/** Parse and check results text (a file's content, a link's payload); never throws for bad input. */
export function parseResultsText(text: string, options: ImportOptions = {}): ImportOutcome {
  return labReader().parseResultsText(text, options);
}

/** Read a File or Blob, refusing an oversized one before reading it into memory. */
export function readResultsFile(file: Blob, options: ImportOptions = {}): Promise<ImportOutcome> {
  return labReader().readResultsFile(file, options);
}
