using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;

namespace Edge.Converter.Quantization
{
    /// <summary>Per-tensor or per-axis affine quantization parameters: real = scale · (q − zeroPoint).</summary>
    public sealed class QuantParams
    {
        public float[] Scale { get; init; }
        public long[] ZeroPoint { get; init; }
        /// <summary>-1 for per-tensor.</summary>
        public int Axis { get; init; } = -1;
        public override string ToString() => Axis < 0 ? $"scale {Scale[0]:G6} zp {ZeroPoint[0]}" : $"per-axis {Axis}: {Scale.Length} scales";
    }

    /// <summary>One quantized op of the QDQ graph: where its output lives in the float graph and in the QDQ graph.</summary>
    public sealed class QuantizedLayer
    {
        public string NodeName { get; init; }
        public string OpType { get; init; }
        /// <summary>Op types of the float graph this layer stands for (e.g. "Conv+Relu" when the Relu was folded).</summary>
        public string Fused { get; init; }
        /// <summary>The tensor's name in the prepared float graph.</summary>
        public string FloatTensor { get; init; }
        /// <summary>The dequantized value's name in the QDQ graph.</summary>
        public string QdqTensor { get; init; }
        public QuantParams Params { get; init; }
    }

    public sealed class QdqResult
    {
        public OnnxModel Model { get; init; }
        public List<QuantizedLayer> Layers { get; init; }
        /// <summary>Activation quantization parameters by float tensor name.</summary>
        public Dictionary<string, QuantParams> Activations { get; init; }
    }

    /// <summary>
    /// Rewrites a float ONNX graph (after <see cref="FloatGraphPrep"/>) and its calibrated activation ranges into
    /// onnxruntime <c>quantize_static</c>-style QDQ form:
    /// <list type="bullet">
    /// <item>weights of Conv (axis 0), Gemm (axis 0 with transB, else 1) and MatMul (last axis): per-channel symmetric
    /// int8, scale = max|w|/127 per channel (1 where the channel is all zero), zero point 0, values
    /// clip(round_half_even(w/scale), −127, 127), stored as int8 initializers behind DequantizeLinear;</item>
    /// <item>other float constants feeding quantized ops: the same, per tensor;</item>
    /// <item>Conv/Gemm bias: int32, scale s_in·s_w[c] (float32 product), zero point 0, round_half_even(b/scale);</item>
    /// <item>activations: per-tensor asymmetric int8 from the range widened to include 0: scale = (max − min)/255
    /// (computed in double, stored as float32; 1 if below float's smallest normal), zp = round(−128 − min/scale)
    /// clamped to [−128, 127]; one QuantizeLinear→DequantizeLinear pair per tensor, shared by all consumers;</item>
    /// <item>as onnxruntime: a Relu/Clip whose input has no other consumer is removed and its producer's output
    /// takes the activation's range; the input of any Relu/Clip takes its output's range; Softmax outputs use
    /// [0, 1]; the outputs of data-movement ops (Reshape, Flatten, Transpose, Squeeze, Unsqueeze, MaxPool,
    /// AveragePool, Pad) share their input's parameters.</item>
    /// </list>
    /// Names follow onnxruntime: <c>T_QuantizeLinear_Output</c>, <c>T_DequantizeLinear_Output</c>, <c>T_scale</c>,
    /// <c>T_zero_point</c>, <c>W_quantized</c>; a graph output T keeps its name as the last DequantizeLinear's output.
    /// </summary>
    public static class QdqQuantizer
    {
        public static readonly IReadOnlyCollection<string> QuantizableOps = new SortedSet<string>(StringComparer.Ordinal)
        {
            "Conv", "Gemm", "MatMul", "Add", "Mul", "Relu", "Clip", "MaxPool", "AveragePool", "GlobalAveragePool",
            "Reshape", "Flatten", "Transpose", "Concat", "Softmax", "Sigmoid", "Pad", "Squeeze", "Unsqueeze",
        };

        /// <summary>numpy.finfo(float32).tiny, the smallest normal float32: smaller scales become 1 (onnxruntime).</summary>
        private const float FloatTiny = 1.17549435e-38f;

