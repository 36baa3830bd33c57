/**
 * Serves the iframe API's host-side client (src/embed/client.ts) as /embed/client.js: compiled from its
 * TypeScript source by the build (and on request by the dev server), one standalone module with no imports,
 * sent with `Access-Control-Allow-Origin: *` so a tutorial on another origin can import it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import ts from 'typescript';
import type { Plugin } from 'vite';
import { crossOriginModule } from './cross-origin-module.ts';

/** Where the client is served; the README and the example tutorial import it from here. */
export const EMBED_CLIENT_PATH = '/embed/client.js';

const SOURCE = resolve(import.meta.dirname, '../src/embed/client.ts');

/** The client as JavaScript: types stripped, nothing bundled (it imports types only). */
export async function compileEmbedClient(): Promise<string> {
  const source = await readFile(SOURCE, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
    fileName: 'client.ts',
  });
  if (/^\s*import\s+[^t]/m.test(outputText)) throw new Error('src/embed/client.ts must import types only: it is served as one file.');
  return outputText;
}

/** Vite plugin: emits embed/client.js into the build, serves it in dev, and opens /embed/ to CORS. */
export function embedClient(): Plugin {
  return crossOriginModule({ name: 'parallel-lab:embed-client', path: EMBED_CLIENT_PATH, make: compileEmbedClient });
}
