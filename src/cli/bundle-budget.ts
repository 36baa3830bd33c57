/**
 * What a first visit downloads, read from a production build: the entry chunk and every chunk it imports
 * statically (Vite modulepreloads those), gzipped at level 9, against a budget; a check that no large
 * chunk repeats another's content (two copies of one library, say, one of them bundled into a worker); and
 * each standalone element (elements/, imported by other sites' pages) against a budget of its own.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

/** First-load JavaScript the page may ship, gzipped, in bytes (kB as Vite prints them: 1000 bytes). */
export const FIRST_LOAD_BUDGET_BYTES = 150_000;
/** Chunks smaller than this are not compared for duplication: small shared helpers are expected. */
export const DUPLICATE_MIN_CHUNK_BYTES = 50_000;
/** Two chunks are duplicates when this share of the smaller one's content also appears in the other. */
export const DUPLICATE_MIN_SHARED_FRACTION = 0.5;
/** Gzipped JavaScript one standalone element may weigh: a tutorial page pays it to show results. */
export const ELEMENT_BUDGET_BYTES = 60_000;
/**
 * Where the standalone elements are built: modules with no imports, for pages on other origins. They carry
 * their own copies of the libraries they use, by design, so they are not compared for duplication.
 */
export const ELEMENTS_DIR = 'elements/';

/** One chunk of `.vite/manifest.json` (build.manifest), with the fields read here. */
export interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  /** Keys of chunks this one imports statically. */
  imports?: string[];
  /** Keys of chunks this one loads with import(): not part of the first load. */
  dynamicImports?: string[];
  css?: string[];
  assets?: string[];
}

/** `.vite/manifest.json`: chunks by key (an entry's source path, or `_name-hash.js` for a shared chunk). */
export type Manifest = Record<string, ManifestChunk>;

/** A file's size on disk and gzipped. */
export interface ChunkSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** Two chunks sharing most of their content. */
export interface DuplicatePair {
  files: [string, string];
  sharedBytes: number;
  /** sharedBytes over the smaller chunk's size. */
  sharedFraction: number;
}

/** What a build ships at first load and later, and whether it keeps to the budget. */
export interface BundleReport {
  firstLoad: ChunkSize[];
  firstLoadGzipBytes: number;
  budgetBytes: number;
  /** JavaScript files loaded later (dynamic imports, workers), largest gzipped first. */
  later: ChunkSize[];
  duplicates: DuplicatePair[];
  /** The standalone elements (ELEMENTS_DIR), each against elementBudgetBytes. */
  elements: ChunkSize[];
  elementBudgetBytes: number;
  ok: boolean;
}

/**
 * The JavaScript files of the first load, in load order: each entry, then what it imports statically,
 * depth first. Dynamic imports are left out, and so is whatever only they import.
 */
export function firstLoadFiles(manifest: Manifest): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`The manifest names a chunk "${key}" it does not list.`);
    if (chunk.file.endsWith('.js')) files.push(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  const entries = Object.keys(manifest).filter((key) => manifest[key]!.isEntry);
  if (entries.length === 0) throw new Error('The manifest has no entry chunk.');
  for (const key of entries) visit(key);
  return files;
}

/** The first load's files with their sizes, their gzipped total, and whether it is within `budgetBytes`. */
export function firstLoadBudget(
  manifest: Manifest,
  sizes: ReadonlyMap<string, ChunkSize>,
  budgetBytes = FIRST_LOAD_BUDGET_BYTES,
): { chunks: ChunkSize[]; gzipBytes: number; withinBudget: boolean } {
  const chunks = firstLoadFiles(manifest).map((file) => {
    const size = sizes.get(file);
    if (!size) throw new Error(`The manifest names ${file}, which the build does not contain.`);
    return size;
  });
  const gzipBytes = chunks.reduce((sum, c) => sum + c.gzipBytes, 0);
  return { chunks, gzipBytes, withinBudget: gzipBytes <= budgetBytes };
}

/** The standalone elements among `sizes`, and whether each is within `budgetBytes` on its own. */
export function elementsBudget(
  sizes: ReadonlyMap<string, ChunkSize>,
  budgetBytes = ELEMENT_BUDGET_BYTES,
): { elements: ChunkSize[]; withinBudget: boolean } {
  const elements = [...sizes.values()].filter((s) => s.file.startsWith(ELEMENTS_DIR));
  return { elements, withinBudget: elements.every((e) => e.gzipBytes <= budgetBytes) };
}

/**
 * The text cut into pieces at content-defined boundaries (where a rolling hash of the last 16 characters
 * hits 1 in 64), so the same content cuts the same way wherever it sits in a file: about 64 characters a piece.
 */
