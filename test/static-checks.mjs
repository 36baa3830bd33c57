// The checks `npm test` makes before Vitest: the type checks and the import rules, side by side (each is
// single-threaded, so on two cores they take about 20 s together instead of 35 one after another). Each
// chain's output is printed whole when it ends; the exit code is non-zero when any check failed.
import { spawn } from 'node:child_process';

/** npm scripts: the ones in a chain run one after another, the chains at once. */
const CHAINS = [['typecheck:app'], ['typecheck:workers', 'typecheck:node'], ['deps']];

/** Run one npm script, its output kept; resolves with its exit code. */
function runScript(name) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ name, code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ name, code: code ?? 1, output: signal ? `${output}stopped by ${signal}\n` : output }));
  });
}

async function runChain(chain) {
  const outcomes = [];
  for (const name of chain) {
    const outcome = await runScript(name);
    outcomes.push(outcome);
    process.stdout.write(`> ${name}: ${outcome.code === 0 ? 'passed' : `failed (exit ${outcome.code})`}\n${outcome.output}`);
    if (outcome.code !== 0) break;
  }
  return outcomes;
}

const outcomes = (await Promise.all(CHAINS.map(runChain))).flat();
const failed = outcomes.filter((o) => o.code !== 0).map((o) => o.name);
if (failed.length > 0) {
  process.stderr.write(`Static checks failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
