using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;

namespace Edge.Converter.Quantization
{
    /// <summary>
    /// A small float32 reference executor for ONNX graphs (NCHW, host only, plain C#): the float side of
    /// post-training quantization (calibration ranges and the per-layer error report). Runs the ops Edge's
    /// quantizer handles plus the ones float exports carry around them, and returns every intermediate tensor.
    /// Products are accumulated in double and rounded to float once per output element. An op or attribute
    /// value outside what is implemented raises <see cref="ConversionException"/> naming the node.
    /// QuantizeLinear/DequantizeLinear are included so a QDQ graph can be run as fake-quant.
    /// </summary>
    public sealed class FloatExecutor
    {
        public static readonly IReadOnlyCollection<string> SupportedOps = new SortedSet<string>(StringComparer.Ordinal)
        {
            "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "Sigmoid", "Softmax", "MaxPool", "AveragePool",
            "GlobalAveragePool", "Reshape", "Flatten", "Transpose", "Concat", "Pad", "BatchNormalization", "Identity",
            "Dropout", "Constant", "Squeeze", "Unsqueeze", "QuantizeLinear", "DequantizeLinear",
        };

        private readonly OnnxModel _model;
        private readonly Dictionary<string, FloatTensor> _constants = new(StringComparer.Ordinal);
        private readonly long _opset;

        public OnnxModel Model => _model;

        public FloatExecutor(OnnxModel model)
        {
            _model = model;
            _opset = model.Opset == 0 ? 13 : model.Opset;
            foreach (var n in model.Graph.Nodes)
            {
                if (n.Domain != "" && n.Domain != "ai.onnx")
                    throw new ConversionException($"node {n} (#{model.Graph.Nodes.IndexOf(n)}): domain '{n.Domain}' is not supported by the float executor");
                if (!SupportedOps.Contains(n.OpType))
                    throw new ConversionException($"node {n} (#{model.Graph.Nodes.IndexOf(n)}): op {n.OpType} is not supported (float executor supports: {string.Join(", ", SupportedOps)})");
            }
            foreach (var t in model.Graph.Initializers) _constants[t.Name] = FloatTensor.FromOnnx(t);
        }

        /// <summary>Runs the graph; returns every value by name (inputs, initializers, every node output).</summary>
        public Dictionary<string, FloatTensor> Run(IReadOnlyDictionary<string, FloatTensor> inputs)
        {
            var env = new Dictionary<string, FloatTensor>(_constants, StringComparer.Ordinal);
            foreach (var vi in _model.Graph.RealInputs)
            {
                if (!inputs.TryGetValue(vi.Name, out var x)) throw new ConversionException($"no value given for model input '{vi.Name}'");
                if (vi.Shape != null)
                {
                    bool ok = vi.Shape.Length == x.Rank;
                    for (int d = 0; ok && d < x.Rank; d++) ok = vi.Shape[d] < 0 || vi.Shape[d] == x.Shape[d];
                    if (!ok) throw new ConversionException($"input '{vi.Name}': shape [{string.Join(",", x.Shape)}] does not match the model's [{string.Join(",", vi.Shape)}]");
                }
                env[vi.Name] = x;
            }
            var pending = new List<OnnxNode>(_model.Graph.Nodes);
            // ONNX requires topological order; tolerate an unsorted graph by running whatever is ready.
            while (pending.Count > 0)
            {
                int ran = 0;
                for (int i = 0; i < pending.Count; i++)
                {
                    var n = pending[i];
                    if (!n.Inputs.All(s => s == "" || env.ContainsKey(s))) continue;
                    FloatTensor[] outs;
                    try { outs = Execute(n, n.Inputs.Select(s => s == "" ? null : env[s]).ToArray()); }
                    catch (ConversionException) { throw; }
                    catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException or InvalidOperationException)
                    {
                        throw new ConversionException($"node {n}: {e.Message}");
                    }
                    for (int o = 0; o < n.Outputs.Count && o < outs.Length; o++)
                        if (n.Outputs[o] != "") env[n.Outputs[o]] = outs[o];
                    pending.RemoveAt(i--);
                    ran++;
                }
                if (ran == 0)
                {
                    var n = pending[0];
                    throw new ConversionException($"node {n}: input '{n.Inputs.First(s => s != "" && !env.ContainsKey(s))}' is never produced");
                }
            }
            return env;
        }

        private static ConversionException Unsupported(OnnxNode n, string what) => new($"node {n}: {what} is not supported");