export function contentPieces(text: string): Set<string> {
  const WINDOW = 16;
  const MIN_PIECE = 32;
  const BASE = 0x01000193;
  let dropFactor = 1;
  for (let i = 0; i < WINDOW; i++) dropFactor = Math.imul(dropFactor, BASE);
  const pieces = new Set<string>();
  let hash = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    hash = (Math.imul(hash, BASE) + text.charCodeAt(i)) | 0;
    if (i >= WINDOW) hash = (hash - Math.imul(text.charCodeAt(i - WINDOW), dropFactor)) | 0;
    if (i + 1 - start >= MIN_PIECE && hash >>> 26 === 0) {
      pieces.add(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) pieces.add(text.slice(start));
  return pieces;
}

/** Pairs of chunks of at least `minChunkBytes` of which `minSharedFraction` of the smaller also appears in the larger. */
export function duplicatedChunks(
  chunks: ReadonlyArray<{ file: string; text: string }>,
  minChunkBytes = DUPLICATE_MIN_CHUNK_BYTES,
  minSharedFraction = DUPLICATE_MIN_SHARED_FRACTION,
): DuplicatePair[] {
  const large = chunks
    .filter((c) => c.text.length >= minChunkBytes)
    .map((c) => ({ file: c.file, length: c.text.length, pieces: contentPieces(c.text) }));
  const pairs: DuplicatePair[] = [];
  for (const [i, a] of large.entries()) {
    for (const b of large.slice(i + 1)) {
      const [small, big] = a.length <= b.length ? [a, b] : [b, a];
      let sharedBytes = 0;
      for (const piece of small.pieces) if (big.pieces.has(piece)) sharedBytes += piece.length;
      const sharedFraction = sharedBytes / small.length;
      if (sharedFraction >= minSharedFraction) pairs.push({ files: [a.file, b.file], sharedBytes, sharedFraction });
    }
  }
  return pairs;
}

/** Read a production build in `distDir` (built with build.manifest) and measure it. */
export async function inspectBuild(
  distDir: string,
  budgetBytes = FIRST_LOAD_BUDGET_BYTES,
  elementBudgetBytes = ELEMENT_BUDGET_BYTES,
): Promise<BundleReport> {
  let manifestText: string;
  try {
    manifestText = await readFile(join(distDir, '.vite', 'manifest.json'), 'utf8');
  } catch {
    throw new Error(`No ${join(distDir, '.vite', 'manifest.json')}: build first (vite build, with build.manifest on).`);
  }
  const manifest = JSON.parse(manifestText) as Manifest;
  const texts = new Map<string, string>();
  for (const file of await javaScriptFiles(distDir)) texts.set(file, await readFile(join(distDir, file), 'utf8'));
  const sizes = new Map<string, ChunkSize>();
  for (const [file, text] of texts) {
    const bytes = Buffer.byteLength(text);
    sizes.set(file, { file, bytes, gzipBytes: gzipSync(text, { level: 9 }).length });
  }
  const first = firstLoadBudget(manifest, sizes, budgetBytes);
  const standalone = elementsBudget(sizes, elementBudgetBytes);
  const firstFiles = new Set(first.chunks.map((c) => c.file));
  const isElement = (file: string) => file.startsWith(ELEMENTS_DIR);
  const later = [...sizes.values()].filter((s) => !firstFiles.has(s.file) && !isElement(s.file)).sort((a, b) => b.gzipBytes - a.gzipBytes);
  const duplicates = duplicatedChunks([...texts].filter(([file]) => !isElement(file)).map(([file, text]) => ({ file, text })));
  return {
    firstLoad: first.chunks,
    firstLoadGzipBytes: first.gzipBytes,
    budgetBytes,
    later,
    duplicates,
    elements: standalone.elements,
    elementBudgetBytes,
    ok: first.withinBudget && duplicates.length === 0 && standalone.withinBudget,
  };
}

/** Every .js file under the build, as paths relative to it; source maps and Vite's own folder left out. */
async function javaScriptFiles(distDir: string): Promise<string[]> {
  const entries = await readdir(distDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => relative(distDir, join(e.parentPath, e.name)).split('\\').join('/'))
    .filter((file) => !file.startsWith('.vite/'))
    .sort();
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/** The report as a table a person reads: first-load chunks, their total against the budget, later chunks, duplicates. */
export function formatBundleReport(report: BundleReport): string {
  const width = Math.max(...[...report.firstLoad, ...report.later, ...report.elements].map((c) => c.file.length), 'total'.length);
  const row = (label: string, c: { bytes?: number; gzipBytes: number }) =>
    `  ${label.padEnd(width)}  ${(c.bytes === undefined ? '' : kB(c.bytes)).padStart(9)}  ${kB(c.gzipBytes).padStart(9)} gzip`;
  const within = report.firstLoadGzipBytes <= report.budgetBytes;
  const lines = [
    'First load (entry and its static imports), gzip -9:',
    ...report.firstLoad.map((c) => row(c.file, c)),
    `${row('total', { gzipBytes: report.firstLoadGzipBytes })} of ${kB(report.budgetBytes)} budget: ${within ? 'within' : 'OVER'}`,
    'Not in the first load (dynamic imports, workers, static files):',
    ...report.later.map((c) => row(c.file, c)),
    `Standalone elements, each on its own against ${kB(report.elementBudgetBytes)}:`,
    ...report.elements.map((c) => `${row(c.file, c)}: ${c.gzipBytes <= report.elementBudgetBytes ? 'within' : 'OVER'}`),
  ];
  for (const d of report.duplicates) {
    lines.push(
      `DUPLICATE: ${d.files[0]} and ${d.files[1]} share ${kB(d.sharedBytes)} ` +
        `(${Math.round(d.sharedFraction * 100)}% of the smaller): one module is bundled twice.`,
    );
  }
  return lines.join('\n');
}
