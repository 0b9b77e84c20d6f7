using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;
using Edge.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Quantization
{
    /// <summary>
    /// The float executor against ONNX's own node tests (Debian's libonnx-testdata): every test whose graph uses only
    /// ops the executor implements, on float32 data, must reproduce ONNX's expected outputs; attribute values it does
    /// not implement must raise a <see cref="ConversionException"/> that names the node, and that list is pinned.
    /// </summary>
    public class FloatExecutorNodeTests
    {
        private readonly ITestOutputHelper _log;
        public FloatExecutorNodeTests(ITestOutputHelper log) { _log = log; }

        /// <summary>
        /// The expected outputs were computed by ONNX's numpy reference (float32, often pairwise summation), ours in
        /// double accumulation rounded once, so the two differ by float32 rounding of sums of at most a few hundred
        /// terms of magnitude ≤ ~10: |Δ| ≤ 1e-5 + 1e-4·|expected| covers that with margin. ONNX's backend test runner
        /// itself uses rtol 1e-3, atol 1e-7; our rtol is 10× tighter.
        /// </summary>
        public const double Atol = 1e-5, Rtol = 1e-4;

        /// <summary>Node tests that use an implemented op with something the executor deliberately rejects.</summary>
        private static readonly string[] ExpectedUnsupported =
        {
            "test_averagepool_3d_default", "test_maxpool_3d_default",                          // 3-D pooling
            "test_batchnorm_epsilon_training_mode", "test_batchnorm_example_training_mode",    // training mode
            "test_maxpool_with_argmax_2d_precomputed_pads", "test_maxpool_with_argmax_2d_precomputed_strides",  // Indices output
        };

        private static readonly string[] Prefixes =
        {
            "test_conv", "test_gemm", "test_matmul", "test_maxpool", "test_averagepool", "test_globalaveragepool", "test_relu",
            "test_clip", "test_softmax", "test_sigmoid", "test_concat", "test_transpose", "test_pad", "test_constant_pad",
            "test_edge_pad", "test_reflect_pad", "test_flatten", "test_reshape", "test_add", "test_sub", "test_mul", "test_div",
            "test_batchnorm", "test_identity", "test_dropout", "test_constant", "test_squeeze", "test_unsqueeze",
            "test_basic_conv", "test_conv_with", "test_quantizelinear", "test_dequantizelinear",
        };

        [OnnxReaderTests.OnnxTestDataFact]
        public void NodeTestsOfTheSupportedOpsReproduceOnnxOutputs()
        {
            int passed = 0, compared = 0;
            var unsupported = new List<string>();
            var skipped = new List<string>();
            foreach (var dir in Directory.GetDirectories(OnnxReaderTests.NodeTests).OrderBy(d => d, StringComparer.Ordinal))
            {
                string name = Path.GetFileName(dir);
                if (!Prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))) continue;
                var model = OnnxReader.ReadFile(Path.Combine(dir, "model.onnx"));
                if (model.Graph.Nodes.Any(n => !FloatExecutor.SupportedOps.Contains(n.OpType))) continue;   // e.g. the *_expanded softmax tests, ConvInteger
                var sets = Directory.GetDirectories(dir, "test_data_set_*").OrderBy(d => d, StringComparer.Ordinal).ToList();
                var realInputs = model.Graph.RealInputs.ToList();
                bool quantOps = model.Graph.Nodes.All(n => n.OpType is "QuantizeLinear" or "DequantizeLinear");
                if ((!quantOps && realInputs.Any(i => i.ElementType is not (OnnxDataType.Float or OnnxDataType.Int64))) ||
                    model.Graph.Outputs.Any(o => o.ElementType is not (OnnxDataType.Float or OnnxDataType.Bool or OnnxDataType.Int8 or OnnxDataType.UInt8 or OnnxDataType.Int64)))
                {
                    skipped.Add(name);   // uint8/int8 activations, sequences, optionals: not float graphs
                    continue;
                }
                try
                {
                    var exec = new FloatExecutor(model);
                    foreach (var set in sets)
                    {
                        var feeds = new Dictionary<string, FloatTensor>();
                        for (int i = 0; i < realInputs.Count; i++)
                            feeds[realInputs[i].Name] = FloatTensor.FromOnnx(OnnxReader.ReadTensor(File.ReadAllBytes(Path.Combine(set, $"input_{i}.pb"))));
                        var env = exec.Run(feeds);
                        for (int o = 0; o < model.Graph.Outputs.Count; o++)
                        {
                            var expected = FloatTensor.FromOnnx(OnnxReader.ReadTensor(File.ReadAllBytes(Path.Combine(set, $"output_{o}.pb"))));
                            var actual = env[model.Graph.Outputs[o].Name];
                            AssertClose(expected, actual, $"{name}/{Path.GetFileName(set)} output {o}");
                            compared++;
                        }
                    }
                    passed++;
                }
                catch (ConversionException e)
                {
                    Assert.Contains("not supported", e.Message);
                    Assert.Contains("node", e.Message);
                    unsupported.Add(name);
                    _log.WriteLine($"{name}: rejected: {e.Message}");
                }
            }
            _log.WriteLine($"{passed} node tests pass ({compared} outputs compared); rejected as unsupported: {string.Join(", ", unsupported)}; not float graphs: {string.Join(", ", skipped)}");
            Assert.Equal(ExpectedUnsupported.OrderBy(s => s, StringComparer.Ordinal), unsupported.OrderBy(s => s, StringComparer.Ordinal));
            Assert.True(passed >= 100, $"only {passed} node tests ran");
        }

        internal static void AssertClose(FloatTensor expected, FloatTensor actual, string what)
        {
            Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape [{string.Join(",", actual.Shape)}], expected [{string.Join(",", expected.Shape)}]");
            if (!expected.IsFloat)
            {
                Assert.True(expected.L.SequenceEqual(actual.L ?? actual.F.Select(v => (long)v).ToArray()), $"{what}: integer values differ");
                return;
            }
            for (int i = 0; i < expected.F.Length; i++)
            {
                double e = expected.F[i], a = actual.F[i];
                if (double.IsNaN(e)) { Assert.True(double.IsNaN(a), $"{what}[{i}]: {a}, expected NaN"); continue; }
                if (double.IsInfinity(e)) { Assert.Equal(e, a); continue; }
                Assert.True(Math.Abs(a - e) <= Atol + Rtol * Math.Abs(e), $"{what}[{i}]: {a}, expected {e}");
            }
        }
    }
}
