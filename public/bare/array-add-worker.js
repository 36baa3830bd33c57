// Worker of the bare array-add reference: keeps its half of the shared arrays and adds it on each 'go'.
let job;
function add(a, b, c, start, end, repeats) {
  for (let r = 0; r < repeats; r++) for (let i = start; i < end; i++) c[i] = a[i] + b[i];
}
onmessage = (event) => {
  if (event.data === 'go') {
    add(job.a, job.b, job.c, job.start, job.end, job.repeats);
    postMessage('done');
  } else {
    job = event.data;
    postMessage('ready');
  }
};
