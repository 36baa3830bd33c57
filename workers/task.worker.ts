/** A task worker: a thin entry point exposing the lab's task API to the page. */
import { expose } from 'comlink';
import { taskApi } from '../src/executors/task-api.ts';

expose(taskApi);
