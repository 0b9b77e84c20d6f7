// ONNX Runtime's reference outputs for the Fashion-MNIST demo (samples/fashion-mnist): runs the float model and the
// PyTorch-quantized QDQ model on the 200 committed test images, one image per run (batch 1, as Edge runs them),
// single-threaded, with ORT's default full graph optimizations (which fuse the QDQ groups into integer
// QLinearConv/QGemm kernels), and writes ORT's outputs next to the models as the expected data.
//
// The QDQ model runs with the session config entry session.x64quantprecision = "1". On x86 CPUs without VNNI
// (AVX2, AVX-512 without VNNI) ORT's u8×s8 kernels add pairs of products in int16 with saturation (vpmaddubsw);
// with full-range int8 weights, as PyTorch's qnnpack qconfig makes them, that saturates on some images, so ORT's
// default output would depend on the CPU. The entry makes ORT convert the weights to u8 and use its u8×u8 kernels,
// which do not saturate: the output is then the exact integer result that ORT gives on VNNI and ARM CPUs too
// (samples/fashion-mnist/check_int8.py recomputes it independently). The default configuration's output on this
// CPU is compared and the difference recorded in ort_reference.json.
//
//   ort_qdq_logits.npy     float32 [200, 10]  the QDQ model's output tensor, exactly the bytes ORT returned
//   ort_qdq_output_u8.npy  uint8   [200, 10]  the same values in the output's quantized domain (the uint8 q with
//                                              (q − zp)·scale == ORT's float output bit for bit, checked here)
//   ort_float_logits.npy   float32 [200, 10]  the float model's output
//   ort_reference.json                         ORT version, options, CPU, accuracies, per-image predictions
//
//   cd bench/ort && ONNXRUNTIME_NODE_INSTALL=skip npm install && node ort-reference.mjs [--check-only]
//
// --check-only recomputes everything and compares with the committed files instead of writing them (exit 1 on a
// difference).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import { readNpy, writeNpy } from './npy.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const sample = join(repo, 'samples', 'fashion-mnist');
const checkOnly = process.argv.includes('--check-only');
const rel = p => relative(repo, p);

const PRECISE = { session: { x64quantprecision: '1' } };
const sessionOptions = (level, extra) => ({
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: level,
  ...(extra ? { extra } : {}),
});

async function runAll(modelPath, images, level = 'all', extra = undefined) {
  const session = await ort.InferenceSession.create(modelPath, sessionOptions(level, extra));
  const [n, c, h, w] = images.shape;
  const per = c * h * w;
  let out = null, outShape = null;
  for (let i = 0; i < n; i++) {
    const x = new ort.Tensor('float32', images.data.slice(i * per, (i + 1) * per), [1, c, h, w]);
    const r = await session.run({ [session.inputNames[0]]: x });
    const y = r[session.outputNames[0]];
    if (!out) { out = new Float32Array(n * y.data.length); outShape = [n, ...y.dims.slice(1)]; }
    out.set(y.data, i * y.data.length);
  }
  await session.release?.();
  return { data: out, shape: outShape };
}

function argmax(data, rows, cols) {
  const p = new Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < cols; j++) if (data[i * cols + j] > data[i * cols + best]) best = j;
    p[i] = best;
  }
  return p;
}

const sameBytes = (a, b) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength),
  Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

function cpuInfo() {
  let flags = '';
  try { flags = readFileSync('/proc/cpuinfo', 'utf8'); } catch { /* not Linux */ }
  const has = f => new RegExp(`\\b${f}\\b`).test(flags);
  return { model: cpus()[0]?.model ?? 'unknown', avx2: has('avx2'), avx512_vnni: has('avx512_vnni'), avx_vnni: has('avx_vnni') };
}

const images = readNpy(join(sample, 'test_images_f32.npy'));
const labels = Array.from(readNpy(join(sample, 'test_labels.npy')).data);
const made = JSON.parse(readFileSync(join(sample, 'make_demo.json'), 'utf8'));
const floatPath = join(sample, 'fashion_mnist_float.onnx');
const qdqPath = join(sample, 'fashion_mnist_qdq.onnx');
const n = images.shape[0];

const fl = await runAll(floatPath, images);
const q = await runAll(qdqPath, images, 'all', PRECISE);
const qDefault = await runAll(qdqPath, images, 'all');
const qNoOpt = await runAll(qdqPath, images, 'disabled');
const classes = q.shape[1];

// The output's quantized domain: the last DequantizeLinear (→ the graph output) has one scale and zero point.
const last = made.qdq_quantization.find(r => r.op === 'DequantizeLinear' && r.output === 'logits');
const scale = Math.fround(last.scale[0]), zp = last.zero_point[0];
const qU8 = new Uint8Array(q.data.length);
for (let i = 0; i < q.data.length; i++) {
  const v = Math.round(q.data[i] / scale) + zp;
  if (v < 0 || v > 255 || Math.fround((v - zp) * scale) !== q.data[i])
    throw new Error(`output ${i}: ${q.data[i]} is not (q − ${zp})·${scale} for any uint8 q`);
  qU8[i] = v;
}

const predFloat = argmax(fl.data, n, classes), predQ = argmax(q.data, n, classes), predQNoOpt = argmax(qNoOpt.data, n, classes);
const acc = p => p.filter((v, i) => v === labels[i]).length / n;
let diffNoOpt = 0, diffDefault = 0;
const defaultImages = new Set();
for (let i = 0; i < q.data.length; i++) {
  if (q.data[i] !== qNoOpt.data[i]) diffNoOpt++;
  if (q.data[i] !== qDefault.data[i]) { diffDefault++; defaultImages.add(Math.floor(i / classes)); }
}

