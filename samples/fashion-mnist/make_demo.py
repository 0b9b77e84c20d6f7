#!/usr/bin/python3
"""Makes Edge's Fashion-MNIST demo data: trains a small CNN, exports it as float ONNX, quantizes it with PyTorch's
own post-training static quantization (torch.ao.quantization, qnnpack engine), exports that as a QDQ ONNX file,
and picks 200 test images (20 per class) with their labels.

Run from anywhere with Debian's Python (python3-torch, python3-onnx, python3-numpy) and Debian's
dataset-fashion-mnist package installed:

    /usr/bin/python3 samples/fashion-mnist/make_demo.py [--data-dir DIR] [--out-dir DIR] [--epochs N]

Then produce ONNX Runtime's reference outputs (see README.md):

    cd bench/ort && ONNXRUNTIME_NODE_INSTALL=skip npm install && node ort-reference.mjs

Everything is seeded and single-threaded, so a re-run on the same software gives the same files.
"""
import argparse
import gzip
import hashlib
import json
import os
import random
import re
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20261206
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
PER_CLASS = 20            # test images per class in the committed set
CALIBRATION_IMAGES = 1000  # training images that calibrate the quantization observers
OPSET = 13


# ---- data -------------------------------------------------------------------------------------------------------

def read_idx(path):
    """An IDX file (gzip'd) as a numpy array: magic 0x00 0x00 dtype ndim, big-endian dims, then the data."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes of data for dims {dims}")
    return data.reshape(dims)


def load(data_dir, split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"))
    assert images.shape[1:] == (28, 28) and images.shape[0] == labels.shape[0]
    return images, labels


def to_float(u8):
    """The model's input: pixel / 255 in float32 (numpy's correctly rounded float32 division), shape [N, 1, 28, 28]."""
    return (u8.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)


# ---- model ------------------------------------------------------------------------------------------------------

class Net(nn.Module):
    """Conv(1→16, 3x3)+ReLU+MaxPool2 → 13x13, Conv(16→32, 3x3)+ReLU+MaxPool2 → 5x5, Conv(32→32, 3x3)+ReLU → 3x3,
    Flatten (288), Linear(288→32)+ReLU, Linear(32→10): 23,626 parameters, about 0.86 M multiply-accumulates.
    QuantStub/DeQuantStub are identities in the float model and mark where the quantized model starts and ends."""

    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv1 = nn.Conv2d(1, 16, 3)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 32, 3)
        self.relu3 = nn.ReLU()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(32 * 3 * 3, 32)
        self.relu4 = nn.ReLU()
        self.fc2 = nn.Linear(32, 10)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.relu3(self.conv3(x))
        x = self.flatten(x)
        x = self.relu4(self.fc1(x))
        x = self.fc2(x)
        return self.dequant(x)


def accuracy(model, x, y, batch=1000):
    model.eval()
    correct = 0
    preds = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            p = model(torch.from_numpy(x[i:i + batch])).argmax(1).numpy()
            preds.append(p)
            correct += int((p == y[i:i + batch]).sum())
    return correct / len(x), np.concatenate(preds)


def train(model, x, y, epochs, log):
    g = torch.Generator().manual_seed(SEED)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    batch = 64
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xt), generator=g)
        total, t0 = 0.0, time.time()
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        sched.step()
        log(f"epoch {epoch + 1}/{epochs}: loss {total / len(xt):.4f} ({time.time() - t0:.0f} s)")


# ---- export -----------------------------------------------------------------------------------------------------

def export(model, path, input_names=("input",), output_names=("logits",)):
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(model, dummy, path, opset_version=OPSET, input_names=list(input_names),
                      output_names=list(output_names), do_constant_folding=True)


def normalize_onnx(path, doc):
    """Gives the exported file stable contents: no producer version churn beyond torch's own, a doc string."""
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    m.doc_string = doc
    onnx.save(m, path)
    return m


