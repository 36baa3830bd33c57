/** The post's `download(url)`: one request, awaited. Runs in the page or in a worker (fetch exists in both). */
import { ENDPOINT_HEADER, echoUrl, type EchoBody } from './protocol.ts';

/** One task: which token to send, where, and how long the endpoint should wait before answering. */
export interface EchoRequest {
  url: string;
  token: string;
  delayMs: number;
}

/** What came back: checked against the token that was sent by the workload's verify. */
export interface EchoResult {
  status: number;
  /** The endpoint header (`server`, `service-worker`), or `custom` when a custom endpoint does not send it. */
  answeredBy: string;
  echo?: EchoBody;
  bodyBytes: number;
}

/** Request one echo and read the whole answer. Throws a message naming the URL when the request fails. */
export async function fetchEcho({ url, token, delayMs }: EchoRequest): Promise<EchoResult> {
  let response: Response;
  try {
    response = await fetch(echoUrl(url, token, delayMs), { cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    throw new Error(
      `The request to ${url} failed (${error instanceof Error ? error.message : String(error)}): is the endpoint up, and does it allow this origin (CORS)?`,
    );
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}: ${text.slice(0, 200)}`);
  return {
    status: response.status,
    answeredBy: response.headers.get(ENDPOINT_HEADER) ?? 'custom',
    ...parseEcho(text),
    bodyBytes: text.length,
  };
}

/** The echo fields of a body, when it has them; anything else a custom endpoint sends is not carried back. */
function parseEcho(text: string): { echo?: EchoBody } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) return {};
  const { token, delayMs, checksum } = body as Record<string, unknown>;
  if (typeof token !== 'string' || typeof delayMs !== 'number' || typeof checksum !== 'number') return {};
  return { echo: { token: token.slice(0, 64), delayMs, checksum } };
}