        private FloatTensor[] Execute(OnnxNode n, FloatTensor[] x)
        {
            switch (n.OpType)
            {
                case "Identity": return new[] { x[0] };
                case "Dropout":
                    {
                        if (n.Int("training_mode", 0) != 0 || (x.Length > 2 && x[2] != null && x[2].L[0] != 0))
                            throw Unsupported(n, "Dropout in training mode");
                        var mask = new FloatTensor(x[0].Shape, Enumerable.Repeat(1L, x[0].Length).ToArray(), OnnxDataType.Bool);
                        return new[] { x[0], mask };
                    }
                case "Constant": return new[] { ConstantValue(n) };
                case "Relu": return new[] { Map(n, x[0], v => v > 0 ? v : 0f) };
                case "Sigmoid": return new[] { Map(n, x[0], v => (float)(1.0 / (1.0 + Math.Exp(-v)))) };
                case "Clip": return new[] { Clip(n, x) };
                case "Add": return new[] { Broadcast(n, x[0], x[1], (a, b) => a + b) };
                case "Sub": return new[] { Broadcast(n, x[0], x[1], (a, b) => a - b) };
                case "Mul": return new[] { Broadcast(n, x[0], x[1], (a, b) => a * b) };
                case "Div": return new[] { Broadcast(n, x[0], x[1], (a, b) => a / b) };
                case "Conv": return new[] { Conv(n, x) };
                case "Gemm": return new[] { Gemm(n, x) };
                case "MatMul": return new[] { MatMul(n, x[0], x[1]) };
                case "MaxPool":
                    if (n.Outputs.Count > 1 && n.Outputs[1] != "") throw Unsupported(n, "MaxPool's Indices output");
                    return new[] { Pool(n, x[0], max: true) };
                case "AveragePool": return new[] { Pool(n, x[0], max: false) };
                case "GlobalAveragePool": return new[] { GlobalAveragePool(n, x[0]) };
                case "Softmax": return new[] { Softmax(n, x[0]) };
                case "Reshape": return new[] { Reshape(n, x[0], x[1]) };
                case "Flatten": return new[] { Flatten(n, x[0]) };
                case "Transpose": return new[] { Transpose(n, x[0]) };
                case "Concat": return new[] { Concat(n, x) };
                case "Pad": return new[] { Pad(n, x) };
                case "BatchNormalization": return new[] { BatchNorm(n, x) };
                case "Squeeze": return new[] { Squeeze(n, x) };
                case "Unsqueeze": return new[] { Unsqueeze(n, x) };
                case "QuantizeLinear": return new[] { Quantize(n, x) };
                case "DequantizeLinear": return new[] { Dequantize(n, x) };
                default: throw Unsupported(n, $"op {n.OpType}");
            }
        }

        private static float[] Floats(OnnxNode n, FloatTensor t, string what)
        {
            if (t == null) throw new ConversionException($"node {n}: missing {what}");
            if (!t.IsFloat) throw Unsupported(n, $"{what} of type {t.Type} (the float executor runs float32 data)");
            return t.F;
        }

        private static FloatTensor Map(OnnxNode n, FloatTensor x, Func<float, float> f)
        {
            var a = Floats(n, x, "input");
            var r = new float[a.Length];
            for (int i = 0; i < a.Length; i++) r[i] = f(a[i]);
            return new FloatTensor(x.Shape, r);
        }

        private FloatTensor ConstantValue(OnnxNode n)
        {
            if (n.Attributes.TryGetValue("value", out var v)) return FloatTensor.FromOnnx(v.T);
            if (n.Attributes.TryGetValue("value_float", out v)) return new FloatTensor(Array.Empty<int>(), new[] { v.F });
            if (n.Attributes.TryGetValue("value_floats", out v)) return new FloatTensor(new[] { v.Floats.Length }, v.Floats);
            if (n.Attributes.TryGetValue("value_int", out v)) return new FloatTensor(Array.Empty<int>(), new[] { v.I }, OnnxDataType.Int64);
            if (n.Attributes.TryGetValue("value_ints", out v)) return new FloatTensor(new[] { v.Ints.Length }, v.Ints, OnnxDataType.Int64);
            throw Unsupported(n, $"Constant with attributes [{string.Join(",", n.Attributes.Keys)}]");
        }

        private FloatTensor Clip(OnnxNode n, FloatTensor[] x)
        {
            float lo = float.NegativeInfinity, hi = float.PositiveInfinity;
            if (_opset < 11)
            {
                lo = n.Float("min", lo);
                hi = n.Float("max", hi);
            }
            else
            {
                if (x.Length > 1 && x[1] != null) lo = Floats(n, x[1], "min")[0];
                if (x.Length > 2 && x[2] != null) hi = Floats(n, x[2], "max")[0];
            }
            return Map(n, x[0], v => Math.Min(Math.Max(v, lo), hi));
        }

        // ---- shapes and broadcasting ----

        private static int[] Strides(int[] shape)
        {
            var s = new int[shape.Length];
            int acc = 1;
            for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
            return s;
        }

        private static int[] BroadcastShape(OnnxNode n, int[] a, int[] b)
        {
            int r = Math.Max(a.Length, b.Length);
            var o = new int[r];
            for (int i = 0; i < r; i++)
            {
                int da = i - (r - a.Length) >= 0 ? a[i - (r - a.Length)] : 1;
                int db = i - (r - b.Length) >= 0 ? b[i - (r - b.Length)] : 1;
                if (da != db && da != 1 && db != 1)
                    throw new ConversionException($"node {n}: shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast");
                o[i] = da == 1 ? db : da;
            }
            return o;
        }

