import { mount } from 'svelte';
import App from './components/App.svelte';
import { createLabApi } from './app/api.ts';
import { lab } from './app/lab.svelte.ts';
import { terminateAllWorkers } from './executors/worker-pool.ts';
import './components/global.css';

window.parallelLab = createLabApi(lab);

// A hidden or discarded page must not leave threads spinning: stop the run and every worker.
addEventListener('pagehide', () => {
  lab.cancel('the page was hidden');
  terminateAllWorkers();
});

mount(App, { target: document.getElementById('app')! });
