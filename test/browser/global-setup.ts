/** Builds the production bundle once and serves it with the isolation headers for every browser test. */
import { resolve } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { servePreview } from '../../src/cli/serve.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    labUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const root = resolve(import.meta.dirname, '../..');
  // Vitest sets NODE_ENV=test, and Vite builds for production only under NODE_ENV=production: without this
  // the tests (and the bundle size check) would read a build with Svelte's development runtime in it.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const server = await servePreview();
  project.provide('labUrl', server.url);
  return () => server.close();
}