        /// <summary>For each output element, the flat index into a tensor of <paramref name="shape"/> broadcast to <paramref name="outShape"/>.</summary>
        private static int[] BroadcastIndex(int[] shape, int[] outShape)
        {
            int r = outShape.Length, count = FloatTensor.Count(outShape);
            var idx = new int[count];
            var st = Strides(shape);
            var bst = new int[r];
            for (int i = 0; i < r; i++)
            {
                int k = i - (r - shape.Length);
                bst[i] = k >= 0 && shape[k] != 1 ? st[k] : 0;
            }
            var pos = new int[r];
            int off = 0;
            for (int e = 0; e < count; e++)
            {
                idx[e] = off;
                for (int d = r - 1; d >= 0; d--)
                {
                    pos[d]++; off += bst[d];
                    if (pos[d] < outShape[d]) break;
                    off -= bst[d] * pos[d]; pos[d] = 0;
                }
            }
            return idx;
        }

        private static FloatTensor Broadcast(OnnxNode n, FloatTensor a, FloatTensor b, Func<float, float, float> f)
        {
            if (!a.IsFloat || !b.IsFloat) throw Unsupported(n, $"{n.OpType} on {a.Type}/{b.Type} data (the float executor runs float32 data)");
            var shape = BroadcastShape(n, a.Shape, b.Shape);
            var ia = BroadcastIndex(a.Shape, shape);
            var ib = BroadcastIndex(b.Shape, shape);
            var r = new float[ia.Length];
            for (int i = 0; i < r.Length; i++) r[i] = f(a.F[ia[i]], b.F[ib[i]]);
            return new FloatTensor(shape, r);
        }

        // ---- convolution and pooling ----

        /// <summary>Spatial geometry of a 1-D or 2-D window op, normalised to 2-D (a 1-D op gets H = 1).</summary>
        private struct Window
        {
            public int H, W, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, OH, OW;
        }

