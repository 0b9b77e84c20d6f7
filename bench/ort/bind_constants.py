#!/usr/bin/env python3
"""Makes an ONNX node test's model benchmarkable by both runtimes: every graph input but the first becomes an
initializer holding its value from test_data_set_0/input_<k>.pb (scales, zero points, weights: Edge precomputes
quantization parameters on the host, so it needs them constant). Writes OUT_DIR/model.onnx and
OUT_DIR/test_data_set_0/input_0.pb (the data input). Needs Debian's python3-onnx (run with /usr/bin/python3).

    bind_constants.py NODE_TEST_DIR OUT_DIR
"""
import os
import shutil
import sys

import onnx


def main():
    src, out = sys.argv[1], sys.argv[2]
    m = onnx.load(os.path.join(src, "model.onnx"))
    inits = {t.name for t in m.graph.initializer}
    inputs = [i for i in m.graph.input if i.name not in inits]
    data = os.path.join(src, "test_data_set_0")
    for k, inp in enumerate(inputs[1:], start=1):
        t = onnx.TensorProto()
        with open(os.path.join(data, f"input_{k}.pb"), "rb") as f:
            t.ParseFromString(f.read())
        t.name = inp.name
        m.graph.initializer.append(t)
    del m.graph.input[:]
    m.graph.input.append(inputs[0])
    os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
    onnx.save(m, os.path.join(out, "model.onnx"))
    shutil.copyfile(os.path.join(data, "input_0.pb"), os.path.join(out, "test_data_set_0", "input_0.pb"))


if __name__ == "__main__":
    main()
