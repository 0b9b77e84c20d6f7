using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Converter.Ir;
using Edge.Converter.Quantization;
using Edge.Runtime;

namespace Edge.Converter.Onnx
{
    public static partial class OnnxImporter
    {
        /// <summary>The ONNX op types a float model may hold for <c>edge convert --dynamic</c>.</summary>
        public static readonly string[] DynamicSupportedOps =
        {
            "Conv", "Gemm", "MatMul", "Relu", "Clip", "MaxPool", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Constant",
        };

        private sealed partial class Importer
        {
            /// <summary>Dynamic ops' options by the ONNX value they produce (a following Relu/Clip narrows the range).</summary>
            private readonly Dictionary<string, OpOptions> _dynamicOut = new();

            private void CheckFloat()
            {
                var q = _m.Graph.Nodes.FirstOrDefault(n => n.OpType is "QuantizeLinear" or "DequantizeLinear" or "QLinearConv" or "QLinearMatMul"
                    or "ConvInteger" or "MatMulInteger" or "QLinearAdd" or "QLinearMul" or "QGemm" or "DynamicQuantizeLinear");
                if (q != null)
                    throw Error($"--dynamic quantizes a float model, but this one already has {q.OpType} node '{q.Name}'; convert it without --dynamic");
            }

            private void LowerDynamic(OnnxNode n)
            {
                switch (n.OpType)
                {
                    case "Constant": LowerConstant(n); return;
                    case "Identity": Alias(n.Outputs[0], n.Inputs[0]); return;
                    case "Conv": LowerDynamicConv(n); return;
                    case "Gemm": LowerDynamicMatMul(n, gemm: true); return;
                    case "MatMul": LowerDynamicMatMul(n, gemm: false); return;
                    case "Relu": case "Clip": LowerDynamicActivation(n); return;
                    case "MaxPool": case "Reshape": case "Flatten": case "Transpose": case "Squeeze": case "Unsqueeze":
                        LowerStructural(n); return;
                    default:
                        throw Error($"op type {n.OpType} is not supported with --dynamic. Supported: {string.Join(", ", DynamicSupportedOps)}");
                }
            }

            private OnnxTensor FloatConst(OnnxNode n, int input, string what)
            {
                var t = Const(n, input, what);
                if (t.DataType != OnnxDataType.Float) throw Error($"{what} '{t.Name}' is {t.DataType}; --dynamic needs float32 weights");
                return t;
            }

            private int FloatBias(string name, float[] values)
            {
                var data = new byte[values.Length * 4];
                for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(data.AsSpan(4 * i), values[i]);
                return _g.AddTensor(new EdgeTensor { Name = name, DType = DType.Float32, Shape = new[] { values.Length }, Data = data });
            }

            private int Scratch(Val x, string outName)
            {
                var src = _g.Tensors[x.Tensor];
                return _g.AddTensor(new EdgeTensor { Name = outName + "/quantized_input", DType = DType.UInt8, Shape = (int[])src.Shape.Clone() });
            }