        private static Window Geometry(OnnxNode n, int[] xShape, int[] kernel, bool pooling)
        {
            int spatial = xShape.Length - 2;
            if (spatial < 1 || spatial > 2) throw Unsupported(n, $"{spatial}-D {n.OpType} (1-D and 2-D are)");
            if (kernel.Length != spatial) throw new ConversionException($"node {n}: kernel_shape has {kernel.Length} entries for {spatial} spatial dims");
            long[] strides = n.Ints("strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
            long[] dil = n.Ints("dilations") ?? Enumerable.Repeat(1L, spatial).ToArray();
            long[] pads = n.Ints("pads") ?? new long[2 * spatial];
            if (strides.Length != spatial || dil.Length != spatial || pads.Length != 2 * spatial)
                throw new ConversionException($"node {n}: strides/dilations/pads do not match {spatial} spatial dims");
            string autoPad = n.String("auto_pad", "NOTSET");
            bool ceil = pooling && n.Int("ceil_mode", 0) != 0;
            var inSz = xShape.Skip(2).Select(d => (long)d).ToArray();
            var outSz = new long[spatial];
            var pb = new long[spatial];
            var pe = new long[spatial];
            for (int i = 0; i < spatial; i++)
            {
                long ek = (kernel[i] - 1) * dil[i] + 1;
                if (strides[i] < 1 || dil[i] < 1) throw new ConversionException($"node {n}: strides and dilations must be >= 1");
                switch (autoPad)
                {
                    case "NOTSET":
                        pb[i] = pads[i]; pe[i] = pads[i + spatial];
                        {
                            long span = inSz[i] + pb[i] + pe[i] - ek;
                            if (span < 0) throw new ConversionException($"node {n}: window larger than the padded input");
                            outSz[i] = (ceil ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
                            // A ceil-mode window must start inside the input or the leading padding.
                            if (ceil && (outSz[i] - 1) * strides[i] >= inSz[i] + pb[i]) outSz[i]--;
                        }
                        break;
                    case "VALID":
                        outSz[i] = (inSz[i] - ek) / strides[i] + 1;
                        if (outSz[i] < 1) throw new ConversionException($"node {n}: window larger than the input");
                        break;
                    case "SAME_UPPER":
                    case "SAME_LOWER":
                        {
                            outSz[i] = (inSz[i] + strides[i] - 1) / strides[i];
                            long total = Math.Max(0, (outSz[i] - 1) * strides[i] + ek - inSz[i]);
                            pb[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                            pe[i] = total - pb[i];
                            break;
                        }
                    default: throw Unsupported(n, $"auto_pad '{autoPad}'");
                }
            }
            var w = new Window();
            if (spatial == 1)
            {
                w.H = 1; w.KH = 1; w.SH = 1; w.DH = 1; w.OH = 1;
                w.W = (int)inSz[0]; w.KW = kernel[0]; w.SW = (int)strides[0]; w.DW = (int)dil[0]; w.PL = (int)pb[0]; w.PR = (int)pe[0]; w.OW = (int)outSz[0];
            }
            else
            {
                w.H = (int)inSz[0]; w.KH = kernel[0]; w.SH = (int)strides[0]; w.DH = (int)dil[0]; w.PT = (int)pb[0]; w.PB = (int)pe[0]; w.OH = (int)outSz[0];
                w.W = (int)inSz[1]; w.KW = kernel[1]; w.SW = (int)strides[1]; w.DW = (int)dil[1]; w.PL = (int)pb[1]; w.PR = (int)pe[1]; w.OW = (int)outSz[1];
            }
            return w;
        }

        private static int[] OutShape(int[] xShape, int channels, Window w) =>
            xShape.Length == 3 ? new[] { xShape[0], channels, w.OW } : new[] { xShape[0], channels, w.OH, w.OW };

        private static FloatTensor Conv(OnnxNode n, FloatTensor[] x)
        {
            var X = Floats(n, x[0], "input X");
            var Wt = Floats(n, x[1], "weight W");
            var B = x.Length > 2 && x[2] != null ? Floats(n, x[2], "bias B") : null;
            var xs = x[0].Shape; var ws = x[1].Shape;
            if (ws.Length != xs.Length) throw new ConversionException($"node {n}: weight rank {ws.Length} differs from input rank {xs.Length}");
            int group = (int)n.Int("group", 1);
            int N = xs[0], C = xs[1], M = ws[0], CG = ws[1];
            if (group < 1 || C != CG * group || M % group != 0)
                throw new ConversionException($"node {n}: input channels {C}, weight [{string.Join(",", ws)}] and group {group} do not fit");
            var kernel = n.Ints("kernel_shape")?.Select(k => (int)k).ToArray() ?? ws.Skip(2).ToArray();
            if (!kernel.SequenceEqual(ws.Skip(2))) throw new ConversionException($"node {n}: kernel_shape differs from the weight's shape");
            var g = Geometry(n, xs, kernel, pooling: false);
            if (B != null && B.Length != M) throw new ConversionException($"node {n}: bias has {B.Length} values for {M} output channels");
            var Y = new float[N * M * g.OH * g.OW];
            int mPerG = M / group;
            for (int b = 0; b < N; b++)
                for (int m = 0; m < M; m++)
                {
                    int gi = m / mPerG;
                    for (int oh = 0; oh < g.OH; oh++)
                        for (int ow = 0; ow < g.OW; ow++)
                        {
                            double acc = B != null ? B[m] : 0;
                            for (int c = 0; c < CG; c++)
                            {
                                int ic = gi * CG + c;
                                for (int kh = 0; kh < g.KH; kh++)
                                {
                                    int ih = oh * g.SH - g.PT + kh * g.DH;
                                    if (ih < 0 || ih >= g.H) continue;
                                    for (int kw = 0; kw < g.KW; kw++)
                                    {
                                        int iw = ow * g.SW - g.PL + kw * g.DW;
                                        if (iw < 0 || iw >= g.W) continue;
                                        acc += (double)X[((b * C + ic) * g.H + ih) * g.W + iw] * Wt[((m * CG + c) * g.KH + kh) * g.KW + kw];
                                    }
                                }
                            }
                            Y[((b * M + m) * g.OH + oh) * g.OW + ow] = (float)acc;
                        }
                }
            return new FloatTensor(OutShape(xs, M, g), Y);
        }

        private static FloatTensor Pool(OnnxNode n, FloatTensor x, bool max)
        {
            var X = Floats(n, x, "input X");
            var kernel = n.Ints("kernel_shape")?.Select(k => (int)k).ToArray() ?? throw new ConversionException($"node {n}: kernel_shape is required");
            if (n.Int("storage_order", 0) != 0) throw Unsupported(n, "storage_order 1");
            var g = Geometry(n, x.Shape, kernel, pooling: true);
            bool includePad = n.Int("count_include_pad", 0) != 0;
            int N = x.Shape[0], C = x.Shape[1];
            var Y = new float[N * C * g.OH * g.OW];
            for (int bc = 0; bc < N * C; bc++)
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        double acc = max ? double.NegativeInfinity : 0;
                        int count = 0;
                        for (int kh = 0; kh < g.KH; kh++)
                        {
                            int ih = oh * g.SH - g.PT + kh * g.DH;
                            bool inPadH = ih >= -g.PT && ih < g.H + g.PB;
                            for (int kw = 0; kw < g.KW; kw++)
                            {
                                int iw = ow * g.SW - g.PL + kw * g.DW;
                                if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W)
                                {
                                    float v = X[(bc * g.H + ih) * g.W + iw];
                                    if (max) { if (v > acc) acc = v; } else acc += v;
                                    count++;
                                }
                                else if (includePad && inPadH && iw >= -g.PL && iw < g.W + g.PR) count++;   // a zero from the padding
                            }
                        }
                        Y[(bc * g.OH + oh) * g.OW + ow] = max ? (float)acc : count == 0 ? 0f : (float)(acc / count);
                    }
            return new FloatTensor(OutShape(x.Shape, C, g), Y);
        }

        private static FloatTensor GlobalAveragePool(OnnxNode n, FloatTensor x)
        {
            var X = Floats(n, x, "input X");
            if (x.Rank < 3) throw new ConversionException($"node {n}: input must have rank >= 3");
            int nc = x.Shape[0] * x.Shape[1], sp = X.Length / Math.Max(1, nc);
            var Y = new float[nc];
            for (int i = 0; i < nc; i++)
            {
                double s = 0;
                for (int j = 0; j < sp; j++) s += X[i * sp + j];
                Y[i] = (float)(s / sp);
            }
            var shape = x.Shape.Select((d, i) => i < 2 ? d : 1).ToArray();
            return new FloatTensor(shape, Y);
        }

        // ---- matrix products ----

        private static FloatTensor Gemm(OnnxNode n, FloatTensor[] x)
        {
            var A = Floats(n, x[0], "A"); var B = Floats(n, x[1], "B");
            if (x[0].Rank != 2 || x[1].Rank != 2) throw new ConversionException($"node {n}: Gemm needs 2-D A and B");
            bool ta = n.Int("transA", 0) != 0, tb = n.Int("transB", 0) != 0;
            float alpha = n.Float("alpha", 1f), beta = n.Float("beta", 1f);
            int M = ta ? x[0].Shape[1] : x[0].Shape[0], K = ta ? x[0].Shape[0] : x[0].Shape[1];
            int K2 = tb ? x[1].Shape[1] : x[1].Shape[0], N = tb ? x[1].Shape[0] : x[1].Shape[1];
            if (K != K2) throw new ConversionException($"node {n}: inner dimensions {K} and {K2} differ");
            int[] cIdx = null; float[] C = null;
            if (x.Length > 2 && x[2] != null)
            {
                C = Floats(n, x[2], "C");
                var bs = BroadcastShape(n, x[2].Shape, new[] { M, N });
                if (bs.Length != 2 || bs[0] != M || bs[1] != N) throw new ConversionException($"node {n}: C does not broadcast to [{M},{N}]");
                cIdx = BroadcastIndex(x[2].Shape, new[] { M, N });
            }
            var Y = new float[M * N];
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++)
                {
                    double acc = 0;
                    for (int k = 0; k < K; k++)
                        acc += (double)(ta ? A[k * M + i] : A[i * K + k]) * (tb ? B[j * K + k] : B[k * N + j]);
                    acc *= alpha;
                    if (C != null) acc += (double)beta * C[cIdx[i * N + j]];
                    Y[i * N + j] = (float)acc;
                }
            return new FloatTensor(new[] { M, N }, Y);
        }

