import { mount } from 'svelte';
import App from './components/App.svelte';
import { createLabApi } from './app/api.ts';
import { savedRuns } from './app/history.svelte.ts';
import { lab } from './app/lab.svelte.ts';
import { viewer } from './app/viewer.svelte.ts';
import { obtainIsolation } from './app/isolation.ts';
import { parseUrlOptions } from './app/url-options.ts';
import { startFrameBridge } from './embed/frame-bridge.ts';
import { parseParentOrigins } from './embed/messages.ts';
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

// A host that sends no isolation headers: the lab's service worker adds them, after one reload.
void obtainIsolation(import.meta.env.BASE_URL);

mount(App, { target: document.getElementById('app')! });

// In a tutorial's frame: the iframe API (src/embed/messages.ts), driven only by the allowed parent origins.
if (parseUrlOptions(location.search).embed) {
  const { origins, invalid } = parseParentOrigins(location.search);
  if (invalid.length > 0) console.warn(`parentOrigin entries that are not origins were ignored: ${invalid.join(', ')}`);
  // A list with no usable origin must not open the lab to every parent: the API stays off instead.
  if (origins.length > 0 || invalid.length === 0) startFrameBridge(lab, { parentOrigins: origins });
}