            private void LowerDynamicConv(OnnxNode n)
            {
                var x = Value(n.Inputs[0], "input X");
                if (x.Type != DType.Float32) throw Error($"input X is {x.Type}; --dynamic needs float32");
                if (x.OnnxShape.Length != 4) throw Error("only 2-D convolutions (rank-4 NCHW input) are supported");
                var w = FloatConst(n, 1, "weight W");
                if (w.Dims.Length != 4) throw Error("weight must be rank 4 (OIHW)");
                int group = (int)n.Int("group", 1);
                long o = w.Dims[0], ipg = w.Dims[1], kh = w.Dims[2], kw = w.Dims[3];
                if (group <= 0 || o % group != 0) throw Error($"group {group} does not divide the {o} output channels");
                if (x.OnnxShape[1] != ipg * group) throw Error($"input has {x.OnnxShape[1]} channels, weight expects {ipg}×{group}");
                var ks = n.Ints("kernel_shape");
                if (ks != null && (ks.Length != 2 || ks[0] != kh || ks[1] != kw)) throw Error("kernel_shape disagrees with the weight");
                var (pt, pl, pb, pr, sh, sw, dh, dw) = Window(n, x.OnnxShape, new[] { kh, kw });
                // Per-output-channel symmetric int8, as the static path's weights (QdqQuantizer).
                var wf = w.AsFloats();
                var scales = QdqQuantizer.WeightScales(wf, w.Dims, 0);
                var q = QdqQuantizer.QuantizeWeights(wf, w.Dims, 0, scales);
                var wd = new byte[q.Length];   // OIHW -> OHWI
                for (long oc = 0; oc < o; oc++)
                    for (long ic = 0; ic < ipg; ic++)
                        for (long y = 0; y < kh; y++)
                            for (long xx = 0; xx < kw; xx++)
                                wd[((oc * kh + y) * kw + xx) * ipg + ic] = (byte)q[((oc * ipg + ic) * kh + y) * kw + xx];
                int wt = _g.AddTensor(new EdgeTensor { Name = w.Name, DType = DType.Int8, Shape = new[] { (int)o, (int)kh, (int)kw, (int)ipg }, Data = wd });
                int bt = -1;
                if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0)
                {
                    var b = FloatConst(n, 2, "bias B");
                    if (b.ElementCount != o) throw Error($"bias must have {o} entries");
                    bt = FloatBias(b.Name, b.AsFloats());
                }
                x = ToNhwc(NameOf(x), x);
                long oh = (x.OnnxShape[2] + pt + pb - ((kh - 1) * dh + 1)) / sh + 1;
                long ow = (x.OnnxShape[3] + pl + pr - ((kw - 1) * dw + 1)) / sw + 1;
                if (oh <= 0 || ow <= 0) throw Error("the output would be empty");
                var opts = new DynamicConv2DOptions
                {
                    StrideH = sh, StrideW = sw, DilationH = dh, DilationW = dw, PadTop = pt, PadLeft = pl, PadBottom = pb, PadRight = pr,
                    Group = group, WeightScale = scales,
                };
                int scratch = Scratch(x, n.Outputs[0]);
                var outVal = NewVal(n.Outputs[0], new[] { x.OnnxShape[0], o, oh, ow }, DType.Float32, true, 0f, 0);
                Emit(OpType.DynamicConv2D, bt >= 0 ? new[] { x.Tensor, wt, bt } : new[] { x.Tensor, wt }, new[] { outVal.Tensor, scratch }, opts,
                     x.OnnxShape[0] * o * oh * ow * ipg * kh * kw);
                _dynamicOut[n.Outputs[0]] = opts;
            }

