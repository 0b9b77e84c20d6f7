using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Quantization
{
    /// <summary>The QDQ rewriter: the parameters it writes satisfy the quantization rules, and the QDQ graph computes the float model.</summary>
    public class QdqQuantizerTests : IDisposable
    {
        private readonly ITestOutputHelper _log;
        private readonly List<string> _dirs = new();
        public QdqQuantizerTests(ITestOutputHelper log) { _log = log; }
        public void Dispose() { foreach (var d in _dirs) if (Directory.Exists(d)) Directory.Delete(d, true); }

        private (PostTrainingQuantizer.Result r, CalibrationData data) Ptq(OnnxModel m, CalibrationMethod method = CalibrationMethod.MinMax, int samples = 16)
        {
            var dir = FloatModels.SampleDir(m, samples, seed: 7);
            _dirs.Add(dir);
            var data = new CalibrationData(m, dir);
            return (PostTrainingQuantizer.Quantize(m, data, new CalibrationOptions { Method = method }), data);
        }

        private static OnnxTensor Init(OnnxModel m, string name) => m.Graph.Initializers.Single(t => t.Name == name);
        private static OnnxNode Producer(OnnxModel m, string name) => m.Graph.Nodes.Single(n => n.Outputs.Contains(name));

        [Fact]
        public void WeightsArePerChannelSymmetricInt8WithinHalfAStep()
        {
            var (r, _) = Ptq(FloatModels.Cnn());
            var q = r.Qdq.Model;
            int checkedWeights = 0;
            foreach (var n in q.Graph.Nodes.Where(n => n.OpType is "Conv" or "Gemm"))
            {
                var dq = Producer(q, n.Inputs[1]);
                Assert.Equal("DequantizeLinear", dq.OpType);
                var wq = Init(q, dq.Inputs[0]);
                Assert.Equal(OnnxDataType.Int8, wq.DataType);
                var scales = Init(q, dq.Inputs[1]).AsFloats();
                var zps = Init(q, dq.Inputs[2]);
                Assert.Equal(OnnxDataType.Int8, zps.DataType);
                Assert.All(zps.Data, z => Assert.Equal(0, z));
                long axis = dq.Int("axis", 1);
                Assert.Equal(n.OpType == "Gemm" && n.Int("transB", 0) == 0 ? 1 : 0, axis);
                Assert.Equal(wq.Dims[axis], scales.Length);
                // the float weights this came from (BN-folded for the first conv)
                string floatName = dq.Inputs[0][..^"_quantized".Length];
                var w = Init(r.Prepared, floatName).AsFloats();
                int inner = (int)(w.Length / wq.Dims[0]);
                for (int c = 0; c < scales.Length; c++)
                {
                    var ch = Enumerable.Range(0, inner).Select(k => w[c * inner + k]).ToArray();
                    Assert.Equal(ch.Max(Math.Abs) / 127f, scales[c], 6);
                    for (int k = 0; k < inner; k++)
                    {
                        sbyte v = (sbyte)wq.Data[c * inner + k];
                        Assert.InRange(v, -127, 127);
                        Assert.True(Math.Abs(v * scales[c] - ch[k]) <= scales[c] / 2 * 1.0001, $"{floatName}[{c},{k}]");
                    }
                }
                checkedWeights++;
            }
            Assert.Equal(4, checkedWeights);
        }

        [Fact]
        public void BiasIsInt32AtInputScaleTimesWeightScale()
        {
            var (r, _) = Ptq(FloatModels.Cnn());
            var q = r.Qdq.Model;
            foreach (var n in q.Graph.Nodes.Where(n => n.OpType is "Conv" or "Gemm"))
            {
                var bdq = Producer(q, n.Inputs[2]);
                var bq = Init(q, bdq.Inputs[0]);
                Assert.Equal(OnnxDataType.Int32, bq.DataType);
                var bs = Init(q, bdq.Inputs[1]).AsFloats();
                Assert.All(Init(q, bdq.Inputs[2]).AsInt64s(), z => Assert.Equal(0, z));
                float sIn = Init(q, Producer(q, n.Inputs[0]).Inputs[1]).AsFloats()[0];
                var sw = Init(q, Producer(q, n.Inputs[1]).Inputs[1]).AsFloats();
                var bf = Init(r.Prepared, bdq.Inputs[0][..^"_quantized".Length]).AsFloats();
                var bi = bq.AsInt64s();
                for (int c = 0; c < bs.Length; c++)
                {
                    Assert.Equal(sIn * sw[c], bs[c]);
                    Assert.True(Math.Abs(bi[c] * (double)bs[c] - bf[c]) <= bs[c] / 2 * 1.0001);
                }
            }
        }

        [Fact]
        public void ActivationParamsCoverTheCalibratedRangeAndZero()
        {
            var (r, _) = Ptq(FloatModels.Cnn());
            foreach (var (name, p) in r.Qdq.Activations)
            {
                var range = r.Ranges[name];
                float s = p.Scale[0];
                long zp = p.ZeroPoint[0];
                Assert.InRange(zp, -128, 127);
                double lo = s * (-128 - zp), hi = s * (127 - zp);
                Assert.True(lo <= 1e-7, $"{name}: 0 not representable");
                Assert.True(hi >= -1e-7, $"{name}: 0 not representable");
                // direct ops inherit their input's parameters, which cover the (same or narrower) data
                Assert.True(lo <= Math.Min(range.Min, 0) + s && hi >= Math.Max(range.Max, 0) - s, $"{name}: [{lo},{hi}] vs {range}");
            }
        }

        [Fact]
        public void ReluAndClipAreFoldedIntoTheirProducerAsOnnxruntimeDoes()
        {
            var (r, _) = Ptq(FloatModels.Cnn());
            var q = r.Qdq.Model;
            Assert.DoesNotContain(q.Graph.Nodes, n => n.OpType is "Relu" or "Clip" or "BatchNormalization");
            var fused = r.Qdq.Layers.Where(l => l.Fused.Contains('+')).Select(l => l.Fused).ToList();
            Assert.Equal(new[] { "Conv+Relu", "Conv+Clip" }, fused);
            foreach (var l in r.Qdq.Layers.Where(l => l.Fused.Contains('+')))
                Assert.Equal(-128, l.Params.ZeroPoint[0]);   // a non-negative range starts at q = −128
            // Softmax output is fixed at [0, 1]; MaxPool shares its input's parameters
            var sm = r.Qdq.Layers.Single(l => l.OpType == "Softmax");
            Assert.Equal((float)(1.0 / 255), sm.Params.Scale[0]);
            Assert.Equal(-128, sm.Params.ZeroPoint[0]);
            var mp = r.Qdq.Layers.Single(l => l.OpType == "MaxPool");
            var conv1 = r.Qdq.Layers.First(l => l.OpType == "Conv");
            Assert.Same(conv1.Params, mp.Params);
        }

        [Fact]
        public void EveryQuantizedOpReadsDequantizedInputsAndIsFollowedByAQdqPair()
        {
            foreach (var m in new[] { FloatModels.Cnn(), FloatModels.Mixed() })
            {
                var (r, _) = Ptq(m);
                var g = r.Qdq.Model.Graph;
                var inits = g.Initializers.Select(t => t.Name).ToHashSet();
                foreach (var n in g.Nodes.Where(n => n.OpType is not ("QuantizeLinear" or "DequantizeLinear")))
                {
                    foreach (var i in n.Inputs.Where(s => s != "" && !inits.Contains(s)))
                        Assert.Equal("DequantizeLinear", Producer(r.Qdq.Model, i).OpType);
                    var qn = g.Nodes.Single(c => c.Inputs.Count > 0 && c.Inputs[0] == n.Outputs[0]);
                    Assert.Equal("QuantizeLinear", qn.OpType);
                    Assert.Equal("DequantizeLinear", g.Nodes.Single(c => c.Inputs[0] == qn.Outputs[0]).OpType);
                }
                Assert.Equal(m.Graph.Outputs.Select(o => o.Name), g.Outputs.Select(o => o.Name));
                Assert.Equal("DequantizeLinear", Producer(r.Qdq.Model, g.Outputs[0].Name).OpType);
            }
        }

        [Theory]
        [InlineData(CalibrationMethod.MinMax)]
        [InlineData(CalibrationMethod.Percentile)]
        [InlineData(CalibrationMethod.Entropy)]
        public void QdqGraphTracksTheFloatModel(CalibrationMethod method)
        {
            foreach (var (name, m) in new[] { ("cnn", FloatModels.Cnn()), ("mixed", FloatModels.Mixed()) })
            {
                var (r, data) = Ptq(m, method, samples: 32);
                var report = QuantizationReport.Measure(name, r, data, edgeRuntime: false);   // the QDQ graph itself
                Assert.Equal(QuantizationReport.FakeQuantNote, report.Int8Side);
                var output = Assert.Single(report.Outputs);
                _log.WriteLine($"{name} {method}: output SQNR {output.SqnrDb:F1} dB, max abs err {output.MaxAbsError:G3}; worst layer {report.Layers[0].Layer} ({report.Layers[0].Op}) {report.Layers[0].SqnrDb:F1} dB");
                // 8-bit quantization of a few layers keeps ~20-40 dB; a wiring or parameter error gives ≤ 10 dB
                Assert.True(output.SqnrDb > 20, $"{name} {method}: output SQNR {output.SqnrDb:F1} dB");
                Assert.True(report.Layers.Zip(report.Layers.Skip(1)).All(p => p.First.SqnrDb <= p.Second.SqnrDb), "not sorted worst first");
                Assert.Equal(r.Qdq.Layers.Count, report.Layers.Count);
            }
        }

        [Fact]
        public void QuantizingTheFloatInputMatchesOnnxQuantizeLinear()
        {
            // activation params: scale = (max − min)/255, zp = round(−128 − min/scale) — values ONNX's own rule reproduces
            var p = QdqQuantizer.ActivationParams(new TensorRange(-1f, 3f));
            Assert.Equal(4f / 255f, p.Scale[0]);
            Assert.Equal((long)Math.Round(-128 + 1 / (4.0 / 255), MidpointRounding.ToEven), p.ZeroPoint[0]);
            var pos = QdqQuantizer.ActivationParams(new TensorRange(0.5f, 2f));   // widened to include 0
            Assert.Equal(2f / 255f, pos.Scale[0]);
            Assert.Equal(-128, pos.ZeroPoint[0]);
            var zero = QdqQuantizer.ActivationParams(new TensorRange(0f, 0f));
            Assert.Equal(1f, zero.Scale[0]);
            Assert.Equal(0, zero.ZeroPoint[0]);
        }

        [Fact]
        public void UnquantizableOpsAndOldOpsetsAreRejectedBeforeCalibration()
        {
            var b = new FloatModels.Builder(3);
            var x = b.Input("x", 1, 4);
            var y = b.Node("Div", new[] { x, b.Const(new[] { 2f, 2f, 2f, 2f }, 4) });
            b.Output(y);
            var dir = FloatModels.SampleDir(b.Model, 2, 1); _dirs.Add(dir);
            var e = Assert.Throws<ConversionException>(() => PostTrainingQuantizer.Quantize(b.Model, new CalibrationData(b.Model, dir), new CalibrationOptions()));
            Assert.Contains("Div cannot be quantized", e.Message);

            var old = FloatModels.Cnn();
            old.Opsets[""] = 11;
            var dir2 = FloatModels.SampleDir(old, 2, 1); _dirs.Add(dir2);
            var e2 = Assert.Throws<ConversionException>(() => PostTrainingQuantizer.Quantize(old, new CalibrationData(old, dir2), new CalibrationOptions()));
            Assert.Contains("opset 13", e2.Message);
        }

        [Fact]
        public void BatchNormFoldingPreservesTheFloatFunction()
        {
            var m = FloatModels.Cnn();
            var prepared = FloatGraphPrep.Prepare(m);
            Assert.DoesNotContain(prepared.Graph.Nodes, n => n.OpType == "BatchNormalization");
            var dir = FloatModels.SampleDir(m, 4, 9); _dirs.Add(dir);
            var data = new CalibrationData(m, dir);
            var a = new FloatExecutor(m); var b = new FloatExecutor(prepared);
            foreach (var x in data.Samples())
            {
                var feeds = new Dictionary<string, FloatTensor> { [data.InputName] = x };
                var ya = a.Run(feeds)[m.Graph.Outputs[0].Name].F;
                var yb = b.Run(feeds)[m.Graph.Outputs[0].Name].F;
                for (int i = 0; i < ya.Length; i++) Assert.True(Math.Abs(ya[i] - yb[i]) <= 1e-5 + 1e-4 * Math.Abs(ya[i]));
            }
        }
        [Fact]
        public void AWeightSharedByOpsWithDifferentChannelAxesIsQuantizedPerAxis()
        {
            var b = new FloatModels.Builder(12);
            var x = b.Input("x", 1, 4);
            var w = b.Random(0.5, 4, 4);
            var mm = b.Node("MatMul", new[] { x, w });                                   // output features on axis 1
            var gm = b.Node("Gemm", new[] { mm, w, b.Random(0.1, 4) }, ("transB", 1L));  // output features on axis 0
            b.Output(gm);
            var (r, _) = Ptq(b.Model);
            var dqs = r.Qdq.Model.Graph.Nodes.Where(n => n.OpType == "DequantizeLinear" && (n.Inputs[0] == w + "_quantized" || n.Inputs[0] == w + "_quantized_1")).ToList();
            Assert.Equal(new long[] { 0, 1 }, dqs.Select(d => d.Int("axis", 1)).OrderBy(a => a));
        }

        [Fact]
        public void AReluThatIsTheGraphOutputIsFoldedAndTheOutputKeepsItsName()
        {
            var b = new FloatModels.Builder(13);
            var x = b.Input("x", 1, 2, 5, 5);
            var c = b.Node("Conv", new[] { x, b.Random(0.5, 3, 2, 3, 3), b.Random(0.1, 3) });
            var y = b.Node("Relu", new[] { c });
            b.Output(y);
            var (r, data) = Ptq(b.Model);
            var g = r.Qdq.Model.Graph;
            Assert.DoesNotContain(g.Nodes, n => n.OpType == "Relu");
            var dq = g.Nodes.Single(n => n.Outputs.Contains(y));
            Assert.Equal("DequantizeLinear", dq.OpType);
            var layer = Assert.Single(r.Qdq.Layers);
            Assert.Equal("Conv+Relu", layer.Fused);
            Assert.Equal(-128, layer.Params.ZeroPoint[0]);
            var report = QuantizationReport.Measure("m", r, data, edgeRuntime: false);
            Assert.True(report.Outputs.Single().SqnrDb > 30, report.Outputs.Single().SqnrDb.ToString());
        }
    }
}
