using System;
using System.Collections.Concurrent;
using System.IO;
using Edge.Converter.Conversion;
using Edge.Converter.Format;
using Edge.Converter.Ir;
using Edge.Converter.Planner;
using Edge.Runtime;

namespace Edge.Tests
{
    /// <summary>
    /// Models for tests: real conformance models converted in-process (never copied into the repository), and a
    /// small graph built through the converter IR so that tests also run without ../shared/conformance.
    /// </summary>
    public static class TestModels
    {
        /// <summary>Name used for the IR-built model in theories and messages.</summary>
        public const string IrSmall = "ir_small";

        private static readonly ConcurrentDictionary<string, Lazy<byte[]>> _converted = new(StringComparer.Ordinal);
        private static readonly Lazy<byte[]> _small = new(() => EdgeWriter.Write(PlannedSmallGraph()));

        /// <summary>../shared/conformance/tflite/CASE/model.tflite (throws when the shared data is missing).</summary>
        public static string TflitePath(string caseName) => Path.Combine(SharedData.Tflite(caseName), "model.tflite");

        /// <summary>../shared/conformance/tflite/CASE.</summary>
        public static string CaseDir(string caseName) => SharedData.Tflite(caseName);

        /// <summary>
        /// The .edge bytes of a model: <see cref="IrSmall"/> or a conformance case converted with
        /// <see cref="ModelConverter.Convert"/>. Returns a fresh copy each time (callers may corrupt it).
        /// </summary>
        public static byte[] EdgeBytes(string name)
        {
            byte[] b = name == IrSmall
                ? _small.Value
                : _converted.GetOrAdd(name, n => new Lazy<byte[]>(() =>
                    ModelConverter.Convert(File.ReadAllBytes(TflitePath(n)), "model.tflite").FileBytesData)).Value;
            return (byte[])b.Clone();
        }

        /// <summary>The IR model's .edge bytes (a fresh copy).</summary>
        public static byte[] SmallModelBytes() => EdgeBytes(IrSmall);

        /// <summary>
        /// A small int8 graph: CONV_2D (per-channel, stride 2) [1,4,4,2] → [1,2,2,3], RESHAPE → [1,12],
        /// FULLY_CONNECTED → [1,4]. Options are built the way TfliteImporter builds them (folded int32 bias,
        /// one multiplier/shift per output channel, activation range in the output's quantized domain).
        /// The values are arbitrary but valid; no test asserts this model's outputs.
        /// </summary>
        public static EdgeGraph BuildSmallGraph()
        {
            var g = new EdgeGraph();
            int input = g.AddTensor(new EdgeTensor
            {
                Name = "input", DType = DType.Int8, Shape = new[] { 1, 4, 4, 2 },
                Scales = new[] { 0.05f }, ZeroPoints = new[] { -3 },
            });
            int filter = g.AddTensor(new EdgeTensor
            {
                Name = "conv/filter", DType = DType.Int8, Shape = new[] { 3, 2, 2, 2 },
                Scales = new[] { 0.01f, 0.02f, 0.03f }, ZeroPoints = new[] { 0, 0, 0 }, QuantizedDimension = 0,
                Data = Pattern(3 * 2 * 2 * 2, 11),
            });
            int convBias = g.AddTensor(new EdgeTensor
            {
                Name = "conv/bias_folded", DType = DType.Int32, Shape = new[] { 3 },
                Data = Ints(120, -340, 5),
            });
            int convOut = g.AddTensor(new EdgeTensor
            {
                Name = "conv/out", DType = DType.Int8, Shape = new[] { 1, 2, 2, 3 },
                Scales = new[] { 0.1f }, ZeroPoints = new[] { 4 },
            });
            int flat = g.AddTensor(new EdgeTensor
            {
                Name = "flatten", DType = DType.Int8, Shape = new[] { 1, 12 },
                Scales = new[] { 0.1f }, ZeroPoints = new[] { 4 },
            });
            int weights = g.AddTensor(new EdgeTensor
            {
                Name = "fc/weights", DType = DType.Int8, Shape = new[] { 4, 12 },
                Scales = new[] { 0.02f }, ZeroPoints = new[] { 0 },
                Data = Pattern(4 * 12, 29),
            });
            int fcBias = g.AddTensor(new EdgeTensor
            {
                Name = "fc/bias_folded", DType = DType.Int32, Shape = new[] { 4 },
                Data = Ints(-1000, 250, 77, 0),
            });
            int output = g.AddTensor(new EdgeTensor
            {
                Name = "output", DType = DType.Int8, Shape = new[] { 1, 4 },
                Scales = new[] { 0.25f }, ZeroPoints = new[] { -7 },
            });
            g.Inputs.Add(input);
            g.Outputs.Add(output);
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.Conv2D, Inputs = new[] { input, filter, convBias }, Outputs = new[] { convOut },
                Options = new Conv2DOptions
                {
                    StrideW = 2, StrideH = 2, PadTop = 0, PadLeft = 0, PadBottom = 0, PadRight = 0,
                    InputZeroPoint = -3, OutputZeroPoint = 4, ActMin = -128, ActMax = 127,
                    OutputMultiplier = new[] { 1 << 30, (1 << 30) + 12345, 1717986918 },
                    OutputShift = new[] { -3, -4, -5 },
                },
                Macs = 2 * 2 * 3 * 2 * 2 * 2,
            });
            g.Ops.Add(new EdgeOp { Type = OpType.Reshape, Inputs = new[] { convOut }, Outputs = new[] { flat } });
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.FullyConnected, Inputs = new[] { flat, weights, fcBias }, Outputs = new[] { output },
                Options = new FullyConnectedOptions
                {
                    InputZeroPoint = -4, OutputZeroPoint = -7, ActMin = -7, ActMax = 127,
                    OutputMultiplier = new[] { 1288490189, 1288490189, 1288490189, 1288490189 },
                    OutputShift = new[] { -2, -2, -2, -2 },
                },
                Macs = 4 * 12,
            });
            g.Metadata = new EdgeMetadata
            {
                SourceFormat = "tflite", SourceFile = "ir_small (built in tests)", SourceSha256 = new string('0', 64),
                ConverterVersion = "test", Macs = 2 * 2 * 3 * 2 * 2 * 2 + 4 * 12,
            };
            g.Metadata.OpCounts.Add(new System.Collections.Generic.KeyValuePair<OpType, int>(OpType.Conv2D, 1));
            g.Metadata.OpCounts.Add(new System.Collections.Generic.KeyValuePair<OpType, int>(OpType.Reshape, 1));
            g.Metadata.OpCounts.Add(new System.Collections.Generic.KeyValuePair<OpType, int>(OpType.FullyConnected, 1));
            return g;
        }

        /// <summary><see cref="BuildSmallGraph"/> after <see cref="MemoryPlanner.Plan"/> (ready for EdgeWriter.Write).</summary>
        public static EdgeGraph PlannedSmallGraph()
        {
            var g = BuildSmallGraph();
            MemoryPlanner.Plan(g);
            return g;
        }

        private static byte[] Pattern(int n, int seed)
        {
            var b = new byte[n];
            uint s = (uint)seed * 2654435761u + 1;
            for (int i = 0; i < n; i++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; b[i] = (byte)s; }
            return b;
        }

        private static byte[] Ints(params int[] v)
        {
            var b = new byte[4 * v.Length];
            for (int i = 0; i < v.Length; i++) BitConverter.TryWriteBytes(b.AsSpan(4 * i), v[i]);
            return b;
        }
    }
}
