using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Edge.Converter.Conversion;
using Edge.Kernels.Simd;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Onnx
{
    /// <summary>
    /// Small QDQ models (tests/Edge.Tests/Onnx/Qdq/make_models.py) against ONNX Runtime's own outputs
    /// (run_ort.js, onnxruntime-node on CPU with its default graph optimizations; committed as NAME.output_K.bin
    /// with expected.json): each model is converted, run with every kernel set, and its float output compared
    /// byte for byte. Models whose QDQ group ONNX Runtime runs in a way Edge does not reproduce are listed in
    /// <see cref="Unsupported"/> and must fail conversion with a ConversionException naming the node.
    /// </summary>
    public class QdqOrtTests
    {
        private readonly ITestOutputHelper _log;
        public QdqOrtTests(ITestOutputHelper log) { _log = log; }

        public static string Dir => Path.Combine(SharedData.RepoRoot, "tests", "Edge.Tests", "Onnx", "Qdq");

        /// <summary>Model name prefixes Edge rejects (with the reason), each checked to fail cleanly.</summary>
        public static readonly Dictionary<string, string> Unsupported = new()
        {
            ["leakyrelu_"] = "QLinearLeakyRelu is not imported",
        };

        private static JsonElement[] Models()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "manifest.json")));
            return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
        }

        public static IEnumerable<object[]> Supported =>
            Models().Select(m => m.GetProperty("name").GetString()).Where(n => !Unsupported.Keys.Any(n.StartsWith)).Select(n => new object[] { n });

        public static IEnumerable<object[]> Rejected =>
            Models().Select(m => m.GetProperty("name").GetString()).Where(n => Unsupported.Keys.Any(n.StartsWith)).Select(n => new object[] { n });

        [Theory]
        [MemberData(nameof(Supported))]
        public void MatchesOnnxRuntimeExactly(string name)
        {
            var m = Models().Single(x => x.GetProperty("name").GetString() == name);
            using var exp = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json")));
            var e = exp.RootElement.GetProperty("models").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
            var result = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(Dir, m.GetProperty("model").GetString())), name + ".onnx");
            var inputs = m.GetProperty("inputs").EnumerateArray().Select(i => File.ReadAllBytes(Path.Combine(Dir, i.GetProperty("file").GetString()))).ToList();
            var outputs = e.GetProperty("outputs").EnumerateArray().ToArray();
            foreach (var kernels in OnnxNodeTests.KernelSets())
            {
                var provider = kernels == KernelSetKind.Reference ? null : new SimdKernelProvider(kernels);
                var model = EdgeModel.Load(result.FileBytesData, provider);
                var interp = new Interpreter(model, new byte[model.ArenaBytes]);
                Assert.Equal(inputs.Count, model.InputCount);
                for (int i = 0; i < inputs.Count; i++) interp.SetInput(i, inputs[i], 0);
                interp.Invoke();
                Assert.Equal(outputs.Length, model.OutputCount);
                for (int o = 0; o < outputs.Length; o++)
                {
                    var want = File.ReadAllBytes(Path.Combine(Dir, outputs[o].GetProperty("file").GetString()));
                    Assert.Equal(outputs[o].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(), model.Output(o).Shape);
                    var got = new byte[model.Output(o).SizeBytes];
                    interp.GetOutput(o, got, 0);
                    if (!want.SequenceEqual(got))
                        Assert.Fail($"{name} output {o} differs from ONNX Runtime with kernels {kernels}: first difference at byte {Enumerable.Range(0, want.Length).First(k => want[k] != got[k])}");
                }
            }
            _log.WriteLine($"{name}: exact with ONNX Runtime on {string.Join(", ", OnnxNodeTests.KernelSets())} ({string.Join(" ", result.Graph.Ops.Select(op => OpNames.Name(op.Type)))})");
        }

        /// <summary>
        /// ort_kernels.json (ort_kernels.py over ONNX Runtime's optimized graphs) lists the kernels ONNX Runtime ran.
        /// The models where it computed an arithmetic op in float (rather than a QLinear*/QGemm/integer kernel) must
        /// be exactly those for which the converter notes it. (Float Pad, Relu and Clip between DequantizeLinear and
        /// QuantizeLinear are exact transformations Edge reproduces by construction, so they are not counted.)
        /// </summary>
        [Fact]
        public void ConverterNotes_MatchWhereOnnxRuntimeRanFloatOps()
        {
            var floatOps = new HashSet<string> { "Conv", "Gemm", "MatMul", "Add", "Mul", "AveragePool", "GlobalAveragePool", "Softmax", "Sigmoid", "Concat" };
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "ort_kernels.json")));
            int checkedModels = 0;
            foreach (var name in Supported.Select(o => (string)o[0]))
            {
                var kernels = doc.RootElement.GetProperty(name).EnumerateArray().Select(k => k.GetString()).ToList();
                bool ortFloat = kernels.Any(k => floatOps.Contains(k) || k.StartsWith("com.microsoft.nchwc:", StringComparison.Ordinal));
                var notes = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(Dir, name + ".onnx")), name).Notes;
                Assert.True(ortFloat == notes.Count > 0, $"{name}: ONNX Runtime ran [{string.Join(", ", kernels)}]; converter notes: {notes.Count}");
                checkedModels++;
            }
            Assert.True(checkedModels > 40);
        }

        [Theory]
        [MemberData(nameof(Rejected))]
        public void UnsupportedGroupsFailWithAClearMessage(string name)
        {
            var m = Models().Single(x => x.GetProperty("name").GetString() == name);
            var ex = Assert.Throws<ConversionException>(() => ModelConverter.Convert(File.ReadAllBytes(Path.Combine(Dir, m.GetProperty("model").GetString())), name + ".onnx"));
            Assert.Contains("node '", ex.Message);
            Assert.Contains("opset 13", ex.Message);
            _log.WriteLine($"{name}: {ex.Message}");
        }
    }
}
