using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Converter.Format;
using Edge.Converter.Ir;
using Edge.Converter.Planner;
using Edge.Converter.Quantization;
using Edge.Kernels.Simd;
using Edge.Runtime;

namespace Edge.Converter.Cli
{
    /// <summary>
    /// <c>edge bench-kernels [--op NAME] [--include-model] [--iterations N] [--json]</c>: the kernel catalog drives
    /// a micro-benchmark. Every catalog entry that runs on this CPU is timed on a representative one-op model of
    /// its op type against the reference kernel, after checking that both give the same bytes.
    /// </summary>
    public static class KernelBenchCommand
    {
        /// <summary>A representative workload per op type (MobileNet-like layer sizes).</summary>
        public static readonly Dictionary<OpType, (string Shape, Func<EdgeGraph> Build)> Workloads = new()
        {
            [OpType.Conv2D] = ("conv 3x3 s1 24x24x32->32", () => Conv(24, 32, 32, 3, 1)),
            [OpType.FullyConnected] = ("fc 1x1024->256", () => Fc(1024, 256)),
            [OpType.DepthwiseConv2D] = ("dwconv 3x3 s1 48x48x32", () => Depthwise(48, 32, 1)),
            [OpType.Add] = ("add 24x24x64", () => Binary(OpType.Add, 24, 64)),
            [OpType.Sub] = ("sub 24x24x64", () => Binary(OpType.Sub, 24, 64)),
            [OpType.Mul] = ("mul 24x24x64", () => Binary(OpType.Mul, 24, 64)),
            [OpType.AveragePool2D] = ("avgpool 3x3 s2 48x48x32", () => Pool(OpType.AveragePool2D, 48, 32)),
            [OpType.MaxPool2D] = ("maxpool 3x3 s2 48x48x32", () => Pool(OpType.MaxPool2D, 48, 32)),
            [OpType.Mean] = ("mean hw 12x12x256", () => Mean(12, 256)),
            [OpType.QLinearConv] = ("qlinearconv u8xs8 3x3 s1 24x24x32->32", () => QConv(24, 32, 32, 3, 1, false)),
            [OpType.QLinearMatMul] = ("qlinearmatmul u8xs8 1x1024 x 1024x256", () => QMatMul(1024, 256, false)),
            [OpType.Quantize] = ("quantizelinear f32->u8 48x48x32", () => QQuantize(48 * 48 * 32)),
        };

        /// <summary>
        /// The workload of one entry: its op's, except for entries that cover a different variant of the op (uint8
        /// pooling, depthwise or pair-saturating ONNX convolutions, pair-saturating matmul).
        /// </summary>
        public static (string Shape, Func<EdgeGraph> Build) WorkloadOf(KernelEntry e)
        {
            if (e.Op == OpType.MaxPool2D && e.Name.StartsWith("qu8-", StringComparison.Ordinal))
                return ("maxpool u8 3x3 s2 48x48x32", () => Pool(OpType.MaxPool2D, 48, 32, true));
            if (e.Op == OpType.QLinearConv && e.Name.Contains("-dwconv-", StringComparison.Ordinal))
                return ("qlinearconv dw u8xs8 3x3 s1 48x48x32", () => QConv(48, 32, 32, 3, 32, false));
            if (e.Op == OpType.QLinearConv && e.Name.Contains("-pairsat-", StringComparison.Ordinal))
                return ("qlinearconv pairsat u8xs8 3x3 s1 24x24x32->32", () => QConv(24, 32, 32, 3, 1, true));
            if (e.Op == OpType.QLinearMatMul && e.Name.Contains("-pairsat-", StringComparison.Ordinal))
                return ("qlinearmatmul pairsat u8xs8 1x1024 x 1024x256", () => QMatMul(1024, 256, true));
            return Workloads[e.Op];
        }

