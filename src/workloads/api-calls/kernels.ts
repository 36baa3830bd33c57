/** What api-calls' tasks run, on the page or in any worker; a worker loads this and nothing else of the experiment. */
import { fetchEcho } from './fetch-echo.ts';

export const kernels = { fetchEcho };
