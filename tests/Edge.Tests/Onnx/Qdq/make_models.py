#!/usr/bin/python3
"""Builds the small QDQ test models (onnxruntime quantize_static style) and their inputs.

Run with Debian's python3 (python3-onnx, python3-numpy):  /usr/bin/python3 make_models.py
Writes NAME.onnx, NAME.input_K.bin (raw little-endian) and manifest.json into this folder. The expected outputs
come from ONNX Runtime itself: run_ort.js (node, onnxruntime-node) writes NAME.output_K.bin and expected.json.

QDQ form: float input -> QuantizeLinear -> DequantizeLinear -> op -> QuantizeLinear -> DequantizeLinear -> float
output; weights are int8 initializers, symmetric, per tensor or per output channel (axis 0) through
DequantizeLinear; biases are int32 initializers with scale s_in * s_w (zero point 0).
"""
import json, os
import numpy as np
import onnx
from onnx import helper, TensorProto, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261206)
manifest = []

QT = {'u8': (TensorProto.UINT8, np.uint8, 0, 255), 's8': (TensorProto.INT8, np.int8, -128, 127)}


def qparams(lo, hi, kind):
    """Asymmetric per-tensor parameters covering [lo, hi] (always including 0), as quantize_static computes them."""
    _, _, qmin, qmax = QT[kind]
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = np.float32((hi - lo) / (qmax - qmin)) if hi > lo else np.float32(1.0)
    zp = int(np.clip(round(qmin - lo / float(scale)), qmin, qmax))
    return scale, zp


