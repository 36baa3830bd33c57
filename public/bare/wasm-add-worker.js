// Worker of the bare WebAssembly array-add reference: instantiates the kernels over the shared memory once,
// then adds its range of c = a + b on each 'go'.
let job;
let kernels;
onmessage = (event) => {
  if (event.data === 'go') {
    kernels.add(job.aPtr, job.bPtr, job.cPtr, job.start, job.end, job.repeats);
    postMessage('done');
  } else {
    job = event.data;
    kernels = new WebAssembly.Instance(job.module, { env: { memory: job.memory } }).exports;
    postMessage('ready');
  }
};
