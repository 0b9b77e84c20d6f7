using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Onnx
{
    /// <summary>
    /// The ONNX protobuf reader against Debian's libonnx-testdata (ONNX's own node tests): every model decodes,
    /// and each test's input/output TensorProto files agree in element type and shape with the graph's declared
    /// inputs and outputs — two independent encodings of the same facts.
    /// </summary>
    public class OnnxReaderTests
    {
        public const string NodeTests = "/usr/share/libonnx-testdata/data/node";
        private readonly ITestOutputHelper _log;
        public OnnxReaderTests(ITestOutputHelper log) { _log = log; }

        public sealed class OnnxTestDataFactAttribute : FactAttribute
        {
            public OnnxTestDataFactAttribute()
            {
                if (!Directory.Exists(NodeTests)) Skip = "libonnx-testdata not installed (apt-get install libonnx-testdata): ONNX reader tests skipped";
            }
        }

        public sealed class OnnxTestDataTheoryAttribute : TheoryAttribute
        {
            public OnnxTestDataTheoryAttribute()
            {
                if (!Directory.Exists(NodeTests)) Skip = "libonnx-testdata not installed (apt-get install libonnx-testdata): ONNX node tests skipped";
            }
        }

        [OnnxTestDataFact]
        public void EveryNodeTestModelDecodesAndMatchesItsTestData()
        {
            int models = 0, tensors = 0;
            var quantOps = new SortedSet<string>();
            foreach (var dir in Directory.GetDirectories(NodeTests).OrderBy(d => d, StringComparer.Ordinal))
            {
                string file = Path.Combine(dir, "model.onnx");
                if (!File.Exists(file)) continue;
                var m = OnnxReader.ReadFile(file);
                models++;
                Assert.True(m.Opsets.Count > 0, $"{dir}: no opset imported");
                Assert.NotEmpty(m.Graph.Nodes);
                foreach (var n in m.Graph.Nodes)
                    if (n.OpType.Contains("QLinear") || n.OpType.Contains("Integer") || n.OpType.EndsWith("QuantizeLinear"))
                        quantOps.Add(n.OpType);
                var set = Path.Combine(dir, "test_data_set_0");
                if (!Directory.Exists(set)) continue;
                var inputs = m.Graph.RealInputs.ToList();
                for (int i = 0; ; i++)
                {
                    string pb = Path.Combine(set, $"input_{i}.pb");
                    if (!File.Exists(pb)) break;
                    if (i >= inputs.Count || inputs[i].ElementType == OnnxDataType.Undefined) continue;   // sequence/optional/map data are not TensorProtos
                    var t = Read(pb);
                    tensors++;
                    // Shapes are compared on the quantization tests (Edge's subject); a few other ONNX tests (e.g.
                    // castlike's 'like' input) ship data whose shape differs from the declared one.
                    bool quantTest = Path.GetFileName(dir) is var name && (name.Contains("qlinear") || name.Contains("integer") || name.Contains("quantizelinear"));
                    if (quantTest && i < inputs.Count && t.DataType != OnnxDataType.String && inputs[i].Shape != null)
                    {
                        AssertSameType(inputs[i].ElementType, t.DataType, pb);
                        Assert.True(inputs[i].Shape.Length == t.Dims.Length, $"{pb}: rank {t.Dims.Length}, graph declares {inputs[i]}");
                        for (int d = 0; d < t.Dims.Length; d++)
                            if (inputs[i].Shape[d] >= 0) Assert.Equal(inputs[i].Shape[d], t.Dims[d]);
                    }
                }
                for (int o = 0; ; o++)
                {
                    string pb = Path.Combine(set, $"output_{o}.pb");
                    if (!File.Exists(pb)) break;
                    var decl = m.Graph.Outputs[o];
                    if (decl.ElementType == OnnxDataType.Undefined) continue;
                    var t = Read(pb);
                    tensors++;
                    if (t.DataType != OnnxDataType.String && decl.Shape != null) AssertSameType(decl.ElementType, t.DataType, pb);
                }
            }
            _log.WriteLine($"{models} models, {tensors} test tensors decoded; quantization ops seen: {string.Join(", ", quantOps)}");
            Assert.True(models > 500);
            Assert.Contains("QLinearConv", quantOps);
            Assert.Contains("QLinearMatMul", quantOps);
            Assert.Contains("ConvInteger", quantOps);
            Assert.Contains("MatMulInteger", quantOps);
        }

        private static OnnxTensor Read(string pb)
        {
            try { return OnnxReader.ReadTensor(File.ReadAllBytes(pb)); }
            catch (OnnxFormatException e) { throw new Xunit.Sdk.XunitException(pb + ": " + e.Message); }
        }

        /// <summary>ONNX's own bfloat16 test data is stored as uint16 TensorProtos (a known quirk of those files).</summary>
        private static void AssertSameType(OnnxDataType declared, OnnxDataType stored, string file)
        {
            if (declared == OnnxDataType.BFloat16 && stored == OnnxDataType.UInt16) return;
            Assert.True(declared == stored, $"{file}: stored {stored}, graph declares {declared}");
        }

        [OnnxTestDataFact]
        public void QLinearConvModelHasTheDocumentedSignature()
        {
            var m = OnnxReader.ReadFile(Path.Combine(NodeTests, "test_qlinearconv", "model.onnx"));
            var n = Assert.Single(m.Graph.Nodes);
            Assert.Equal("QLinearConv", n.OpType);
            Assert.Equal(8, n.Inputs.Count);   // x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp (bias omitted)
            var x = OnnxReader.ReadTensor(File.ReadAllBytes(Path.Combine(NodeTests, "test_qlinearconv", "test_data_set_0", "input_0.pb")));
            Assert.Equal(OnnxDataType.UInt8, x.DataType);
            Assert.Equal(x.ElementCount, x.Data.Length);
        }

        [OnnxTestDataFact]
        public void TruncatedAndCorruptedFilesRaiseOnlyOnnxFormatException()
        {
            var bytes = File.ReadAllBytes(Path.Combine(NodeTests, "test_qlinearconv", "model.onnx"));
            int rejected = 0;
            for (int len = 0; len < bytes.Length; len++)
            {
                try { OnnxReader.ReadModel(bytes.AsSpan(0, len).ToArray()); }
                catch (OnnxFormatException) { rejected++; }
            }
            var rng = new Random(3);
            for (int k = 0; k < 3000; k++)
            {
                var b = (byte[])bytes.Clone();
                b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                try { OnnxReader.ReadModel(b); }
                catch (OnnxFormatException) { rejected++; }
            }
            _log.WriteLine($"{rejected} of {bytes.Length + 3000} damaged files rejected; the rest decoded to some model");
            Assert.True(rejected > bytes.Length / 2);
        }
    }
}
