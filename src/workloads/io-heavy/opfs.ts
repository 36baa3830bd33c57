/**
 * Writing, reading back and deleting one file in the origin private file system (OPFS): the post's
 * `io_heavy(text)`. The page can only write asynchronously (createWritable); workers can also use
 * synchronous access handles, the fast path the platform reserves for them. No DOM: workers import this.
 */
import { epochNowMs } from '../../measure/clock.ts';
import { FNV1A32_OFFSET, fnv1a32 } from '../shared/checksum.ts';
import { UnavailableError } from '../../executors/unavailable.ts';

/** One task: a file to write in the run's directory, with the text to write. */
export interface WriteTask {
  dirName: string;
  fileName: string;
  text: Uint8Array;
}

/** What the file held when read back, and when each phase ended, on the clock page and workers share. */
export interface WriteOutcome {
  sizeBytes: number;
  checksum: number;
  startEpochMs: number;
  writeEndEpochMs: number;
  readEndEpochMs: number;
  deleteEndEpochMs: number;
}

/** Read back in chunks: memory per lane stays small whatever the file size. */
const READ_CHUNK_BYTES = 1 << 20;

/** The synchronous access handle, declared here because the page's DOM typings leave it out. */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options?: { at?: number }): number;
  read(buffer: Uint8Array, options?: { at?: number }): number;
  getSize(): number;
  truncate(size: number): void;
  close(): void;
}

type SyncCapableHandle = FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncAccessHandle> };

/** Why OPFS cannot be used in this thread, or undefined when it can. */
export function opfsProblem(): string | undefined {
  if (typeof globalThis.navigator?.storage?.getDirectory !== 'function') {
    return 'The origin private file system (navigator.storage.getDirectory) is not available in this browser or context (private windows may lack it).';
  }
  return undefined;
}

/** The OPFS root, or an UnavailableError saying it is missing (the configuration is then unavailable, not failed). */
export async function opfsRoot(): Promise<FileSystemDirectoryHandle> {
  const problem = opfsProblem();
  if (problem) throw new UnavailableError(problem);
  try {
    return await navigator.storage.getDirectory();
  } catch (error) {
    throw new Error(`The origin private file system could not be opened: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Why the page cannot write files asynchronously here, or undefined when it can. */
export function writableProblem(): string | undefined {
  const proto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype;
  if (!proto || !('createWritable' in proto)) {
    return 'This browser cannot write OPFS files from the page (FileSystemFileHandle.createWritable is missing).';
  }
  return undefined;
}

/** Worker kernel: why synchronous access handles cannot be used in this worker, or '' when they can. */
export function syncAccessProblem(): string {
  const problem = opfsProblem();
  if (problem) return problem;
  const proto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype;
  if (!proto || !('createSyncAccessHandle' in proto)) {
    return 'This browser has no synchronous OPFS access in workers (FileSystemFileHandle.createSyncAccessHandle is missing).';
  }
  return '';
}

async function runDirectory(dirName: string): Promise<FileSystemDirectoryHandle> {
  return (await opfsRoot()).getDirectoryHandle(dirName);
}

/** Run `use` on a file, then delete it; on failure delete it anyway, keeping the first error. */
async function thenDelete<T>(dir: FileSystemDirectoryHandle, fileName: string, use: () => Promise<T>): Promise<T> {
  let value: T;
  try {
    value = await use();
  } catch (error) {
    await dir.removeEntry(fileName).catch(() => undefined);
    throw error;
  }
  await dir.removeEntry(fileName);
  return value;
}

/** Page kernel (serial and event loop): write with an async writable, read back through a stream, delete. */
export async function writeFileAsync(task: WriteTask): Promise<WriteOutcome> {
  const startEpochMs = epochNowMs();
  const dir = await runDirectory(task.dirName);
  const written = await thenDelete(dir, task.fileName, async () => {
    const handle = await dir.getFileHandle(task.fileName, { create: true });
    const writable = await handle.createWritable();
    try {
      await writable.write(task.text as Uint8Array<ArrayBuffer>);
      await writable.close();
    } catch (error) {
      await writable.abort().catch(() => undefined);
      throw error;
    }
    const writeEndEpochMs = epochNowMs();
    const file = await handle.getFile();
    let checksum = FNV1A32_OFFSET;
    let sizeBytes = 0;
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      checksum = fnv1a32(value, checksum);
      sizeBytes += value.length;
    }
    return { sizeBytes, checksum, startEpochMs, writeEndEpochMs, readEndEpochMs: epochNowMs() };
  });
  return { ...written, deleteEndEpochMs: epochNowMs() };
}

/** Worker kernel (workers): write and read back through a synchronous access handle, then delete. */
export async function writeFileSync(task: WriteTask): Promise<WriteOutcome> {
  const startEpochMs = epochNowMs();
  const dir = await runDirectory(task.dirName);
  const written = await thenDelete(dir, task.fileName, async () => {
    const handle = (await dir.getFileHandle(task.fileName, { create: true })) as SyncCapableHandle;
    const access = await handle.createSyncAccessHandle();
    try {
      const { text } = task;
      for (let at = 0; at < text.length; ) {
        const n = access.write(text.subarray(at), { at });
        if (n <= 0) throw new Error(`OPFS write stopped at byte ${at} of ${text.length} (disk full?).`);
        at += n;
      }
      // No flush(): it is an fsync, and neither the post's close() nor createWritable's close() forces the disk.
      const writeEndEpochMs = epochNowMs();
      const size = access.getSize();
      const chunk = new Uint8Array(Math.min(READ_CHUNK_BYTES, Math.max(1, size)));
      let checksum = FNV1A32_OFFSET;
      let sizeBytes = 0;
      while (sizeBytes < size) {
        const n = access.read(chunk, { at: sizeBytes });
        if (n <= 0) break;
        checksum = fnv1a32(chunk.subarray(0, n), checksum);
        sizeBytes += n;
      }
      return { sizeBytes, checksum, startEpochMs, writeEndEpochMs, readEndEpochMs: epochNowMs() };
    } finally {
      access.close();
    }
  });
  return { ...written, deleteEndEpochMs: epochNowMs() };
}
