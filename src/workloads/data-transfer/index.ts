/** Data transfer: the post's "processes share information by pickling", as the cost of handing data to a worker and back. */
import { epochNowMs } from '../../measure/clock.ts';
import type { TaskSpan } from '../../measure/timeline.ts';
import { kernelRef } from '../kernels.ts';
import type { BackendImplementation, Configuration, Workload } from '../types.ts';
import type { TouchArg } from './kernels.ts';
import {
  MAX_PAYLOAD_BYTES,
  fillPayload,
  firstMismatch,
  formatBytes,
  payloadSizesBytes,
  randomKey,
} from './payload.ts';
import { SIZE_LABELS } from '../size-labels.ts';

const ID = 'data-transfer';
const TOUCH = kernelRef(ID, 'touch');
const MAX_KIB = MAX_PAYLOAD_BYTES / 1024;


interface Prepared {
  sizeBytes: number;
  /** Handovers per run: small payloads go back and forth several times, so a run lasts long enough to time. */
  roundTrips: number;
  /** The payload is this seed's stream: regenerated to check, never stored twice. */
  seed: number;
}

/** The payload as it is now, and the XOR of every key applied to it so far. */
interface State {
  words: Int32Array;
  key: number;
}

interface Output {
  words: Int32Array;
  key: number;
}

const NOTES: Record<string, string> = {
  serial: 'the same touch on the main thread, no handover: the other rows\' speedup below 1 is the cost of handing over',
  clone: 'structured clone both ways: the payload is copied to the worker and the result copied back',
  transfer: 'ArrayBuffer transferred both ways: ownership moves, no bytes are copied',
  shared: 'SharedArrayBuffer: the worker touches the page\'s memory in place; only a small message crosses',
};

/** The run's spans as its three phases: send (to the touch's start), touch, return (from its end). */
function phaseSpans(spans: readonly TaskSpan[], task: number, sentEpochMs: number, receivedEpochMs: number): TaskSpan[] {
  const touch = spans.find((s) => s.phase === undefined || s.phase === 'compute');
  if (!touch) return [];
  return [
    { lane: 0, task, startEpochMs: sentEpochMs, endEpochMs: touch.startEpochMs, phase: 'send' },
    { lane: 0, task, startEpochMs: touch.startEpochMs, endEpochMs: touch.endEpochMs, phase: 'touch' },
    { lane: 0, task, startEpochMs: touch.endEpochMs, endEpochMs: receivedEpochMs, phase: 'return' },
  ];
}

/**
 * Hand the payload to one lane and back, `roundTrips` times: by structured clone or transfer (serial, workers)
 * or as a SharedArrayBuffer that both sides see (shared memory).
 */
function handover(shared: boolean, variants?: readonly string[]): BackendImplementation<Prepared, Output, State> {
  return {
    ...(variants ? { variants } : {}),
    async setup(ctx, prepared) {
      const buffer = shared ? new SharedArrayBuffer(prepared.sizeBytes) : new ArrayBuffer(prepared.sizeBytes);
      const words = new Int32Array(buffer);
      fillPayload(words, prepared.seed);
      const trips = prepared.roundTrips > 1 ? `; ${prepared.roundTrips} round trips per run` : '';
      return { state: { words, key: 0 }, note: `${NOTES[ctx.config.variant ?? ctx.config.backend] ?? ''}${trips}` };
    },
    async run(ctx, prepared, state) {
      const transfer = ctx.config.variant === 'transfer' ? (a: TouchArg) => [a.words.buffer as ArrayBuffer] : undefined;
      const spans: TaskSpan[] = [];
      // One handover after another: each must wait for the payload to come back before it can send it again.
      for (let trip = 0; trip < prepared.roundTrips; trip++) {
        const key = randomKey(Math.random);
        const sentEpochMs = epochNowMs();
        const done = await ctx.executor.map<TouchArg, Int32Array>(TOUCH, [{ words: state.words, key }], ctx.signal, transfer);
        const receivedEpochMs = epochNowMs();
        // Whatever came back is the payload now: a clone or a transfer leaves the old one behind or detached.
        state.words = done.results[0]!;
        state.key ^= key;
        spans.push(...phaseSpans(done.spans, trip, sentEpochMs, receivedEpochMs));
      }
      return { output: { words: state.words, key: state.key }, spans };
    },
  };
}

