/** API calls: the post's `urlopen(url)` over many requests, where threads beat processes and serial. */
import { workerCounts } from '../../engine/sweep.ts';
import type { TaskSpan } from '../../measure/timeline.ts';
import { kernelRef } from '../kernels.ts';
import type { BackendId, BackendImplementation, Configuration, Params, Workload } from '../types.ts';
import { summarizeApiCalls } from './concurrency-cap.ts';
import { describeEndpoint, resolveEndpoint, type ResolvedEndpoint } from './endpoint.ts';
import type { EchoRequest, EchoResult } from './fetch-echo.ts';
import { echoMismatch, makeToken } from './protocol.ts';

export { checkCustomEndpoint, customEndpoint, setCustomEndpoint } from './endpoint.ts';

/** Concurrent requests the event-loop sweep always includes: up to HTTP/1.1's 6-connection cap, then past it. */
const EVENT_LOOP_LANES = [1, 2, 4, 6, 8, 16, 32];

interface Prepared {
  tokens: string[];
  delayMs: number;
  /** Filled in by the first setup: who answered, for describe(). */
  endpoint?: ResolvedEndpoint;
}

/** Lane counts for each backend: the usual sweep, and for the event loop also 6, 8 and beyond, never more lanes than requests. */
export function apiCallsConfigurations(params: Params, hardwareConcurrency: number, backends: readonly BackendId[]): Configuration[] {
  const requests = params.requests!;
  const usual = workerCounts(hardwareConcurrency);
  const eventLoop = [...new Set([...usual, ...EVENT_LOOP_LANES, Math.min(requests, 32)])].sort((a, b) => a - b);
  const lanesFor: Partial<Record<BackendId, number[]>> = { serial: [1], 'event-loop': eventLoop, workers: usual };
  return backends.flatMap((backend) =>
    (lanesFor[backend] ?? [])
      .filter((workers) => workers === 1 || workers <= requests)
      .map((workers) => ({ backend, workers })),
  );
}

/** The executors' spans, with the task's own part named for what it does: waiting for the answer. */
function waitingSpans(spans: readonly TaskSpan[]): TaskSpan[] {
  return spans.map((s) => (s.phase === undefined || s.phase === 'compute' ? { ...s, phase: 'waiting' } : s));
}

/** Every backend sends the same requests through its own executor: serial, the event loop, or workers. */
const onLanes: BackendImplementation<Prepared, EchoResult[], ResolvedEndpoint> = {
  async setup(_ctx, prepared) {
    const endpoint = await resolveEndpoint();
    prepared.endpoint = endpoint;
    return { state: endpoint, mode: endpoint.kind, note: describeEndpoint(endpoint) };
  },
  async run(ctx, prepared, endpoint) {
    const args: EchoRequest[] = prepared.tokens.map((token) => ({ url: endpoint.url, token, delayMs: prepared.delayMs }));
    const { results, spans } = await ctx.executor.map<EchoRequest, EchoResult>(
      kernelRef('api-calls', 'fetchEcho'),
      args,
      ctx.signal,
    );
    return { output: results, spans: waitingSpans(spans) };
  },
};

export const apiCalls: Workload<Prepared, EchoResult[]> = {
  meta: {
    id: 'api-calls',
    title: 'API calls',
    postRow: 'API calls: `urlopen(url)` for each URL, where threads beat serial and processes',
    summary:
      'Each request spends nearly all its time waiting for the server, not computing. Async requests on the ' +
      "event loop overlap that waiting from one thread, as the post's threads did, so time falls with the number " +
      'in flight. Workers can wait in parallel too, but cost a thread and a message per task for no gain. Over ' +
      'HTTP/1.1 the browser opens at most 6 connections per host: past 6 concurrent requests the rest queue and ' +
      "the curve flattens (not with the service-worker stand-in or an HTTP/2 endpoint).",
    backends: ['serial', 'event-loop', 'workers'],
  },
  params: [
    {
      key: 'requests',
      label: 'Requests',
      description: 'Requests per run, each with a fresh random token the answer must echo; the same at every lane count.',
      min: 1,
      max: 256,
      integer: true,
      // The thorough preset measures the default's requests, more often, so their ratios can agree.
      presets: { quick: 8, default: 8, thorough: 8 },
    },
    {
      key: 'latencyMs',
      label: 'Server latency',
      description: "How long the lab's endpoint waits before answering each request (a custom endpoint has its own).",
      min: 0,
      max: 2_000,
      integer: true,
      unit: 'ms',
      presets: { quick: 10, default: 10, thorough: 10 },
    },
  ],
  implementations: { serial: onLanes, 'event-loop': onLanes, workers: onLanes },
  configurations: apiCallsConfigurations,
  prepare(params, random): Prepared {
    // Fresh tokens every run: an answer cannot come from a cache or an earlier run.
    return { tokens: Array.from({ length: params.requests! }, () => makeToken(random)), delayMs: params.latencyMs! };
  },
  verify(output, prepared) {
    const kind = prepared.endpoint?.kind ?? 'server';
    if (output.length !== prepared.tokens.length) {
      return { ok: false, detail: `${output.length} answers for ${prepared.tokens.length} requests` };
    }
    let echoed = 0;
    for (const [i, result] of output.entries()) {
      const token = prepared.tokens[i]!;
      if (result.status < 200 || result.status > 299) return { ok: false, detail: `request ${i}: HTTP ${result.status}` };
      const mismatch = echoMismatch(result.echo, token, prepared.delayMs);
      if (kind === 'custom') {
        // A custom endpoint need not speak the echo protocol; when it does, it is held to it.
        if (result.echo && mismatch) return { ok: false, detail: `request ${i}: ${mismatch}` };
        if (!mismatch) echoed += 1;
        continue;
      }
      if (result.answeredBy !== kind) return { ok: false, detail: `request ${i} was answered by ${result.answeredBy}, not the ${kind}` };
      if (mismatch) return { ok: false, detail: `request ${i}: ${mismatch}` };
      echoed += 1;
    }
    const n = output.length;
    return {
      ok: true,
      detail:
        kind === 'custom' && echoed < n
          ? `${n} answers with HTTP 2xx from the custom endpoint; ${echoed} echoed their token (the rest could not be checked further)`
          : `${n} answers echo their fresh token and delay with the right checksum (answered by the ${kind})`,
    };
  },
  summarize: (results) => summarizeApiCalls(results),
  describe(prepared) {
    const endpoint = prepared.endpoint;
    return {
      endpoint: endpoint?.kind ?? 'not reached',
      ...(endpoint?.kind === 'custom' ? { endpointUrl: endpoint.url.slice(0, 200) } : {}),
      ...(endpoint?.protocol ? { protocol: endpoint.protocol } : {}),
    };
  },
};
