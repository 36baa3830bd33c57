/** IO-heavy: the post's writing of a huge text file, N times, here to the origin private file system. */
import { plannedConfigurations } from '../../engine/sweep.ts';
import type { TaskSpan } from '../../measure/timeline.ts';
import { kernelRef } from '../kernels.ts';
import { fnv1a32, hex32 } from '../shared/checksum.ts';
import type { BackendImplementation, Params, Workload } from '../types.ts';
import { UnavailableError } from '../../executors/unavailable.ts';
import { opfsRoot, writableProblem, type WriteOutcome, type WriteTask } from './opfs.ts';
import { randomText } from './random-text.ts';

const MIB = 1 << 20;

/** Run directories start with this, then the time they were made, so stale ones can be recognised. */
const DIR_PREFIX = 'parallel-lab-io-heavy-';

/** A directory left by a page closed mid-run is removed by a later run once it is this old (another tab may be using a younger one). */
const STALE_DIR_MS = 60 * 60 * 1000;

interface Prepared {
  text: Uint8Array;
  files: number;
  checksum: number;
}

interface State {
  dirName: string;
  /** Counts timed runs, so every run writes files of its own names. */
  runIndex: number;
}

/** The usual sweep, never more lanes than files. */
export function ioHeavyConfigurations(params: Params, hardwareConcurrency: number, backends: Parameters<typeof plannedConfigurations>[0]) {
  return plannedConfigurations(backends, hardwareConcurrency).filter((c) => c.workers === 1 || c.workers <= params.files!);
}

/** The executors' spans with each task's own part split into write, read-back and delete, as the kernel timed them. */
export function phaseSpans(spans: readonly TaskSpan[], outcomes: readonly WriteOutcome[]): TaskSpan[] {
  return spans.flatMap((s) => {
    const o = outcomes[s.task];
    if (!o || (s.phase !== undefined && s.phase !== 'compute')) return [s];
    const { lane, task } = s;
    return [
      { lane, task, startEpochMs: o.startEpochMs, endEpochMs: o.writeEndEpochMs, phase: 'write' },
      { lane, task, startEpochMs: o.writeEndEpochMs, endEpochMs: o.readEndEpochMs, phase: 'read-back' },
      { lane, task, startEpochMs: o.readEndEpochMs, endEpochMs: o.deleteEndEpochMs, phase: 'delete' },
    ];
  });
}

/** Best effort: directories of runs whose page closed before teardown. */
async function removeStaleDirectories(root: FileSystemDirectoryHandle): Promise<void> {
  const keys = (root as unknown as { keys(): AsyncIterable<string> }).keys?.();
  if (!keys) return;
  const stale: string[] = [];
  for await (const name of keys) {
    const madeMs = Number(name.startsWith(DIR_PREFIX) ? name.slice(DIR_PREFIX.length).split('-')[0] : NaN);
    if (Number.isFinite(madeMs) && Date.now() - madeMs > STALE_DIR_MS) stale.push(name);
  }
  await Promise.all(stale.map((name) => root.removeEntry(name, { recursive: true }).catch(() => undefined)));
}

/** A fresh directory for one configuration's files, after clearing what a closed page left behind. */
async function makeRunDirectory(root: FileSystemDirectoryHandle): Promise<State> {
  await removeStaleDirectories(root).catch(() => undefined);
  const dirName = `${DIR_PREFIX}${Date.now()}-${Math.floor(Math.random() * 2 ** 32).toString(16)}`;
  await root.getDirectoryHandle(dirName, { create: true });
  return { dirName, runIndex: 0 };
}

/** This run's files, each under a name of its own. */
function writeTasks(prepared: Prepared, state: State): WriteTask[] {
  const run = state.runIndex++;
  return Array.from({ length: prepared.files }, (_, i) => ({ dirName: state.dirName, fileName: `run${run}-file${i}.txt`, text: prepared.text }));
}

async function removeRunDirectory(state: State): Promise<void> {
  const root = await opfsRoot();
  await root.removeEntry(state.dirName, { recursive: true }).catch(() => undefined);
}

