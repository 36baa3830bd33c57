/**
 * The host page's side of the iframe API, served by the lab as /embed/client.js: creates the lab's frame and
 * runs experiments in it, returning a promise of the results with progress callbacks and cancel.
 *
 *   import { createLabFrame } from 'https://lab.example/embed/client.js';
 *   const lab = createLabFrame(document.querySelector('#lab'), 'https://lab.example/', { experiments: ['cpu-heavy'] });
 *   await lab.ready;
 *   const results = await lab.run({ experiments: ['cpu-heavy'], preset: 'quick' }, { onProgress: (p) => console.log(p.label) });
 *
 * Standalone: it imports nothing at run time (types only), so it is served as one small file.
 */
import type { HostMessage, LabMessage, ProgressMessage, ReadyMessage } from './messages.ts';
import type { Results } from '../results/schema.ts';

/** What to run: the same request as `window.parallelLab.run` in the lab. */
export interface EmbedRunRequest {
  experiments: string[];
  preset?: 'quick' | 'default' | 'thorough';
  params?: Record<string, Record<string, number>>;
  backends?: string[];
}

/** How the host follows and stops one run. */
export interface EmbedRunOptions {
  onProgress?: (progress: { overall: number; label: string }) => void;
  /** Aborting it cancels the run in the lab. */
  signal?: AbortSignal;
}

/** Options of the frame itself. */
export interface LabFrameOptions {
  /** Experiments the frame shows (all when left out). */
  experiments?: string[];
  /** Follow the lab's content height (default true). */
  autoResize?: boolean;
  /** Accessible name of the frame. */
  title?: string;
}

/** A lab in a frame of this page. */
export interface LabFrame {
  readonly iframe: HTMLIFrameElement;
  /** Resolves once the lab can run: which experiments it has and whether it is cross-origin isolated. */
  readonly ready: Promise<{ experiments: string[]; isolated: boolean }>;
  /** Run experiments; resolves to the results document, rejects with the lab's message (`cancelled` set on cancel). */
  run(request: EmbedRunRequest, options?: EmbedRunOptions): Promise<Results>;
  /** Remove the frame and stop listening. */
  destroy(): void;
}

/** The error a run rejects with: the lab's own message, and whether it was a cancel. */
export class LabRunError extends Error {
  override name = 'LabRunError';
  constructor(
    message: string,
    readonly cancelled: boolean,
  ) {
    super(message);
  }
}

let runCounter = 0;

/** Create the lab's frame inside `container`, from the lab at `labUrl` (its root, e.g. "https://lab.example/"). */
export function createLabFrame(container: Element, labUrl: string, options: LabFrameOptions = {}): LabFrame {
  const url = new URL(labUrl, document.baseURI);
  url.searchParams.set('embed', '');
  if (options.experiments?.length) url.searchParams.set('experiments', options.experiments.join(','));
  url.searchParams.set('parentOrigin', location.origin);
  const labOrigin = url.origin;

  const iframe = document.createElement('iframe');
  iframe.src = url.href;
  iframe.title = options.title ?? 'Parallel Lab';
  // Lets a cross-origin isolated host pass isolation (SharedArrayBuffer) on to the frame.
  iframe.allow = 'cross-origin-isolated';
  iframe.style.width = '100%';
  iframe.style.border = '0';
  container.append(iframe);

  const pending = new Map<string, { resolve: (r: Results) => void; reject: (e: Error) => void; onProgress?: EmbedRunOptions['onProgress'] }>();
  let markReady: (info: { experiments: string[]; isolated: boolean }) => void = () => undefined;
  const ready = new Promise<{ experiments: string[]; isolated: boolean }>((resolve) => (markReady = resolve));

  const onMessage = (event: MessageEvent) => {
    if (event.source !== iframe.contentWindow || event.origin !== labOrigin) return;
    const message = event.data as LabMessage;
    if (typeof message !== 'object' || message === null || message.v !== 1) return;
    switch (message.type) {
      case 'parallel-lab/ready': {
        const { experiments, isolated } = message as ReadyMessage;
        markReady({ experiments, isolated });
        break;
      }
      case 'parallel-lab/resize':
        if (options.autoResize !== false && Number.isFinite(message.height)) iframe.style.height = `${Math.max(0, message.height)}px`;
        break;
      case 'parallel-lab/progress': {
        const { id, overall, label } = message as ProgressMessage;
        pending.get(id)?.onProgress?.({ overall, label });
        break;
      }
      case 'parallel-lab/result':
        pending.get(message.id)?.resolve(message.results);
        pending.delete(message.id);
        break;
      case 'parallel-lab/error':
        if (message.id !== undefined && pending.has(message.id)) {
          pending.get(message.id)!.reject(new LabRunError(message.message, message.cancelled === true));
          pending.delete(message.id);
        }
        break;
    }
  };
  window.addEventListener('message', onMessage);

  const send = (message: HostMessage) => iframe.contentWindow?.postMessage(message, labOrigin);

  return {
    iframe,
    ready,
    async run(request, runOptions = {}) {
      await ready;
      runCounter += 1;
      const id = `run-${Date.now().toString(36)}-${runCounter}`;
      return new Promise<Results>((resolve, reject) => {
        if (runOptions.signal?.aborted) {
          reject(new LabRunError('The run was cancelled before it started.', true));
          return;
        }
        pending.set(id, { resolve, reject, ...(runOptions.onProgress ? { onProgress: runOptions.onProgress } : {}) });
        runOptions.signal?.addEventListener('abort', () => send({ type: 'parallel-lab/cancel', v: 1, id }), { once: true });
        send({
          type: 'parallel-lab/run',
          v: 1,
          id,
          experiments: request.experiments,
          preset: request.preset ?? 'default',
          ...(request.params ? { params: request.params } : {}),
          ...(request.backends ? { backends: request.backends } : {}),
        });
      });
    },
    destroy() {
      window.removeEventListener('message', onMessage);
      for (const { reject } of pending.values()) reject(new LabRunError('The lab frame was removed.', true));
      pending.clear();
      iframe.remove();
    },
  };
}
