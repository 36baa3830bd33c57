/**
 * The importer, loaded on first use rather than with the page: it brings the schemas and TypeBox's compiler,
 * the largest code the page has, which a visit that reads no file, link or saved run never needs.
 */
import type * as Importer from './import.ts';

/** Why the importer is missing, worded for the person using the page; shaped as a refused import. */
export interface ImporterMissing {
  ok: false;
  message: string;
}

/** The importer module, or why it could not be loaded (offline, or the site changed since the page loaded). */
export async function loadImporter(): Promise<typeof Importer | ImporterMissing> {
  try {
    return await import('./import.ts');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `The results reader could not be loaded (${why}): reload the page and try again.` };
  }
}
