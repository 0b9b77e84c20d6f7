using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Cli;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;
using Edge.Runtime;

namespace Edge.Tests.Quantization
{
    /// <summary>Small float ONNX models built in C# with seeded random weights, and calibration data for them.</summary>
    public static class FloatModels
    {
        public sealed class Builder
        {
            public readonly OnnxModel Model = new() { IrVersion = 8 };
            private readonly Random _rng;
            private int _n;
            public Builder(int seed, long opset = 13) { _rng = new Random(seed); Model.Opsets[""] = opset; }
            public OnnxGraph G => Model.Graph;

            public string Input(string name, params long[] shape)
            {
                G.Inputs.Add(new OnnxValueInfo { Name = name, ElementType = OnnxDataType.Float, Shape = shape });
                return name;
            }

            public void Output(string name) => G.Outputs.Add(new OnnxValueInfo { Name = name, ElementType = OnnxDataType.Float });

            public string Const(float[] v, params long[] dims)
            {
                string name = $"c{_n++}";
                G.Initializers.Add(FloatGraphPrep.FloatInit(name, dims, v));
                return name;
            }

            public string Ints(params long[] v)
            {
                string name = $"i{_n++}";
                G.Initializers.Add(FloatGraphPrep.Int64Init(name, new long[] { v.Length }, v));
                return name;
            }

            public string Random(double std, params long[] dims) =>
                Const(Enumerable.Range(0, (int)dims.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(std * Gauss(_rng))).ToArray(), dims);

            public string Uniform(double lo, double hi, params long[] dims) =>
                Const(Enumerable.Range(0, (int)dims.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(lo + (hi - lo) * _rng.NextDouble())).ToArray(), dims);

            public string Node(string op, string[] inputs, params (string, object)[] attrs)
            {
                var n = new OnnxNode { Name = $"{op.ToLowerInvariant()}_{_n}", OpType = op };
                n.Inputs.AddRange(inputs);
                string o = $"t{_n++}";
                n.Outputs.Add(o);
                foreach (var (k, v) in attrs)
                    n.Attributes[k] = v switch
                    {
                        long i => new OnnxAttribute { Name = k, Type = OnnxAttributeType.Int, I = i },
                        int i => new OnnxAttribute { Name = k, Type = OnnxAttributeType.Int, I = i },
                        float f => new OnnxAttribute { Name = k, Type = OnnxAttributeType.Float, F = f },
                        long[] l => new OnnxAttribute { Name = k, Type = OnnxAttributeType.Ints, Ints = l },
                        string s => new OnnxAttribute { Name = k, Type = OnnxAttributeType.String, S = s },
                        _ => throw new ArgumentException(k),
                    };
                G.Nodes.Add(n);
                return o;
            }
        }

        public static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

        /// <summary>
        /// A small image classifier: Conv+BatchNorm+Relu, MaxPool, Conv+Relu6 (Clip), a residual Add, AveragePool,
        /// GlobalAveragePool, Flatten, Gemm, Softmax. Input [1,1,8,8].
        /// </summary>
        public static OnnxModel Cnn(int seed = 1)
        {
            var b = new Builder(seed);
            var x = b.Input("image", 1, 1, 8, 8);
            var c1 = b.Node("Conv", new[] { x, b.Random(0.5, 4, 1, 3, 3), b.Random(0.1, 4) }, ("pads", new long[] { 1, 1, 1, 1 }), ("kernel_shape", new long[] { 3, 3 }));
            var bn = b.Node("BatchNormalization", new[] { c1, b.Uniform(0.5, 1.5, 4), b.Random(0.1, 4), b.Random(0.1, 4), b.Uniform(0.5, 2, 4) }, ("epsilon", 1e-5f));
            var r1 = b.Node("Relu", new[] { bn });
            var p1 = b.Node("MaxPool", new[] { r1 }, ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
            var c2 = b.Node("Conv", new[] { p1, b.Random(0.3, 4, 4, 3, 3), b.Random(0.1, 4) }, ("pads", new long[] { 1, 1, 1, 1 }));
            var r2 = b.Node("Clip", new[] { c2, b.Const(new[] { 0f }), b.Const(new[] { 6f }) });
            var add = b.Node("Add", new[] { r2, p1 });
            var ap = b.Node("AveragePool", new[] { add }, ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 1, 1 }));
            var c3 = b.Node("Conv", new[] { ap, b.Random(0.3, 8, 4, 1, 1), b.Random(0.1, 8) });
            var gap = b.Node("GlobalAveragePool", new[] { c3 });
            var fl = b.Node("Flatten", new[] { gap });
            var fc = b.Node("Gemm", new[] { fl, b.Random(0.5, 10, 8), b.Random(0.1, 10) }, ("transB", 1L));
            var sm = b.Node("Softmax", new[] { fc }, ("axis", -1L));
            b.Output(sm);
            return b.Model;
        }