/** Serial and the event loop: the page writes through async writables (createWritable). */
const onPage: BackendImplementation<Prepared, WriteOutcome[], State> = {
  async setup() {
    const root = await opfsRoot();
    const problem = writableProblem();
    if (problem) throw new UnavailableError(problem);
    return { state: await makeRunDirectory(root), note: 'The page writes through async writables (createWritable).' };
  },
  async run(ctx, prepared, state) {
    const { results, spans } = await ctx.executor.map<WriteTask, WriteOutcome>(kernelRef('io-heavy', 'writeFileAsync'), writeTasks(prepared, state), ctx.signal);
    return { output: results, spans: phaseSpans(spans, results) };
  },
  teardown: removeRunDirectory,
};

/** Workers write through synchronous access handles, which exist only in workers. */
const inWorkers: BackendImplementation<Prepared, WriteOutcome[], State> = {
  async setup(ctx) {
    const root = await opfsRoot();
    // Ask the workers themselves: sync access handles exist only there.
    const { results } = await ctx.executor.map<number, string>(
      kernelRef('io-heavy', 'syncAccessProblem'),
      Array.from({ length: ctx.config.workers }, (_, i) => i),
      ctx.signal,
    );
    const problem = results.find((r) => r !== '');
    if (problem) throw new UnavailableError(problem);
    return { state: await makeRunDirectory(root), note: 'Workers write through synchronous access handles (createSyncAccessHandle).' };
  },
  async run(ctx, prepared, state) {
    const { results, spans } = await ctx.executor.map<WriteTask, WriteOutcome>(kernelRef('io-heavy', 'writeFileSync'), writeTasks(prepared, state), ctx.signal);
    return { output: results, spans: phaseSpans(spans, results) };
  },
  teardown: removeRunDirectory,
};

export const ioHeavy: Workload<Prepared, WriteOutcome[]> = {
  meta: {
    id: 'io-heavy',
    title: 'IO-heavy file writes',
    postRow: "IO Heavy Task: `open('output.txt', 'wt').write(text)` with a huge text, N times (serial 1.37 s)",
    summary:
      'Each task writes a large random text to a file in the origin private file system, reads it back to check ' +
      'it, and deletes it. The page can only write asynchronously: async tasks on the event loop overlap the ' +
      "storage waits, as the post's threads did, while checksumming still takes turns on the one thread. Workers " +
      'get synchronous access handles, the fast path the browser keeps for them, but pay to copy the text to each ' +
      'worker, as processes pay to pickle it. Storage is one device: expect modest gains that stop early.',
    backends: ['serial', 'event-loop', 'workers'],
  },
  params: [
    {
      key: 'sizeMiB',
      label: 'File size',
      description: 'Size of the random text each task writes and reads back.',
      min: 1,
      max: 256,
      integer: true,
      unit: 'MiB',
      presets: { quick: 1, default: 1, thorough: 4 },
    },
    {
      key: 'files',
      label: 'Files',
      description: 'Files written per run (each written, read back, checked and deleted); the same at every lane count.',
      min: 1,
      max: 64,
      integer: true,
      presets: { default: 4, quick: 4 },
    },
  ],
  implementations: { serial: onPage, 'event-loop': onPage, workers: inWorkers },
  configurations: ioHeavyConfigurations,
  prepare(params, random): Prepared {
    const text = randomText(params.sizeMiB! * MIB, random);
    return { text, files: params.files!, checksum: fnv1a32(text) };
  },
  verify(output, prepared) {
    const size = prepared.text.length;
    if (output.length !== prepared.files) return { ok: false, detail: `${output.length} files read back, expected ${prepared.files}` };
    for (const [i, o] of output.entries()) {
      if (o.sizeBytes !== size) return { ok: false, detail: `file ${i} read back ${o.sizeBytes} bytes, expected ${size}` };
      if (o.checksum !== prepared.checksum) {
        return { ok: false, detail: `file ${i} read back with FNV-1a ${hex32(o.checksum)}, expected ${hex32(prepared.checksum)}` };
      }
    }
    return {
      ok: true,
      detail: `${output.length} files of ${size.toLocaleString('en')} bytes read back with FNV-1a ${hex32(prepared.checksum)}`,
    };
  },
  throughput(prepared, durationMs) {
    // Bytes written plus bytes read back: both are inside the timed run.
    return { gbPerSecond: (2 * prepared.files * prepared.text.length) / (durationMs * 1e6) };
  },
  describe(prepared) {
    return { fileBytes: prepared.text.length, textChecksum: hex32(prepared.checksum) };
  },
};
