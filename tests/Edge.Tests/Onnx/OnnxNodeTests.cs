using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Kernels.Simd;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Onnx
{
    /// <summary>
    /// ONNX's own quantization node tests (Debian's libonnx-testdata): each model is converted, run by the runtime
    /// with every kernel set, and its output compared byte for byte with the test's expected output_0.pb.
    /// Quantization parameters (scales, zero points) and conv weights are given as graph inputs in these tests;
    /// Edge precomputes them on the host, so the harness binds those inputs to the test's values as initializers
    /// (what a deployed model has). The data inputs stay model inputs and are fed at run time.
    /// </summary>
    public class OnnxNodeTests
    {
        private readonly ITestOutputHelper _log;
        public OnnxNodeTests(ITestOutputHelper log) { _log = log; }

        /// <summary>Test name → indices of the graph inputs fed at run time (the rest are bound as constants).</summary>
        public static readonly Dictionary<string, int[]> Tests = new()
        {
            ["test_qlinearconv"] = new[] { 0 },
            ["test_qlinearmatmul_2D"] = new[] { 0, 3 },
            ["test_qlinearmatmul_3D"] = new[] { 0, 3 },
            ["test_convinteger_with_padding"] = new[] { 0 },
            ["test_convinteger_without_padding"] = new[] { 0 },
            ["test_basic_convinteger"] = new[] { 0 },
            ["test_matmulinteger"] = new[] { 0, 1 },
            ["test_quantizelinear"] = new[] { 0 },
            ["test_quantizelinear_axis"] = new[] { 0 },
            ["test_dequantizelinear"] = new[] { 0 },
            ["test_dequantizelinear_axis"] = new[] { 0 },
        };

        public static IEnumerable<object[]> Names => Tests.Keys.Select(k => new object[] { k });

        [OnnxReaderTests.OnnxTestDataTheory]
        [MemberData(nameof(Names))]
        public void NodeTestMatchesExactly(string name)
        {
            string dir = Path.Combine(OnnxReaderTests.NodeTests, name);
            Assert.True(Directory.Exists(dir), $"{dir} missing from libonnx-testdata");
            var model = OnnxReader.ReadFile(Path.Combine(dir, "model.onnx"));
            var keep = Tests[name];
            var sets = Directory.GetDirectories(dir, "test_data_set_*").OrderBy(d => d, StringComparer.Ordinal).ToList();
            Assert.NotEmpty(sets);
            int checkedSets = 0;
            foreach (var set in sets)
            {
                var inputs = model.Graph.Inputs.ToList();
                var feeds = new List<byte[]>();
                var bound = OnnxReader.ReadModel(File.ReadAllBytes(Path.Combine(dir, "model.onnx")));
                for (int i = 0; i < inputs.Count; i++)
                {
                    var t = OnnxReader.ReadTensor(File.ReadAllBytes(Path.Combine(set, $"input_{i}.pb")));
                    if (keep.Contains(i)) feeds.Add(t.Data);
                    else { t.Name = inputs[i].Name; bound.Graph.Initializers.Add(t); }
                }
                var expected = OnnxReader.ReadTensor(File.ReadAllBytes(Path.Combine(set, "output_0.pb")));
                var result = ModelConverter.Convert(bound, name + ".onnx");
                foreach (var kernels in KernelSets())
                {
                    var provider = kernels == KernelSetKind.Reference ? null : new SimdKernelProvider(kernels);
                    var m = EdgeModel.Load(result.FileBytesData, provider);
                    Assert.Equal("onnx", m.SourceFormat);
                    var interp = new Interpreter(m, new byte[m.ArenaBytes]);
                    Assert.Equal(feeds.Count, m.InputCount);
                    for (int i = 0; i < feeds.Count; i++) interp.SetInput(i, feeds[i], 0);
                    interp.Invoke();
                    var got = new byte[m.Output(0).SizeBytes];
                    interp.GetOutput(0, got, 0);
                    Assert.Equal(expected.Dims.Select(d => (int)d).ToArray(), m.Output(0).Shape);
                    Assert.Equal(expected.Data, got);
                }
                checkedSets++;
            }
            _log.WriteLine($"{name}: {checkedSets} data set(s) exact with kernel sets {string.Join(", ", KernelSets())}");
        }

        public static IEnumerable<KernelSetKind> KernelSets()
        {
            yield return KernelSetKind.Reference;
            yield return KernelSetKind.Portable;
            yield return KernelSetKind.NeonModel;
            if (KernelCatalog.IsSupported(KernelSetKind.X86)) yield return KernelSetKind.X86;
        }
    }
}
