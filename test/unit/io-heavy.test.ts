import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveParams } from '../../src/engine/params.ts';
import { plannedConfigurations } from '../../src/engine/sweep.ts';
import type { TaskSpan } from '../../src/measure/timeline.ts';
import { FNV1A32_OFFSET, fnv1a32, fnv1a32Text, hex32 } from '../../src/workloads/shared/checksum.ts';
import { ioHeavy, ioHeavyConfigurations, phaseSpans } from '../../src/workloads/io-heavy/index.ts';
import {
  opfsProblem,
  syncAccessProblem,
  writableProblem,
  writeFileAsync,
  writeFileSync,
  type WriteOutcome,
} from '../../src/workloads/io-heavy/opfs.ts';
import { randomText } from '../../src/workloads/io-heavy/random-text.ts';
import { implementationOf, type RunContext } from '../../src/workloads/types.ts';

describe('FNV-1a checksum', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('fnv1a32(%j) is the published test vector', (text, expected) => {
    expect(fnv1a32Text(text)).toBe(expected);
    expect(hex32(fnv1a32Text(text))).toBe(expected.toString(16).padStart(8, '0'));
  });

  it.each([1, 3, 7, 4096, 65_537, 1 << 20])('fed in chunks of %i bytes it equals the whole', (chunkBytes) => {
    const bytes = randomText(300_001, Math.random);
    let hash = FNV1A32_OFFSET;
    for (let at = 0; at < bytes.length; at += chunkBytes) hash = fnv1a32(bytes.subarray(at, at + chunkBytes), hash);
    expect(hash).toBe(fnv1a32(bytes));
  });

  it('changes when any one byte does', () => {
    const bytes = randomText(10_007, Math.random);
    const before = fnv1a32(bytes);
    const at = Math.floor(Math.random() * bytes.length);
    bytes[at] = bytes[at]! ^ 1;
    expect(fnv1a32(bytes)).not.toBe(before);
  });
});

describe('random text', () => {
  it.each([1, 4, 5, 6, 1023, 100_003])('%i bytes of printable text, never a zero byte, fresh each time', (size) => {
    const a = randomText(size, Math.random);
    const b = randomText(size, Math.random);
    expect(a).toHaveLength(size);
    for (const byte of a) expect(byte === 10 || byte === 32 || (byte >= 48 && byte <= 122)).toBe(true);
    if (size >= 16) expect(fnv1a32(a)).not.toBe(fnv1a32(b));
  });
});

/** An in-memory OPFS with the surface the kernels use; sync writes and reads stop short to exercise the loops. */
class FakeFile {
  bytes = new Uint8Array(0);
  locked = false;
}
class FakeFileHandle {
  constructor(readonly file: FakeFile) {}
  async createWritable() {
    const parts: Uint8Array[] = [];
    return {
      write: async (data: Uint8Array) => void parts.push(data.slice()),
      close: async () => {
        const total = parts.reduce((n, p) => n + p.length, 0);
        this.file.bytes = new Uint8Array(total);
        let at = 0;
        for (const p of parts) this.file.bytes.set(p, (at += p.length) - p.length);
      },
      abort: async () => undefined,
    };
  }
  async getFile() {
    return new Blob([this.file.bytes]);
  }
  async createSyncAccessHandle() {
    if (this.file.locked) throw new DOMException('locked', 'NoModificationAllowedError');
    this.file.locked = true;
    const f = this.file;
    return {
      write(data: Uint8Array, { at = 0 } = {}) {
        const n = Math.min(data.length, 333_333);
        if (at + n > f.bytes.length) {
          const grown = new Uint8Array(at + n);
          grown.set(f.bytes);
          f.bytes = grown;
        }
        f.bytes.set(data.subarray(0, n), at);
        return n;
      },
      read(into: Uint8Array, { at = 0 } = {}) {
        const n = Math.max(0, Math.min(into.length, 250_001, f.bytes.length - at));
        into.set(f.bytes.subarray(at, at + n));
        return n;
      },
      getSize: () => f.bytes.length,
      truncate: (size: number) => void (f.bytes = f.bytes.slice(0, size)),
      flush: () => undefined,
      close: () => void (f.locked = false),
    };
  }
}
class FakeDirectory {
  readonly files = new Map<string, FakeFile>();
  readonly dirs = new Map<string, FakeDirectory>();
  async getFileHandle(name: string, { create = false } = {}) {
    if (!this.files.has(name)) {
      if (!create) throw new DOMException(name, 'NotFoundError');
      this.files.set(name, new FakeFile());
    }
    return new FakeFileHandle(this.files.get(name)!);
  }
  async getDirectoryHandle(name: string, { create = false } = {}) {
    if (!this.dirs.has(name)) {
      if (!create) throw new DOMException(name, 'NotFoundError');
      this.dirs.set(name, new FakeDirectory());
    }
    return this.dirs.get(name)!;
  }
  async removeEntry(name: string) {
    if (!this.files.delete(name) && !this.dirs.delete(name)) throw new DOMException(name, 'NotFoundError');
  }
  async *keys() {
    yield* [...this.files.keys(), ...this.dirs.keys()];
  }
}

