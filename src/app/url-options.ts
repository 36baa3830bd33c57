/** Options read from the page's query string, so tutorials can embed one experiment in an iframe. */
import { workloads } from '../workloads/registry.ts';
import { PRESETS, type Preset } from '../workloads/types.ts';

export interface UrlOptions {
  /** Show only these experiments (all when empty). */
  experiments: string[];
  preset: Preset;
  /** Hide the header and device panel: the page sits inside a tutorial. */
  embed: boolean;
  /** Start the shown experiments as soon as the page is ready. */
  autorun: boolean;
  /** A URL for the api-calls experiment to call instead of the lab's own endpoint. */
  endpoint?: string;
  /** Ids that were asked for but do not exist, to say so rather than silently show nothing. */
  unknown: string[];
}

/** e.g. `?experiments=cpu-heavy&preset=quick&embed&autorun`, and `&endpoint=https://…` for api-calls */
export function parseUrlOptions(search: string): UrlOptions {
  const query = new URLSearchParams(search);
  const asked = (query.get('experiments') ?? query.get('experiment') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = new Set(workloads.map((w) => w.meta.id));
  const flag = (name: string) => query.has(name) && query.get(name) !== '0' && query.get(name) !== 'false';
  return {
    experiments: asked.filter((id) => known.has(id)),
    unknown: asked.filter((id) => !known.has(id)),
    preset: (PRESETS as readonly string[]).includes(query.get('preset') ?? '') ? (query.get('preset') as Preset) : 'default',
    embed: flag('embed'),
    autorun: flag('autorun'),
    ...(query.get('endpoint') ? { endpoint: query.get('endpoint')! } : {}),
  };
}