        private static FloatTensor MatMul(OnnxNode n, FloatTensor a, FloatTensor b)
        {
            var A = Floats(n, a, "A"); var B = Floats(n, b, "B");
            var sa = a.Shape; var sb = b.Shape;
            bool va = sa.Length == 1, vb = sb.Length == 1;
            if (va) sa = new[] { 1, sa[0] };
            if (vb) sb = new[] { sb[0], 1 };
            int M = sa[^2], K = sa[^1], K2 = sb[^2], N = sb[^1];
            if (K != K2) throw new ConversionException($"node {n}: inner dimensions {K} and {K2} differ");
            var batch = BroadcastShape(n, sa[..^2], sb[..^2]);
            var ia = BroadcastIndex(sa[..^2], batch);
            var ib = BroadcastIndex(sb[..^2], batch);
            int nb = ia.Length;
            var Y = new float[nb * M * N];
            for (int t = 0; t < nb; t++)
            {
                int oa = ia[t] * M * K, ob = ib[t] * K * N, oy = t * M * N;
                for (int i = 0; i < M; i++)
                    for (int j = 0; j < N; j++)
                    {
                        double acc = 0;
                        for (int k = 0; k < K; k++) acc += (double)A[oa + i * K + k] * B[ob + k * N + j];
                        Y[oy + i * N + j] = (float)acc;
                    }
            }
            var shape = batch.ToList();
            if (!va) shape.Add(M);
            if (!vb) shape.Add(N);
            return new FloatTensor(shape.ToArray(), Y);
        }

        // ---- normalisation ----