describe('OPFS kernels (on an in-memory file system)', () => {
  let root: FakeDirectory;
  beforeEach(() => {
    root = new FakeDirectory();
    vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
    vi.stubGlobal('FileSystemFileHandle', FakeFileHandle);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it.each([
    ['writeFileAsync', writeFileAsync, 1],
    ['writeFileAsync', writeFileAsync, 1_000_003],
    ['writeFileSync', writeFileSync, 1],
    ['writeFileSync', writeFileSync, 1_000_003],
    ['writeFileSync', writeFileSync, 3 << 20],
  ])('%s writes %i bytes, reads back the same checksum, times its phases and deletes the file', async (_, kernel, size) => {
    const dir = await root.getDirectoryHandle('run', { create: true });
    const text = randomText(size, Math.random);
    const outcome = await kernel({ dirName: 'run', fileName: 'f.txt', text });
    expect(outcome.sizeBytes).toBe(size);
    expect(outcome.checksum).toBe(fnv1a32(text));
    expect(outcome.startEpochMs).toBeLessThanOrEqual(outcome.writeEndEpochMs);
    expect(outcome.writeEndEpochMs).toBeLessThanOrEqual(outcome.readEndEpochMs);
    expect(outcome.readEndEpochMs).toBeLessThanOrEqual(outcome.deleteEndEpochMs);
    expect(dir.files.size).toBe(0);
  });

  it('deletes the file when a write fails, and reports the write error', async () => {
    const dir = await root.getDirectoryHandle('run', { create: true });
    (await dir.getFileHandle('busy.txt', { create: true })).file.locked = true;
    await expect(writeFileSync({ dirName: 'run', fileName: 'busy.txt', text: randomText(10, Math.random) })).rejects.toThrow(/locked/);
    expect(dir.files.size).toBe(0);
  });

  it('says what is missing when OPFS, writables or sync access handles are', () => {
    expect(opfsProblem()).toBeUndefined();
    expect(syncAccessProblem()).toBe('');
    expect(writableProblem()).toBeUndefined();
    vi.stubGlobal('FileSystemFileHandle', class {});
    expect(syncAccessProblem()).toMatch(/createSyncAccessHandle is missing/);
    expect(writableProblem()).toMatch(/createWritable is missing/);
    vi.stubGlobal('navigator', {});
    expect(opfsProblem()).toMatch(/navigator\.storage\.getDirectory/);
    expect(syncAccessProblem()).toMatch(/origin private file system/);
  });

  it('setup fails with a clear reason without OPFS', async () => {
    vi.stubGlobal('navigator', {});
    const implementation = implementationOf(ioHeavy, 'serial');
    const ctx = { config: { backend: 'serial', workers: 1 } } as RunContext;
    await expect(implementation.setup!(ctx, undefined as never)).rejects.toThrow(/origin private file system .* not available/);
  });

  it('setup makes a run directory, removes stale ones, and teardown removes it', async () => {
    const stale = `parallel-lab-io-heavy-${Date.now() - 2 * 3600_000}-abc`;
    const young = `parallel-lab-io-heavy-${Date.now() - 60_000}-def`;
    await root.getDirectoryHandle(stale, { create: true });
    await root.getDirectoryHandle(young, { create: true });
    const implementation = implementationOf(ioHeavy, 'event-loop');
    const ctx = { config: { backend: 'event-loop', workers: 2 } } as RunContext;
    const { state } = await implementation.setup!(ctx, undefined as never);
    expect([...root.dirs.keys()].sort()).toEqual([young, state.dirName].sort());
    await implementation.teardown!(state);
    expect([...root.dirs.keys()]).toEqual([young]);
  });
});

describe('io-heavy workload', () => {
  const outcome = (sizeBytes: number, checksum: number, t = 0): WriteOutcome => ({
    sizeBytes,
    checksum,
    startEpochMs: t,
    writeEndEpochMs: t + 1,
    readEndEpochMs: t + 2,
    deleteEndEpochMs: t + 3,
  });

  it('prepare makes fresh text; verify passes right read-backs and fails a wrong size or checksum', () => {
    const params = resolveParams(ioHeavy, 'quick', { sizeMiB: 1, files: 3 });
    const a = ioHeavy.prepare(params, Math.random, undefined);
    const b = ioHeavy.prepare(params, Math.random, undefined);
    expect(a.text).toHaveLength(1 << 20);
    expect(a.checksum).not.toBe(b.checksum);
    const good = [0, 1, 2].map(() => outcome(a.text.length, a.checksum));
    expect(ioHeavy.verify(good, a).ok).toBe(true);
    expect(ioHeavy.verify(good.slice(1), a).ok).toBe(false);
    expect(ioHeavy.verify([good[0]!, outcome(a.text.length - 1, a.checksum), good[2]!], a).ok).toBe(false);
    expect(ioHeavy.verify([good[0]!, good[1]!, outcome(a.text.length, b.checksum)], a).ok).toBe(false);
  });

  it('splits a task span into write, read-back and delete, keeping the copy phases', () => {
    const spans: TaskSpan[] = [
      { lane: 0, task: 0, startEpochMs: 0, endEpochMs: 10 },
      { lane: 1, task: 1, startEpochMs: 0, endEpochMs: 2, phase: 'copy-in' },
      { lane: 1, task: 1, startEpochMs: 2, endEpochMs: 9, phase: 'compute' },
      { lane: 1, task: 1, startEpochMs: 9, endEpochMs: 10, phase: 'copy-out' },
    ];
    const phases = phaseSpans(spans, [outcome(1, 1, 0), outcome(1, 1, 5)]);
    expect(phases.map((s) => `${s.lane}:${s.phase}`)).toEqual(['0:write', '0:read-back', '0:delete', '1:copy-in', '1:write', '1:read-back', '1:delete', '1:copy-out']);
    expect(phases.find((s) => s.lane === 1 && s.phase === 'read-back')).toMatchObject({ startEpochMs: 6, endEpochMs: 7 });
  });

  it.each([1, 3, 4, 64])('never sweeps more lanes than the %i files', (files) => {
    const configs = ioHeavyConfigurations({ sizeMiB: 1, files }, 8, ['serial', 'event-loop', 'workers']);
    expect(configs.filter((c) => c.backend === 'serial')).toHaveLength(1);
    for (const c of configs) expect(c.workers === 1 || c.workers <= files).toBe(true);
    if (files === 64) expect(configs).toEqual(plannedConfigurations(['serial', 'event-loop', 'workers'], 8));
  });

  it.each([
    ['sizeMiB', 0],
    ['sizeMiB', 257],
    ['sizeMiB', 1.5],
    ['files', 0],
    ['files', 65],
  ])('refuses %s=%s before anything is allocated', (key, value) => {
    expect(() => resolveParams(ioHeavy, 'quick', { [key]: value })).toThrow(/io-heavy/);
  });

  it('reports bytes written and read back per second', () => {
    const prepared = ioHeavy.prepare(resolveParams(ioHeavy, 'quick', { sizeMiB: 1, files: 2 }), Math.random, undefined);
    expect(ioHeavy.throughput!(prepared, 1000).gbPerSecond).toBeCloseTo((4 * (1 << 20)) / 1e9, 9);
  });
});