        public static int Run(ArgReader a, TextWriter stdout, TextWriter stderr)
        {
            string op = a.Option("op");
            bool includeModel = a.Flag("include-model");
            int iterations = a.IntOption("iterations", 200, 1);
            bool json = a.Flag("json");
            a.Done(0);
            var entries = KernelCatalog.All
                .Where(e => KernelCatalog.IsSupported(e.Set) && (includeModel || e.Set != KernelSetKind.NeonModel))
                .Where(e => Workloads.ContainsKey(e.Op))
                .Where(e => op == null || OpNames.Name(e.Op).Equals(op, StringComparison.OrdinalIgnoreCase) || e.Name.Contains(op, StringComparison.OrdinalIgnoreCase))
                .ToList();
            if (entries.Count == 0) throw new UsageException($"no catalog kernel matches '{op}'");
            var rows = new JsonArray();
            var table = new TextTable("kernel", "workload", "reference µs", "kernel µs", "speed-up", "GMAC/s", "same bytes");
            var refTimes = new Dictionary<string, double>();
            foreach (var e in entries)
            {
                var (shape, build) = WorkloadOf(e);
                byte[] file = Write(build());
                var reference = EdgeModel.Load(file);
                var provider = new SimdKernelProvider(e.Set) { Only = e.Name };
                var fast = EdgeModel.Load(file, provider);
                bool applied = provider.Chosen.Contains(e.Name);
                var ri = new Interpreter(reference, new byte[reference.ArenaBytes]);
                var fi = new Interpreter(fast, new byte[fast.ArenaBytes]);
                var rng = new Random(1);
                for (int i = 0; i < reference.InputCount; i++)
                {
                    var d = new byte[reference.Input(i).SizeBytes];
                    rng.NextBytes(d);
                    ri.SetInput(i, d, 0);
                    fi.SetInput(i, d, 0);
                }
                int n = e.Set == KernelSetKind.NeonModel ? Math.Max(1, iterations / 20) : iterations;
                if (!refTimes.TryGetValue(shape, out double refUs)) refTimes[shape] = refUs = Benchmark.Measure(ri, 5, n).P50Ms * 1000;
                double us = Benchmark.Measure(fi, 5, n).P50Ms * 1000;
                bool same = Same(ri, fi);
                long macs = reference.Ops.Sum(o => o.Macs);
                string label = applied ? e.Name : e.Name + " (declined)";
                table.Add(label, shape, refUs.ToString("F1"), us.ToString("F1"), (refUs / us).ToString("F1") + "x",
                    macs > 0 ? (macs / (us * 1e3)).ToString("F2") : "-", same ? "yes" : "NO");
                rows.Add(new JsonObject
                {
                    ["kernel"] = e.Name, ["op"] = OpNames.Name(e.Op), ["set"] = KernelCatalog.Name(e.Set), ["workload"] = shape,
                    ["applied"] = applied, ["referenceUs"] = refUs, ["kernelUs"] = us, ["speedup"] = refUs / us,
                    ["macs"] = macs, ["sameBytes"] = same,
                });
                provider.Context.Pool?.Dispose();
            }
            if (json) stdout.WriteLine(rows.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            else
            {
                stdout.WriteLine($"kernel catalog micro-benchmark: p50 of {iterations} runs, 1 thread (neon-model runs are exact software models, not speed)");
                table.Write(stdout);
            }
            return rows.All(r => r!["sameBytes"]!.GetValue<bool>()) ? Program.ExitOk : Program.ExitInternal;
        }

        private static bool Same(Interpreter a, Interpreter b)
        {
            a.Invoke(); b.Invoke();
            for (int o = 0; o < a.OutputCount; o++)
            {
                var x = new byte[a.Output(o).SizeBytes];
                var y = new byte[x.Length];
                a.GetOutput(o, x, 0);
                b.GetOutput(o, y, 0);
                if (!x.AsSpan().SequenceEqual(y)) return false;
            }
            return true;
        }

        private static byte[] Write(EdgeGraph g)
        {
            MemoryPlanner.Plan(g);
            return EdgeWriter.Write(g);
        }

        // ---- Workload builders (quantization constants computed as the converter does) ----

        private static byte[] Random8(int n, int seed)
        {
            var b = new byte[n];
            new Random(seed).NextBytes(b);
            for (int i = 0; i < n; i++) if (b[i] == 0x80) b[i] = 0x81;   // TFLite weights are in [-127, 127]
            return b;
        }

        private static int Act(EdgeGraph g, string name, int[] shape, float scale, int zp) =>
            g.AddTensor(new EdgeTensor { Name = name, DType = DType.Int8, Shape = shape, Scales = new[] { scale }, ZeroPoints = new[] { zp } });

        private static EdgeGraph Io(EdgeGraph g, int input, int output)
        {
            g.Inputs.Add(input);
            g.Outputs.Add(output);
            return g;
        }

        private static int Bias(EdgeGraph g, int[] values)
        {
            var data = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, data, 0, data.Length);
            return g.AddTensor(new EdgeTensor { Name = "bias", DType = DType.Int32, Shape = new[] { values.Length }, Data = data });
        }

