// Times one ONNX model with ONNX Runtime (onnxruntime-node, CPU execution provider) on one thread:
// intraOpNumThreads = interOpNumThreads = 1, sequential execution, default (full) graph optimizations.
// The input tensors are built once before timing; each timed iteration is one session.run() on them.
//
//   node bench-ort.mjs MODEL.onnx [--input FILE[:INDEX]]... [--iterations N] [--warmup N] [--config KEY=VALUE]... [--json]
//
// --input: one per graph input, in the graph's input order: a .npy file (with :INDEX, the INDEX-th slice along the
// first axis, given a leading 1 — e.g. one image of a [N,1,28,28] array) or an ONNX TensorProto .pb file.
// Without --input, a folder test_data_set_0 next to MODEL supplies input_0.pb, input_1.pb, ….
// --config: a session config entry, e.g. session.x64quantprecision=1.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { readNpy } from './npy.mjs';
import { readTensorProto } from './onnx-pb.mjs';

function usage(msg) {
  console.error(`${msg}\nusage: node bench-ort.mjs MODEL.onnx [--input FILE[:INDEX]]... [--iterations N] [--warmup N] [--config session.KEY=VALUE]... [--json]`);
  process.exit(1);
}

const args = process.argv.slice(2);
let model = null, iterations = 300, warmup = 30, json = false;
const inputs = [];
const config = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--input') inputs.push(args[++i]);
  else if (a === '--iterations') iterations = Number(args[++i]);
  else if (a === '--warmup') warmup = Number(args[++i]);
  else if (a === '--json') json = true;
  else if (a === '--config') { const [k, ...v] = (args[++i] ?? '').split('='); if (!k.startsWith('session.') || !v.length) usage('--config needs session.KEY=VALUE'); config[k] = v.join('='); }
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else if (!model) model = a;
  else usage(`unexpected argument ${a}`);
}
if (!model) usage('no model given');
if (!(iterations >= 1) || !(warmup >= 0)) usage('--iterations must be ≥ 1 and --warmup ≥ 0');

function loadInput(spec) {
  const m = /^(.*\.npy):(\d+)$/.exec(spec);
  if (m) {
    const arr = readNpy(m[1]);
    const index = Number(m[2]);
    const rest = arr.shape.slice(1);
    const per = rest.reduce((a, b) => a * b, 1);
    if (index >= arr.shape[0]) throw new Error(`${spec}: index out of range`);
    return new ort.Tensor(arr.ortType, arr.data.slice(index * per, (index + 1) * per), [1, ...rest]);
  }
  if (spec.endsWith('.npy')) {
    const arr = readNpy(spec);
    return new ort.Tensor(arr.ortType, arr.data, arr.shape);
  }
  const t = readTensorProto(spec);
  return new ort.Tensor(t.type, t.data, t.dims);
}

let specs = inputs;
if (specs.length === 0) {
  const dir = join(dirname(model), 'test_data_set_0');
  if (!existsSync(dir)) usage(`no --input and no ${dir}`);
  specs = readdirSync(dir).filter(f => /^input_\d+\.pb$/.test(f))
    .sort((a, b) => Number(a.match(/\d+/)[0]) - Number(b.match(/\d+/)[0])).map(f => join(dir, f));
}

const session = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  ...(Object.keys(config).length ? { extra: { session: Object.fromEntries(Object.entries(config).map(([k, v]) => [k.slice(8), v])) } } : {}),
});
if (specs.length !== session.inputNames.length)
  usage(`${model} has ${session.inputNames.length} input(s) (${session.inputNames.join(', ')}); got ${specs.length}`);
const feeds = {};
session.inputNames.forEach((name, i) => { feeds[name] = loadInput(specs[i]); });

for (let i = 0; i < warmup; i++) await session.run(feeds);
const times = new Float64Array(iterations);
for (let i = 0; i < iterations; i++) {
  const t0 = performance.now();
  await session.run(feeds);
  times[i] = performance.now() - t0;
}
const sorted = Array.from(times).sort((a, b) => a - b);
const pct = p => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))];
const result = {
  model,
  runtime: `onnxruntime-node ${ort.env.versions?.node ?? '?'}`,
  threads: 1,
  config,
  iterations,
  warmup,
  p50Ms: pct(50),
  p90Ms: pct(90),
  p99Ms: pct(99),
  meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  minMs: sorted[0],
  maxMs: sorted[sorted.length - 1],
};
await session.release?.();
if (json) console.log(JSON.stringify(result, null, 2));
else console.log(`${model}: ORT p50 ${result.p50Ms.toFixed(4)} ms, p90 ${result.p90Ms.toFixed(4)} ms, p99 ${result.p99Ms.toFixed(4)} ms (${iterations} runs after ${warmup} warm-up, 1 thread)`);
