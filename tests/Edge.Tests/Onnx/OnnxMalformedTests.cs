using System;
using System.IO;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Onnx
{
    /// <summary>
    /// The verifier on corrupted ONNX-derived files (format 1.2 ops: QLINEAR_CONV, QLINEAR_MATMUL, QLINEAR_BINARY,
    /// LOOKUP, QLINEAR_AVERAGE_POOL, QLINEAR_SOFTMAX, ONNX QUANTIZE/DEQUANTIZE): every random corruption either
    /// raises EdgeFormatException at load, or loads and then runs one inference without any exception.
    /// </summary>
    public class OnnxMalformedTests
    {
        private readonly ITestOutputHelper _log;
        public OnnxMalformedTests(ITestOutputHelper log) { _log = log; }

        [Theory]
        [InlineData("mini_cnn_s8", 1)]
        [InlineData("mini_cnn_u8", 2)]
        [InlineData("avgpool_u8", 3)]
        [InlineData("concat_s8", 4)]
        [InlineData("sigmoid_u8", 5)]
        [InlineData("qop_conv_pool_matmul_u8", 6)]
        public void RandomCorruptions_RejectedOrRunCleanly(string model, int seed)
        {
            byte[] good = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(QdqOrtTests.Dir, model + ".onnx")), model).FileBytesData;
            var (rejected, loaded) = Corruption.RejectOrRun(good, seed);
            _log.WriteLine($"{model}: {rejected} rejected, {loaded} loaded and ran");
            Assert.True(rejected > 0 && rejected + loaded == 400);
        }

        [Fact]
        public void UnknownRequantRule_IsRejected()
        {
            var r = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(QdqOrtTests.Dir, "gemm_u8_pt.onnx")), "gemm");
            var op = r.Graph.Ops.Single(o => o.Type == OpType.QLinearMatMul);
            ((Edge.Converter.Ir.QLinearMatMulOptions)op.Options).RequantRule = (Edge.Converter.Ir.RequantRuleKind)0;
            var ex = Assert.Throws<EdgeFormatException>(() => EdgeModel.Load(Edge.Converter.Format.EdgeWriter.Write(r.Graph)));
            Assert.Contains("requant_rule", ex.Message);
            var q = r.Graph.Ops.First(o => o.Type == OpType.Quantize);
            ((Edge.Converter.Ir.QLinearMatMulOptions)op.Options).RequantRule = Edge.Converter.Ir.RequantRuleKind.OnnxRuntimeFloat;
            ((Edge.Converter.Ir.AffineQuantizeOptions)q.Options).RequantRule = (Edge.Converter.Ir.RequantRuleKind)7;
            ex = Assert.Throws<EdgeFormatException>(() => EdgeModel.Load(Edge.Converter.Format.EdgeWriter.Write(r.Graph)));
            Assert.Contains("requant_rule", ex.Message);
        }
    }
}