class G:
    def __init__(self, name, kind):
        self.name, self.kind, self.nodes, self.inits, self.inputs, self.outputs, self.feeds = name, kind, [], [], [], [], []
        self.n = 0

    def uid(self, p):
        self.n += 1
        return f'{p}{self.n}'

    def const(self, arr, p='c'):
        nm = self.uid(p)
        self.inits.append(numpy_helper.from_array(np.asarray(arr), nm))
        return nm

    def q(self, x, scale, zp, kind=None):
        kind = kind or self.kind
        t, npt, _, _ = QT[kind]
        s, z = self.const(np.float32(scale), 's'), self.const(np.array(zp, dtype=npt), 'z')
        y = self.uid('q')
        self.nodes.append(helper.make_node('QuantizeLinear', [x, s, z], [y], name=self.uid('Q_')))
        return y

    def dq(self, x, scale, zp, kind=None, axis=None):
        kind = kind or self.kind
        t, npt, _, _ = QT[kind]
        s = self.const(np.asarray(scale, dtype=np.float32), 's')
        z = self.const(np.asarray(zp, dtype=npt), 'z')
        y = self.uid('dq')
        attrs = {} if axis is None else {'axis': axis}
        self.nodes.append(helper.make_node('DequantizeLinear', [x, s, z], [y], name=self.uid('DQ_'), **attrs))
        return y

    def qdq(self, x, scale, zp, kind=None):
        return self.dq(self.q(x, scale, zp, kind), scale, zp, kind)

    def input(self, shape, lo=-1.0, hi=1.0):
        nm = f'input_{len(self.inputs)}'
        self.inputs.append(helper.make_tensor_value_info(nm, TensorProto.FLOAT, shape))
        self.feeds.append(rng.uniform(lo, hi, size=shape).astype(np.float32))
        return nm

    def input_q(self, shape, kind):
        """An already-quantized (uint8/int8) model input."""
        t, npt, qmin, qmax = QT[kind]
        nm = f'input_{len(self.inputs)}'
        self.inputs.append(helper.make_tensor_value_info(nm, t, shape))
        self.feeds.append(rng.integers(qmin, qmax + 1, size=shape).astype(npt))
        return nm

    def op(self, op_type, ins, **attrs):
        y = self.uid(op_type.lower())
        self.nodes.append(helper.make_node(op_type, ins, [y], name=self.uid(op_type + '_'), **attrs))
        return y

    def weight(self, w, per_channel):
        """int8 symmetric weights through DequantizeLinear; returns (dq name, scales)."""
        if per_channel:
            s = (np.abs(w).reshape(w.shape[0], -1).max(axis=1) / 127.0).astype(np.float32)
            s[s == 0] = 1.0
            q = np.clip(np.round(w / s.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
            return self.dq(self.const(q, 'w'), s, np.zeros(len(s), np.int8), 's8', axis=0), s
        s = np.float32(max(np.abs(w).max(), 1e-6) / 127.0)
        q = np.clip(np.round(w / s), -127, 127).astype(np.int8)
        return self.dq(self.const(q, 'w'), s, np.int8(0), 's8'), np.array([s], np.float32)

    def bias(self, b, s_in, s_w):
        s = (np.float32(s_in) * s_w).astype(np.float32)
        q = np.round(b / s).astype(np.int32)
        zp = np.zeros(len(s), np.int32) if len(s) > 1 else np.int32(0)
        t = self.const(q, 'b')
        sc = self.const(s if len(s) > 1 else np.float32(s[0]), 's')
        z = self.const(zp, 'z')
        y = self.uid('dqb')
        attrs = {'axis': 0} if len(s) > 1 else {}
        self.nodes.append(helper.make_node('DequantizeLinear', [t, sc, z], [y], name=self.uid('DQB_'), **attrs))
        return y

    def output(self, x):
        nm = f'output_{len(self.outputs)}'
        self.nodes.append(helper.make_node('Identity', [x], [nm], name=self.uid('Out_')))
        vi = onnx.ValueInfoProto()
        vi.name = nm
        vi.type.tensor_type.elem_type = TensorProto.FLOAT
        self.outputs.append(vi)

    def save(self, opset=13, ms=False):
        g = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.inits)
        imports = [helper.make_opsetid('', opset)] + ([helper.make_opsetid('com.microsoft', 1)] if ms else [])
        m = helper.make_model(g, opset_imports=imports, producer_name='edge-qdq-tests')
        m.ir_version = 7
        # (onnx 1.12's checker insists on output shapes; ONNX Runtime validates the model when it loads it)
        onnx.save(m, os.path.join(HERE, self.name + '.onnx'))
        ins = []
        for k, (vi, arr) in enumerate(zip(self.inputs, self.feeds)):
            f = f'{self.name}.input_{k}.bin'
            arr.tofile(os.path.join(HERE, f))
            ins.append({'name': vi.name, 'dtype': str(arr.dtype), 'shape': list(arr.shape), 'file': f})
        manifest.append({'name': self.name, 'model': self.name + '.onnx', 'inputs': ins,
                         'outputs': [o.name for o in self.outputs]})


def act(lo, hi, kind):
    return qparams(lo, hi, kind)


for kind in ('u8', 's8'):
    xs, xz = act(-1, 1, kind)
    # Conv + Relu, per-tensor and per-channel weights, 3x3 pad 1 and a strided 1x1.
    for pc in (False, True):
        g = G(f'conv_relu_{kind}_{"pc" if pc else "pt"}', kind)
        x = g.qdq(g.input([1, 3, 8, 8]), xs, xz)
        w = rng.normal(0, 0.4, size=(4, 3, 3, 3)).astype(np.float32)
        wd, ws = g.weight(w, pc)
        b = g.bias(rng.normal(0, 0.2, size=4).astype(np.float32), xs, ws)
        c = g.op('Conv', [x, wd, b], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
        r = g.op('Relu', [c])
        ys, yz = act(0, 3.0, kind)
        y = g.qdq(r, ys, yz)
        w2 = rng.normal(0, 0.5, size=(5, 4, 1, 1)).astype(np.float32)
        wd2, ws2 = g.weight(w2, pc)
        c2 = g.op('Conv', [y, wd2], kernel_shape=[1, 1], strides=[2, 2])
        zs, zz = act(-3, 3, kind)
        g.output(g.qdq(c2, zs, zz))
        g.save()
    # Depthwise (group = C) strided conv with SAME_UPPER padding.
    g = G(f'conv_depthwise_{kind}', kind)
    x = g.qdq(g.input([1, 4, 7, 7]), xs, xz)
    wd, ws = g.weight(rng.normal(0, 0.5, size=(4, 1, 3, 3)).astype(np.float32), True)
    c = g.op('Conv', [x, wd], kernel_shape=[3, 3], strides=[2, 2], group=4, auto_pad='SAME_UPPER')
    zs, zz = act(-2.5, 2.5, kind)
    g.output(g.qdq(c, zs, zz))
    g.save()
    # Gemm (transB) with bias; MatMul batched against a constant.
    for pc in (False, True):
        g = G(f'gemm_{kind}_{"pc" if pc else "pt"}', kind)
        x = g.qdq(g.input([2, 16]), xs, xz)
        w = rng.normal(0, 0.3, size=(8, 16)).astype(np.float32)
        wd, ws = g.weight(w, pc)
        b = g.bias(rng.normal(0, 0.2, size=8).astype(np.float32), xs, ws)
        c = g.op('Gemm', [x, wd, b], transB=1)
        zs, zz = act(-3, 3, kind)
        g.output(g.qdq(c, zs, zz))
        g.save()
    g = G(f'matmul_{kind}', kind)
    x = g.qdq(g.input([2, 3, 16]), xs, xz)
    wd, ws = g.weight(rng.normal(0, 0.3, size=(16, 8)).astype(np.float32), False)
    c = g.op('MatMul', [x, wd])
    zs, zz = act(-3, 3, kind)
    g.output(g.qdq(c, zs, zz))
    g.save()
    # Elementwise: Add, Mul of two activations with different scales.
    for op in ('Add', 'Mul'):
        g = G(f'{op.lower()}_{kind}', kind)
        a = g.qdq(g.input([1, 3, 5, 5]), xs, xz)
        bs, bz = act(-0.5, 2.0, kind)
        b = g.qdq(g.input([1, 3, 5, 5], -0.5, 2.0), bs, bz)
        c = g.op(op, [a, b])
        zs, zz = act(-1.5, 3.0, kind) if op == 'Add' else act(-2, 2, kind)
        g.output(g.qdq(c, zs, zz))
        g.save()
    # Pooling.
    g = G(f'maxpool_{kind}', kind)
    x = g.qdq(g.input([1, 3, 8, 8]), xs, xz)
    p = g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    g.output(g.qdq(p, xs, xz))
    g.save()
    g = G(f'avgpool_{kind}', kind)
    x = g.qdq(g.input([1, 3, 8, 8]), xs, xz)
    p = g.op('AveragePool', [x], kernel_shape=[2, 2], strides=[2, 2])
    ps, pz = act(-0.8, 0.8, kind)
    g.output(g.qdq(p, ps, pz))
    g.save()
    g = G(f'globalavgpool_{kind}', kind)
    x = g.qdq(g.input([1, 6, 5, 5]), xs, xz)
    p = g.op('GlobalAveragePool', [x])
    ps, pz = act(-0.5, 0.5, kind)
    g.output(g.qdq(p, ps, pz))
    g.save()
    # Concat of two activations with different scales (axis 1, channels).
    g = G(f'concat_{kind}', kind)
    a = g.qdq(g.input([1, 2, 4, 4]), xs, xz)
    bs, bz = act(-0.5, 2.0, kind)
    b = g.qdq(g.input([1, 3, 4, 4], -0.5, 2.0), bs, bz)
    c = g.op('Concat', [a, b], axis=1)
    zs, zz = act(-1, 2, kind)
    g.output(g.qdq(c, zs, zz))
    g.save()
    # Layout: conv feature map -> Flatten -> Gemm (ONNX's NCHW element order must be kept); Reshape; Transpose.
    g = G(f'conv_flatten_gemm_{kind}', kind)
    x = g.qdq(g.input([1, 2, 4, 4]), xs, xz)
    wd, ws = g.weight(rng.normal(0, 0.4, size=(3, 2, 3, 3)).astype(np.float32), True)
    c = g.op('Conv', [x, wd], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    cs, cz = act(-2, 2, kind)
    y = g.qdq(c, cs, cz)
    f = g.op('Flatten', [y], axis=1)
    f = g.qdq(f, cs, cz)
    wd2, ws2 = g.weight(rng.normal(0, 0.2, size=(5, 48)).astype(np.float32), True)
    o = g.op('Gemm', [f, wd2], transB=1)
    zs, zz = act(-3, 3, kind)
    g.output(g.qdq(o, zs, zz))
    g.save()
    g = G(f'reshape_transpose_{kind}', kind)
    x = g.qdq(g.input([1, 4, 3, 2]), xs, xz)
    r = g.op('Reshape', [x, g.const(np.array([1, 2, 12], np.int64), 'shape')])
    r = g.qdq(r, xs, xz)
    t = g.op('Transpose', [r], perm=[0, 2, 1])
    g.output(g.qdq(t, xs, xz))
    g.save()
    g = G(f'conv_transpose_{kind}', kind)
    x = g.qdq(g.input([1, 3, 4, 5]), xs, xz)
    wd, ws = g.weight(rng.normal(0, 0.4, size=(2, 3, 1, 1)).astype(np.float32), False)
    c = g.op('Conv', [x, wd], kernel_shape=[1, 1])
    cs, cz = act(-2, 2, kind)
    y = g.qdq(c, cs, cz)
    t = g.op('Transpose', [y], perm=[0, 2, 3, 1])
    g.output(g.qdq(t, cs, cz))
    g.save()
    # Pad (constant 0), Sigmoid, Softmax.
    g = G(f'pad_{kind}', kind)
    x = g.qdq(g.input([1, 2, 3, 3]), xs, xz)
    p = g.op('Pad', [x, g.const(np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64), 'pads')], mode='constant')
    g.output(g.qdq(p, xs, xz))
    g.save()
    g = G(f'sigmoid_{kind}', kind)
    x = g.qdq(g.input([1, 4, 8, 8], -6, 6), *act(-6, 6, kind))
    s = g.op('Sigmoid', [x])
    g.output(g.qdq(s, *act(0, 1, kind)))
    g.save()
    g = G(f'softmax_{kind}', kind)
    x = g.qdq(g.input([2, 10], -4, 4), *act(-4, 4, kind))
    s = g.op('Softmax', [x], axis=-1)
    g.output(g.qdq(s, *act(0, 1, kind)))
    g.save()

# Add / Mul over every value of A against every 4th value of B (quantized inputs exactly representable), with
# awkward scales: these pin ONNX Runtime's float order of operations (FMA, the uint8 domain for int8).
for kind in ('u8', 's8'):
    _, npt, qmin, qmax = QT[kind]
    for op, (sa, za, sb, zb, sc, zc) in (('Add', (0.0173, 37, 0.00931, 201, 0.0219, 90)), ('Mul', (0.0173, 37, 0.0311, 201, 0.0397, 15))):
        shift = 0 if kind == 'u8' else -128
        za, zb, zc = za + shift, zb + shift, zc + shift
        g = G(f'{op.lower()}_all_{kind}', kind)
        qa = np.repeat(np.arange(qmin, qmax + 1), 64).reshape(1, 1, 256, 64)
        qb = np.tile(np.arange(qmin, qmax + 1, 4), 256).reshape(1, 1, 256, 64)
        a_in, b_in = g.input([1, 1, 256, 64]), g.input([1, 1, 256, 64])
        g.feeds[0] = ((qa - za) * np.float32(sa)).astype(np.float32)
        g.feeds[1] = ((qb - zb) * np.float32(sb)).astype(np.float32)
        a = g.qdq(a_in, np.float32(sa), za)
        b = g.qdq(b_in, np.float32(sb), zb)
        c = g.op(op, [a, b])
        g.output(g.qdq(c, np.float32(sc), zc))
        g.save()

# Standalone Relu / Clip between DequantizeLinear and QuantizeLinear whose range does not absorb them (ONNX Runtime
# keeps DQ -> float op -> Q).
for kind in ('u8', 's8'):
    g = G(f'relu_standalone_{kind}', kind)
    x = g.qdq(g.input([1, 3, 4, 4]), *act(-1, 1, kind))
    r = g.op('Relu', [x])
    g.output(g.qdq(r, *act(-0.3, 1.2, kind)))
    g.save()
    g = G(f'clip_standalone_{kind}', kind)
    x = g.qdq(g.input([1, 3, 4, 4]), *act(-1, 1, kind))
    r = g.op('Clip', [x, g.const(np.float32(-0.3), 'min'), g.const(np.float32(0.55), 'max')])
    g.output(g.qdq(r, *act(-0.5, 0.7, kind)))
    g.save()

# QOperator form with 8-bit model inputs and outputs: QLinearConv (uint8 weights with a zero point, as in ONNX's
# own node test) -> MaxPool -> QLinearMatMul after Flatten; int8 variant with int8 weights.
for kind in ('u8', 's8'):
    t, npt, qmin, qmax = QT[kind]
    g = G(f'qop_conv_pool_matmul_{kind}', kind)
    x = g.input_q([1, 2, 6, 6], kind)
    w = rng.integers(qmin, qmax + 1, size=(3, 2, 3, 3)).astype(npt)
    wz = np.array([7 if kind == 'u8' else 0], npt)
    c = g.uid('qconv')
    g.nodes.append(helper.make_node('QLinearConv', [x, g.const(np.float32(0.02)), g.const(np.array(11 if kind == 'u8' else -5, npt)),
                                                    g.const(w), g.const(np.array([0.003], np.float32)), g.const(wz),
                                                    g.const(np.float32(0.05)), g.const(np.array(120 if kind == 'u8' else -8, npt)),
                                                    g.const(rng.integers(-500, 500, size=3).astype(np.int32))],
                                    [c], name='QConv', pads=[1, 1, 1, 1], kernel_shape=[3, 3]))
    p = g.uid('pool')
    g.nodes.append(helper.make_node('MaxPool', [c], [p], name='Pool', kernel_shape=[2, 2], strides=[2, 2]))
    f = g.uid('flat')
    g.nodes.append(helper.make_node('Flatten', [p], [f], name='Flatten', axis=1))
    b = rng.integers(qmin, qmax + 1, size=(27, 4)).astype(npt)
    y = 'output_0'
    g.nodes.append(helper.make_node('QLinearMatMul', [f, g.const(np.float32(0.05)), g.const(np.array(120 if kind == 'u8' else -8, npt)),
                                                      g.const(b), g.const(np.float32(0.004)), g.const(np.array(128 if kind == 'u8' else 0, npt)),
                                                      g.const(np.float32(0.9)), g.const(np.array(100 if kind == 'u8' else 3, npt))],
                                    [y], name='QMatMul'))
    vi = onnx.ValueInfoProto(); vi.name = y; vi.type.tensor_type.elem_type = t
    g.outputs.append(vi)
    g.save()

# Models Edge must reject (not in the manifest; used by the CLI tests): a float model (no quantization: PTQ's job)
# and a quantized model at opset 22 (outside 10-21).
g = G('bad_float_model', 'u8')
x = g.input([1, 3, 8, 8])
c = g.op('Conv', [x, g.const(rng.normal(0, 0.3, size=(2, 3, 3, 3)).astype(np.float32), 'w')], kernel_shape=[3, 3])
g.output(c)
onnx.save(helper.make_model(helper.make_graph(g.nodes, g.name, g.inputs, g.outputs, g.inits),
                            opset_imports=[helper.make_opsetid('', 13)], ir_version=7), os.path.join(HERE, 'bad_float_model.onnx'))
g = G('bad_opset22', 'u8')
x = g.qdq(g.input([1, 4]), *act(-1, 1, 'u8'))
g.output(x)
onnx.save(helper.make_model(helper.make_graph(g.nodes, g.name, g.inputs, g.outputs, g.inits),
                            opset_imports=[helper.make_opsetid('', 22)], ir_version=10), os.path.join(HERE, 'bad_opset22.onnx'))

# A small CNN chaining the groups (layout changes, residual Add, pooling, classifier, Softmax), activation ranges
# from a float forward pass (torch) over the test input, as calibration would set them.
def mini_cnn(kind):
    import torch
    import torch.nn.functional as F
    g = G(f'mini_cnn_{kind}', kind)
    xin = g.input([1, 3, 16, 16])
    xf = torch.from_numpy(g.feeds[0])
    w1 = rng.normal(0, 0.3, size=(8, 3, 3, 3)).astype(np.float32); b1 = rng.normal(0, 0.1, size=8).astype(np.float32)
    w2 = rng.normal(0, 0.3, size=(8, 1, 3, 3)).astype(np.float32)
    w3 = rng.normal(0, 0.3, size=(8, 8, 1, 1)).astype(np.float32); b3 = rng.normal(0, 0.1, size=8).astype(np.float32)
    w4 = rng.normal(0, 0.3, size=(10, 8)).astype(np.float32); b4 = rng.normal(0, 0.1, size=10).astype(np.float32)
    t = lambda a: torch.from_numpy(a)
    h1 = F.relu(F.conv2d(xf, t(w1), t(b1), padding=1))
    p1 = F.max_pool2d(h1, 2)
    h2 = F.conv2d(p1, t(w2), padding=1, groups=8)
    h3 = F.conv2d(h2, t(w3), t(b3))
    r = h3 + p1
    gp = r.mean(dim=(2, 3), keepdim=True)
    logits = gp.flatten(1) @ t(w4).T + t(b4)
    rng_of = lambda v: act(float(v.min()), float(v.max()), kind)
    qx = act(-1, 1, kind)
    x = g.qdq(xin, *qx)
    wd1, ws1 = g.weight(w1, True)
    c1 = g.op('Conv', [x, wd1, g.bias(b1, qx[0], ws1)], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    q1 = act(0.0, float(h1.max()), kind)   # Relu output range: zero point = qmin, ONNX Runtime drops the Relu
    y1 = g.qdq(g.op('Relu', [c1]), *q1)
    y2 = g.qdq(g.op('MaxPool', [y1], kernel_shape=[2, 2], strides=[2, 2]), *q1)
    wd2, ws2 = g.weight(w2, True)
    q2 = rng_of(h2)
    y3 = g.qdq(g.op('Conv', [y2, wd2], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=8), *q2)
    wd3, ws3 = g.weight(w3, True)
    q3 = rng_of(h3)
    y4 = g.qdq(g.op('Conv', [y3, wd3, g.bias(b3, q2[0], ws3)], kernel_shape=[1, 1]), *q3)
    q4 = rng_of(r)
    y5 = g.qdq(g.op('Add', [y4, y2]), *q4)
    q5 = rng_of(gp)
    y6 = g.qdq(g.op('GlobalAveragePool', [y5]), *q5)
    y7 = g.qdq(g.op('Flatten', [y6], axis=1), *q5)
    wd4, ws4 = g.weight(w4, True)
    q6 = rng_of(logits)
    y8 = g.qdq(g.op('Gemm', [y7, wd4, g.bias(b4, q5[0], ws4)], transB=1), *q6)
    g.output(g.qdq(g.op('Softmax', [y8], axis=-1), *act(0, 1, kind)))
    g.output(y5)   # the residual feature map (NCHW at the model boundary)
    g.save()


for kind in ('u8', 's8'):
    mini_cnn(kind)

# LeakyRelu (ONNX Runtime: QLinearLeakyRelu), which Edge does not import: checked to fail cleanly.
for kind in ('u8',):
    g = G(f'leakyrelu_{kind}', kind)
    x = g.qdq(g.input([1, 3, 4, 4]), *act(-1, 1, kind))
    r = g.op('LeakyRelu', [x], alpha=0.1)
    g.output(g.qdq(r, *act(-0.1, 1, kind)))
    g.save()

# QOperator form of the elementwise ops and global average pooling (ONNX Runtime's com.microsoft contrib ops
# QLinearAdd, QLinearMul, QLinearGlobalAveragePool) with 8-bit model inputs and outputs. Own random generator, so
# the models above keep their inputs.
rng_ms = np.random.default_rng(20261207)


def q_input(g, shape, kind, values=None):
    t, npt, qmin, qmax = QT[kind]
    nm = f'input_{len(g.inputs)}'
    g.inputs.append(helper.make_tensor_value_info(nm, t, shape))
    g.feeds.append((rng_ms.integers(qmin, qmax + 1, size=shape) if values is None else np.asarray(values).reshape(shape)).astype(npt))
    return nm


def q_output(g, name, kind):
    vi = onnx.ValueInfoProto(); vi.name = name; vi.type.tensor_type.elem_type = QT[kind][0]
    g.outputs.append(vi)


def ms_binary(g, op, a, sa, za, b, sb, zb, sc, zc, out=None):
    npt = QT[g.kind][1]
    y = out or g.uid(op.lower())
    g.nodes.append(helper.make_node(op, [a, g.const(np.float32(sa)), g.const(np.array(za, npt)), b, g.const(np.float32(sb)),
                                         g.const(np.array(zb, npt)), g.const(np.float32(sc)), g.const(np.array(zc, npt))],
                                    [y], name=g.uid(op + '_'), domain='com.microsoft'))
    return y


def ms_gap(g, x, sx, zx, sy, zy, channels_last, out=None):
    npt = QT[g.kind][1]
    y = out or g.uid('gap')
    g.nodes.append(helper.make_node('QLinearGlobalAveragePool', [x, g.const(np.float32(sx)), g.const(np.array(zx, npt)),
                                                                 g.const(np.float32(sy)), g.const(np.array(zy, npt))],
                                    [y], name=g.uid('QGap_'), domain='com.microsoft', channels_last=channels_last))
    return y


for kind in ('u8', 's8'):
    _, npt, qmin, qmax = QT[kind]
    sh = 0 if kind == 'u8' else -128
    for op, (sa, za, sb, zb, sc, zc) in (('QLinearAdd', (0.0173, 37, 0.00931, 201, 0.0219, 90)),
                                         ('QLinearMul', (0.0173, 37, 0.0311, 201, 0.0397, 15))):
        za, zb, zc = za + sh, zb + sh, zc + sh
        short = 'add' if op == 'QLinearAdd' else 'mul'
        # Same shapes, random values; every value of A against every 4th value of B.
        g = G(f'qop_{short}_{kind}', kind)
        ms_binary(g, op, q_input(g, [1, 3, 5, 7], kind), sa, za, q_input(g, [1, 3, 5, 7], kind), sb, zb, sc, zc, out='output_0')
        q_output(g, 'output_0', kind); g.save(ms=True)
        g = G(f'qop_{short}_all_{kind}', kind)
        qa = np.repeat(np.arange(qmin, qmax + 1), 64)
        qb = np.tile(np.arange(qmin, qmax + 1, 4), 256)
        ms_binary(g, op, q_input(g, [1, 1, 256, 64], kind, qa), sa, za, q_input(g, [1, 1, 256, 64], kind, qb), sb, zb, sc, zc, out='output_0')
        q_output(g, 'output_0', kind); g.save(ms=True)
        # A single-element B ([1]) and a single-element A ([1, 1, 1, 1]) against every value of the other input, one
        # node per single-element input: a random value, then (QLinearAdd) the values for which the candidate float
        # orders of MLAS's single-element path (a fused or a separate multiply-add for the constant part, and which
        # operand is the vector) round differently (found by simulating them with these scales).
        extra_b = {'u8': [176], 's8': []}[kind] if short == 'add' else []
        extra_a = {'u8': [84, 159, 184, 209, 247], 's8': [-113, -94, -69, 56, 81]}[kind] if short == 'add' else []
        g = G(f'qop_{short}_scalar_b_{kind}', kind)
        a = q_input(g, [1, 2, 16, 8], kind, np.tile(np.arange(qmin, qmax + 1), 1))
        for k, v in enumerate([None] + extra_b):
            ms_binary(g, op, a, sa, za, q_input(g, [1], kind, None if v is None else [v]), sb, zb, sc, zc, out=f'output_{k}')
            q_output(g, f'output_{k}', kind)
        g.save(ms=True)
        g = G(f'qop_{short}_scalar_a_{kind}', kind)
        b = q_input(g, [1, 4, 8, 8], kind, np.arange(qmin, qmax + 1))
        for k, v in enumerate([None] + extra_a):
            ms_binary(g, op, q_input(g, [1, 1, 1, 1], kind, None if v is None else [v]), sa, za, b, sb, zb, sc, zc, out=f'output_{k}')
            q_output(g, f'output_{k}', kind)
        g.save(ms=True)
    # Global average pooling, NCHW (channels_last 0) and NHWC (channels_last 1), several image sizes.
    for cl, shape, (sx, zx, sy, zy) in ((0, [1, 6, 5, 5], (0.02, 11, 0.004, 120)), (0, [2, 3, 9, 7], (0.05, 200, 0.03, 7)),
                                        (0, [1, 10, 16, 16], (0.0173, 37, 0.00531, 131)),
                                        (1, [1, 5, 5, 6], (0.02, 11, 0.004, 120)), (1, [2, 9, 7, 3], (0.05, 200, 0.03, 7)),
                                        (1, [1, 16, 16, 10], (0.0173, 37, 0.00531, 131))):
        g = G(f'qop_gap_{"nhwc" if cl else "nchw"}_{"x".join(map(str, shape))}_{kind}', kind)
        ms_gap(g, q_input(g, shape, kind), sx, zx + sh, sy, zy + sh, cl, out='output_0')
        q_output(g, 'output_0', kind); g.save(ms=True)
    # A chain: QLinearConv (computed NHWC inside Edge) + an NCHW input through QLinearAdd, QLinearMul by a
    # single-element input, then QLinearGlobalAveragePool.
    g = G(f'qop_conv_add_mul_gap_{kind}', kind)
    x = q_input(g, [1, 2, 6, 6], kind)
    w = rng_ms.integers(-127, 128, size=(3, 2, 3, 3)).astype(np.int8)
    c = g.uid('qconv')
    g.nodes.append(helper.make_node('QLinearConv', [x, g.const(np.float32(0.02)), g.const(np.array(11 + sh, npt)),
                                                    g.const(w), g.const(np.float32(0.004)), g.const(np.array(0, np.int8)),
                                                    g.const(np.float32(0.05)), g.const(np.array(120 + sh, npt))],
                                    [c], name='QConv', pads=[1, 1, 1, 1], kernel_shape=[3, 3]))
    r = q_input(g, [1, 3, 6, 6], kind)
    s = ms_binary(g, 'QLinearAdd', c, 0.05, 120 + sh, r, 0.031, 140 + sh, 0.07, 100 + sh)
    m = ms_binary(g, 'QLinearMul', s, 0.07, 100 + sh, q_input(g, [1], kind), 0.01, 128 + sh, 0.09, 90 + sh)
    ms_gap(g, m, 0.09, 90 + sh, 0.02, 110 + sh, 0, out='output_0')
    q_output(g, 'output_0', kind); g.save(ms=True)

# QGemm (com.microsoft): full-range int8 weights (transB) with a per-column int32 bias, per tensor and per column.
for kind in ('u8', 's8'):
    t, npt, qmin, qmax = QT[kind]
    sh = 0 if kind == 'u8' else -128
    for pc in (False, True):
        g = G(f'qop_qgemm_{kind}_{"pc" if pc else "pt"}', kind)
        a = q_input(g, [3, 40], kind)
        w = rng_ms.integers(-128, 128, size=(6, 40)).astype(np.int8)
        bscale = (rng_ms.uniform(0.002, 0.006, size=6) if pc else np.array(0.004)).astype(np.float32)
        bzp = np.zeros(6 if pc else (), np.int8)
        g.nodes.append(helper.make_node('QGemm', [a, g.const(np.float32(0.02)), g.const(np.array(11 + sh, npt)), g.const(w),
                                                  g.const(bscale), g.const(bzp), g.const(rng_ms.integers(-3000, 3000, size=6).astype(np.int32)),
                                                  g.const(np.float32(0.6)), g.const(np.array(130 + sh, npt))],
                                        ['output_0'], name='QGemm', domain='com.microsoft', transB=1))
        q_output(g, 'output_0', kind); g.save(ms=True)

with open(os.path.join(HERE, 'manifest.json'), 'w') as f:
    json.dump(manifest, f, indent=1)
print(f'{len(manifest)} models')
