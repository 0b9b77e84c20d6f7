// Runs Edge's own QDQ quantizations of torch_cnn.onnx (torch_cnn.qdq.onnx: 8-bit weights; torch_cnn.qdq.rr.onnx:
// --reduce-range) and of torch_mixed.onnx (torch_mixed.qdq.onnx) with ONNX Runtime (onnxruntime-node, CPU, graph optimizations 'all', one thread) on every
// torch_cal/*.npy sample and writes the float32 outputs, concatenated in sample order, to the files listed below, plus
// ort.json (version, cpu). Usage (onnxruntime-node installed outside the repository):
//   NODE_PATH=/path/to/node_modules node run_ort.js
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function readNpyF32(file) {
  const b = fs.readFileSync(file);
  const headerLen = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + headerLen);
  if (!header.includes("'<f4'")) throw new Error(`${file}: not float32`);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
  const data = b.subarray(10 + headerLen);
  return { shape, data: new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

(async () => {
  const here = __dirname;
  const samples = fs.readdirSync(path.join(here, 'torch_cal')).filter(f => f.endsWith('.npy')).sort();
  // [model, output, optimization level, result file]; 'disabled' runs the QDQ graph node by node as ONNX defines
  // it (QuantizeLinear, DequantizeLinear, float ops): fake quantization, the converter's float-executor view.
  const runs = [
    ['torch_cnn.qdq.onnx', 'logits', 'all', 'torch_cnn.qdq.ort.bin'],
    ['torch_cnn.qdq.rr.onnx', 'logits', 'all', 'torch_cnn.qdq.rr.ort.bin'],
    ['torch_mixed.qdq.onnx', 'probs', 'all', 'torch_mixed.qdq.ort.bin'],
    ['torch_mixed.qdq.onnx', 'probs', 'disabled', 'torch_mixed.qdq.ort-noopt.bin'],
  ];
  for (const [model, output, level, file] of runs) {
    const session = await ort.InferenceSession.create(path.join(here, model),
      { executionProviders: ['cpu'], graphOptimizationLevel: level, intraOpNumThreads: 1 });
    const chunks = [];
    for (const s of samples) {
      const x = readNpyF32(path.join(here, 'torch_cal', s));
      const out = (await session.run({ input: new ort.Tensor('float32', x.data, x.shape) }))[output];
      chunks.push(Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
    }
    fs.writeFileSync(path.join(here, file), Buffer.concat(chunks));
    console.log(`${model} (${level}): ${samples.length} samples -> ${file}`);
  }
  fs.writeFileSync(path.join(here, 'ort.json'),
    JSON.stringify({ onnxruntime: require('onnxruntime-node/package.json').version, cpu: process.arch }, null, 1) + '\n');
})().catch(e => { console.error(e); process.exit(1); });
