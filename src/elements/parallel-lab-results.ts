/**
 * <parallel-lab-results>: a Parallel Lab results or comparison document shown read-only on any page, from a
 * `src` attribute (the URL of a JSON file), a `share` attribute (a share link) or a `results` property (an
 * object or JSON text); the last one set is shown. Built into one standalone module with no imports
 * (/elements/parallel-lab-results.js), so a tutorial on another origin imports it and needs no isolation.
 * Input is checked as the lab checks an import, and refused with the lab's message; nothing here throws.
 *
 * Read-only state for the page: `status` ('empty' | 'loading' | 'shown' | 'refused'), `message` (why it was
 * refused) and `shown` (the checked document); a `load` or `error` event follows each attempt.
 */
import { fetchResults, readResultsValue, readShareLink } from './element-reader.ts';
import { renderDocument, type ShownDocument } from './render-results.ts';
import { h } from './dom.ts';
import type { ImportOutcome } from '../results/read-results.ts';
import styles from './results-element.css?inline';

/** The tag name the module defines. */
export const RESULTS_ELEMENT_TAG = 'parallel-lab-results';

/** Where the element is in showing its input. */
export type ResultsElementStatus = 'empty' | 'loading' | 'shown' | 'refused';

type Source = 'src' | 'share' | 'results';

let sharedSheet: CSSStyleSheet | undefined;

const hasText = (value: string | null): value is string => value !== null && value.trim() !== '';

/** Styles for the shadow root: a constructed sheet where the browser has them (no inline style for a CSP to refuse). */
function adoptStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    sharedSheet ??= new CSSStyleSheet();
    if (sharedSheet.cssRules.length === 0) sharedSheet.replaceSync(styles);
    root.adoptedStyleSheets = [sharedSheet];
  } else {
    root.append(h('style', {}, styles));
  }
}

/** The custom element; registered under RESULTS_ELEMENT_TAG when the module loads. */
export class ParallelLabResultsElement extends HTMLElement {
  static readonly observedAttributes = ['src', 'share', 'experiments'];

  readonly #content: HTMLElement;
  #source: Source | null = null;
  #resultsValue: unknown = undefined;
  #generation = 0;
  #abort: AbortController | null = null;
  #status: ResultsElementStatus = 'empty';
  #message = '';
  #shown: ShownDocument | null = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root);
    // Not a live region: it would read out every table. A refusal is an alert; loading sets aria-busy.
    this.#content = h('div', { class: 'content', part: 'content' });
    root.append(this.#content);
    this.#showEmpty();
  }

