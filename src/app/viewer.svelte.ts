/**
 * What the page shows besides the live lab: one run opened read-only (from the history, a file or a share
 * link) and runs side by side in the compare view. Everything from outside comes in through the validated
 * import; a refused file or link sets `alert` and changes nothing else.
 */
import type { Comparison } from '../results/comparison.ts';
import { makeComparison } from '../results/documents.ts';
import type { ImportOutcome } from '../results/import.ts';
import { loadImporter } from '../results/load-importer.ts';
import { decodeShareFragment } from '../results/share-link.ts';
import type { Results } from '../results/schema.ts';
import { savedRuns, type HistoryController } from './history.svelte.ts';

/** Where shown results came from; the view labels them accordingly. */
export type ViewOrigin = 'history' | 'file' | 'link';

export interface OpenedRun {
  results: Results;
  origin: ViewOrigin;
  /** Its id in the history, once it is saved there. */
  runId?: string;
  /** Saving found the same run already in the history (an export of a saved run, a link opened twice). */
  alreadySaved?: boolean;
}

export interface ComparedRuns {
  document: Comparison;
  origin: ViewOrigin;
}

export class ViewerController {
  opened = $state.raw<OpenedRun | null>(null);
  compared = $state.raw<ComparedRuns | null>(null);
  /** Why the last file or link was refused (or a history action failed); shown in a role="alert" element. */
  alert = $state<string | null>(null);

  constructor(private readonly history: HistoryController) {}

  /** Read a file chosen in the Import control. */
  async importFile(file: Blob): Promise<ImportOutcome> {
    const importer = await loadImporter();
    return this.show('ok' in importer ? importer : await importer.readResultsFile(file), 'file');
  }

  /** Show the results a `#r=…` fragment (or a whole pasted link) carries. */
  async openShareLink(hashOrUrl: string): Promise<ImportOutcome> {
    return this.show(await decodeShareFragment(hashOrUrl), 'link');
  }

  private show(outcome: ImportOutcome, origin: ViewOrigin): ImportOutcome {
    if (!outcome.ok) {
      this.alert = outcome.message;
      return outcome;
    }
    this.alert = null;
    if (outcome.kind === 'comparison') this.compared = { document: makeComparison(outcome.runs), origin };
    else this.opened = { results: outcome.runs[0]!, origin };
    return outcome;
  }

  async openFromHistory(runId: string): Promise<void> {
    await this.attempt(async () => {
      this.opened = { results: await this.history.get(runId), origin: 'history', runId };
    });
  }

  /** Put saved runs side by side, in the order given (the first is the reference for ratios). */
  async compareFromHistory(runIds: readonly string[]): Promise<void> {
    await this.attempt(async () => {
      const runs = await Promise.all(runIds.map((id) => this.history.get(id)));
      this.compared = { document: makeComparison(runs), origin: 'history' };
    });
  }

  /** Keep an imported or shared run in the history. */
  async saveOpened(): Promise<void> {
    const opened = this.opened;
    if (!opened || opened.origin === 'history' || opened.runId) return;
    await this.attempt(async () => {
      const { runId, alreadySaved } = await this.history.save(opened.results, opened.origin as Exclude<ViewOrigin, 'history'>);
      if (this.opened === opened) this.opened = { ...opened, runId, alreadySaved };
    });
  }

  /** A run deleted from the history is no longer "saved" in the view. */
  forget(runId: string): void {
    if (this.opened?.runId !== runId) return;
    const { runId: _dropped, alreadySaved: _also, ...rest } = this.opened;
    this.opened = rest;
  }

  closeOpened(): void {
    if (this.opened?.origin === 'link') clearShareFragment();
    this.opened = null;
  }

  closeComparison(): void {
    if (this.compared?.origin === 'link') clearShareFragment();
    this.compared = null;
  }

  private async attempt(action: () => Promise<void>): Promise<void> {
    try {
      await action();
      this.alert = null;
    } catch (error) {
      this.alert = error instanceof Error ? error.message : String(error);
    }
  }
}

/** Once a shared view is closed, a reload should show the lab, not the link again. */
function clearShareFragment(): void {
  if (location.hash) window.history.replaceState(null, '', location.pathname + location.search);
}

/** The page's viewer. */
export const viewer = new ViewerController(savedRuns);
