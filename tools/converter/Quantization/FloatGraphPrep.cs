using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;

namespace Edge.Converter.Quantization
{
    /// <summary>
    /// Float-graph clean-up before calibration and quantization (what onnxruntime's pre-processing/graph
    /// optimizations do for quantize_static): Constant nodes become initializers, inference-mode Identity and
    /// Dropout are removed, BatchNormalization is folded into the Conv before it (weights and bias rescaled) or, with
    /// no Conv before it, rewritten as Mul and Add by per-channel constants. The input model is not modified.
    /// </summary>
    public static class FloatGraphPrep
    {
        public static OnnxModel Prepare(OnnxModel src)
        {
            var m = new OnnxModel { IrVersion = src.IrVersion, ProducerName = src.ProducerName, ProducerVersion = src.ProducerVersion };
            foreach (var kv in src.Opsets) m.Opsets[kv.Key] = kv.Value;
            var g = m.Graph;
            g.Name = src.Graph.Name;
            g.Inputs.AddRange(src.Graph.Inputs);
            g.Outputs.AddRange(src.Graph.Outputs);
            g.Initializers.AddRange(src.Graph.Initializers);
            foreach (var n in src.Graph.Nodes) g.Nodes.Add(Clone(n));

            // Constant nodes → initializers
            foreach (var n in g.Nodes.Where(n => n.OpType == "Constant").ToList())
            {
                var t = new FloatExecutorConstant(n).Tensor;
                t.Name = n.Outputs[0];
                g.Initializers.Add(t);
                g.Nodes.Remove(n);
            }
            // Identity and inference Dropout: pass-through
            foreach (var n in g.Nodes.Where(n => n.OpType is "Identity" or "Dropout").ToList())
            {
                if (n.OpType == "Dropout" && (n.Int("training_mode", 0) != 0 || n.Outputs.Skip(1).Any(o => o != "" && Consumers(g, o).Any())))
                    throw new ConversionException($"node {n}: Dropout's mask output or training mode cannot be quantized");
                Bypass(g, n);
            }
            // BatchNormalization
            foreach (var bn in g.Nodes.Where(n => n.OpType == "BatchNormalization").ToList())
            {
                if (bn.Outputs.Count(o => o != "") > 1 || bn.Int("training_mode", 0) != 0)
                    throw new ConversionException($"node {bn}: BatchNormalization in training mode cannot be quantized");
                var p = bn.Inputs.Skip(1).Select(name => Init(g, name) ?? throw new ConversionException($"node {bn}: BatchNormalization's '{name}' must be an initializer")).ToArray();
                float[] scale = p[0].AsFloats(), beta = p[1].AsFloats(), mean = p[2].AsFloats(), var_ = p[3].AsFloats();
                float eps = bn.Float("epsilon", 1e-5f);
                int c = scale.Length;
                var k = new double[c];
                var shift = new double[c];
                for (int i = 0; i < c; i++)
                {
                    k[i] = scale[i] / Math.Sqrt((double)var_[i] + eps);
                    shift[i] = beta[i] - mean[i] * k[i];
                }
                var conv = g.Nodes.FirstOrDefault(n => n.OpType == "Conv" && n.Outputs[0] == bn.Inputs[0]);
                var convW = conv == null ? null : Init(g, conv.Inputs[1]);
                bool fold = conv != null && convW != null && Consumers(g, bn.Inputs[0]).Count() == 1 && !IsGraphOutput(g, bn.Inputs[0])
                    && convW.Dims[0] == c && (conv.Inputs.Count < 3 || conv.Inputs[2] == "" || Init(g, conv.Inputs[2]) != null);
                if (fold)
                {
                    var w = convW.AsFloats();
                    int per = w.Length / c;
                    var nw = new float[w.Length];
                    for (int o = 0; o < c; o++)
                        for (int j = 0; j < per; j++) nw[o * per + j] = (float)(w[o * per + j] * k[o]);
                    var oldB = conv.Inputs.Count > 2 && conv.Inputs[2] != "" ? Init(g, conv.Inputs[2]).AsFloats() : new float[c];
                    var nb = new float[c];
                    for (int o = 0; o < c; o++) nb[o] = (float)(oldB[o] * k[o] + shift[o]);
                    string wName = Unique(g, conv.Inputs[1] + "_bnfolded"), bName = Unique(g, (conv.Name != "" ? conv.Name : bn.Outputs[0]) + "_bias_bnfolded");
                    g.Initializers.Add(FloatInit(wName, convW.Dims, nw));
                    g.Initializers.Add(FloatInit(bName, new long[] { c }, nb));
                    conv.Inputs[1] = wName;
                    while (conv.Inputs.Count < 3) conv.Inputs.Add("");
                    conv.Inputs[2] = bName;
                    conv.Outputs[0] = bn.Outputs[0];
                    g.Nodes.Remove(bn);
                }
                else
                {
                    // y = x·k + shift per channel (axis 1), as constants shaped [C, 1, …] to broadcast over NC…
                    var xRank = RankOf(g, bn.Inputs[0]);
                    var shape = new long[Math.Max(1, xRank - 1)];
                    shape[0] = c;
                    for (int i = 1; i < shape.Length; i++) shape[i] = 1;
                    string kName = Unique(g, bn.Outputs[0] + "_bn_scale"), sName = Unique(g, bn.Outputs[0] + "_bn_shift"), mid = Unique(g, bn.Outputs[0] + "_bn_mul");
                    g.Initializers.Add(FloatInit(kName, shape, k.Select(v => (float)v).ToArray()));
                    g.Initializers.Add(FloatInit(sName, shape, shift.Select(v => (float)v).ToArray()));
                    int at = g.Nodes.IndexOf(bn);
                    var mul = new OnnxNode { Name = bn.Name + "_mul", OpType = "Mul" };
                    mul.Inputs.Add(bn.Inputs[0]); mul.Inputs.Add(kName); mul.Outputs.Add(mid);
                    var add = new OnnxNode { Name = bn.Name + "_add", OpType = "Add" };
                    add.Inputs.Add(mid); add.Inputs.Add(sName); add.Outputs.Add(bn.Outputs[0]);
                    g.Nodes[at] = mul;
                    g.Nodes.Insert(at + 1, add);
                }
            }
            // initializers nothing refers to any more (replaced weights, Constant outputs that fed removed nodes)
            var used = new HashSet<string>(g.Nodes.SelectMany(n => n.Inputs).Concat(g.Outputs.Select(o => o.Name)), StringComparer.Ordinal);
            g.Initializers.RemoveAll(t => !used.Contains(t.Name));
            return m;
        }

