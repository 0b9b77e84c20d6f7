using System;
using System.IO;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Onnx
{
    /// <summary>
    /// QOperator QLinearAdd / QLinearMul / QLinearGlobalAveragePool (com.microsoft): what they lower to, and the
    /// conversion errors for what Edge does not import (each naming the op, the node and the opset). Their exact
    /// outputs against ONNX Runtime are checked by <see cref="QdqOrtTests"/> (the qop_* models).
    /// </summary>
    public class OnnxQOperatorTests
    {
        private static OnnxModel Load(string name) => OnnxReader.ReadModel(File.ReadAllBytes(Path.Combine(QdqOrtTests.Dir, name + ".onnx")));

        private static ConversionException Rejects(OnnxModel m, string opType)
        {
            var ex = Assert.Throws<ConversionException>(() => OnnxImporter.Import(m));
            Assert.Contains($"ONNX {opType} node '", ex.Message);
            Assert.Contains("opset 13", ex.Message);
            return ex;
        }

        [Fact]
        public void LowersToTheQdqPathsOps()
        {
            var add = OnnxImporter.Import(Load("qop_add_u8"));
            Assert.Equal(new[] { OpType.QLinearBinary }, add.Ops.Select(o => o.Type).ToArray());
            var o = (Edge.Converter.Ir.QLinearBinaryOptions)add.Ops[0].Options;
            Assert.Equal(0, o.Shift);
            Assert.Equal(0, ((Edge.Converter.Ir.QLinearBinaryOptions)OnnxImporter.Import(Load("qop_add_s8")).Ops[0].Options).Shift);   // int8 stays int8
            Assert.Equal(1, ((Edge.Converter.Ir.QLinearBinaryOptions)OnnxImporter.Import(Load("qop_mul_s8")).Ops[0].Options).Kind);
            // NCHW: transposed to NHWC for the depthwise all-ones QLINEAR_CONV; NHWC (channels_last 1): no transposes.
            var nchw = OnnxImporter.Import(Load("qop_gap_nchw_1x6x5x5_u8"));
            Assert.Contains(OpType.QLinearConv, nchw.Ops.Select(x => x.Type));
            Assert.Contains(OpType.Transpose, nchw.Ops.Select(x => x.Type));
            var nhwc = OnnxImporter.Import(Load("qop_gap_nhwc_1x5x5x6_u8"));
            Assert.Equal(new[] { OpType.QLinearConv }, nhwc.Ops.Select(x => x.Type).ToArray());
        }

        [Fact]
        public void NonConstantScale_IsRejected()
        {
            var m = Load("qop_add_u8");
            var node = m.Graph.Nodes.Single(n => n.OpType == "QLinearAdd");
            var scale = node.Inputs[1];
            m.Graph.Initializers.RemoveAll(t => t.Name == scale);
            m.Graph.Inputs.Add(new OnnxValueInfo { Name = scale, ElementType = OnnxDataType.Float, Shape = Array.Empty<long>() });
            Assert.Contains("A_scale", Rejects(m, "QLinearAdd").Message);
        }

        [Fact]
        public void ZeroPointOfAnotherType_IsRejected()
        {
            var m = Load("qop_mul_u8");
            var node = m.Graph.Nodes.Single(n => n.OpType == "QLinearMul");
            var zp = m.Graph.Initializers.Single(t => t.Name == node.Inputs[5]);
            zp.DataType = OnnxDataType.Int8;
            Assert.Contains("B_zero_point", Rejects(m, "QLinearMul").Message);
        }

        [Fact]
        public void WrongDomain_IsRejected()
        {
            var m = Load("qop_add_s8");
            m.Graph.Nodes.Single(n => n.OpType == "QLinearAdd").Domain = "";
            Assert.Contains("com.microsoft", Rejects(m, "QLinearAdd").Message);
        }

        [Fact]
        public void Broadcasting_IsRejected()
        {
            var m = Load("qop_add_u8");
            m.Graph.Inputs.Single(i => i.Name == "input_1").Shape = new long[] { 1, 3, 1, 7 };
            Assert.Contains("broadcasting", Rejects(m, "QLinearAdd").Message);

            m = Load("qop_add_scalar_b_u8");   // a single element of higher rank would change the output's rank
            m.Graph.Inputs.Single(i => i.Name == "input_1").Shape = new long[] { 1, 1, 1, 1, 1 };
            Assert.Contains("higher rank", Rejects(m, "QLinearAdd").Message);
        }

        [Fact]
        public void GlobalAveragePool_BadChannelsLastOrRankOrRange_IsRejected()
        {
            var m = Load("qop_gap_nhwc_1x5x5x6_s8");
            m.Graph.Nodes.Single(n => n.OpType == "QLinearGlobalAveragePool").Attributes["channels_last"].I = 2;
            Assert.Contains("channels_last", Rejects(m, "QLinearGlobalAveragePool").Message);

            m = Load("qop_gap_nchw_1x6x5x5_u8");
            m.Graph.Inputs.Single(i => i.Name == "input_0").Shape = new long[] { 1, 6, 25 };
            Assert.Contains("rank-4", Rejects(m, "QLinearGlobalAveragePool").Message);

            // x_scale / (y_scale · N) ≥ 256: ONNX Runtime's kernel refuses it ("parameter out of computation range").
            m = Load("qop_gap_nchw_1x6x5x5_u8");
            var gap = m.Graph.Nodes.Single(n => n.OpType == "QLinearGlobalAveragePool");
            var ys = m.Graph.Initializers.Single(t => t.Name == gap.Inputs[3]);
            ys.Data = BitConverter.GetBytes(1e-6f);
            Assert.Contains("computation range", Rejects(m, "QLinearGlobalAveragePool").Message);
        }
    
        [Fact]
        public void QGemm_FloatOutputAlphaOrBroadcastBias_IsRejected()
        {
            var m = Load("qop_qgemm_u8_pt");
            var node = m.Graph.Nodes.Single(n => n.OpType == "QGemm");
            node.Inputs[7] = ""; node.Inputs[8] = "";
            Assert.Contains("float output", Rejects(m, "QGemm").Message);

            m = Load("qop_qgemm_s8_pc");
            m.Graph.Nodes.Single(n => n.OpType == "QGemm").Attributes["alpha"] = new OnnxAttribute { Name = "alpha", Type = OnnxAttributeType.Float, F = 0.5f };
            Assert.Contains("alpha", Rejects(m, "QGemm").Message);

            m = Load("qop_qgemm_u8_pc");
            node = m.Graph.Nodes.Single(n => n.OpType == "QGemm");
            var c = m.Graph.Initializers.Single(t => t.Name == node.Inputs[6]);
            c.Dims = new long[] { 6, 1 };
            Assert.Contains("one value per column", Rejects(m, "QGemm").Message);
        }
    }
}
