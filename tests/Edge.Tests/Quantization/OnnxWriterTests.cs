using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;
using Edge.Tests.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Quantization
{
    /// <summary>The ONNX writer round-trips through the independent reader.</summary>
    public class OnnxWriterTests
    {
        private readonly ITestOutputHelper _log;
        public OnnxWriterTests(ITestOutputHelper log) { _log = log; }

        internal static void AssertSameModel(OnnxModel a, OnnxModel b, string what)
        {
            Assert.Equal(a.IrVersion, b.IrVersion);
            Assert.Equal(a.Opsets.OrderBy(k => k.Key), b.Opsets.OrderBy(k => k.Key));
            Assert.Equal(a.Graph.Nodes.Count, b.Graph.Nodes.Count);
            for (int i = 0; i < a.Graph.Nodes.Count; i++)
            {
                var x = a.Graph.Nodes[i]; var y = b.Graph.Nodes[i];
                Assert.True(x.OpType == y.OpType && x.Name == y.Name && x.Domain == y.Domain, $"{what}: node {i}");
                Assert.Equal(x.Inputs, y.Inputs);
                Assert.Equal(x.Outputs, y.Outputs);
                Assert.Equal(x.Attributes.Keys.OrderBy(k => k), y.Attributes.Keys.OrderBy(k => k));
                foreach (var (k, av) in x.Attributes)
                {
                    var bv = y.Attributes[k];
                    Assert.True(av.I == bv.I && av.S == bv.S && av.Ints.SequenceEqual(bv.Ints) && av.Strings.SequenceEqual(bv.Strings)
                        && BitConverter.SingleToInt32Bits(av.F) == BitConverter.SingleToInt32Bits(bv.F)
                        && av.Floats.Select(BitConverter.SingleToInt32Bits).SequenceEqual(bv.Floats.Select(BitConverter.SingleToInt32Bits)), $"{what}: node {i} attribute {k}");
                    if (av.T != null) AssertSameTensor(av.T, bv.T);
                }
            }
            Assert.Equal(a.Graph.Initializers.Count, b.Graph.Initializers.Count);
            for (int i = 0; i < a.Graph.Initializers.Count; i++) AssertSameTensor(a.Graph.Initializers[i], b.Graph.Initializers[i]);
            foreach (var (va, vb) in a.Graph.Inputs.Concat(a.Graph.Outputs).Zip(b.Graph.Inputs.Concat(b.Graph.Outputs)))
            {
                Assert.Equal(va.Name, vb.Name);
                Assert.Equal(va.ElementType, vb.ElementType);
                Assert.Equal(va.Shape, vb.Shape);
            }
        }

        private static void AssertSameTensor(OnnxTensor a, OnnxTensor b)
        {
            Assert.Equal(a.Name, b.Name);
            Assert.Equal(a.DataType, b.DataType);
            Assert.Equal(a.Dims, b.Dims);
            Assert.Equal(a.Data, b.Data);
        }

        [OnnxReaderTests.OnnxTestDataFact]
        public void NodeTestModelsRoundTrip()
        {
            int n = 0;
            foreach (var dir in Directory.GetDirectories(OnnxReaderTests.NodeTests).OrderBy(d => d, StringComparer.Ordinal))
            {
                string file = Path.Combine(dir, "model.onnx");
                if (!File.Exists(file)) continue;
                var a = OnnxReader.ReadFile(file);
                // subgraph attributes (If/Loop/Scan bodies) and sequence/optional types are not modelled
                if (a.Graph.Nodes.Any(x => x.Attributes.Values.Any(v => v.Type is OnnxAttributeType.Graph or OnnxAttributeType.Graphs or OnnxAttributeType.SparseTensor or OnnxAttributeType.SparseTensors or OnnxAttributeType.TypeProto or OnnxAttributeType.TypeProtos or OnnxAttributeType.Tensors))) continue;
                if (a.Graph.Inputs.Concat(a.Graph.Outputs).Any(v => v.ElementType == OnnxDataType.Undefined)) continue;
                var b = OnnxReader.ReadModel(OnnxWriter.Write(a));
                AssertSameModel(a, b, Path.GetFileName(dir));
                n++;
            }
            _log.WriteLine($"{n} node test models round-trip");
            Assert.True(n > 500);
        }

        [Fact]
        public void QdqModelRoundTripsAndRunsTheSame()
        {
            var m = FloatModels.Cnn();
            string dir = FloatModels.SampleDir(m, 4, 3);
            try
            {
                var data = new CalibrationData(m, dir);
                var r = PostTrainingQuantizer.Quantize(m, data, new CalibrationOptions());
                var bytes = OnnxWriter.Write(r.Qdq.Model);
                var back = OnnxReader.ReadModel(bytes);
                AssertSameModel(r.Qdq.Model, back, "qdq");
                var x = data.Samples().First();
                var feeds = new Dictionary<string, FloatTensor> { [data.InputName] = x };
                string o = m.Graph.Outputs[0].Name;
                Assert.Equal(new FloatExecutor(r.Qdq.Model).Run(feeds)[o].F, new FloatExecutor(back).Run(feeds)[o].F);
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