        /// <summary>Reads a Constant node's value through the float executor's rules.</summary>
        private sealed class FloatExecutorConstant
        {
            public OnnxTensor Tensor { get; }
            public FloatExecutorConstant(OnnxNode n)
            {
                if (n.Attributes.TryGetValue("value", out var v) && v.T != null)
                {
                    Tensor = new OnnxTensor { DataType = v.T.DataType, Dims = v.T.Dims, Data = v.T.Data };
                    return;
                }
                if (n.Attributes.TryGetValue("value_float", out v)) { Tensor = FloatInit("", Array.Empty<long>(), new[] { v.F }); return; }
                if (n.Attributes.TryGetValue("value_floats", out v)) { Tensor = FloatInit("", new long[] { v.Floats.Length }, v.Floats); return; }
                if (n.Attributes.TryGetValue("value_int", out v)) { Tensor = Int64Init("", Array.Empty<long>(), new[] { v.I }); return; }
                if (n.Attributes.TryGetValue("value_ints", out v)) { Tensor = Int64Init("", new long[] { v.Ints.Length }, v.Ints); return; }
                throw new ConversionException($"node {n}: Constant with attributes [{string.Join(",", n.Attributes.Keys)}] is not supported");
            }
        }

        public static OnnxNode Clone(OnnxNode n)
        {
            var c = new OnnxNode { Name = n.Name, OpType = n.OpType, Domain = n.Domain };
            c.Inputs.AddRange(n.Inputs);
            c.Outputs.AddRange(n.Outputs);
            foreach (var kv in n.Attributes) c.Attributes[kv.Key] = kv.Value;
            return c;
        }

        public static OnnxTensor FloatInit(string name, long[] dims, float[] values)
        {
            var data = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, data, 0, data.Length);
            return new OnnxTensor { Name = name, DataType = OnnxDataType.Float, Dims = dims, Data = data };
        }

        public static OnnxTensor Int64Init(string name, long[] dims, long[] values)
        {
            var data = new byte[values.Length * 8];
            Buffer.BlockCopy(values, 0, data, 0, data.Length);
            return new OnnxTensor { Name = name, DataType = OnnxDataType.Int64, Dims = dims, Data = data };
        }

        public static OnnxTensor Init(OnnxGraph g, string name) => g.Initializers.FirstOrDefault(t => t.Name == name);
        public static IEnumerable<OnnxNode> Consumers(OnnxGraph g, string name) => g.Nodes.Where(n => n.Inputs.Contains(name));
        public static bool IsGraphOutput(OnnxGraph g, string name) => g.Outputs.Any(o => o.Name == name);

        public static string Unique(OnnxGraph g, string name)
        {
            var taken = new HashSet<string>(g.Initializers.Select(t => t.Name).Concat(g.Nodes.SelectMany(n => n.Outputs)).Concat(g.Inputs.Select(i => i.Name)), StringComparer.Ordinal);
            if (!taken.Contains(name)) return name;
            for (int i = 1; ; i++) if (!taken.Contains($"{name}_{i}")) return $"{name}_{i}";
        }

        private static int RankOf(OnnxGraph g, string name)
        {
            var vi = g.Inputs.Concat(g.ValueInfo).Concat(g.Outputs).FirstOrDefault(v => v.Name == name);
            return vi?.Shape?.Length ?? 4;
        }

        /// <summary>Removes a one-input pass-through node, rewiring its consumers (or its producer, for a graph output).</summary>
        private static void Bypass(OnnxGraph g, OnnxNode n)
        {
            string input = n.Inputs[0], output = n.Outputs[0];
            if (IsGraphOutput(g, output))
            {
                var producer = g.Nodes.FirstOrDefault(p => p.Outputs.Contains(input));
                if (producer == null || IsGraphOutput(g, input) || Consumers(g, input).Count() != 1)
                    throw new ConversionException($"node {n}: a {n.OpType} from '{input}' to the graph output '{output}' cannot be removed");
                producer.Outputs[producer.Outputs.IndexOf(input)] = output;
            }
            else
                foreach (var c in g.Nodes)
                    for (int i = 0; i < c.Inputs.Count; i++) if (c.Inputs[i] == output) c.Inputs[i] = input;
            g.Nodes.Remove(n);
        }
    }
}