def tidy_qdq(path, raw_copy=None):
    """torch 1.13's exporter writes the quantized network as QuantizeLinear → DequantizeLinear around float ops, but
    with three artifacts that a QDQ consumer should not have to evaluate: a Cast to uint8 after every QuantizeLinear
    whose output already is uint8 (an identity), each bias zero point computed at run time as
    Cast(ConstantOfShape([1], 0)) to int32, and every weight, scale and zero point as a Constant node. This folds
    them — the identity Casts are dropped, ConstantOfShape/Cast of constants are evaluated, Constant nodes become
    initializers — which leaves the graph's values unchanged (ort-reference.mjs checks ORT's outputs on both files
    are identical when the raw export is kept with --keep-raw)."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    m = onnx.load(path)
    if raw_copy:
        onnx.save(m, raw_copy)
    g = m.graph
    consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    elem = {TensorProto.UINT8: np.uint8, TensorProto.INT8: np.int8, TensorProto.INT32: np.int32,
            TensorProto.INT64: np.int64, TensorProto.FLOAT: np.float32}
    dtype_of = {}   # element type of each non-constant value, where known
    for i in g.input:
        dtype_of[i.name] = i.type.tensor_type.elem_type
    rename = {}
    kept = []
    for n in g.node:
        n.input[:] = [rename.get(x, x) for x in n.input]
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(attrs["value"])
            continue
        if n.op_type == "ConstantOfShape" and n.input[0] in consts:
            v = numpy_helper.to_array(attrs["value"]) if "value" in attrs else np.zeros(1, np.float32)
            consts[n.output[0]] = np.full(tuple(consts[n.input[0]]), v.ravel()[0], dtype=v.dtype)
            continue
        if n.op_type == "Cast" and n.input[0] in consts:
            consts[n.output[0]] = consts[n.input[0]].astype(elem[attrs["to"]])
            continue
        if n.op_type == "Cast" and dtype_of.get(n.input[0]) == attrs["to"]:
            rename[n.output[0]] = n.input[0]   # a cast to the type the value already has
            continue
        if n.op_type == "QuantizeLinear":
            zp = consts[n.input[2]]
            dtype_of[n.output[0]] = {np.dtype(np.uint8): TensorProto.UINT8, np.dtype(np.int8): TensorProto.INT8}[zp.dtype]
        elif n.op_type == "DequantizeLinear":
            dtype_of[n.output[0]] = TensorProto.FLOAT
        kept.append(n)
    outputs = {o.name for o in g.output}
    if any(r in outputs for r in rename):
        raise ValueError("a graph output is a dropped Cast")
    used = {x for n in kept for x in n.input}
    del g.node[:]
    g.node.extend(kept)
    del g.initializer[:]
    g.initializer.extend(numpy_helper.from_array(np.asarray(v), name) for name, v in consts.items() if name in used)
    del g.value_info[:]
    m = onnx.shape_inference.infer_shapes(m)
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path)


def describe_qdq(m):
    """Scale and zero point of every QuantizeLinear/DequantizeLinear in the QDQ graph, for debugging importers."""
    from onnx import numpy_helper
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    consts = {}
    for n in m.graph.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    values = {**inits, **consts}
    rows = []
    for n in m.graph.node:
        if n.op_type not in ("QuantizeLinear", "DequantizeLinear"):
            continue
        scale = values.get(n.input[1])
        zp = values.get(n.input[2]) if len(n.input) > 2 else None
        axis = next((a.i for a in n.attribute if a.name == "axis"), None)
        rows.append({
            "node": n.name, "op": n.op_type, "input": n.input[0], "output": n.output[0],
            "scale": None if scale is None else [float(v) for v in np.ravel(scale)],
            "zero_point": None if zp is None else [int(v) for v in np.ravel(zp)],
            "zero_point_dtype": None if zp is None else str(zp.dtype),
            "axis": axis,
        })
    return rows


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=DEFAULT_DATA, help="folder with the four Fashion-MNIST IDX .gz files")
    ap.add_argument("--out-dir", default=HERE, help="where the files go (default: this script's folder)")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--keep-raw", metavar="PATH", help="also save torch's QDQ export before tidy_qdq, to check it with ORT")
    args = ap.parse_args()

    def log(msg):
        print(msg, flush=True)

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    train_u8, train_y = load(args.data_dir, "train")
    test_u8, test_y = load(args.data_dir, "test")
    train_x, test_x = to_float(train_u8), to_float(test_u8)
    log(f"Fashion-MNIST: {len(train_x)} training, {len(test_x)} test images")

    # The 200 committed test images: 20 per class from the 10,000-image test set, chosen by a seeded generator.
    rng = np.random.default_rng(SEED)
    picked = np.concatenate([np.sort(rng.choice(np.flatnonzero(test_y == c), PER_CLASS, replace=False))
                             for c in range(10)])
    picked = np.sort(picked)

    # ---- float model ----
    model = Net()
    t0 = time.time()
    train(model, train_x, train_y, args.epochs, log)
    train_seconds = time.time() - t0
    model.eval()
    float_full, _ = accuracy(model, test_x, test_y)
    float_200, float_pred = accuracy(model, test_x[picked], test_y[picked])
    log(f"float: test accuracy {float_full:.4f} (10,000 images), {float_200:.4f} on the 200 committed images")

    out = args.out_dir
    os.makedirs(out, exist_ok=True)
    float_path = os.path.join(out, "fashion_mnist_float.onnx")
    export(model, float_path)
    normalize_onnx(float_path, "Edge Fashion-MNIST demo CNN, float32 (made by samples/fashion-mnist/make_demo.py)")

    # ---- PyTorch post-training static quantization, qnnpack engine ----
    torch.backends.quantized.engine = "qnnpack"
    qmodel = Net()
    qmodel.load_state_dict(model.state_dict())
    qmodel.eval()
    qmodel.qconfig = torch.ao.quantization.get_default_qconfig("qnnpack")
    qconfig_text = str(qmodel.qconfig)
    # Conv+ReLU fuse into quantized::conv2d_relu. Linear+ReLU is left unfused: torch 1.13's ONNX exporter has no
    # symbolic for quantized::linear_relu; the quantized ReLU keeps its input's scale and zero point and exports as
    # DequantizeLinear → Relu → QuantizeLinear with those same parameters.
    torch.ao.quantization.fuse_modules(qmodel, [["conv1", "relu1"], ["conv2", "relu2"], ["conv3", "relu3"]], inplace=True)
    torch.ao.quantization.prepare(qmodel, inplace=True)
    calib = np.sort(np.random.default_rng(SEED + 1).choice(len(train_x), CALIBRATION_IMAGES, replace=False))
    with torch.no_grad():
        for i in range(0, CALIBRATION_IMAGES, 100):
            qmodel(torch.from_numpy(train_x[calib[i:i + 100]]))
    torch.ao.quantization.convert(qmodel, inplace=True)
    int8_full, _ = accuracy(qmodel, test_x, test_y)
    int8_200, int8_pred = accuracy(qmodel, test_x[picked], test_y[picked])
    log(f"torch int8 (qnnpack): test accuracy {int8_full:.4f} (10,000 images), {int8_200:.4f} on the 200 images")
    with torch.no_grad():
        torch_int8_logits = qmodel(torch.from_numpy(test_x[picked])).numpy()
        torch_float_logits = model(torch.from_numpy(test_x[picked])).numpy()

    qdq_path = os.path.join(out, "fashion_mnist_qdq.onnx")
    export(qmodel, qdq_path)
    tidy_qdq(qdq_path, args.keep_raw)
    qm = normalize_onnx(qdq_path, "Edge Fashion-MNIST demo CNN quantized by torch.ao.quantization (qnnpack), "
                                  "exported as QDQ (made by samples/fashion-mnist/make_demo.py)")
    ops = {}
    for n in qm.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    log(f"QDQ graph: {len(qm.graph.node)} nodes {ops}")

    # ---- test images and what torch gave on them ----
    np.save(os.path.join(out, "test_images_u8.npy"), test_u8[picked].reshape(-1, 1, 28, 28))
    np.save(os.path.join(out, "test_images_f32.npy"), test_x[picked])
    np.save(os.path.join(out, "test_labels.npy"), test_y[picked].astype(np.uint8))
    np.save(os.path.join(out, "torch_float_logits.npy"), torch_float_logits.astype(np.float32))
    np.save(os.path.join(out, "torch_int8_logits.npy"), torch_int8_logits.astype(np.float32))

    info = {
        "made_by": "samples/fashion-mnist/make_demo.py",
        "torch": torch.__version__,
        "onnx_opset": OPSET,
        "seed": SEED,
        "epochs": args.epochs,
        "train_seconds": round(train_seconds, 1),
        "calibration_images": CALIBRATION_IMAGES,
        "quantized_engine": "qnnpack",
        "qconfig": qconfig_text,
        "test_set_indices": [int(i) for i in picked],
        "accuracy": {
            "torch_float_test10000": float_full, "torch_float_200": float_200,
            "torch_int8_test10000": int8_full, "torch_int8_200": int8_200,
        },
        "files": {name: {"bytes": os.path.getsize(os.path.join(out, name)), "sha256": sha256(os.path.join(out, name))}
                  for name in ("fashion_mnist_float.onnx", "fashion_mnist_qdq.onnx")},
        "qdq_ops": ops,
        "qdq_quantization": describe_qdq(qm),
    }
    text = json.dumps(info, indent=1)
    # Lists of plain numbers on one line each (the 200 indices, scales, zero points).
    text = re.sub(r"\[\s*(-?[0-9.e+-]+(?:,\s*-?[0-9.e+-]+)*)\s*\]",
                  lambda mt: "[" + ", ".join(v.strip() for v in mt.group(1).split(",")) + "]", text)
    with open(os.path.join(out, "make_demo.json"), "w") as f:
        f.write(text + "\n")
    log(json.dumps(info["accuracy"]))
    log(json.dumps(info["files"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