// torch's own int8 outputs (qnnpack) on the same images, for comparison: differences in output steps.
const torchQ = readNpy(join(sample, 'torch_int8_logits.npy'));
let torchDiff = 0, torchMaxSteps = 0;
for (let i = 0; i < q.data.length; i++) {
  const steps = Math.round(Math.abs(torchQ.data[i] - q.data[i]) / scale);
  if (steps) torchDiff++;
  torchMaxSteps = Math.max(torchMaxSteps, steps);
}
const predTorch = argmax(torchQ.data, n, classes);

// The raw torch export (before make_demo.py's tidy_qdq) must give the same bytes, if it was kept.
const rawPath = join(repo, 'out', 'fashion-mnist', 'fashion_mnist_qdq_torch_raw.onnx');
let rawCheck = 'not run (make_demo.py --keep-raw out/fashion-mnist/fashion_mnist_qdq_torch_raw.onnx keeps it)';
if (existsSync(rawPath)) {
  const raw = await runAll(rawPath, images, 'all', PRECISE);
  rawCheck = sameBytes(raw.data, q.data) ? 'identical outputs' : 'DIFFERENT outputs';
  if (!sameBytes(raw.data, q.data)) console.error(`warning: ${rel(rawPath)} gives different outputs than the tidied file`);
}

const report = {
  made_by: 'bench/ort/ort-reference.mjs',
  onnxruntime_node: ort.env.versions?.node ?? 'unknown',
  onnxruntime_common: ort.env.versions?.common ?? 'unknown',
  node: process.version,
  cpu: cpuInfo(),
  session_options: sessionOptions('all'),
  qdq_session_config: { 'session.x64quantprecision': '1' },
  batch: 1,
  input: 'test_images_f32.npy, one [1, 1, 28, 28] image per run',
  models: {
    'fashion_mnist_float.onnx': { sha256: made.files['fashion_mnist_float.onnx'].sha256, output: 'ort_float_logits.npy' },
    'fashion_mnist_qdq.onnx': {
      sha256: made.files['fashion_mnist_qdq.onnx'].sha256, output: 'ort_qdq_logits.npy', output_u8: 'ort_qdq_output_u8.npy',
      output_scale: scale, output_zero_point: zp,
    },
  },
  accuracy_200: { ort_float: acc(predFloat), ort_qdq: acc(predQ), torch_int8: acc(predTorch), ort_qdq_no_graph_optimizations: acc(predQNoOpt) },
  qdq_vs_torch_int8: { differing_outputs: torchDiff, max_diff_output_steps: torchMaxSteps, prediction_agreement: predQ.filter((v, i) => v === predTorch[i]).length },
  qdq_default_config_on_this_cpu: {
    differing_outputs: diffDefault, images: [...defaultImages].sort((a, b) => a - b),
    note: 'the same session without session.x64quantprecision: on x86 without VNNI, int16 saturation of u8×s8 pair sums',
  },
  qdq_optimized_vs_unoptimized: { differing_outputs: diffNoOpt, note: 'graphOptimizationLevel all (fused integer kernels) vs disabled (DequantizeLinear → float op → QuantizeLinear)' },
  raw_torch_export_check: rawCheck,
  labels,
  predictions_float: predFloat,
  predictions_qdq: predQ,
};

const outputs = [
  ['ort_qdq_logits.npy', q.data, q.shape],
  ['ort_qdq_output_u8.npy', qU8, q.shape],
  ['ort_float_logits.npy', fl.data, fl.shape],
];
if (checkOnly) {
  let ok = true;
  for (const [name, data] of outputs) {
    const committed = readNpy(join(sample, name));
    const same = sameBytes(committed.data, data);
    console.log(`${name}: ${same ? 'same bytes as committed' : 'DIFFERENT from committed'}`);
    ok &&= same;
  }
  process.exit(ok ? 0 : 1);
}
for (const [name, data, shape] of outputs) writeNpy(join(sample, name), data, shape);
// Lists of plain numbers on one line each (labels, predictions).
const text = JSON.stringify(report, null, 1).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g,
  (_, body) => '[' + body.split(',').map(v => v.trim()).join(', ') + ']');
writeFileSync(join(sample, 'ort_reference.json'), text + '\n');
console.log(`onnxruntime-node ${report.onnxruntime_node} on ${report.cpu.model} (avx2 ${report.cpu.avx2}, avx512_vnni ${report.cpu.avx512_vnni}, avx_vnni ${report.cpu.avx_vnni})`);
console.log(`accuracy on ${n} images: ORT float ${acc(predFloat)}, ORT QDQ ${acc(predQ)}, torch int8 ${acc(predTorch)}`);
console.log(`QDQ vs torch int8: ${torchDiff} of ${q.data.length} outputs differ (max ${torchMaxSteps} steps); predictions agree on ${report.qdq_vs_torch_int8.prediction_agreement}`);
console.log(`QDQ optimized vs unoptimized: ${diffNoOpt} outputs differ; raw torch export: ${rawCheck}`);
console.log(`QDQ without session.x64quantprecision on this CPU: ${diffDefault} outputs differ (images ${[...defaultImages].join(', ') || 'none'})`);
console.log(`wrote ${outputs.map(o => o[0]).join(', ')}, ort_reference.json in ${rel(sample)}`);
