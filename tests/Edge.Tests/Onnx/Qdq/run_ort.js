// Runs every model of manifest.json with ONNX Runtime (onnxruntime-node, CPU, default graph optimizations =
// 'all', which fuse the QDQ groups into integer kernels) and writes NAME.output_K.bin and expected.json.
// Usage (onnxruntime-node installed outside the repository):
//   NODE_PATH=/path/to/node_modules node run_ort.js
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

(async () => {
  const here = __dirname;
  const manifest = JSON.parse(fs.readFileSync(path.join(here, 'manifest.json'), 'utf8'));
  const expected = { onnxruntime: require('onnxruntime-node/package.json').version, cpu: process.arch, models: [] };
  for (const m of manifest) {
    const options = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1 };
    // ORT_OPTIMIZED_DIR: also save ONNX Runtime's optimized graph (ort_kernels.py lists the kernels it chose).
    if (process.env.ORT_OPTIMIZED_DIR) options.optimizedModelFilePath = path.join(process.env.ORT_OPTIMIZED_DIR, m.model);
    const session = await ort.InferenceSession.create(path.join(here, m.model), options);
    const feeds = {};
    for (const i of m.inputs) {
      const buf = fs.readFileSync(path.join(here, i.file));
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      const data = i.dtype === 'uint8' ? new Uint8Array(ab) : i.dtype === 'int8' ? new Int8Array(ab) : new Float32Array(ab);
      feeds[i.name] = new ort.Tensor(i.dtype, data, i.shape);
    }
    const result = await session.run(feeds);
    const outs = [];
    m.outputs.forEach((name, k) => {
      const t = result[name];
      const file = `${m.name}.output_${k}.bin`;
      fs.writeFileSync(path.join(here, file), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      outs.push({ name, dtype: t.type, shape: t.dims, file });
    });
    expected.models.push({ name: m.name, outputs: outs });
    console.log(`${m.name}: ${outs.map(o => `${o.name} ${o.dtype} [${o.shape}]`).join(', ')}`);
  }
  fs.writeFileSync(path.join(here, 'expected.json'), JSON.stringify(expected, null, 1) + '\n');
})().catch(e => { console.error(e); process.exit(1); });
