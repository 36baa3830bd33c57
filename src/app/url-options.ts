/** Options read from the page's query string, so tutorials can embed one experiment in an iframe. */
import { workloads } from '../workloads/registry.ts';
import { PRESETS, type Preset } from '../workloads/types.ts';

/** Unknown ids quoted in the page's message, at most: 200,000 of them must not become one alert. */
export const MAX_UNKNOWN_SHOWN = 10;
/** Longest unknown id quoted, in characters. */
const MAX_ID_CHARS = 40;

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
  /** Ids that were asked for but do not exist (the first MAX_UNKNOWN_SHOWN, clipped), to say so rather than silently show nothing. */
  unknown: string[];
  /** How many unknown ids there were in all. */
  unknownCount: number;
}

/** Values that turn a flag off, in any case: `embed=false` must not embed. */
const OFF = new Set(['0', 'false', 'no', 'off']);

/** e.g. `?experiments=cpu-heavy&preset=quick&embed&autorun`, and `&endpoint=https://…` for api-calls */
export function parseUrlOptions(search: string): UrlOptions {
  const query = new URLSearchParams(search);
  const asked = [...new Set((query.get('experiments') ?? query.get('experiment') ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
  const known = new Set(workloads.map((w) => w.meta.id));
  const flag = (name: string) => query.has(name) && !OFF.has((query.get(name) ?? '').trim().toLowerCase());
  const unknown = asked.filter((id) => !known.has(id));
  const endpoint = query.get('endpoint')?.trim();
  return {
    experiments: asked.filter((id) => known.has(id)),
    unknown: unknown.slice(0, MAX_UNKNOWN_SHOWN).map((id) => (id.length > MAX_ID_CHARS ? `${id.slice(0, MAX_ID_CHARS)}…` : id)),
    unknownCount: unknown.length,
    preset: (PRESETS as readonly string[]).includes(query.get('preset') ?? '') ? (query.get('preset') as Preset) : 'default',
    embed: flag('embed'),
    autorun: flag('autorun'),
    ...(endpoint ? { endpoint } : {}),
  };
}

/** The page's one line about unknown ids: a few named, the rest counted. */
export function unknownExperimentsMessage(options: Pick<UrlOptions, 'unknown' | 'unknownCount'>): string {
  const more = options.unknownCount - options.unknown.length;
  const rest = more > 0 ? ` and ${more.toLocaleString('en-US')} more` : '';
  return `Unknown experiment in the address: ${options.unknown.join(', ')}${rest}. Known: ${workloads.map((w) => w.meta.id).join(', ')}.`;
}

/**
 * Whether a URL points into this machine or its network (loopback, private, link-local, carrier-grade NAT,
 * unique-local IPv6, `localhost` and `.local` names): a link must not make the page send requests there
 * (a router's admin page, a cloud metadata service at 169.254.169.254) without the person agreeing.
 * Unparsable URLs count as private: nothing is sent to them unasked either.
 */
export function isPrivateNetworkUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return true;
  }
  if (host.startsWith('[') && host.endsWith(']')) return isPrivateIpv6(host.slice(1, -1));
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host === '') return true;
  const ipv4 = parseIpv4(host);
  return ipv4 !== null && isPrivateIpv4(ipv4);
}

function parseIpv4(host: string): number[] | null {
  // The URL parser has already turned 0x7f.1, 2130706433 and the like into dotted decimal.
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) return null;
  const octets = match.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function isPrivateIpv4([a, b]: number[]): boolean {
  if (a === undefined || b === undefined) return false;
  return (
    a === 0 || // "this network"; 0.0.0.0 reaches the local machine
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    a >= 224 // multicast and reserved
  );
}

function isPrivateIpv6(address: string): boolean {
  if (address === '::1' || address === '::') return true;
  // IPv4-mapped (::ffff:7f00:1 as the URL parser writes ::ffff:127.0.0.1).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (mapped) {
    const high = parseInt(mapped[1]!, 16);
    const low = parseInt(mapped[2]!, 16);
    return isPrivateIpv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  }
  const first = parseInt(address.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}