        private static readonly HashSet<string> DirectOps = new(StringComparer.Ordinal)
            { "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "MaxPool", "AveragePool", "Pad" };

        /// <summary>Activation parameters from a calibrated range, as onnxruntime's compute_scale_zp (int8, asymmetric).</summary>
        public static QuantParams ActivationParams(TensorRange r)
        {
            float rmin = Math.Min(r.Min, 0f), rmax = Math.Max(r.Max, 0f);
            float scale = (float)(((double)rmax - rmin) / 255.0);
            long zp;
            if (scale < FloatTiny) { scale = 1f; zp = 0; }
            else zp = (long)Math.Clamp(Math.Round(-128.0 - (double)(rmin / scale), MidpointRounding.ToEven), -128, 127);
            return new QuantParams { Scale = new[] { scale }, ZeroPoint = new[] { zp } };
        }

        /// <summary>
        /// Symmetric int8 weight scales along <paramref name="axis"/> (-1: one scale): max|w|/127, or max|w|/64 with
        /// <paramref name="reduceRange"/> (onnxruntime's reduce_range: 7-bit weights, so that x86's u8s8 pair sums
        /// 2·255·64 never saturate int16).
        /// </summary>
        public static float[] WeightScales(float[] w, long[] dims, int axis, bool reduceRange = false)
        {
            int qmax = reduceRange ? 64 : 127;
            int channels = axis < 0 ? 1 : (int)dims[axis];
            int inner = axis < 0 ? w.Length : (int)dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
            var absmax = new float[channels];
            for (int i = 0; i < w.Length; i++)
            {
                int c = axis < 0 ? 0 : i / inner % channels;
                absmax[c] = Math.Max(absmax[c], Math.Abs(w[i]));
            }
            var s = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                s[c] = (float)(2.0 * absmax[c] / (2.0 * qmax));   // (rmax − rmin)/(qmax − qmin) with qmin = −qmax
                if (s[c] < FloatTiny) s[c] = 1f;
            }
            return s;
        }

        public static sbyte[] QuantizeWeights(float[] w, long[] dims, int axis, float[] scales, bool reduceRange = false)
        {
            int qmax = reduceRange ? 64 : 127;
            int channels = scales.Length;
            int inner = axis < 0 ? w.Length : (int)dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
            var q = new sbyte[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                int c = axis < 0 ? 0 : i / inner % channels;
                q[i] = (sbyte)Math.Clamp(Math.Round((double)(w[i] / scales[c]), MidpointRounding.ToEven), -qmax, qmax);
            }
            return q;
        }