        /// <summary>The ops the ONNX importer lowers today: Conv+BatchNorm+Relu, MaxPool, strided Conv+Relu6, Flatten, Gemm. Input [1,1,12,12].</summary>
        public static OnnxModel SmallCnn(int seed = 4)
        {
            var b = new Builder(seed);
            var x = b.Input("image", 1, 1, 12, 12);
            var c1 = b.Node("Conv", new[] { x, b.Random(0.5, 6, 1, 3, 3), b.Random(0.1, 6) }, ("pads", new long[] { 1, 1, 1, 1 }));
            var bn = b.Node("BatchNormalization", new[] { c1, b.Uniform(0.5, 1.5, 6), b.Random(0.1, 6), b.Random(0.1, 6), b.Uniform(0.5, 2, 6) });
            var r1 = b.Node("Relu", new[] { bn });
            var p1 = b.Node("MaxPool", new[] { r1 }, ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
            var c2 = b.Node("Conv", new[] { p1, b.Random(0.3, 8, 6, 3, 3), b.Random(0.1, 8) }, ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }));
            var r2 = b.Node("Clip", new[] { c2, b.Const(new[] { 0f }), b.Const(new[] { 6f }) });
            var fl = b.Node("Flatten", new[] { r2 });
            var fc = b.Node("Gemm", new[] { fl, b.Random(0.2, 5, 72), b.Random(0.1, 5) }, ("transB", 1L));
            b.Output(fc);
            return b.Model;
        }

        /// <summary>Exercises the remaining ops: Pad, Transpose, Reshape, MatMul, Mul by a constant, Sigmoid, Concat, Squeeze/Unsqueeze.</summary>
        public static OnnxModel Mixed(int seed = 2)
        {
            var b = new Builder(seed);
            var x = b.Input("x", 1, 2, 4, 4);
            var pad = b.Node("Pad", new[] { x, b.Ints(0, 0, 1, 1, 0, 0, 1, 1) });
            var c = b.Node("Conv", new[] { pad, b.Random(0.4, 3, 2, 3, 3), b.Random(0.1, 3) });                   // [1,3,4,4]
            var tr = b.Node("Transpose", new[] { c }, ("perm", new long[] { 0, 2, 3, 1 }));                    // [1,4,4,3]
            var rs = b.Node("Reshape", new[] { tr, b.Ints(1, 16, 3) });                                         // [1,16,3]
            var mm = b.Node("MatMul", new[] { rs, b.Random(0.5, 3, 5) });                                       // [1,16,5]
            var mul = b.Node("Mul", new[] { mm, b.Uniform(0.5, 2, 5) });
            var sg = b.Node("Sigmoid", new[] { mul });
            var cat = b.Node("Concat", new[] { sg, mm }, ("axis", 2L));                                          // [1,16,10]
            var sq = b.Node("Squeeze", new[] { cat, b.Ints(0) });                                               // [16,10]
            var us = b.Node("Unsqueeze", new[] { sq, b.Ints(0) });                                              // [1,16,10]
            var rl = b.Node("Relu", new[] { us });
            b.Output(rl);
            return b.Model;
        }

        /// <summary>Writes <paramref name="count"/> float32 .npy samples of the model's input shape (N(0,1)·scale + shift) to a new temp directory.</summary>
        public static string SampleDir(OnnxModel m, int count, int seed, bool withBatch = true, double scale = 1, double shift = 0)
        {
            string dir = Path.Combine(Path.GetTempPath(), "edge-ptq-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            var shape = m.Graph.RealInputs.Single().Shape.Select(d => (int)d).ToArray();
            if (!withBatch) shape = shape.Skip(1).ToArray();
            var r = new Random(seed);
            int size = shape.Aggregate(1, (a, d) => a * d);
            for (int i = 0; i < count; i++)
            {
                var v = new float[size];
                for (int k = 0; k < size; k++) v[k] = (float)(Gauss(r) * scale + shift);
                var bytes = new byte[size * 4];
                Buffer.BlockCopy(v, 0, bytes, 0, bytes.Length);
                Npy.Write(Path.Combine(dir, $"sample_{i:D3}.npy"), DType.Float32, shape, bytes);
            }
            return dir;
        }
    }
}
