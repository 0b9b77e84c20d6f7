#!/usr/bin/python3
"""Lists the ops in ONNX Runtime's optimized graph of every test model (what ONNX Runtime actually ran).

    ORT_OPTIMIZED_DIR=/tmp/ortopt NODE_PATH=... node run_ort.js && /usr/bin/python3 ort_kernels.py /tmp/ortopt

writes ort_kernels.json: model name -> op types (domain-qualified for com.microsoft), Q/DQ and layout-only ops
(Transpose, Reorder*) left out. Committed so the tests can check which ops ONNX Runtime ran in float.
"""
import json, os, sys
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
opt_dir = sys.argv[1]
manifest = json.load(open(os.path.join(HERE, 'manifest.json')))
out = {}
for e in manifest:
    g = onnx.load(os.path.join(opt_dir, e['model'])).graph
    out[e['name']] = [(n.domain + ':' if n.domain else '') + n.op_type for n in g.node
                      if n.op_type not in ('QuantizeLinear', 'DequantizeLinear', 'Transpose', 'ReorderInput', 'ReorderOutput')]
with open(os.path.join(HERE, 'ort_kernels.json'), 'w') as f:
    json.dump(out, f, indent=1)
print(f'{len(out)} models')