        public static QdqResult Quantize(OnnxModel prepared, IReadOnlyDictionary<string, TensorRange> ranges, bool reduceRange = false)
        {
            var src = prepared.Graph;
            if (prepared.Opset < 13)
                throw new ConversionException($"the model imports ONNX opset {prepared.Opset}; per-channel QDQ needs opset 13 or later (re-export with opset_version >= 13)");
            foreach (var n in src.Nodes)
                if (!QuantizableOps.Contains(n.OpType) || (n.Domain != "" && n.Domain != "ai.onnx"))
                    throw new ConversionException($"node {n} (#{src.Nodes.IndexOf(n)}): {n.OpType} cannot be quantized to int8 (supported: {string.Join(", ", QuantizableOps)})");

            var inits = src.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
            var nodes = src.Nodes.Select(FloatGraphPrep.Clone).ToList();
            var graphOutputs = new HashSet<string>(src.Outputs.Select(o => o.Name), StringComparer.Ordinal);
            var graphInputs = new HashSet<string>(src.RealInputs.Select(i => i.Name), StringComparer.Ordinal);
            var rangeOf = new Dictionary<string, TensorRange>(ranges, StringComparer.Ordinal);
            var fused = nodes.ToDictionary(n => n, n => n.OpType);

            bool IsFloatActivation(string name) => name != "" && !inits.ContainsKey(name);

            // onnxruntime adjust_tensor_ranges: Relu/Clip inputs (single consumer) take the output's range; Softmax → [0, 1]
            foreach (var n in nodes)
            {
                if (n.OpType is "Relu" or "Clip" && nodes.Count(c => c.Inputs.Contains(n.Inputs[0])) == 1
                    && rangeOf.ContainsKey(n.Outputs[0]) && rangeOf.ContainsKey(n.Inputs[0]))
                    rangeOf[n.Inputs[0]] = rangeOf[n.Outputs[0]];
                else if (n.OpType == "Softmax") rangeOf[n.Outputs[0]] = new TensorRange(0f, 1f);
            }
            // QDQRemovableActivation: drop a Relu/Clip whose input comes from a node, has no other consumer and is no graph in/output
            foreach (var r in nodes.Where(n => n.OpType is "Relu" or "Clip").ToList())
            {
                string x = r.Inputs[0];
                var producer = nodes.FirstOrDefault(p => p.Outputs.Contains(x));
                if (producer == null || graphOutputs.Contains(x) || graphInputs.Contains(x) || nodes.Count(c => c.Inputs.Contains(x)) != 1) continue;
                if (r.OpType == "Clip" && r.Inputs.Skip(1).Any(s => s != "" && !inits.ContainsKey(s))) continue;
                producer.Outputs[producer.Outputs.IndexOf(x)] = r.Outputs[0];
                fused[producer] = fused[producer] + "+" + r.OpType;
                nodes.Remove(r);
            }

            // which tensors get Q/DQ: every float activation input/output of a node; which constants are weights
            var acts = new List<string>();
            var actSet = new HashSet<string>(StringComparer.Ordinal);
            void AddAct(string s) { if (IsFloatActivation(s) && actSet.Add(s)) acts.Add(s); }
            foreach (var i in src.RealInputs) if (nodes.Any(n => n.Inputs.Contains(i.Name))) AddAct(i.Name);
            foreach (var n in nodes)
            {
                foreach (var s in FloatDataInputs(n)) AddAct(s);
                AddAct(n.Outputs[0]);
            }

            // activation parameters in topological order; data-movement outputs copy their input's
            var qp = new Dictionary<string, QuantParams>(StringComparer.Ordinal);
            foreach (var i in acts.Where(a => graphInputs.Contains(a))) qp[i] = FromRange(i);
            foreach (var n in nodes)
            {
                foreach (var s in FloatDataInputs(n).Where(IsFloatActivation))
                    if (!qp.ContainsKey(s)) qp[s] = FromRange(s);
                string o = n.Outputs[0];
                if (DirectOps.Contains(n.OpType) && fused[n] == n.OpType) qp[o] = qp[n.Inputs[0]];
                else qp[o] = FromRange(o);
            }
            QuantParams FromRange(string t) =>
                rangeOf.TryGetValue(t, out var r) ? ActivationParams(r)
                    : throw new ConversionException($"no calibration range for tensor '{t}' (it never received a value)");

            var g = new OnnxGraph { Name = src.Name };
            var m = new OnnxModel { IrVersion = Math.Max(prepared.IrVersion, 7), ProducerName = "edge", ProducerVersion = ModelConverter.Version, Graph = g };
            foreach (var kv in prepared.Opsets) m.Opsets[kv.Key] = kv.Value;
            g.Inputs.AddRange(src.Inputs.Where(i => !inits.ContainsKey(i.Name)));
            g.Outputs.AddRange(src.Outputs);
            var newInits = new List<OnnxTensor>();
            var weightDq = new List<OnnxNode>();
            var dqName = new Dictionary<string, string>(StringComparer.Ordinal);   // float constant → its DQ output
            var usedNames = new HashSet<string>(inits.Keys.Concat(nodes.SelectMany(n => n.Outputs)).Concat(g.Inputs.Select(i => i.Name)), StringComparer.Ordinal);
            string Fresh(string s) { string r = s; for (int k = 1; !usedNames.Add(r); k++) r = $"{s}_{k}"; return r; }

            string AddScalars(string baseName, QuantParams p, OnnxDataType zpType)
            {
                var dims = p.Axis < 0 ? Array.Empty<long>() : new long[] { p.Scale.Length };
                string s = Fresh(baseName + "_scale"), z = Fresh(baseName + "_zero_point");
                newInits.Add(FloatGraphPrep.FloatInit(s, dims, p.Scale));
                newInits.Add(zpType == OnnxDataType.Int32 ? Int32Init(z, dims, p.ZeroPoint.Select(v => (int)v).ToArray()) : Int8Init(z, dims, p.ZeroPoint.Select(v => (sbyte)v).ToArray()));
                return s + "\n" + z;
            }

            OnnxNode Dq(string input, string scalars, string output, string name, int axis)
            {
                var parts = scalars.Split('\n');
                var d = new OnnxNode { Name = Fresh(name), OpType = "DequantizeLinear" };
                d.Inputs.Add(input); d.Inputs.Add(parts[0]); d.Inputs.Add(parts[1]);
                d.Outputs.Add(output);
                if (axis >= 0) d.Attributes["axis"] = new OnnxAttribute { Name = "axis", Type = OnnxAttributeType.Int, I = axis };
                return d;
            }

            // weights and other float constants
            var weightParams = new Dictionary<string, QuantParams>(StringComparer.Ordinal);
            string QuantizeConstant(string name, int axis)
            {
                string key = name + "\n" + axis;   // a constant shared by ops that need different axes is quantized once per axis
                if (dqName.TryGetValue(key, out var done)) return done;
                var t = inits[name];
                if (t.DataType != OnnxDataType.Float) throw new ConversionException($"constant '{name}' is {t.DataType}; only float constants are quantized");
                var w = t.AsFloats();
                var scales = WeightScales(w, t.Dims, axis, reduceRange);
                var q = QuantizeWeights(w, t.Dims, axis, scales, reduceRange);
                var p = new QuantParams { Scale = scales, ZeroPoint = new long[scales.Length], Axis = axis };
                weightParams[key] = p;
                string qn = Fresh(name + "_quantized");
                newInits.Add(Int8Init(qn, t.Dims, q));
                string sc = AddScalars(name, p, OnnxDataType.Int8);
                string outName = Fresh(name + "_DequantizeLinear_Output");
                weightDq.Add(Dq(qn, sc, outName, name + "_DequantizeLinear", axis));
                return dqName[key] = outName;
            }

            string QuantizeBias(OnnxNode n, string bias, string input, string weight)
            {
                var t = inits[bias];
                var b = t.AsFloats();
                var sIn = qp[input].Scale[0];
                var sw = weightParams[weight].Scale;   // weight = "name\naxis" as QuantizeConstant keyed it
                if (sw.Length != b.Length && sw.Length != 1) throw new ConversionException($"node {n}: bias has {b.Length} values for {sw.Length} weight scales");
                var scales = new float[b.Length];
                var q = new int[b.Length];
                for (int c = 0; c < b.Length; c++)
                {
                    scales[c] = sIn * sw[sw.Length == 1 ? 0 : c];
                    double v = Math.Round((double)(b[c] / scales[c]), MidpointRounding.ToEven);
                    if (v < int.MinValue || v > int.MaxValue) throw new ConversionException($"node {n}: bias {b[c]} overflows int32 at scale {scales[c]:G6}");
                    q[c] = (int)v;
                }
                var p = new QuantParams { Scale = scales, ZeroPoint = new long[b.Length], Axis = t.Dims.Length - 1 };
                string qn = Fresh(bias + "_quantized");
                newInits.Add(Int32Init(qn, t.Dims, q));
                string sc = AddScalars(qn, p, OnnxDataType.Int32);
                string outName = Fresh(bias + "_DequantizeLinear_Output");
                weightDq.Add(Dq(qn, sc, outName, bias + "_DequantizeLinear", t.Dims.Length - 1));
                return outName;
            }

            // rewrite node inputs: activations → their DQ output; weights/constants → DQ of the quantized initializer
            var actDqOut = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var a in acts) actDqOut[a] = graphOutputs.Contains(a) ? a : Fresh(a + "_DequantizeLinear_Output");
            var body = new List<OnnxNode>();
            var layers = new List<QuantizedLayer>();
            var qdqPairs = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
            List<OnnxNode> QdqPair(string a)
            {
                var p = qp[a];
                string sc = AddScalars(a, p, OnnxDataType.Int8);
                var parts = sc.Split('\n');
                string qIn = graphOutputs.Contains(a) ? Fresh(a + "_QuantizeLinear_Input") : a;
                var q = new OnnxNode { Name = Fresh(a + "_QuantizeLinear"), OpType = "QuantizeLinear" };
                q.Inputs.Add(qIn); q.Inputs.Add(parts[0]); q.Inputs.Add(parts[1]);
                string qOut = Fresh(a + "_QuantizeLinear_Output");
                q.Outputs.Add(qOut);
                var d = Dq(qOut, sc, actDqOut[a], a + "_DequantizeLinear", -1);
                return new List<OnnxNode> { q, d };
            }
            foreach (var a in acts.Where(graphInputs.Contains)) body.AddRange(QdqPair(a));
            foreach (var n0 in nodes)
            {
                var n = FloatGraphPrep.Clone(n0);
                string wAxisInput = null;
                switch (n.OpType)
                {
                    case "Conv":
                        if (inits.ContainsKey(n.Inputs[1])) { wAxisInput = n.Inputs[1] + "\n0"; n.Inputs[1] = QuantizeConstant(n.Inputs[1], 0); }
                        break;
                    case "Gemm":
                        if (n.Int("transA", 0) != 0 || n.Float("alpha", 1f) != 1f || n.Float("beta", 1f) != 1f)
                            throw new ConversionException($"node {n}: Gemm with transA, alpha or beta other than 0, 1, 1 cannot be quantized");
                        if (inits.ContainsKey(n.Inputs[1]))
                        {
                            var wt = inits[n.Inputs[1]];
                            if (wt.Dims.Length != 2) throw new ConversionException($"node {n}: Gemm weight must be 2-D");
                            int ax = n.Int("transB", 0) != 0 ? 0 : 1;
                            wAxisInput = n.Inputs[1] + "\n" + ax;
                            n.Inputs[1] = QuantizeConstant(n.Inputs[1], ax);
                        }
                        break;
                    case "MatMul":
                        if (inits.ContainsKey(n.Inputs[1]))
                        {
                            var wt = inits[n.Inputs[1]];
                            if (wt.Dims.Length < 2) throw new ConversionException($"node {n}: MatMul weight must be at least 2-D");
                            wAxisInput = n.Inputs[1] + "\n" + (wt.Dims.Length - 1);
                            n.Inputs[1] = QuantizeConstant(n.Inputs[1], wt.Dims.Length - 1);
                        }
                        break;
                    case "Pad":
                        if (n.Inputs.Count > 2 && n.Inputs[2] != "")
                        {
                            var cv = inits.TryGetValue(n.Inputs[2], out var cvt) ? cvt.AsFloats() : null;
                            if (cv == null || cv.Any(v => v != 0f)) throw new ConversionException($"node {n}: Pad with a constant value other than 0 cannot be quantized");
                            n.Inputs[2] = "";
                        }
                        if (n.String("mode", "constant") is not ("constant" or "reflect" or "edge")) throw new ConversionException($"node {n}: Pad mode '{n.String("mode", "")}' cannot be quantized");
                        break;
                }
                // bias
                if ((n.OpType is "Conv" or "Gemm") && n.Inputs.Count > 2 && n.Inputs[2] != "" && wAxisInput != null)
                {
                    if (!inits.TryGetValue(n0.Inputs[2], out var bt)) throw new ConversionException($"node {n}: bias must be an initializer");
                    if (bt.Dims.Length > 1 && bt.Dims.Take(bt.Dims.Length - 1).Any(d => d != 1))
                        throw new ConversionException($"node {n}: bias of shape [{string.Join(",", bt.Dims)}] cannot be quantized per channel");
                    n.Inputs[2] = QuantizeBias(n, n0.Inputs[2], n0.Inputs[0], wAxisInput);
                }
                // remaining float data inputs: activations → DQ outputs, other float constants → per-tensor int8
                for (int i = 0; i < n.Inputs.Count; i++)
                {
                    string s = n.Inputs[i];
                    if (s == "" || !FloatDataInputs(n0).Contains(n0.Inputs[i]) || s != n0.Inputs[i]) continue;
                    if (actSet.Contains(s)) n.Inputs[i] = actDqOut[s];
                    else if (inits.TryGetValue(s, out var ct) && ct.DataType == OnnxDataType.Float) n.Inputs[i] = QuantizeConstant(s, -1);
                }
                string o = n.Outputs[0];
                if (graphOutputs.Contains(o)) n.Outputs[0] = Fresh(o + "_QuantizeLinear_Input");
                body.Add(n);
                var pair = QdqPair(o);
                if (graphOutputs.Contains(o)) pair[0].Inputs[0] = n.Outputs[0];
                body.AddRange(pair);
                layers.Add(new QuantizedLayer
                {
                    NodeName = n.Name != "" ? n.Name : o, OpType = n.OpType, Fused = fused[n0], FloatTensor = o, QdqTensor = actDqOut[o], Params = qp[o],
                });
            }
            // the float initializers that are still referenced (shapes, pads, axes) stay; quantized ones are replaced
            var referenced = new HashSet<string>(body.Concat(weightDq).SelectMany(n => n.Inputs), StringComparer.Ordinal);
            g.Initializers.AddRange(src.Initializers.Where(t => referenced.Contains(t.Name)));
            g.Initializers.AddRange(newInits);
            g.Nodes.AddRange(weightDq);
            g.Nodes.AddRange(body);
            return new QdqResult { Model = m, Layers = layers, Activations = qp };
        }

        /// <summary>The inputs of a node that carry float data (not shapes, pads, axes or Clip bounds).</summary>
        private static IEnumerable<string> FloatDataInputs(OnnxNode n) => n.OpType switch
        {
            "Reshape" or "Pad" or "Squeeze" or "Unsqueeze" or "Clip" => n.Inputs.Take(1),
            "Conv" or "Gemm" => n.Inputs.Take(2),   // bias handled apart
            _ => n.Inputs.Where(s => s != ""),
        };

        public static OnnxTensor Int8Init(string name, long[] dims, sbyte[] values)
        {
            var data = new byte[values.Length];
            Buffer.BlockCopy(values, 0, data, 0, data.Length);
            return new OnnxTensor { Name = name, DataType = OnnxDataType.Int8, Dims = dims, Data = data };
        }

        public static OnnxTensor Int32Init(string name, long[] dims, int[] values)
        {
            var data = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, data, 0, data.Length);
            return new OnnxTensor { Name = name, DataType = OnnxDataType.Int32, Dims = dims, Data = data };
        }
    }
}
