#!/usr/bin/python3
"""Recomputes the QDQ model's output on the 200 committed images in exact integer arithmetic, independently of ONNX
Runtime, and compares it with ORT's committed output (ort_qdq_output_u8.npy) byte for byte.

The arithmetic is the one ORT's fused integer kernels define for this graph (what its QDQ graph transformer turns
DequantizeLinear → Conv/Gemm → QuantizeLinear into; see README.md):
  * input: q = saturate(round_half_even(x / s_x) + zp_x), x / s_x in float32;
  * Conv/Gemm: acc = Σ (q_x − zp_x)·q_w + q_bias in exact integers. (ORT's u8×s8 kernels on x86 CPUs without
    VNNI add pairs of products in int16 with saturation; ort-reference.mjs sets session.x64quantprecision so that
    ORT uses its non-saturating u8×u8 kernels instead, and this script confirms the result is the exact one);
    requantization: m = float32(float32(s_x · s_w) / s_y), q_y = saturate(round_half_even(float32(acc) · m) + zp_y);
    a ReLU before a QuantizeLinear whose zero point is 0 is the saturation at 0;
  * MaxPool and Flatten on the uint8 values; DequantizeLinear → Relu → QuantizeLinear with equal scale and zero
    point is max(q, zp);
  * output: float32((q − zp) · s).
Also prints each layer's largest |pair sum| of adjacent u8×s8 products along the reduction axis (in the NHWC order
(kh, kw, c) and in the NCHW order (c, kh, kw)), which shows whether a kernel that adds two products in int16 could
saturate on these images.

    /usr/bin/python3 samples/fashion-mnist/check_int8.py [--dump-dir DIR [--image I]]
Exit 0 when every byte equals ORT's. --dump-dir writes every quantized intermediate tensor of image I (default 0) as
DIR/<NN>_<tensor name>.npy (uint8, NCHW), for debugging an importer layer by layer.
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
F = np.float32


def quantize(x, s, zp, dtype):
    info = np.iinfo(dtype)
    q = np.rint((x.astype(F) / F(s)).astype(F)).astype(np.int64) + int(zp)
    return np.clip(q, info.min, info.max)


def requant(acc, m, zp, dtype):
    info = np.iinfo(dtype)
    y = (acc.astype(np.int32).astype(F) * F(m)).astype(F)
    return np.clip(np.rint(y).astype(np.int64) + int(zp), info.min, info.max)


def im2col(x, kh, kw, order):
    """x [N, C, H, W] int64 → [N, OH, OW, K] for stride 1, no padding; K in (kh, kw, c) or (c, kh, kw) order."""
    n, c, h, w = x.shape
    oh, ow = h - kh + 1, w - kw + 1
    cols = np.empty((n, oh, ow, c, kh, kw), dtype=np.int64)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, :, i, j] = x[:, :, i:i + oh, j:j + ow].transpose(0, 2, 3, 1)
    if order == "hwc":
        cols = cols.transpose(0, 1, 2, 4, 5, 3)
    return cols.reshape(n, oh, ow, c * kh * kw)


def weights_cols(w, order):
    """w [M, C, kh, kw] → [K, M] in the same order as im2col."""
    if order == "hwc":
        w = w.transpose(0, 2, 3, 1)
    return w.reshape(w.shape[0], -1).T


def max_pair_sum(cols, wmat):
    """Largest |a_k·w_k + a_{k+1}·w_{k+1}| over even k (pairs as an int16 pairwise-add would take them)."""
    k = cols.shape[-1]
    if k % 2:
        cols = np.concatenate([cols, np.zeros(cols.shape[:-1] + (1,), np.int64)], axis=-1)
        wmat = np.concatenate([wmat, np.zeros((1, wmat.shape[1]), np.int64)], axis=0)
    a = cols.reshape(-1, cols.shape[-1])
    best = 0
    for start in range(0, a.shape[0], 4096):
        blk = a[start:start + 4096]
        prod = blk[:, :, None] * wmat[None, :, :]          # [rows, K, M]
        pairs = prod[:, 0::2, :] + prod[:, 1::2, :]
        best = max(best, int(np.abs(pairs).max()))
    return best


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump-dir")
    ap.add_argument("--image", type=int, default=0)
    args = ap.parse_args()
    m = onnx.load(os.path.join(HERE, "fashion_mnist_qdq.onnx"))
    g = m.graph
    init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    x = np.load(os.path.join(HERE, "test_images_f32.npy"))
    expected = np.load(os.path.join(HERE, "ort_qdq_output_u8.npy"))

    # Integer values: name of a QuantizeLinear output → (int64 array, scale, zero point).
    vals = {}
    notes = []
    out_name = g.output[0].name
    result = None
    for n in g.node:
        if n.op_type == "QuantizeLinear":
            s, zp = init[n.input[1]], init[n.input[2]]
            src = producer.get(n.input[0])
            if src is None:   # the graph input
                vals[n.output[0]] = (quantize(x, s, zp, zp.dtype.type), s, zp)
                continue
            if src.op_type == "Relu":
                inner = producer[src.input[0]]
                if inner.op_type == "DequantizeLinear":   # DQ → Relu → Q
                    q, s_in, zp_in = vals[inner.input[0]]
                    assert s_in == s and zp_in == zp
                    vals[n.output[0]] = (np.maximum(q, int(zp)), s, zp)
                    continue
                assert int(zp) == 0, "Conv/Gemm → Relu → Q with zero point ≠ 0 is not in this model"
                src = inner
            if src.op_type in ("Conv", "Gemm"):
                dqx, dqw, dqb = (producer[i] for i in src.input)
                qx, sx, zpx = vals[dqx.input[0]]
                w, sw = init[dqw.input[0]].astype(np.int64), init[dqw.input[1]]
                b = init[dqb.input[0]].astype(np.int64)
                assert init[dqw.input[2]].max() == 0 and np.allclose(init[dqb.input[1]], (F(sx) * F(sw)).astype(F))
                mult = (F(sx) * F(sw.ravel()[0])) / F(s)
                if src.op_type == "Conv":
                    kh, kw = w.shape[2], w.shape[3]
                    cols = im2col(qx - int(zpx), kh, kw, "chw")
                    acc = cols @ weights_cols(w, "chw") + b                          # [N, OH, OW, M]
                    pair = max(max_pair_sum(cols, weights_cols(w, "chw")),
                               max_pair_sum(im2col(qx - int(zpx), kh, kw, "hwc"), weights_cols(w, "hwc")))
                    y = requant(acc, mult, zp, zp.dtype.type).transpose(0, 3, 1, 2)
                else:
                    a = (qx - int(zpx)).reshape(qx.shape[0], -1)
                    acc = a @ w.T + b
                    pair = max_pair_sum(a, w.T)
                    y = requant(acc, mult, zp, zp.dtype.type)
                notes.append(f"{src.name or src.output[0]}: max |acc| {int(np.abs(acc).max())}, "
                             f"max |pair of u8×s8 products| {pair}{' > 32767: an int16 pair sum would saturate' if pair > 32767 else ''}")
                vals[n.output[0]] = (y, s, zp)
                continue
            if src.op_type in ("MaxPool", "Flatten"):
                dq = producer[src.input[0]]
                q, s_in, zp_in = vals[dq.input[0]]
                assert s_in == s and zp_in == zp
                if src.op_type == "Flatten":
                    y = q.reshape(q.shape[0], -1)
                else:
                    k = [a.ints for a in src.attribute if a.name == "kernel_shape"][0]
                    st = [a.ints for a in src.attribute if a.name == "strides"][0]
                    nb, c, h, w_ = q.shape
                    oh, ow = (h - k[0]) // st[0] + 1, (w_ - k[1]) // st[1] + 1
                    y = np.full((nb, c, oh, ow), np.iinfo(np.int64).min, np.int64)
                    for i in range(k[0]):
                        for j in range(k[1]):
                            y = np.maximum(y, q[:, :, i:i + st[0] * oh:st[0], j:j + st[1] * ow:st[1]])
                vals[n.output[0]] = (y, s, zp)
                continue
            raise NotImplementedError(f"QuantizeLinear after {src.op_type}")
        if n.op_type == "DequantizeLinear" and n.output[0] == out_name:
            result = vals[n.input[0]][0]
    for line in notes:
        print(line)
    if args.dump_dir:
        os.makedirs(args.dump_dir, exist_ok=True)
        for k, (name, (q, s, zp)) in enumerate(vals.items()):
            safe = name.strip("/").replace("/", "_")
            np.save(os.path.join(args.dump_dir, f"{k:02d}_{safe}.npy"), q[args.image].astype(np.uint8))
        print(f"wrote {len(vals)} tensors of image {args.image} to {args.dump_dir}")
    result = result.astype(np.uint8)
    diff = int((result != expected).sum())
    print(f"exact integer evaluation vs ORT (ort_qdq_output_u8.npy): {diff} of {expected.size} outputs differ")
    if diff:
        idx = np.argwhere(result != expected)[:10]
        for i, j in idx:
            print(f"  image {i} class {j}: integer {result[i, j]}, ORT {expected[i, j]}")
    return 0 if diff == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