export const dataTransfer: Workload<Prepared, Output> = {
  meta: {
    id: ID,
    title: 'Data transfer: clone, transfer or share',
    postRow: 'Processes vs threads: "In python they share information by pickling data structures like arrays which requires IO time"',
    summary:
      'A payload goes to one worker, which reads and rewrites every byte, and comes back. Structured clone copies it ' +
      'both ways, like pickling between processes; transferring an ArrayBuffer moves ownership without copying; a ' +
      'SharedArrayBuffer is memory both threads see, like threads sharing variables. The serial row does the same ' +
      'touch on the main thread with no handover, so each speedup (below 1) is the price of handing over. GB/s counts ' +
      'the payload twice (there and back).',
    backends: ['serial', 'workers', 'shared-memory'],
    sizeLabel: SIZE_LABELS['data-transfer'],
  },
  params: [
    {
      key: 'minKiB',
      label: 'Smallest payload',
      description: 'Payload at the small end of the sweep.',
      min: 1,
      max: MAX_KIB,
      integer: true,
      unit: 'KiB',
      presets: { default: 1, quick: 1 },
    },
    {
      key: 'maxKiB',
      label: 'Largest payload',
      description: 'Payload at the large end of the sweep (at most 256 MiB: clone needs about three copies at once).',
      min: 1,
      max: MAX_KIB,
      integer: true,
      unit: 'KiB',
      presets: { quick: 16 * 1024, default: 16 * 1024, thorough: MAX_KIB },
    },
    {
      key: 'minRunKiB',
      label: 'Bytes per run',
      description:
        'Smaller payloads make several round trips per run, one after another, until this much has gone there and back, ' +
        'so that a run lasts long enough for the timer; GB/s and the time per handover account for it.',
      min: 1,
      max: MAX_KIB,
      integer: true,
      unit: 'KiB',
      presets: { quick: 128, default: 128, thorough: 1_024 },
    },
    {
      key: 'factor',
      label: 'Size step',
      description: 'Each payload is this many times the previous one.',
      min: 2,
      max: 1_024,
      integer: true,
      presets: { default: 16, quick: 16 },
    },
  ],
  implementations: { serial: handover(false), workers: handover(false, ['clone', 'transfer']), 'shared-memory': handover(true, ['shared']) },
  configurations(params, _hardwareConcurrency, backends): Configuration[] {
    const has = (b: Configuration['backend']) => backends.includes(b);
    // One worker: this is about the cost of a handover, not about lanes.
    return payloadSizesBytes(params.minKiB!, params.maxKiB!, params.factor!).flatMap((size) => [
      ...(has('serial') ? [{ backend: 'serial' as const, workers: 1, size }] : []),
      ...(has('workers') ? [{ backend: 'workers' as const, workers: 1, size, variant: 'clone' }] : []),
      ...(has('workers') ? [{ backend: 'workers' as const, workers: 1, size, variant: 'transfer' }] : []),
      ...(has('shared-memory') ? [{ backend: 'shared-memory' as const, workers: 1, size, variant: 'shared' }] : []),
    ]);
  },
  prepare(params, random, size): Prepared {
    const sizeBytes = size ?? params.minKiB! * 1024;
    if (sizeBytes > MAX_PAYLOAD_BYTES || sizeBytes % 4 !== 0) {
      throw new RangeError(`A payload must be a whole number of 4-byte words up to 256 MiB (got ${sizeBytes} bytes).`);
    }
    return { sizeBytes, roundTrips: Math.max(1, Math.ceil((params.minRunKiB! * 1024) / sizeBytes)), seed: randomKey(random) };
  },
  verify(output, prepared) {
    const size = formatBytes(prepared.sizeBytes);
    if (output.words.byteLength !== prepared.sizeBytes) {
      return { ok: false, detail: `${formatBytes(output.words.byteLength)} came back for a ${size} payload` };
    }
    const at = firstMismatch(output.words, prepared.seed, output.key);
    return at === -1
      ? { ok: true, detail: `${size}: every word is the payload XOR the keys applied (exact)` }
      : { ok: false, detail: `${size}: word ${at} is ${output.words[at]}, not the payload XOR the keys applied` };
  },
  throughput(prepared, durationMs) {
    // Bytes there and back, for every round trip of the run.
    return durationMs > 0 ? { gbPerSecond: (2 * prepared.sizeBytes * prepared.roundTrips) / (durationMs * 1e6) } : {};
  },
  describe(prepared) {
    return { payloadSeed: prepared.seed, roundTripsAtSmallest: prepared.roundTrips };
  },
};