  connectedCallback(): void {
    // A page may set `results` before this module defined the element: that value sits on the instance.
    if (Object.hasOwn(this, 'results')) {
      const value = (this as { results?: unknown }).results;
      delete (this as { results?: unknown }).results;
      this.results = value;
    }
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    if (oldValue === newValue) return;
    if (name === 'experiments') {
      if (this.#shown) this.#render(this.#shown);
      return;
    }
    // An empty src or share is no src or share, as for an <img>.
    if (hasText(newValue)) this.#source = name as Source;
    else if (this.#source === name) this.#source = this.#fallbackSource();
    void this.#load();
  }

  /** What was handed to the `results` property (not checked; see `shown` for what is displayed). */
  get results(): unknown {
    return this.#resultsValue;
  }

  /** A results or comparison document, as an object or as JSON text; null or undefined clears it. */
  set results(value: unknown) {
    this.#resultsValue = value;
    this.#source = value === null || value === undefined ? this.#fallbackSource() : 'results';
    void this.#load();
  }

  /** Where the element is: nothing to show, loading, showing a document, or refusing one. */
  get status(): ResultsElementStatus {
    return this.#status;
  }

  /** Why the input was refused, in the lab's words; empty unless `status` is 'refused'. */
  get message(): string {
    return this.#message;
  }

  /** The checked document on display, or null. */
  get shown(): ShownDocument | null {
    return this.#shown;
  }

  /** With the current source gone, what else is set: an attribute, or the property. */
  #fallbackSource(): Source | null {
    if (this.#resultsValue !== null && this.#resultsValue !== undefined) return 'results';
    if (hasText(this.getAttribute('share'))) return 'share';
    if (hasText(this.getAttribute('src'))) return 'src';
    return null;
  }

  async #load(): Promise<void> {
    const generation = ++this.#generation;
    this.#abort?.abort();
    this.#abort = null;
    const source = this.#source;
    if (source === null) {
      this.#shown = null;
      this.#setStatus('empty', '');
      this.#showEmpty();
      return;
    }
    let outcome: ImportOutcome;
    let from: string;
    try {
      if (source === 'results') {
        from = 'the results property';
        outcome = readResultsValue(this.#resultsValue);
      } else if (source === 'share') {
        from = 'the share link';
        this.#showLoading();
        outcome = await readShareLink(this.getAttribute('share') ?? '');
      } else {
        const src = this.getAttribute('src') ?? '';
        let url: URL;
        try {
          url = new URL(src, document.baseURI);
        } catch {
          url = new URL('about:invalid');
        }
        from = url.href;
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
          outcome = { ok: false, message: `"${src.slice(0, 200)}" is not an http(s) address of a results file.` };
        } else {
          this.#showLoading();
          const abort = new AbortController();
          this.#abort = abort;
          outcome = await fetchResults(url, abort.signal);
        }
      }
    } catch (error) {
      // An abort means a newer input took over; anything else is a bug, still shown as a message.
      if (generation !== this.#generation) return;
      from = 'the input';
      outcome = { ok: false, message: `The results could not be read: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (generation !== this.#generation) return;
    if (!outcome.ok) {
      this.#refuse(outcome.message, from);
      return;
    }
    const shown: ShownDocument = { kind: outcome.kind, runs: outcome.runs };
    if (this.#render(shown)) {
      this.#shown = shown;
      this.#setStatus('shown', '');
      this.dispatchEvent(new CustomEvent('load', { detail: { kind: shown.kind, runCount: shown.runs.length } }));
    }
  }

  /** Draw a checked document; false (and a refusal shown) if drawing failed. */
  #render(shown: ShownDocument): boolean {
    try {
      const experimentIds = (this.getAttribute('experiments') ?? '').split(/[\s,]+/).filter(Boolean);
      this.#content.replaceChildren(renderDocument(shown, { experimentIds }));
      this.#content.removeAttribute('aria-busy');
      return true;
    } catch (error) {
      this.#refuse(`These results passed the checks but could not be drawn: ${error instanceof Error ? error.message : String(error)}`, 'the document');
      return false;
    }
  }

  #refuse(message: string, from: string): void {
    this.#shown = null;
    this.#setStatus('refused', message);
    this.#content.removeAttribute('aria-busy');
    this.#content.replaceChildren(
      h(
        'div',
        { class: 'refused', role: 'alert', 'data-part': 'refused' },
        h('strong', {}, 'These results cannot be shown.'),
        h('p', { class: 'from' }, `Read from ${from}:`),
        h('p', { class: 'message' }, message),
      ),
    );
    this.dispatchEvent(new CustomEvent('error', { detail: { message } }));
  }

  #showLoading(): void {
    this.#setStatus('loading', '');
    this.#content.setAttribute('aria-busy', 'true');
    this.#content.replaceChildren(h('p', { class: 'muted' }, 'Loading results…'));
  }

  #showEmpty(): void {
    this.#content.replaceChildren(
      h('p', { class: 'muted' }, 'No results to show: set src to a results file, share to a share link, or the results property.'),
    );
  }

  #setStatus(status: ResultsElementStatus, message: string): void {
    this.#status = status;
    this.#message = message;
    this.setAttribute('data-status', status);
  }
}

// A page that loads the module twice (two addresses, a bundle and a tag) keeps the first definition.
if (!customElements.get(RESULTS_ELEMENT_TAG)) customElements.define(RESULTS_ELEMENT_TAG, ParallelLabResultsElement);

declare global {
  interface HTMLElementTagNameMap {
    [RESULTS_ELEMENT_TAG]: ParallelLabResultsElement;
  }
}