            private void LowerDynamicMatMul(OnnxNode n, bool gemm)
            {
                var a = Value(n.Inputs[0], "input A");
                if (a.Type != DType.Float32) throw Error($"input A is {a.Type}; --dynamic needs float32");
                if (!_const.ContainsKey(n.Inputs[1])) throw Error("B must be a constant (initializer): --dynamic quantizes weights on the host");
                var bc = FloatConst(n, 1, "B");
                bool transB = false;
                float beta = 1f;
                if (gemm)
                {
                    if (n.Float("alpha", 1f) != 1f) throw Error("Gemm with alpha ≠ 1 is not supported");
                    if (n.Int("transA", 0) != 0) throw Error("Gemm with transA is not supported");
                    transB = n.Int("transB", 0) != 0;
                    beta = n.Float("beta", 1f);
                }
                if (bc.Dims.Length != 2) throw Error("B must be 2-D");
                a = ToOnnxLayout(NameOf(a), a);
                if (a.OnnxShape.Length < 2) throw Error("1-D MatMul operands are not supported");
                if (gemm && a.OnnxShape.Length != 2) throw Error("Gemm needs a 2-D A");
                long k = transB ? bc.Dims[1] : bc.Dims[0], nn = transB ? bc.Dims[0] : bc.Dims[1];
                if (a.OnnxShape[^1] != k) throw Error($"A [{string.Join(",", a.OnnxShape)}] and B [{string.Join(",", bc.Dims)}] do not multiply");
                // Weights [N, K], per-column (N) symmetric int8.
                var bf = bc.AsFloats();
                var wf = new float[bf.Length];
                if (transB) Array.Copy(bf, wf, bf.Length);
                else for (long r = 0; r < k; r++) for (long c = 0; c < nn; c++) wf[c * k + r] = bf[r * nn + c];
                var dims = new[] { nn, k };
                var scales = QdqQuantizer.WeightScales(wf, dims, 0);
                var q = QdqQuantizer.QuantizeWeights(wf, dims, 0, scales);
                int wt = _g.AddTensor(new EdgeTensor { Name = bc.Name, DType = DType.Int8, Shape = new[] { (int)nn, (int)k }, Data = q.Select(v => (byte)v).ToArray() });
                int bt = -1;
                if (gemm && n.Inputs.Count > 2 && n.Inputs[2].Length > 0)
                {
                    var c = FloatConst(n, 2, "bias C");
                    var cv = c.AsFloats();
                    if (cv.Length != nn || (c.Dims.Length == 2 && c.Dims[0] != 1) || c.Dims.Length > 2)
                        throw Error($"bias C must be [{nn}] or [1, {nn}] (one entry per column)");
                    bt = FloatBias(c.Name, cv.Select(v => (float)(beta * v)).ToArray());
                }
                var outShape = a.OnnxShape.ToArray();
                outShape[^1] = nn;
                var opts = new DynamicFullyConnectedOptions { WeightScale = scales };
                int scratch = Scratch(a, n.Outputs[0]);
                var outVal = NewVal(n.Outputs[0], outShape, DType.Float32, false, 0f, 0);
                long rows = a.OnnxShape.Take(a.OnnxShape.Length - 1).Aggregate(1L, (p, d) => p * d);
                Emit(OpType.DynamicFullyConnected, bt >= 0 ? new[] { a.Tensor, wt, bt } : new[] { a.Tensor, wt }, new[] { outVal.Tensor, scratch }, opts, rows * k * nn);
                _dynamicOut[n.Outputs[0]] = opts;
            }

            /// <summary>Relu / Clip fused into the dynamic op that produces its input (the only reader of that value).</summary>
            private void LowerDynamicActivation(OnnxNode n)
            {
                string inName = n.Inputs[0];
                if (!_dynamicOut.TryGetValue(inName, out var opts) || _graphOutputs.Contains(inName) || _consumers[inName].Count != 1)
                    throw Error($"float {n.OpType} is supported with --dynamic only directly after a Conv, Gemm or MatMul whose output it alone reads");
                float lo = float.NegativeInfinity, hi = float.PositiveInfinity;
                if (n.OpType == "Relu") lo = 0f;
                else if (_opset < 11) { lo = n.Float("min", float.MinValue); hi = n.Float("max", float.MaxValue); }
                else
                {
                    if (n.Inputs.Count > 1 && n.Inputs[1].Length > 0) lo = ConstOf(n, n.Inputs[1], "min").AsFloats()[0];
                    if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0) hi = ConstOf(n, n.Inputs[2], "max").AsFloats()[0];
                }
                switch (opts)
                {
                    case DynamicConv2DOptions c: c.ActMin = Math.Max(c.ActMin, lo); c.ActMax = Math.Min(c.ActMax, hi); if (!(c.ActMin <= c.ActMax)) throw Error("Clip min exceeds max"); break;
                    case DynamicFullyConnectedOptions f: f.ActMin = Math.Max(f.ActMin, lo); f.ActMax = Math.Min(f.ActMax, hi); if (!(f.ActMin <= f.ActMax)) throw Error("Clip min exceeds max"); break;
                }
                var v = _vals[inName];
                _g.Tensors[v.Tensor].Name = n.Outputs[0];
                _names[v.Tensor] = n.Outputs[0];
                _vals[n.Outputs[0]] = v;
                _dynamicOut[n.Outputs[0]] = opts;
            }
        }
    }
}
