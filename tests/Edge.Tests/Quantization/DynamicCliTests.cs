using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Cli;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Quantization
{
    /// <summary>`edge convert model.onnx --dynamic`: a float ONNX file to a running .edge model, and its errors.</summary>
    public class DynamicCliTests : QuantizeCliTestBase
    {
        public DynamicCliTests(ITestOutputHelper log) : base(log, "edge-dyncli-") { }

        [Fact]
        public void ConvertsAFloatCnnThatTracksTheFloatModel()
        {
            var m = FloatModels.SmallCnn();   // Conv+BatchNorm+Relu, MaxPool, strided Conv+Clip, Flatten, Gemm
            string model = Save(m, "f.onnx"), output = Path.Combine(_dir, "f.edge");
            var (code, stdout, _) = Edge("convert", model, "--dynamic", "-o", output);
            Assert.Equal(Program.ExitOk, code);
            Assert.Contains("DYNAMIC_CONV_2D", stdout);
            Assert.Contains("DYNAMIC_FULLY_CONNECTED", stdout);
            var em = EdgeModel.Load(File.ReadAllBytes(output));
            Assert.DoesNotContain(em.Ops, k => k.Type == OpType.Relu || k.Type == OpType.Quantize || k.Type == OpType.Dequantize);   // Relu/Clip fused
            var interp = new Interpreter(em, new byte[em.ArenaBytes]);
            var exec = new FloatExecutor(m);
            var rng = new Random(7);
            double sig = 0, noise = 0;
            var outBytes = new byte[em.Output(0).SizeBytes];
            for (int s = 0; s < 20; s++)
            {
                var x = Enumerable.Range(0, 144).Select(_ => (float)rng.NextDouble()).ToArray();
                var inBytes = new byte[x.Length * 4];
                Buffer.BlockCopy(x, 0, inBytes, 0, inBytes.Length);
                interp.SetInput(0, inBytes, 0);
                interp.Invoke();
                interp.GetOutput(0, outBytes, 0);
                var y = new float[outBytes.Length / 4];
                Buffer.BlockCopy(outBytes, 0, y, 0, outBytes.Length);
                var yf = exec.Run(new Dictionary<string, FloatTensor> { ["image"] = new FloatTensor(new[] { 1, 1, 12, 12 }, x) })[m.Graph.Outputs[0].Name].F;
                Assert.Equal(yf.Length, y.Length);
                for (int i = 0; i < y.Length; i++) { sig += (double)yf[i] * yf[i]; noise += (double)(yf[i] - y[i]) * (yf[i] - y[i]); }
            }
            double sqnr = 10 * Math.Log10(sig / noise);
            _log.WriteLine($"SmallCnn --dynamic vs float: {sqnr:F1} dB");
            Assert.True(sqnr > 25, $"SQNR {sqnr:F1} dB");
        }

        [Fact]
        public void UnsupportedFloatOpFailsWithoutOutput()
        {
            string model = Save(FloatModels.Cnn(), "cnn.onnx"), output = Path.Combine(_dir, "cnn.edge");   // has Add, AveragePool, Softmax
            var (code, _, err) = Edge("convert", model, "--dynamic", "-o", output);
            Assert.Equal(Program.ExitInvalid, code);
            Assert.Contains("not supported with --dynamic", err);
            Assert.False(File.Exists(output));
        }

        [Fact]
        public void DynamicExcludesCalibrationAndNeedsAFloatModel()
        {
            string model = Save(FloatModels.SmallCnn(), "f.onnx"), output = Path.Combine(_dir, "f.edge");
            Assert.Equal(Program.ExitUsage, Edge("convert", model, "--dynamic", "--calibration", _dir, "-o", output).code);
            Assert.Equal(Program.ExitUsage, Edge("convert", model, "--dynamic", "--ort-avx2", "-o", output).code);
            string qdq = Path.Combine(SharedData.RepoRoot, "samples", "fashion-mnist", "fashion_mnist_qdq.onnx");
            var (code, _, err) = Edge("convert", qdq, "--dynamic", "-o", output);
            Assert.Equal(Program.ExitInvalid, code);
            Assert.Contains("not a float ONNX model", err);
            Assert.False(File.Exists(output));
        }
    }
}
