/**
 * Serves the results element (src/elements/parallel-lab-results.ts) as /elements/parallel-lab-results.js:
 * bundled by a build of its own into one minified module with no imports (the schema, the reader, the
 * analysis and TypeBox's interpreter inside), emitted into the lab's build and built on request by the dev
 * server, and sent with `Access-Control-Allow-Origin: *` so that a tutorial on another origin can import it.
 */
import { resolve } from 'node:path';
import { build, type Plugin, type Rolldown } from 'vite';
import { crossOriginModule } from './cross-origin-module.ts';

/** Where the element is served; the README and the example tutorial import it from here. */
export const RESULTS_ELEMENT_PATH = '/elements/parallel-lab-results.js';

const ROOT = resolve(import.meta.dirname, '..');
const ENTRY = resolve(ROOT, 'src/elements/parallel-lab-results.ts');

/** The element as one standalone ES module; throws if the bundle would import anything or split. */
export async function buildResultsElement(): Promise<string> {
  const built = await build({
    configFile: false,
    root: ROOT,
    publicDir: false,
    logLevel: 'warn',
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      reportCompressedSize: false,
      lib: { entry: ENTRY, formats: ['es'], fileName: 'parallel-lab-results' },
      rolldownOptions: { output: { codeSplitting: false } },
    },
  });
  const outputs = (Array.isArray(built) ? built : [built]) as Rolldown.RolldownOutput[];
  const chunks = outputs.flatMap((o) => o.output).filter((item): item is Rolldown.OutputChunk => item.type === 'chunk');
  const [chunk] = chunks;
  if (chunks.length !== 1 || !chunk) throw new Error(`The results element must build into one module, not ${chunks.length}.`);
  const imported = [...chunk.imports, ...chunk.dynamicImports];
  if (imported.length > 0) throw new Error(`The results element must import nothing, but imports ${imported.join(', ')}.`);
  return chunk.code;
}

/** Vite plugin: emits elements/parallel-lab-results.js into the build, serves it in dev, opens /elements/ to CORS. */
export function resultsElement(): Plugin {
  return crossOriginModule({ name: 'parallel-lab:results-element', path: RESULTS_ELEMENT_PATH, make: buildResultsElement });
}
