using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Edge.Converter.Cli;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Quantization
{
    /// <summary>`edge convert model.onnx --calibration DIR`: the whole path from a float ONNX file to a running .edge model.</summary>
    public class PtqCliTests : QuantizeCliTestBase
    {
        public PtqCliTests(ITestOutputHelper log) : base(log, "edge-ptqcli-") { }

        [Fact]
        public void FloatModelWithoutCalibrationFailsPointingAtCalibration()
        {
            string model = Save(FloatModels.SmallCnn(), "f.onnx");
            string output = Path.Combine(_dir, "f.edge");
            var (code, _, err) = Edge("convert", model, "-o", output);
            Assert.Equal(Program.ExitInvalid, code);
            Assert.Contains("--calibration", err);
            Assert.False(File.Exists(output));
        }

        [Fact]
        public void CalibrationOptionsWithoutCalibrationAreAUsageError()
        {
            string model = Save(FloatModels.SmallCnn(), "f.onnx");
            Assert.Equal(Program.ExitUsage, Edge("convert", model, "--report", Path.Combine(_dir, "r.json"), "-o", Path.Combine(_dir, "f.edge")).code);
            var cal = FloatModels.SampleDir(FloatModels.SmallCnn(), 2, 1);
            try
            {
                Assert.Equal(Program.ExitUsage, Edge("convert", model, "--calibration", cal, "--calibration-method", "kl", "-o", Path.Combine(_dir, "f.edge")).code);
                Assert.Equal(Program.ExitUsage, Edge("convert", model, "--calibration", cal, "--percentile", "99", "-o", Path.Combine(_dir, "f.edge")).code);
            }
            finally { Directory.Delete(cal, true); }
        }

        [Theory]
        [InlineData("minmax", false)]
        [InlineData("percentile", false)]
        [InlineData("entropy", false)]
        [InlineData("minmax", true)]
        [InlineData("entropy", true)]
        public void ConvertsAFloatModelThatRunsCloseToTheFloatGraph(string method, bool reduceRange)
        {
            var m = FloatModels.SmallCnn();
            string model = Save(m, "cnn.onnx");
            string cal = FloatModels.SampleDir(m, 24, 5);
            try
            {
                string output = Path.Combine(_dir, "cnn.edge"), report = Path.Combine(_dir, "report.json"), qdq = Path.Combine(_dir, "cnn.qdq.onnx");
                var args = new List<string> { "convert", model, "--calibration", cal, "--calibration-method", method, "--report", report, "--emit-qdq", qdq, "-o", output };
                if (reduceRange) args.Add("--reduce-range");
                var (code, stdout, _) = Edge(args.ToArray());
                Assert.Equal(0, code);
                Assert.Contains("quantization error per layer", stdout);
                Assert.Contains("worst 5 of", stdout);

                // the report: every quantized layer, worst first, int8 side = the Edge runtime
                using var doc = JsonDocument.Parse(File.ReadAllText(report));
                var layers = doc.RootElement.GetProperty("layers").EnumerateArray().ToList();
                Assert.Equal(5, layers.Count);   // conv+relu, maxpool, conv+clip, flatten, gemm
                var sqnr = layers.Select(l => l.GetProperty("sqnrDb").GetDouble()).ToList();
                Assert.Equal(sqnr.OrderBy(v => v), sqnr);
                Assert.Contains("Edge runtime", doc.RootElement.GetProperty("int8Side").GetString());
                double outSqnr = doc.RootElement.GetProperty("outputs")[0].GetProperty("sqnrDb").GetDouble();
                _log.WriteLine($"{method}: output SQNR {outSqnr:F1} dB, worst layer {layers[0].GetProperty("layer").GetString()} {sqnr[0]:F1} dB");
                // minmax/percentile keep the logits' full range (~35 dB here). Entropy (KL) on 120 logit values in a
                // 2048-bin histogram clips the range hard (~18 dB): the method's known weakness on small calibration
                // sets, which is what this report is for. Wrong wiring or parameters give < 10 dB.
                Assert.True(outSqnr > (method == "entropy" ? 12 : 25), $"output SQNR {outSqnr}");

                // the .edge model runs; its output equals the report's int8 output and tracks the float model
                var em = EdgeModel.Load(File.ReadAllBytes(output));
                var interp = new Interpreter(em, new byte[em.ArenaBytes]);
                var data = new CalibrationData(m, cal);
                var fexec = new FloatExecutor(m);
                var qexec = new FloatExecutor(OnnxReader.ReadFile(qdq));
                double sig = 0, noise = 0; int lsbOff = 0, n = 0;
                var outBytes = new byte[em.Output(0).SizeBytes];
                foreach (var x in data.Samples())
                {
                    var inBytes = new byte[x.F.Length * 4];
                    Buffer.BlockCopy(x.F, 0, inBytes, 0, inBytes.Length);
                    interp.SetInput(0, inBytes, 0);
                    interp.Invoke();
                    interp.GetOutput(0, outBytes, 0);
                    var y = new float[outBytes.Length / 4];
                    Buffer.BlockCopy(outBytes, 0, y, 0, outBytes.Length);
                    var feeds = new Dictionary<string, FloatTensor> { ["image"] = x };
                    var yf = fexec.Run(feeds)[m.Graph.Outputs[0].Name].F;
                    var yq = qexec.Run(feeds)[m.Graph.Outputs[0].Name].F;
                    float step = qexec.Model.Graph.Initializers.Single(t => t.Name == m.Graph.Outputs[0].Name + "_scale").AsFloats()[0];
                    for (int i = 0; i < y.Length; i++)
                    {
                        sig += (double)yf[i] * yf[i]; noise += (double)(yf[i] - y[i]) * (yf[i] - y[i]);
                        // Edge computes ONNX Runtime's integer kernels; the fake-quant graph rounds the same values in float.
                        // Edge accumulates exactly in int32 (no --ort-avx2), so the two agree to rounding with 8- and 7-bit weights.
                        if (Math.Abs(y[i] - yq[i]) > step * 0.5) lsbOff++;
                        Assert.True(Math.Abs(y[i] - yq[i]) <= 2.01 * step, $"Edge {y[i]} vs QDQ graph {yq[i]} (step {step})");
                        n++;
                    }
                }
                double edgeSqnr = 10 * Math.Log10(sig / noise);
                _log.WriteLine($"Edge .edge output vs float: {edgeSqnr:F1} dB; {lsbOff}/{n} outputs one step or more from the fake-quant QDQ graph");
                Assert.Equal(outSqnr, edgeSqnr, 3);   // the report measured this (the runtime's DEQUANTIZE rounds in its own order)
                Assert.True(lsbOff <= n / 10);
                // the fake-quant column: quantization alone; with exact accumulation the runtime adds nothing beyond rounding
                double ideal = doc.RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("tensor").GetString() == m.Graph.Outputs[0].Name).GetProperty("fakeQuantSqnrDb").GetDouble();
                Assert.InRange(edgeSqnr, ideal - 1, ideal + 1);
            }
            finally { Directory.Delete(cal, true); }
        }
        /// <summary>
        /// A float CNN exported by PyTorch (Data/make_torch_cnn.py: Conv, Relu, MaxPool, Relu6 as Relu+Clip with
        /// Constant bounds, view() as Reshape with a Constant shape, Linear as Gemm) with PyTorch's own outputs:
        /// the float executor reproduces them, and the converted .edge model tracks them.
        /// </summary>
        [Fact]
        public void TorchExportedModelConvertsAndTracksTorchOutputs()
        {
            string data = Path.Combine(AppContext.BaseDirectory, "Quantization", "Data");
            string model = Path.Combine(data, "torch_cnn.onnx"), cal = Path.Combine(data, "torch_cal");
            var torchOut = Npy.Read(Path.Combine(data, "torch_out.npy"));
            var expected = new float[torchOut.Data.Length / 4];
            Buffer.BlockCopy(torchOut.Data, 0, expected, 0, torchOut.Data.Length);
            var m = OnnxReader.ReadFile(model);
            var samples = new CalibrationData(m, cal).Samples().ToList();
            Assert.Equal(torchOut.Shape[0], samples.Count);
            var exec = new FloatExecutor(m);
            for (int s = 0; s < samples.Count; s++)
            {
                var y = exec.Run(new Dictionary<string, FloatTensor> { ["input"] = samples[s] })["logits"].F;
                for (int k = 0; k < y.Length; k++)
                    Assert.True(Math.Abs(y[k] - expected[s * y.Length + k]) <= 1e-5 + 1e-4 * Math.Abs(expected[s * y.Length + k]), $"sample {s} logit {k}");
            }

            string output = Path.Combine(_dir, "torch.edge");
            var (code, stdout, _) = Edge("convert", model, "--calibration", cal, "--report", Path.Combine(_dir, "r.txt"), "--reduce-range", "-o", output);
            Assert.Equal(0, code);
            Assert.Contains("Conv+Relu+Clip", stdout);   // Relu and the Clip after it both folded into the conv's output range
            var em = EdgeModel.Load(File.ReadAllBytes(output));
            var interp = new Interpreter(em, new byte[em.ArenaBytes]);
            double sig = 0, noise = 0;
            var ob = new byte[em.Output(0).SizeBytes];
            for (int s = 0; s < samples.Count; s++)
            {
                var ib = new byte[samples[s].F.Length * 4];
                Buffer.BlockCopy(samples[s].F, 0, ib, 0, ib.Length);
                interp.SetInput(0, ib, 0);
                interp.Invoke();
                interp.GetOutput(0, ob, 0);
                for (int k = 0; k < ob.Length / 4; k++)
                {
                    double e = expected[s * (ob.Length / 4) + k], a = BitConverter.ToSingle(ob, 4 * k);
                    sig += e * e; noise += (e - a) * (e - a);
                }
            }
            double sqnr = 10 * Math.Log10(sig / noise);
            _log.WriteLine($"torch CNN: .edge output vs PyTorch float: {sqnr:F1} dB");
            Assert.True(sqnr > 25, $"{sqnr:F1} dB");
        }
        /// <summary>
        /// Edge's own QDQ quantization of the PyTorch CNN, run by ONNX Runtime 1.31.1 (Data/run_ort.js, x64): ONNX
        /// Runtime accepts the models --emit-qdq writes, a fresh PTQ reproduces those files byte for byte, and the
        /// .edge conversion of each gives ONNX Runtime's outputs exactly — with 8-bit weights (where ONNX Runtime's
        /// AVX2 GEMM saturates int16 pair sums, which --ort-avx2 reproduces) and with --reduce-range.
        /// </summary>
        [Theory]
        [InlineData("torch_cnn.qdq.onnx", false)]
        [InlineData("torch_cnn.qdq.rr.onnx", true)]
        public void EmittedQdqModelRunsInOnnxRuntimeAndEdgeMatchesItExactly(string qdqName, bool reduceRange)
        {
            string data = Path.Combine(AppContext.BaseDirectory, "Quantization", "Data");
            string model = Path.Combine(data, "torch_cnn.onnx"), cal = Path.Combine(data, "torch_cal");
            string qdq = Path.Combine(_dir, qdqName), output = Path.Combine(_dir, "t.edge");
            var args = new List<string> { "convert", model, "--calibration", cal, "--emit-qdq", qdq, "-o", output, "--ort-avx2" };
            if (reduceRange) args.Add("--reduce-range");
            Assert.Equal(0, Edge(args.ToArray()).code);
            Assert.Equal(File.ReadAllBytes(Path.Combine(data, qdqName)), File.ReadAllBytes(qdq));

            var ort = File.ReadAllBytes(Path.Combine(data, qdqName.Replace(".onnx", ".ort.bin")));
            var em = EdgeModel.Load(File.ReadAllBytes(output));
            var interp = new Interpreter(em, new byte[em.ArenaBytes]);
            var samples = new CalibrationData(OnnxReader.ReadFile(model), cal).Samples().ToList();
            var ob = new byte[em.Output(0).SizeBytes];
            Assert.Equal(samples.Count * ob.Length, ort.Length);
            for (int s = 0; s < samples.Count; s++)
            {
                var ib = new byte[samples[s].F.Length * 4];
                Buffer.BlockCopy(samples[s].F, 0, ib, 0, ib.Length);
                interp.SetInput(0, ib, 0);
                interp.Invoke();
                interp.GetOutput(0, ob, 0);
                Assert.True(ob.AsSpan().SequenceEqual(ort.AsSpan(s * ob.Length, ob.Length)), $"sample {s}: Edge differs from ONNX Runtime");
            }
        }
        /// <summary>
        /// The PyTorch network with every other quantizable op (Data/make_torch_mixed.py): a fresh PTQ reproduces the
        /// committed QDQ file; ONNX Runtime running it without graph optimizations (QDQ node by node, i.e. fake
        /// quantization) agrees with the converter's float executor on the same graph, so the QDQ graph means to ONNX
        /// Runtime what the report measures; and the float executor reproduces PyTorch's float outputs.
        /// </summary>
        [Fact]
        public void MixedTorchModelQdqMeansTheSameToOnnxRuntime()
        {
            string data = Path.Combine(AppContext.BaseDirectory, "Quantization", "Data");
            string model = Path.Combine(data, "torch_mixed.onnx"), cal = Path.Combine(data, "torch_cal");
            var m = OnnxReader.ReadFile(model);
            var cd = new CalibrationData(m, cal);
            var r = PostTrainingQuantizer.Quantize(m, cd, new CalibrationOptions());
            Assert.Equal(File.ReadAllBytes(Path.Combine(data, "torch_mixed.qdq.onnx")), OnnxWriter.Write(r.Qdq.Model));
            Assert.Contains(r.Qdq.Layers, l => l.OpType == "Mul" && l.NodeName.Contains("BatchNormalization"));   // standalone BN → Mul + Add

            float[] Floats(string f) { var b = File.ReadAllBytes(Path.Combine(data, f)); var v = new float[b.Length / 4]; Buffer.BlockCopy(b, 0, v, 0, b.Length); return v; }
            var ortNoOpt = Floats("torch_mixed.qdq.ort-noopt.bin");
            var torchNpy = Npy.Read(Path.Combine(data, "torch_mixed_out.npy"));
            var torch = new float[torchNpy.Data.Length / 4];
            Buffer.BlockCopy(torchNpy.Data, 0, torch, 0, torchNpy.Data.Length);
            var fexec = new FloatExecutor(m);
            var qexec = new FloatExecutor(r.Qdq.Model);
            int s = 0, differ = 0, n = 0;
            foreach (var x in cd.Samples())
            {
                var feeds = new Dictionary<string, FloatTensor> { ["input"] = x };
                var yq = qexec.Run(feeds)["probs"].F;
                var yf = fexec.Run(feeds)["probs"].F;
                for (int k = 0; k < yq.Length; k++, n++)
                {
                    float ort = ortNoOpt[s * yq.Length + k], t = torch[s * yq.Length + k];
                    Assert.True(Math.Abs(yf[k] - t) <= 1e-5 + 1e-4 * Math.Abs(t), $"float executor vs PyTorch, sample {s}");
                    // the softmax output's quantization step is 1/255: a float-rounding difference upstream may move
                    // a value by one step, never more
                    if (yq[k] != ort) differ++;
                    Assert.True(Math.Abs(yq[k] - ort) <= 1.01 / 255, $"sample {s} output {k}: executor {yq[k]} vs ONNX Runtime {ort}");
                }
                s++;
            }
            _log.WriteLine($"{differ}/{n} outputs differ (by one step) between the float executor and ONNX Runtime on the QDQ graph");
            Assert.True(differ <= n / 20);
        }
        [Fact]
        public void CalibratesFromImagesWithTheStatedPreprocessing()
        {
            // a 6x7 gray input fed by the PNG and PGM test images (Data/make_images.py)
            var b = new FloatModels.Builder(9);
            var x = b.Input("image", 1, 1, 6, 7);
            var c = b.Node("Conv", new[] { x, b.Random(0.5, 4, 1, 3, 3), b.Random(0.1, 4) }, ("pads", new long[] { 1, 1, 1, 1 }));
            var r = b.Node("Relu", new[] { c });
            var f = b.Node("Flatten", new[] { r });
            b.Output(b.Node("Gemm", new[] { f, b.Random(0.1, 3, 168), b.Random(0.1, 3) }, ("transB", 1L)));
            string model = Save(b.Model, "img.onnx");
            string cal = Path.Combine(_dir, "images");
            Directory.CreateDirectory(cal);
            string data = Path.Combine(AppContext.BaseDirectory, "Quantization", "Data");
            foreach (var img in new[] { "gray8.png", "gray8.pgm", "gray16.png" }) File.Copy(Path.Combine(data, img), Path.Combine(cal, img));
            string output = Path.Combine(_dir, "img.edge");
            var (code, stdout, _) = Edge("convert", model, "--calibration", cal, "--mean", "0.5", "--std", "0.25", "--report", Path.Combine(_dir, "r.csv"), "-o", output);
            Assert.Equal(0, code);
            Assert.Contains("3 sample(s)", stdout);
            Assert.Contains("images: x = pixel/255, (x - [0.5]) / [0.25]", stdout);
            var csv = File.ReadAllLines(Path.Combine(_dir, "r.csv"));
            Assert.StartsWith("rank,layer,op,tensor,sqnr_db", csv[0]);
            Assert.Equal(1 + 3, csv.Length);   // conv+relu, flatten, gemm
            // the input's calibrated range is that of the preprocessed pixels: (0/255 − 0.5)/0.25 = −2 … (255/255 − 0.5)/0.25 = 2 at most
            var m = OnnxReader.ReadFile(model);
            var res = PostTrainingQuantizer.Quantize(m, new CalibrationData(m, cal, new ImagePreprocessing { Mean = new[] { 0.5f }, Std = new[] { 0.25f } }), new CalibrationOptions());
            Assert.InRange(res.Ranges["image"].Min, -2f, 2f);
            Assert.InRange(res.Ranges["image"].Max, -2f, 2f);
            Assert.True(File.Exists(output));
        }
        [Fact]
        public void EmbedTestStoresAFloatInputAndTheQuantizedModelsOutput()
        {
            string data = Path.Combine(AppContext.BaseDirectory, "Quantization", "Data");
            string output = Path.Combine(_dir, "st.edge");
            var (code, stdout, _) = Edge("convert", Path.Combine(data, "torch_cnn.onnx"), "--calibration", Path.Combine(data, "torch_cal"),
                "--embed-test", Path.Combine(data, "torch_cal", "03.npy"), "--plan", "-o", output);
            Assert.Equal(0, code);
            Assert.Contains("self-test    embedded", stdout);
            Assert.Contains("arena plan:", stdout);
            Assert.Equal(0, Edge("selftest", output).code);
            // an input of the wrong shape is refused before anything is written
            string bad = Path.Combine(_dir, "bad.npy");
            Npy.Write(bad, DType.Float32, new[] { 1, 1, 4, 4 }, new byte[64]);
            string output2 = Path.Combine(_dir, "st2.edge");
            Assert.Equal(Program.ExitInvalid, Edge("convert", Path.Combine(data, "torch_cnn.onnx"), "--calibration", Path.Combine(data, "torch_cal"), "--embed-test", bad, "-o", output2).code);
            Assert.False(File.Exists(output2));
        }
    }
}
