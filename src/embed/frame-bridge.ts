/**
 * The lab's side of the iframe API: in a frame, it announces itself to the parent, runs what the parent asks
 * (through the same controller as the Run button, so the frame shows the run), reports progress, results,
 * errors and its height, and accepts orders only from the allowed parent origins (`?parentOrigin=`).
 */
import type { LabController } from '../app/lab.svelte.ts';
import { workloads } from '../workloads/registry.ts';
import { EMBED_PROTOCOL_VERSION, readHostMessage, suiteRequestOf, type LabMessage } from './messages.ts';

/** What the bridge needs from the page: its window and the origins allowed to drive it (empty: any). */
export interface BridgeOptions {
  parentOrigins: readonly string[];
  /** The page's window; the parent is `view.parent`. */
  view?: Window;
}

/** Start answering the parent page; returns the function that stops it. Does nothing outside a frame. */
export function startFrameBridge(lab: LabController, options: BridgeOptions): () => void {
  const view = options.view ?? window;
  const parent = view.parent;
  if (!parent || parent === view) return () => undefined;
  const allowed = new Set(options.parentOrigins);
  // Until a parent has spoken, results may go only to an allowed origin; with no list, to any parent.
  let hostOrigin: string | undefined;
  const targets = () => (hostOrigin ? [hostOrigin] : allowed.size > 0 ? [...allowed] : ['*']);
  const post = (message: LabMessage) => {
    for (const target of targets()) {
      try {
        parent.postMessage(message, target);
      } catch {
        // A target origin the parent does not have: that post is dropped, as the platform does for mismatches.
      }
    }
  };

  let currentId: string | undefined;
  const stopObserving = lab.observe({
    runStarted: () => undefined,
    experimentDone: () => undefined,
    runEnded: () => undefined,
    progressed: (progress) => {
      if (currentId !== undefined) post({ type: 'parallel-lab/progress', v: 1, id: currentId, overall: progress.overall, label: progress.label });
    },
  });

  const run = async (id: string, request: ReturnType<typeof suiteRequestOf>) => {
    if (lab.running) {
      post({ type: 'parallel-lab/error', v: 1, id, message: 'A run is already in progress in the lab: cancel it or wait for its result.' });
      return;
    }
    currentId = id;
    try {
      const results = await lab.run(request);
      if (results.cancelled) post({ type: 'parallel-lab/error', v: 1, id, message: lab.message ?? 'The run was cancelled.', cancelled: true });
      else post({ type: 'parallel-lab/result', v: 1, id, results: JSON.parse(JSON.stringify(results)) });
    } catch (error) {
      post({ type: 'parallel-lab/error', v: 1, id, message: error instanceof Error ? error.message : String(error) });
    } finally {
      if (currentId === id) currentId = undefined;
    }
  };

  const onMessage = (event: MessageEvent) => {
    if (event.source !== parent) return;
    if (allowed.size > 0 && !allowed.has(event.origin)) return;
    const outcome = readHostMessage(event.data);
    if (outcome.kind === 'ignored') return;
    hostOrigin = event.origin;
    if (outcome.kind === 'refused') {
      post({ type: 'parallel-lab/error', v: 1, ...(outcome.id !== undefined ? { id: outcome.id } : {}), message: outcome.reason });
      return;
    }
    const { message } = outcome;
    if (message.type === 'parallel-lab/cancel') {
      if (currentId === message.id) lab.cancel('cancelled by the host page');
      else post({ type: 'parallel-lab/error', v: 1, id: message.id, message: `No run with id "${message.id}" is in progress.` });
      return;
    }
    void run(message.id, suiteRequestOf(message));
  };
  view.addEventListener('message', onMessage);

  // The frame's height, so the host can size it to its content.
  let lastHeight = -1;
  const observer =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => {
          const height = Math.ceil(view.document.documentElement.scrollHeight);
          if (height !== lastHeight) {
            lastHeight = height;
            post({ type: 'parallel-lab/resize', v: 1, height });
          }
        })
      : undefined;
  observer?.observe(view.document.documentElement);

  post({
    type: 'parallel-lab/ready',
    v: EMBED_PROTOCOL_VERSION,
    experiments: workloads.map((w) => w.meta.id),
    // What a host needs to know is whether shared memory will run: WebKitGTK's automation session is
    // cross-origin isolated and still has no SharedArrayBuffer.
    isolated: view.crossOriginIsolated === true && 'SharedArrayBuffer' in view,
  });

  return () => {
    view.removeEventListener('message', onMessage);
    observer?.disconnect();
    stopObserving();
  };
}
