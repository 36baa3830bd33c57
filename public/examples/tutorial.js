// An example tutorial page: the lab in a frame, driven through the lab's client module (/embed/client.js),
// with the measured speedup written into the page's own text. A tutorial on another origin imports the
// client by its full address instead, e.g. https://lab.example/embed/client.js.
import { createLabFrame } from '../embed/client.js';

const run = document.getElementById('run');
const cancel = document.getElementById('cancel');
const progress = document.getElementById('progress');
const status = document.getElementById('status');
const answer = document.getElementById('answer');

const lab = createLabFrame(document.getElementById('lab'), new URL('../', location.href).href, { experiments: ['cpu-heavy'] });

/** The median of a backend at a lane count, from the results document. */
function medianOf(experiment, backend, workers) {
  const result = experiment.results.find((r) => r.backend === backend && r.workers === workers && r.available && 'medianMs' in r);
  return result ? result.medianMs : undefined;
}

let controller;
lab.ready.then(({ isolated }) => {
  run.disabled = false;
  status.textContent = isolated ? 'Ready.' : 'Ready (this page is not cross-origin isolated: shared memory will be unavailable).';
});

run.addEventListener('click', async () => {
  controller = new AbortController();
  run.disabled = true;
  cancel.disabled = false;
  progress.hidden = false;
  status.textContent = 'Measuring…';
  try {
    const results = await lab.run(
      { experiments: ['cpu-heavy'], preset: 'quick', backends: ['event-loop', 'workers'] },
      { signal: controller.signal, onProgress: (p) => { progress.value = p.overall; status.textContent = p.label; } },
    );
    const experiment = results.experiments[0];
    const serial = medianOf(experiment, 'serial', 1);
    const workers = medianOf(experiment, 'workers', 2);
    const eventLoop = medianOf(experiment, 'event-loop', 2);
    answer.textContent =
      serial && workers && eventLoop
        ? `On this machine, two workers ran the loop ${(serial / workers).toFixed(2)}× as fast as one thread; ` +
          `two async tasks on the event loop, ${(serial / eventLoop).toFixed(2)}×: threads under a GIL, in the browser.`
        : 'This browser could not run both backends: see the lab below for why.';
    status.textContent = 'Done.';
  } catch (error) {
    status.textContent = error.cancelled ? 'Cancelled.' : `The lab said: ${error.message}`;
  } finally {
    run.disabled = false;
    cancel.disabled = true;
    progress.hidden = true;
  }
});
cancel.addEventListener('click', () => controller?.abort());
