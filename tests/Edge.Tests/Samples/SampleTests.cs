using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Converter.Cli;
using Edge.Converter.Conversion;
using Edge.Converter.Tflite;
using Edge.Runtime;
using Edge.SampleGen;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Samples
{
    /// <summary>
    /// samples/sine: the repository's own INT8 model (made by tools/samplegen). The committed .tflite must be a
    /// TFLite-style full-integer model, convert and run, approximate sin(x), be reproduced byte for byte by the
    /// generator, and `edge demo` must show it.
    /// </summary>
    public class SampleTests
    {
        private readonly ITestOutputHelper _log;
        public SampleTests(ITestOutputHelper log) { _log = log; }

        private static string SampleDir => Path.Combine(SharedData.RepoRoot, "samples", "sine");
        private static string SamplePath => Path.Combine(SampleDir, SineSample.ModelFileName);

        /// <summary>The generator's result, built once (about 1–2 s) for the tests that need the float model.</summary>
        private static readonly Lazy<SineSampleResult> Built = new(() => SineSample.Build());

        // ---- Tolerance for |y − sin x| -------------------------------------------------------------------------
        // y is the dequantized int8 output and x the dequantized int8 input: comparing with sin of the value the
        // model actually received takes the input rounding out of the budget. The budget has two parts:
        //  * the float model's own approximation error: at most FloatBudget on [0, 2π] (checked on the generator's
        //    result below; 0.0275 for the committed model);
        //  * int8 inference, in output steps s_y = (max − min) / 255 ≈ 2/255 ≈ 0.0079. Rounding the output costs
        //    ½ step; each of the 16 layer-2 activations is rounded by up to ½ of its own step (≈ 0.022) and reaches
        //    y multiplied by its output weight (Σ|w3| ≈ 4.4 here), so about 6 more steps if all 16 roundings pointed
        //    the same way; layer-1 and weight roundings are damped by the layers after them and mostly cancel.
        //    Budget: Int8BudgetSteps = 8 steps (≈ 0.063). Measured worst case over all 256 inputs: 4.4 steps.
        // Total ≈ 0.093 — inside the 0.1 a sine demo needs to look right.
        private const double FloatBudget = 0.03;
        private const int Int8BudgetSteps = 8;

        private static double Tolerance(TensorInfo output) => FloatBudget + Int8BudgetSteps * output.Scale;

        private static EdgeModel ConvertCommitted()
        {
            Assert.True(File.Exists(SamplePath), $"{SamplePath} is missing; regenerate with `dotnet run --project tools/samplegen -- samples/sine`");
            var r = ModelConverter.Convert(File.ReadAllBytes(SamplePath), SineSample.ModelFileName);
            return EdgeModel.Load(r.FileBytesData);
        }

        private static double Dequantize(TensorInfo t, sbyte q) => (double)t.Scale * (q - t.ZeroPoint);

        private static sbyte RunOne(Interpreter interp, sbyte q)
        {
            var o = new byte[1];
            interp.SetInput(0, new[] { unchecked((byte)q) }, 0);
            interp.Invoke();
            interp.GetOutput(0, o, 0);
            return unchecked((sbyte)o[0]);
        }

        [Fact]
        public void CommittedModelIsQuantizedTheWayTheTfliteConverterDoesIt()
        {
            TfliteModel m = TfliteReader.Read(File.ReadAllBytes(SamplePath));
            Assert.Equal(3u, m.Version);
            var code = Assert.Single(m.OperatorCodes);
            Assert.Equal(9, code.DeprecatedBuiltinCode);   // FULLY_CONNECTED in both fields
            Assert.Equal(9, code.ExtendedBuiltinCode);
            Assert.Empty(m.Buffers[0].Data);                // buffer 0: the empty sentinel

            var sg = m.Subgraph;
            var input = sg.Tensors[Assert.Single(sg.Inputs)];
            var output = sg.Tensors[Assert.Single(sg.Outputs)];
            Assert.Equal(TfliteTensorType.Int8, input.Type);
            Assert.Equal(TfliteTensorType.Int8, output.Type);
            Assert.Equal(new[] { 1, 1 }, input.Shape);
            Assert.Equal(new[] { 1, 1 }, output.Shape);
            // Calibration covered exactly [0, 2π]: scale (2π − 0)/255, and 0 maps to −128.
            Assert.Equal((float)(2 * Math.PI / 255), input.Quantization.Scale.Single(), 6);
            Assert.Equal(-128, input.Quantization.ZeroPoint.Single());

            Assert.Equal(3, sg.Operators.Count);
            var acts = new List<TfliteActivation>();
            foreach (var op in sg.Operators)
            {
                Assert.Equal(TfliteBuiltinOperator.FullyConnected, m.OperatorCodes[op.OpcodeIndex].Builtin);
                var opts = Assert.IsType<TfliteFullyConnectedOptions>(op.BuiltinOptions);
                acts.Add(opts.FusedActivation);
                TfliteTensor x = sg.Tensors[op.Inputs[0]], w = sg.Tensors[op.Inputs[1]], b = sg.Tensors[op.Inputs[2]], y = sg.Tensors[op.Outputs[0]];
                int units = w.Shape[0], depth = w.Shape[1];

                // Weights: int8, symmetric per output channel along axis 0; each channel's largest |w| maps to 127.
                Assert.Equal(TfliteTensorType.Int8, w.Type);
                Assert.Equal(0, w.Quantization.QuantizedDimension);
                Assert.Equal(units, w.Quantization.Scale.Length);
                Assert.All(w.Quantization.ZeroPoint, z => Assert.Equal(0, z));
                var wq = m.GetConstantData(w).Select(v => (int)unchecked((sbyte)v)).ToArray();
                for (int c = 0; c < units; c++)
                {
                    var row = wq.Skip(c * depth).Take(depth).ToArray();
                    Assert.Equal(127, row.Max(Math.Abs));
                    Assert.DoesNotContain(-128, row);
                }

                // Bias: int32, scale input_scale · weight_scale[c], zero point 0.
                Assert.Equal(TfliteTensorType.Int32, b.Type);
                Assert.Equal(units, b.Quantization.Scale.Length);
                Assert.All(b.Quantization.ZeroPoint, z => Assert.Equal(0, z));
                float inScale = x.Quantization.Scale.Single();
                for (int c = 0; c < units; c++)
                    Assert.Equal(inScale * w.Quantization.Scale[c], b.Quantization.Scale[c]);

                // Activations: int8 per tensor; a ReLU output's calibrated range starts at 0, so its zero point is −128.
                Assert.Equal(TfliteTensorType.Int8, y.Type);
                Assert.Single(y.Quantization.Scale);
                if (opts.FusedActivation == TfliteActivation.Relu) Assert.Equal(-128, y.Quantization.ZeroPoint.Single());
            }
            Assert.Equal(new[] { TfliteActivation.Relu, TfliteActivation.Relu, TfliteActivation.None }, acts);
        }

        [Fact]
        public void CommittedModelConvertsAndEveryCommittedInputGivesSine()
        {
            var model = ConvertCommitted();
            Assert.Equal(3, model.Ops.Length);
            Assert.Equal(1 * 16 + 16 * 16 + 16 * 1, model.Macs); // 1 → 16 → 16 → 1
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            var files = Directory.GetFiles(Path.Combine(SampleDir, SineSample.InputsFolder), "*_in0.npy");
            Assert.Equal(SineSample.SampleXs.Length, files.Length);
            double tol = Tolerance(model.Output(0));
            foreach (var f in files.OrderBy(f => f, StringComparer.Ordinal))
            {
                var arr = Npy.Read(f);
                Commands.CheckInput(model.Input(0), arr, f, 0);
                sbyte qin = unchecked((sbyte)arr.Data[0]);
                double x = Dequantize(model.Input(0), qin);
                double y = Dequantize(model.Output(0), RunOne(interp, qin));
                _log.WriteLine($"{Path.GetFileName(f)}: x {x:F4} y {y:F4} sin {Math.Sin(x):F4} error {y - Math.Sin(x):+0.0000;-0.0000}");
                Assert.InRange(x, 0.0, 2 * Math.PI + 1e-6);
                Assert.True(Math.Abs(y - Math.Sin(x)) <= tol, $"{Path.GetFileName(f)}: y = {y} for x = {x}, sin x = {Math.Sin(x)}; |error| > {tol}");
            }
        }

        [Fact]
        public void DequantizedOutputApproximatesSineForEveryInt8Input()
        {
            var model = ConvertCommitted();
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            TensorInfo inT = model.Input(0), outT = model.Output(0);
            double tol = Tolerance(outT), worst = 0, worstX = 0;
            for (int q = -128; q <= 127; q++)
            {
                double x = Dequantize(inT, (sbyte)q);
                double y = Dequantize(outT, RunOne(interp, (sbyte)q));
                double e = Math.Abs(y - Math.Sin(x));
                if (e > worst) { worst = e; worstX = x; }
                Assert.True(e <= tol, $"int8 input {q} (x = {x}): y = {y}, sin x = {Math.Sin(x)}; |error| {e} > {tol}");
            }
            _log.WriteLine($"max |y − sin x| over all 256 int8 inputs: {worst:F4} at x = {worstX:F4} (tolerance {tol:F4}, output step {outT.Scale:F4})");
        }

        [Fact]
        public void Int8OutputDiffersFromTheFloatModelOnlyByRoundingNoise()
        {
            // Treat every activation rounding as independent noise, uniform over ±½ step (rms step/√12), and carry
            // it to y through the float model's weights, linearised with every ReLU open:
            //   σ² = (s_y² + ‖w3‖² s2² + ‖w3ᵀW2‖² s1²) / 12.
            // Weight rounding adds a little more; the int8 model's rms deviation from the float model over all 256
            // inputs must stay within 2σ.
            var r = Built.Value;
            var f = r.Float;
            const int H = SineMlp.Hidden;
            double sy = r.Model.Output.Scale, s2 = r.Model.Layers[1].Output.Scale, s1 = r.Model.Layers[0].Output.Scale;
            double w3sq = f.W3.Sum(w => w * w), gsq = 0;
            for (int k = 0; k < H; k++)
            {
                double g = 0;
                for (int j = 0; j < H; j++) g += f.W3[j] * f.W2[j * H + k];
                gsq += g * g;
            }
            double sigma = Math.Sqrt((sy * sy + w3sq * s2 * s2 + gsq * s1 * s1) / 12);

            var model = EdgeModel.Load(ModelConverter.Convert(r.Tflite, SineSample.ModelFileName).FileBytesData);
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            double sum = 0;
            for (int q = -128; q <= 127; q++)
            {
                double x = Dequantize(model.Input(0), (sbyte)q);
                double d = Dequantize(model.Output(0), RunOne(interp, (sbyte)q)) - f.Predict(x);
                sum += d * d;
            }
            double rms = Math.Sqrt(sum / 256);
            _log.WriteLine($"rms |int8 − float| {rms:F4} ({rms / sy:F2} output steps); rounding-noise estimate σ {sigma:F4} ({sigma / sy:F2} steps)");
            Assert.True(rms <= 2 * sigma, $"rms deviation {rms} from the float model exceeds 2σ = {2 * sigma}");
        }

        [Fact]
        public void GeneratorReproducesTheCommittedFilesByteForByte()
        {
            var r = Built.Value;
            Assert.True(r.FloatMaxAbsError <= FloatBudget, $"float model max |f(x) − sin x| = {r.FloatMaxAbsError} > {FloatBudget}");
            string tmp = Path.Combine(Path.GetTempPath(), "edge-samplegen-" + Guid.NewGuid().ToString("N"));
            try
            {
                SineSample.Write(r, tmp);
                Assert.True(File.ReadAllBytes(SamplePath).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(tmp, SineSample.ModelFileName))),
                    "tools/samplegen no longer reproduces samples/sine/sine_int8.tflite; if the change is intended, regenerate with `dotnet run --project tools/samplegen -- samples/sine`");

                string committedInputs = Path.Combine(SampleDir, SineSample.InputsFolder), generatedInputs = Path.Combine(tmp, SineSample.InputsFolder);
                var committed = Directory.GetFiles(committedInputs).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
                var generated = Directory.GetFiles(generatedInputs).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
                Assert.Equal(generated, committed);
                foreach (var name in committed)
                    Assert.True(File.ReadAllBytes(Path.Combine(committedInputs, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(generatedInputs, name))),
                        $"samples/sine/inputs/{name} differs from the generator's");

                // The README is generated too (compared without regard to CRLF/LF, which git may change).
                static string Text(string p) => File.ReadAllText(p, Encoding.UTF8).Replace("\r\n", "\n");
                Assert.Equal(Text(Path.Combine(tmp, "README.md")), Text(Path.Combine(SampleDir, "README.md")));
            }
            finally
            {
                if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            }
        }

        [Fact]
        public void DemoPrintsTheTableAndWritesTheEdgeFile()
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = DemoCommand.Run(new ArgReader(Array.Empty<string>()), stdout, stderr);
            string text = stdout.ToString();
            _log.WriteLine(text);
            Assert.True(rc == Program.ExitOk, $"exit {rc}: {stderr}");

            foreach (var i in Built.Value.Inputs) Assert.Contains(i.FileName, text);
            foreach (var header in new[] { "sin(x)", "int8 out", "y (dequantized)", "error", ".tflite bytes", ".edge bytes",
                         "arena bytes", "weights bytes", "MACs", "latency p50", "latency p99", "allocated bytes per inference" })
                Assert.Contains(header, text);

            // The demo writes out/demo/sine_int8.edge under the repository root: exactly what the converter produces.
            string edge = Path.Combine(SharedData.RepoRoot, "out", "demo", "sine_int8.edge");
            Assert.True(File.Exists(edge), $"{edge} not written");
            var expected = ModelConverter.Convert(File.ReadAllBytes(SamplePath), SineSample.ModelFileName).FileBytesData;
            Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(edge)), "out/demo/sine_int8.edge differs from the conversion of the sample");
            Assert.Contains(new FileInfo(SamplePath).Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), text);
        }

        [Fact]
        public void DemoJsonReportsEveryInputWithinTolerance()
        {
            var stdout = new StringWriter();
            int rc = DemoCommand.Run(new ArgReader(new[] { "--json" }), stdout, new StringWriter());
            Assert.Equal(Program.ExitOk, rc);
            var o = JsonNode.Parse(stdout.ToString()).AsObject();
            var results = o["results"].AsArray();
            Assert.Equal(SineSample.SampleXs.Length, results.Count);
            double tol = FloatBudget + Int8BudgetSteps * (double)o["output"]["scale"];
            foreach (var r in results)
            {
                double x = (double)r["x"], y = (double)r["y"], e = (double)r["error"];
                Assert.Equal(y - Math.Sin(x), e, 12);
                Assert.True(Math.Abs(e) <= tol, $"{r["file"]}: |error| {e} > {tol}");
            }
            Assert.Equal(new FileInfo(SamplePath).Length, (long)o["tfliteBytes"]);
            Assert.True((long)o["edgeBytes"] > 0);
            Assert.Equal(1 * 16 + 16 * 16 + 16 * 1, (long)o["macs"]);
            var bench = o["benchmark"].AsObject();
            Assert.True((double)bench["p50Ms"] > 0 && (double)bench["p99Ms"] >= (double)bench["p50Ms"]);
        }

        [Fact]
        public void DemoWithAMissingModelExitsWith2AndSaysSo()
        {
            string missing = Path.Combine(Path.GetTempPath(), "edge-no-such-model-" + Guid.NewGuid().ToString("N") + ".tflite");
            var stderr = new StringWriter();
            int rc = DemoCommand.Run(new ArgReader(new[] { "--model", missing }), new StringWriter(), stderr);
            Assert.Equal(Program.ExitInvalid, rc);
            Assert.Contains("no such file", stderr.ToString());
        }
    }
}
