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
  await build({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'warn' });
  const server = await servePreview();
  project.provide('labUrl', server.url);
  return () => server.close();
}
