import { mount } from 'svelte';
import App from './components/App.svelte';
import { createLabApi } from './app/api.ts';
import { savedRuns } from './app/history.svelte.ts';
import { lab } from './app/lab.svelte.ts';
import { viewer } from './app/viewer.svelte.ts';
import { terminateAllWorkers } from './executors/worker-pool.ts';
import './components/global.css';

window.parallelLab = createLabApi(lab, { history: savedRuns, viewer });
// Every run is saved as it goes, so a reload or crash mid-suite keeps the experiments already finished.
lab.observe(savedRuns);
void savedRuns.open();

// A hidden or discarded page must not leave threads spinning: stop the run and every worker.
addEventListener('pagehide', () => {
  lab.cancel('the page was hidden');
  terminateAllWorkers();
});

mount(App, { target: document.getElementById('app')! });