        private static EdgeGraph Conv(int hw, int inC, int outC, int k, int stride)
        {
            var g = new EdgeGraph();
            int pad = (k - 1) / 2, outHw = (hw + 2 * pad - k) / stride + 1;
            int x = Act(g, "x", new[] { 1, hw, hw, inC }, 0.05f, -3);
            var w = Random8(outC * k * k * inC, 2);
            var scales = Enumerable.Range(0, outC).Select(c => 0.002f + 0.0001f * c).ToArray();
            int f = g.AddTensor(new EdgeTensor { Name = "w", DType = DType.Int8, Shape = new[] { outC, k, k, inC }, Scales = scales, ZeroPoints = new int[outC], Data = w });
            var cm = QuantMath.PopulateConvolutionQuantizationParams(0.05f, scales, 0.1f, outC);
            int b = Bias(g, QuantMath.FoldBiasOutputChannelOuter(w, outC, Enumerable.Range(0, outC).Select(c => c * 37 - 500).ToArray(), -3));
            int y = Act(g, "y", new[] { 1, outHw, outHw, outC }, 0.1f, 5);
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.Conv2D, Inputs = new[] { x, f, b }, Outputs = new[] { y }, Macs = (long)outHw * outHw * outC * k * k * inC,
                Options = new Conv2DOptions { StrideW = stride, StrideH = stride, PadTop = pad, PadLeft = pad, PadBottom = pad, PadRight = pad,
                    InputZeroPoint = -3, OutputZeroPoint = 5, ActMin = -128, ActMax = 127, OutputMultiplier = cm.Multipliers, OutputShift = cm.Shifts },
            });
            return Io(g, x, y);
        }

        private static EdgeGraph Fc(int depth, int units)
        {
            var g = new EdgeGraph();
            int x = Act(g, "x", new[] { 1, depth }, 0.05f, -3);
            var w = Random8(units * depth, 3);
            int f = g.AddTensor(new EdgeTensor { Name = "w", DType = DType.Int8, Shape = new[] { units, depth }, Scales = new[] { 0.001f }, ZeroPoints = new[] { 0 }, Data = w });
            var cm = QuantMath.FullyConnectedMultipliers(0.05f, new[] { 0.001f }, 0.2f, units);
            int b = Bias(g, QuantMath.FoldBiasOutputChannelOuter(w, units, null, -3));
            int y = Act(g, "y", new[] { 1, units }, 0.2f, 1);
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.FullyConnected, Inputs = new[] { x, f, b }, Outputs = new[] { y }, Macs = (long)units * depth,
                Options = new FullyConnectedOptions { InputZeroPoint = -3, OutputZeroPoint = 1, ActMin = -128, ActMax = 127, OutputMultiplier = cm.Multipliers, OutputShift = cm.Shifts },
            });
            return Io(g, x, y);
        }

        private static EdgeGraph Depthwise(int hw, int c, int stride)
        {
            var g = new EdgeGraph();
            int outHw = (hw + 2 - 3) / stride + 1;
            int x = Act(g, "x", new[] { 1, hw, hw, c }, 0.05f, -3);
            var w = Random8(9 * c, 4);
            var scales = Enumerable.Range(0, c).Select(i => 0.01f + 0.0003f * i).ToArray();
            int f = g.AddTensor(new EdgeTensor { Name = "w", DType = DType.Int8, Shape = new[] { 1, 3, 3, c }, Scales = scales, ZeroPoints = new int[c], QuantizedDimension = 3, Data = w });
            var cm = QuantMath.PopulateConvolutionQuantizationParams(0.05f, scales, 0.1f, c);
            int b = Bias(g, QuantMath.FoldBiasDepthwise(w, c, null, -3));
            int y = Act(g, "y", new[] { 1, outHw, outHw, c }, 0.1f, -128);
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.DepthwiseConv2D, Inputs = new[] { x, f, b }, Outputs = new[] { y }, Macs = (long)outHw * outHw * c * 9,
                Options = new DepthwiseConv2DOptions { StrideW = stride, StrideH = stride, PadTop = 1, PadLeft = 1, PadBottom = 1, PadRight = 1,
                    InputZeroPoint = -3, OutputZeroPoint = -128, ActMin = -128, ActMax = 127, OutputMultiplier = cm.Multipliers, OutputShift = cm.Shifts },
            });
            return Io(g, x, y);
        }

        private static EdgeGraph Binary(OpType type, int hw, int c)
        {
            var g = new EdgeGraph();
            var shape = new[] { 1, hw, hw, c };
            int a = Act(g, "a", shape, 0.05f, -3), b = Act(g, "b", shape, 0.07f, 10), y = Act(g, "y", shape, 0.1f, 2);
            OpOptions o;
            if (type == OpType.Mul)
            {
                var p = QuantMath.MulParams(0.05f, -3, 0.07f, 10, 0.1f, 2, FusedActivation.None);
                o = new MulOptions { Input1Offset = p.Input1Offset, Input2Offset = p.Input2Offset, OutputOffset = p.OutputOffset, OutputMultiplier = p.OutputMultiplier, OutputShift = p.OutputShift, ActMin = p.ActMin, ActMax = p.ActMax };
            }
            else
            {
                var p = type == OpType.Add ? QuantMath.AddParams(0.05f, -3, 0.07f, 10, 0.1f, 2, FusedActivation.None) : QuantMath.SubParams(0.05f, -3, 0.07f, 10, 0.1f, 2, FusedActivation.None);
                o = new AddSubOptions { LeftShift = p.LeftShift, Input1Offset = p.Input1Offset, Input1Multiplier = p.Input1Multiplier, Input1Shift = p.Input1Shift,
                    Input2Offset = p.Input2Offset, Input2Multiplier = p.Input2Multiplier, Input2Shift = p.Input2Shift,
                    OutputOffset = p.OutputOffset, OutputMultiplier = p.OutputMultiplier, OutputShift = p.OutputShift, ActMin = p.ActMin, ActMax = p.ActMax };
            }
            g.Ops.Add(new EdgeOp { Type = type, Inputs = new[] { a, b }, Outputs = new[] { y }, Options = o, Macs = type == OpType.Mul ? (long)hw * hw * c : 0 });
            g.Inputs.Add(a); g.Inputs.Add(b); g.Outputs.Add(y);
            return g;
        }

        private static EdgeGraph Pool(OpType type, int hw, int c, bool u8 = false)
        {
            var g = new EdgeGraph();
            int outHw = (hw - 3) / 2 + 1;
            int x = Act(g, "x", new[] { 1, hw, hw, c }, 0.05f, -3), y = Act(g, "y", new[] { 1, outHw, outHw, c }, 0.05f, -3);
            if (u8) { g.Tensors[x].DType = DType.UInt8; g.Tensors[y].DType = DType.UInt8; g.Tensors[x].ZeroPoints = g.Tensors[y].ZeroPoints = new[] { 125 }; }
            g.Ops.Add(new EdgeOp { Type = type, Inputs = new[] { x }, Outputs = new[] { y }, Macs = (long)outHw * outHw * c * 9,
                Options = new Pool2DOptions { StrideW = 2, StrideH = 2, FilterW = 3, FilterH = 3, ActMin = u8 ? 0 : -128, ActMax = u8 ? 255 : 127 } });
            return Io(g, x, y);
        }

        private static int QAct(EdgeGraph g, string name, DType t, int[] shape) =>
            g.AddTensor(new EdgeTensor { Name = name, DType = t, Shape = shape });

        private static float[] QScales(int n, float s) => Enumerable.Range(0, n).Select(i => s * (1 + (i % 7) / 8f)).ToArray();

        /// <summary>ONNX QLinearConv, uint8 activations (zero point 128), int8 weights (zero point 0), uint8 output; group 1 or depthwise.</summary>
        private static EdgeGraph QConv(int hw, int inC, int outC, int k, int group, bool pairSat)
        {
            var g = new EdgeGraph();
            int ipg = inC / group, pad = k / 2;
            int x = QAct(g, "x", DType.UInt8, new[] { 1, hw, hw, inC }), y = QAct(g, "y", DType.UInt8, new[] { 1, hw, hw, outC });
            int f = g.AddTensor(new EdgeTensor { Name = "w", DType = DType.Int8, Shape = new[] { outC, k, k, ipg }, Data = Random8(outC * k * k * ipg, 2) });
            int b = Bias(g, Enumerable.Range(0, outC).Select(i => (i * 7919) % 2001 - 1000).ToArray());
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.QLinearConv, Inputs = new[] { x, f, b }, Outputs = new[] { y }, Macs = (long)hw * hw * outC * k * k * ipg,
                Options = new QLinearConvOptions
                {
                    PadTop = pad, PadLeft = pad, PadBottom = pad, PadRight = pad, Group = group, InputZeroPoint = 128, WeightZeroPoint = new[] { 0 },
                    OutputScale = QScales(outC, 0.5f / (k * k * ipg * 64)), OutputZeroPoint = 120, ActMin = 0, ActMax = 255, PairSaturation = pairSat,
                },
            });
            return Io(g, x, y);
        }

        /// <summary>ONNX QLinearMatMul (Gemm shape): uint8 A [1, K] (zero point 128), constant int8 B [K, N], uint8 output.</summary>
        private static EdgeGraph QMatMul(int kDim, int n, bool pairSat)
        {
            var g = new EdgeGraph();
            int x = QAct(g, "x", DType.UInt8, new[] { 1, kDim }), y = QAct(g, "y", DType.UInt8, new[] { 1, n });
            int w = g.AddTensor(new EdgeTensor { Name = "b", DType = DType.Int8, Shape = new[] { kDim, n }, Data = Random8(kDim * n, 3) });
            int b = Bias(g, Enumerable.Range(0, n).Select(i => (i * 7919) % 2001 - 1000).ToArray());
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.QLinearMatMul, Inputs = new[] { x, w, b }, Outputs = new[] { y }, Macs = (long)kDim * n,
                Options = new QLinearMatMulOptions
                {
                    InputZeroPoint = 128, WeightZeroPoint = new[] { 0 }, OutputScale = QScales(n, 0.5f / (kDim * 64)), OutputZeroPoint = 120,
                    ActMin = 0, ActMax = 255, PairSaturation = pairSat,
                },
            });
            return Io(g, x, y);
        }

        /// <summary>ONNX QuantizeLinear float32 → uint8, per tensor.</summary>
        private static EdgeGraph QQuantize(int count)
        {
            var g = new EdgeGraph();
            int x = QAct(g, "x", DType.Float32, new[] { 1, count }), y = QAct(g, "y", DType.UInt8, new[] { 1, count });
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.Quantize, Inputs = new[] { x }, Outputs = new[] { y },
                Options = new AffineQuantizeOptions { RequantRule = RequantRuleKind.OnnxRuntimeFloat, Scales = new[] { 0.02f }, ZeroPoints = new[] { 128 }, Scale = 0.02f, ZeroPoint = 128 },
            });
            return Io(g, x, y);
        }

        private static EdgeGraph Mean(int hw, int c)
        {
            var g = new EdgeGraph();
            int x = Act(g, "x", new[] { 1, hw, hw, c }, 0.05f, -3), y = Act(g, "y", new[] { 1, 1, 1, c }, 0.04f, 1);
            var o = NonlinearParams.Mean(new[] { 1, hw, hw, c }, new[] { 1, 2 }, true, 0.05f, -3, 0.04f, 1, new[] { 1, 1, 1, c });
            g.Ops.Add(new EdgeOp { Type = OpType.Mean, Inputs = new[] { x }, Outputs = new[] { y }, Options = o, Macs = (long)hw * hw * c });
            return Io(g, x, y);
        }
    }
}