        private FloatTensor Softmax(OnnxNode n, FloatTensor x)
        {
            var X = Floats(n, x, "input");
            int r = x.Rank;
            int axis = (int)n.Int("axis", _opset < 13 ? 1 : -1);
            if (axis < 0) axis += r;
            if (axis < 0 || axis >= Math.Max(r, 1)) throw new ConversionException($"node {n}: axis out of range");
            int outer, len, inner;
            if (_opset < 13)
            {   // opsets 1-12: the input is coerced to 2-D [prod(dims[..axis]), prod(dims[axis..])]
                outer = x.Shape.Take(axis).Aggregate(1, (p, d) => p * d);
                len = X.Length / Math.Max(outer, 1); inner = 1;
            }
            else
            {
                outer = x.Shape.Take(axis).Aggregate(1, (p, d) => p * d);
                len = x.Shape[axis];
                inner = x.Shape.Skip(axis + 1).Aggregate(1, (p, d) => p * d);
            }
            var Y = new float[X.Length];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int baseIdx = o * len * inner + i;
                    float mx = float.NegativeInfinity;
                    for (int k = 0; k < len; k++) mx = Math.Max(mx, X[baseIdx + k * inner]);
                    double sum = 0;
                    for (int k = 0; k < len; k++) sum += Math.Exp(X[baseIdx + k * inner] - mx);
                    for (int k = 0; k < len; k++) Y[baseIdx + k * inner] = (float)(Math.Exp(X[baseIdx + k * inner] - mx) / sum);
                }
            return new FloatTensor(x.Shape, Y);
        }

        private static FloatTensor BatchNorm(OnnxNode n, FloatTensor[] x)
        {
            if (n.Int("training_mode", 0) != 0 || n.Outputs.Count(o => o != "") > 1) throw Unsupported(n, "BatchNormalization in training mode");
            var X = Floats(n, x[0], "X");
            var scale = Floats(n, x[1], "scale"); var bias = Floats(n, x[2], "B");
            var mean = Floats(n, x[3], "mean"); var var_ = Floats(n, x[4], "var");
            float eps = n.Float("epsilon", 1e-5f);
            int N = x[0].Shape[0], C = x[0].Rank > 1 ? x[0].Shape[1] : 1;
            int sp = X.Length / Math.Max(1, N * C);
            var Y = new float[X.Length];
            for (int b = 0; b < N; b++)
                for (int c = 0; c < C; c++)
                {
                    double k = scale[c] / Math.Sqrt((double)var_[c] + eps);
                    for (int j = 0; j < sp; j++)
                    {
                        int i = (b * C + c) * sp + j;
                        Y[i] = (float)((X[i] - (double)mean[c]) * k + bias[c]);
                    }
                }
            return new FloatTensor(x[0].Shape, Y);
        }

        // ---- data movement ----

        private static FloatTensor WithShape(FloatTensor x, int[] shape) =>
            x.IsFloat ? new FloatTensor(shape, x.F) : new FloatTensor(shape, x.L, x.Type);

        private static long[] Ints(OnnxNode n, FloatTensor t, string what)
        {
            if (t == null || t.IsFloat) throw new ConversionException($"node {n}: {what} must be an integer tensor");
            return t.L;
        }

        private static FloatTensor Reshape(OnnxNode n, FloatTensor x, FloatTensor shapeT)
        {
            var spec = Ints(n, shapeT, "shape");
            bool allowZero = n.Int("allowzero", 0) != 0;
            var shape = new int[spec.Length];
            int infer = -1; long known = 1;
            for (int i = 0; i < spec.Length; i++)
            {
                long d = spec[i];
                if (d == 0 && !allowZero)
                {
                    if (i >= x.Rank) throw new ConversionException($"node {n}: shape copies dimension {i} the input does not have");
                    d = x.Shape[i];
                }
                if (d == -1)
                {
                    if (infer >= 0) throw new ConversionException($"node {n}: more than one -1 in the shape");
                    infer = i; continue;
                }
                if (d < 0) throw new ConversionException($"node {n}: invalid dimension {d}");
                shape[i] = (int)d; known *= d;
            }
            if (infer >= 0)
            {
                if (known == 0 || x.Length % known != 0) throw new ConversionException($"node {n}: cannot infer the -1 dimension");
                shape[infer] = (int)(x.Length / known);
            }
            if (FloatTensor.Count(shape) != x.Length)
                throw new ConversionException($"node {n}: cannot reshape [{string.Join(",", x.Shape)}] to [{string.Join(",", shape)}]");
            return WithShape(x, shape);
        }

        private static FloatTensor Flatten(OnnxNode n, FloatTensor x)
        {
            int axis = (int)n.Int("axis", 1);
            if (axis < 0) axis += x.Rank;
            if (axis < 0 || axis > x.Rank) throw new ConversionException($"node {n}: axis out of range");
            int outer = x.Shape.Take(axis).Aggregate(1, (p, d) => p * d);
            return WithShape(x, new[] { outer, outer == 0 ? 0 : x.Length / outer });
        }

        private static FloatTensor Transpose(OnnxNode n, FloatTensor x)
        {
            int r = x.Rank;
            var perm = n.Ints("perm")?.Select(p => (int)p).ToArray() ?? Enumerable.Range(0, r).Reverse().ToArray();
            if (perm.Length != r || perm.OrderBy(p => p).Where((p, i) => p != i).Any())
                throw new ConversionException($"node {n}: perm [{string.Join(",", perm)}] is not a permutation of rank {r}");
            var shape = perm.Select(p => x.Shape[p]).ToArray();
            var st = Strides(x.Shape);
            // source index of each output element: the output's dimension d walks the input's dimension perm[d]
            var srcShapeStrides = perm.Select(p => st[p]).ToArray();
            var idx = Walk(shape, srcShapeStrides);
            return Gather(x, shape, idx);
        }

        /// <summary>Flat source offsets for walking <paramref name="shape"/> in C order with per-dimension source strides.</summary>
        private static int[] Walk(int[] shape, int[] strides)
        {
            int count = FloatTensor.Count(shape), r = shape.Length;
            var idx = new int[count];
            var pos = new int[r];
            int off = 0;
            for (int e = 0; e < count; e++)
            {
                idx[e] = off;
                for (int d = r - 1; d >= 0; d--)
                {
                    pos[d]++; off += strides[d];
                    if (pos[d] < shape[d]) break;
                    off -= strides[d] * pos[d]; pos[d] = 0;
                }
            }
            return idx;
        }

        private static FloatTensor Gather(FloatTensor x, int[] shape, int[] idx)
        {
            if (x.IsFloat)
            {
                var r = new float[idx.Length];
                for (int i = 0; i < r.Length; i++) r[i] = x.F[idx[i]];
                return new FloatTensor(shape, r);
            }
            var l = new long[idx.Length];
            for (int i = 0; i < l.Length; i++) l[i] = x.L[idx[i]];
            return new FloatTensor(shape, l, x.Type);
        }

        private static FloatTensor Concat(OnnxNode n, FloatTensor[] xs)
        {
            var parts = xs.Where(t => t != null).ToArray();
            int r = parts[0].Rank;
            int axis = (int)n.Int("axis", int.MinValue);
            if (axis == int.MinValue) throw new ConversionException($"node {n}: axis is required");
            if (axis < 0) axis += r;
            if (axis < 0 || axis >= r) throw new ConversionException($"node {n}: axis out of range");
            foreach (var p in parts)
                if (p.Rank != r || p.IsFloat != parts[0].IsFloat || Enumerable.Range(0, r).Any(d => d != axis && p.Shape[d] != parts[0].Shape[d]))
                    throw new ConversionException($"node {n}: inputs [{string.Join("] [", parts.Select(q => string.Join(",", q.Shape)))}] do not concatenate on axis {axis}");
            var shape = (int[])parts[0].Shape.Clone();
            shape[axis] = parts.Sum(p => p.Shape[axis]);
            int outer = shape.Take(axis).Aggregate(1, (a, d) => a * d);
            int inner = shape.Skip(axis + 1).Aggregate(1, (a, d) => a * d);
            int total = FloatTensor.Count(shape);
            var F = parts[0].IsFloat ? new float[total] : null;
            var L = F == null ? new long[total] : null;
            int o = 0;
            for (int b = 0; b < outer; b++)
                foreach (var p in parts)
                {
                    int len = p.Shape[axis] * inner;
                    if (F != null) Array.Copy(p.F, b * len, F, o, len); else Array.Copy(p.L, b * len, L, o, len);
                    o += len;
                }
            return F != null ? new FloatTensor(shape, F) : new FloatTensor(shape, L, parts[0].Type);
        }

        private FloatTensor Pad(OnnxNode n, FloatTensor[] x)
        {
            var X = Floats(n, x[0], "data");
            int r = x[0].Rank;
            string mode = n.String("mode", "constant");
            long[] pads; float value = 0;
            if (_opset < 11)
            {
                pads = n.Ints("pads") ?? n.Ints("paddings") ?? throw new ConversionException($"node {n}: pads are required");
                value = n.Float("value", 0f);
            }
            else
            {
                pads = Ints(n, x[1], "pads");
                if (x.Length > 2 && x[2] != null) value = Floats(n, x[2], "constant_value")[0];
                if (x.Length > 3 && x[3] != null)
                {   // opset 18: pads for the listed axes only
                    var axes = Ints(n, x[3], "axes").Select(a => (int)(a < 0 ? a + r : a)).ToArray();
                    var full = new long[2 * r];
                    for (int i = 0; i < axes.Length; i++) { full[axes[i]] = pads[i]; full[axes[i] + r] = pads[i + axes.Length]; }
                    pads = full;
                }
            }
            if (pads.Length != 2 * r) throw new ConversionException($"node {n}: {pads.Length} pads for rank {r}");
            if (mode is not ("constant" or "reflect" or "edge")) throw Unsupported(n, $"Pad mode '{mode}'");
            var shape = new int[r];
            for (int d = 0; d < r; d++)
            {
                shape[d] = (int)(x[0].Shape[d] + pads[d] + pads[d + r]);
                if (shape[d] < 0) throw new ConversionException($"node {n}: negative output dimension");
                if (mode == "reflect" && (pads[d] >= x[0].Shape[d] || pads[d + r] >= x[0].Shape[d]) && (pads[d] > 0 || pads[d + r] > 0))
                    throw new ConversionException($"node {n}: reflect padding must be smaller than the dimension");
            }
            var st = Strides(x[0].Shape);
            int count = FloatTensor.Count(shape);
            var Y = new float[count];
            var pos = new int[r];
            for (int e = 0; e < count; e++)
            {
                int off = 0; bool inside = true;
                for (int d = 0; d < r && inside; d++)
                {
                    int i = pos[d] - (int)pads[d], len = x[0].Shape[d];
                    if (i < 0 || i >= len)
                    {
                        if (mode == "constant") { inside = false; break; }
                        if (mode == "edge") i = i < 0 ? 0 : len - 1;
                        else
                        {
                            while (i < 0 || i >= len) i = i < 0 ? -i : 2 * (len - 1) - i;
                        }
                    }
                    off += i * st[d];
                }
                Y[e] = inside ? X[off] : value;
                for (int d = r - 1; d >= 0; d--) { if (++pos[d] < shape[d]) break; pos[d] = 0; }
            }
            return new FloatTensor(shape, Y);
        }

        private int[] AxesOf(OnnxNode n, FloatTensor[] x, int rank)
        {
            long[] axes = _opset < 13 ? n.Ints("axes") : (x.Length > 1 && x[1] != null ? Ints(n, x[1], "axes") : null);
            return axes?.Select(a => (int)(a < 0 ? a + rank : a)).ToArray();
        }

        private FloatTensor Squeeze(OnnxNode n, FloatTensor[] x)
        {
            var axes = AxesOf(n, x, x[0].Rank);
            var shape = new List<int>();
            for (int d = 0; d < x[0].Rank; d++)
            {
                bool drop = axes == null ? x[0].Shape[d] == 1 : axes.Contains(d);
                if (drop && x[0].Shape[d] != 1) throw new ConversionException($"node {n}: cannot squeeze dimension {d} of size {x[0].Shape[d]}");
                if (!drop) shape.Add(x[0].Shape[d]);
            }
            return WithShape(x[0], shape.ToArray());
        }

        private FloatTensor Unsqueeze(OnnxNode n, FloatTensor[] x)
        {
            int outRank = x[0].Rank + (AxesOf(n, x, 0)?.Length ?? throw new ConversionException($"node {n}: axes are required"));
            var axes = AxesOf(n, x, outRank);
            var shape = new int[outRank];
            int k = 0;
            for (int d = 0; d < outRank; d++) shape[d] = axes.Contains(d) ? 1 : x[0].Shape[k++];
            return WithShape(x[0], shape);
        }

        // ---- quantization (fake-quant of a QDQ graph) ----

        /// <summary>The per-element index into a scale/zero-point vector: per-tensor (one value) or along <c>axis</c>.</summary>
        private static Func<int, int> ChannelOf(OnnxNode n, int[] shape, int paramCount)
        {
            if (paramCount == 1) return _ => 0;
            int axis = (int)n.Int("axis", 1);
            if (axis < 0) axis += shape.Length;
            if (axis < 0 || axis >= shape.Length || shape[axis] != paramCount)
                throw new ConversionException($"node {n}: {paramCount} scales for axis {axis} of [{string.Join(",", shape)}]");
            int inner = shape.Skip(axis + 1).Aggregate(1, (a, d) => a * d);
            return i => i / inner % paramCount;
        }

        private static FloatTensor Quantize(OnnxNode n, FloatTensor[] x)
        {
            var X = Floats(n, x[0], "x");
            var scale = Floats(n, x[1], "y_scale");
            var zpT = x.Length > 2 ? x[2] : null;
            var type = zpT?.Type ?? OnnxDataType.UInt8;
            long lo, hi;
            switch (type)
            {
                case OnnxDataType.Int8: lo = -128; hi = 127; break;
                case OnnxDataType.UInt8: lo = 0; hi = 255; break;
                case OnnxDataType.Int32: lo = int.MinValue; hi = int.MaxValue; break;
                default: throw Unsupported(n, $"QuantizeLinear to {type}");
            }
            var ch = ChannelOf(n, x[0].Shape, scale.Length);
            var Y = new long[X.Length];
            for (int i = 0; i < X.Length; i++)
            {
                int c = ch(i);
                // ONNX: saturate(round_half_to_even(x / y_scale) + y_zero_point), the division in float32
                double q = Math.Round((double)(X[i] / scale[c]), MidpointRounding.ToEven) + (zpT?.L[c] ?? 0);
                Y[i] = (long)Math.Clamp(q, lo, hi);
            }
            return new FloatTensor(x[0].Shape, Y, type);
        }

        private static FloatTensor Dequantize(OnnxNode n, FloatTensor[] x)
        {
            if (x[0].IsFloat) throw Unsupported(n, "DequantizeLinear of float data");
            var scale = Floats(n, x[1], "x_scale");
            var zp = x.Length > 2 && x[2] != null ? x[2].L : null;
            var ch = ChannelOf(n, x[0].Shape, scale.Length);
            var Y = new float[x[0].Length];
            for (int i = 0; i < Y.Length; i++)
            {
                int c = ch(i);
                Y[i] = (float)(x[0].L[i] - (zp?[c] ?? 0)) * scale[c];
            }
            return new FloatTensor(x[0].Shape, Y);
        }
    }
}
