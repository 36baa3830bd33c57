/** What a lane runs for API calls: one request to the echo endpoint. */
import { fetchEcho } from './fetch-echo.ts';

/** The experiment's kernels, resolved by name in the page and in every worker. */
export const apiCallsKernels = { fetchEcho };
