using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;
using Edge.Kernels.Simd;
using Edge.Runtime;

namespace Edge.Converter.Cli
{
    /// <summary>
    /// `edge demo [--calibration-method M] [--kernels K] [--iterations N] [--json]`: Edge's main job on the repository's own
    /// Fashion-MNIST classifier (samples/fashion-mnist, made by make_demo.py). Quantizes the float ONNX model with
    /// Edge's post-training quantization on the 100 calibration images (and, for comparison, with dynamic quantization),
    /// converts it and PyTorch's own quantized QDQ model to .edge (out/demo/), runs the 200 test images through the float graph (the converter's float
    /// executor) and both int8 models (the Edge runtime), and prints accuracy, sizes, arena bytes, latency and
    /// allocations per inference, and whether Edge's output on PyTorch's model equals ONNX Runtime's byte for byte.
    /// </summary>
    public static class FashionMnistDemo
    {
        public static readonly string SampleRelativeDir = Path.Combine("samples", "fashion-mnist");
        public const string FloatModelFile = "fashion_mnist_float.onnx";
        public const string QdqModelFile = "fashion_mnist_qdq.onnx";
        public const int DefaultIterations = 2000;
        private const int Pixels = 28 * 28, Classes = 10;
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>One model's results on the test images.</summary>
        public sealed class ModelResult
        {
            public string Name, Source, EdgeFile;
            public long SourceBytes, EdgeBytes, ArenaBytes, WeightBytes, Macs;
            public int Correct;
            public int[] Predictions;
            public BenchResult Bench;
            /// <summary>Images whose output bytes equal ONNX Runtime's committed output (-1: not compared).</summary>
            public int OrtExact = -1;
        }

        public static int Run(ArgReader a, TextWriter stdout, TextWriter stderr)
        {
            string method = a.Option("calibration-method") ?? "minmax";
            string kernels = a.Option("kernels") ?? "auto";
            bool json = a.Flag("json");
            int iterations = a.IntOption("iterations", DefaultIterations, 1);
            a.Done(0);
            var calib = new CalibrationOptions();
            try { calib.Method = CalibrationOptions.ParseMethod(method); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            KernelSetKind set;
            try { set = KernelCatalog.Parse(kernels); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            if (!KernelCatalog.IsSupported(set)) throw new UsageException($"--kernels {kernels}: not supported on this CPU");

            string root = DemoCommand.FindRepoRoot();
            if (root == null)
            {
                stderr.WriteLine($"edge demo: cannot find the repository (no folder holding Edge.sln above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}); run it from inside the repository.");
                return Program.ExitInvalid;
            }
            string dir = Path.Combine(root, SampleRelativeDir);
            foreach (var f in new[] { FloatModelFile, QdqModelFile, "test_images_f32.npy", "test_labels.npy", "ort_qdq_logits.npy" })
                if (!File.Exists(Path.Combine(dir, f)))
                {
                    stderr.WriteLine($"edge demo: {Path.Combine(SampleRelativeDir, f)} is missing (samples/fashion-mnist/make_demo.py makes it)");
                    return Program.ExitInvalid;
                }
            string calibDir = Path.Combine(dir, "calibration");
            string outDir = Path.Combine(root, "out", "demo");
            Directory.CreateDirectory(outDir);
            string Show(string p) => Path.GetRelativePath(root, p);
            var total = Stopwatch.StartNew();

            // Test images and labels.
            var imagesNpy = Npy.Read(Path.Combine(dir, "test_images_f32.npy"));
            var labelsNpy = Npy.Read(Path.Combine(dir, "test_labels.npy"));
            int n = labelsNpy.Data.Length;
            if (imagesNpy.DType != DType.Float32 || imagesNpy.Data.Length != n * Pixels * 4)
                throw new InputMismatchException($"{SampleRelativeDir}/test_images_f32.npy: expected float32 [{n}, 1, 28, 28]");
            byte[] images = imagesNpy.Data, labels = labelsNpy.Data;
            byte[] ortLogits = Npy.Read(Path.Combine(dir, "ort_qdq_logits.npy")).Data;

            // 1. Float model: Edge's post-training quantization on the calibration images, then conversion.
            string floatPath = Path.Combine(dir, FloatModelFile);
            byte[] floatBytes = File.ReadAllBytes(floatPath);
            OnnxModel floatModel = OnnxReader.ReadModel(floatBytes);
            var data = new CalibrationData(floatModel, calibDir, new ImagePreprocessing());
            if (!json) stdout.WriteLine($"calibrating {Show(floatPath)} on {data.Count} images ({Show(calibDir)}, {CalibrationOptions.Name(calib.Method)}) …");
            var sw = Stopwatch.StartNew();
            var ptq = PostTrainingQuantizer.Quantize(floatModel, data, calib, json ? null : stderr);
            var ptqConv = ModelConverter.Convert(ptq.Qdq.Model, FloatModelFile, null, floatBytes);
            double ptqMs = sw.Elapsed.TotalMilliseconds;
            string ptqEdge = Path.Combine(outDir, "fashion_mnist_int8.edge");
            File.WriteAllBytes(ptqEdge, ptqConv.FileBytesData);

            // 1b. The same float model with dynamic quantization (int8 weights, activations quantized per inference).
            var dynConv = ModelConverter.Convert(FloatGraphPrep.Prepare(floatModel), FloatModelFile, null, floatBytes, new OnnxImportOptions { Dynamic = true });
            string dynEdge = Path.Combine(outDir, "fashion_mnist_dynamic.edge");
            File.WriteAllBytes(dynEdge, dynConv.FileBytesData);

            // 2. PyTorch's quantized model (QDQ ONNX), converted as is.
            string qdqPath = Path.Combine(dir, QdqModelFile);
            byte[] qdqBytes = File.ReadAllBytes(qdqPath);
            var qdqConv = ModelConverter.Convert(qdqBytes, QdqModelFile);
            string qdqEdge = Path.Combine(outDir, "fashion_mnist_qdq.edge");
            File.WriteAllBytes(qdqEdge, qdqConv.FileBytesData);

            // 3. Float accuracy with the converter's float executor.
            var exec = new FloatExecutor(floatModel);
            string inName = floatModel.Graph.RealInputs.First().Name, outName = floatModel.Graph.Outputs[0].Name;
            var floatResult = new ModelResult
            {
                Name = "float32 ONNX (Edge's float executor)", Source = Show(floatPath), SourceBytes = floatBytes.Length,
                Predictions = new int[n],
            };
            var x = new float[Pixels];
            for (int i = 0; i < n; i++)
            {
                Buffer.BlockCopy(images, i * Pixels * 4, x, 0, Pixels * 4);
                var y = exec.Run(new Dictionary<string, FloatTensor> { [inName] = new FloatTensor(new[] { 1, 1, 28, 28 }, (float[])x.Clone()) })[outName].AsFloats();
                floatResult.Predictions[i] = ArgMax(y);
                if (floatResult.Predictions[i] == labels[i]) floatResult.Correct++;
            }

            // 4. Both int8 models on the Edge runtime.
            var ptqResult = RunInt8("int8 .edge, Edge PTQ (" + CalibrationOptions.Name(calib.Method) + ")", Show(floatPath), floatBytes.Length, ptqEdge, ptqConv, set, images, labels, null, iterations);
            var dynResult = RunInt8("int8 weights .edge, Edge --dynamic", Show(floatPath), floatBytes.Length, dynEdge, dynConv, set, images, labels, null, iterations);
            var qdqResult = RunInt8("int8 .edge, PyTorch qnnpack QDQ", Show(qdqPath), qdqBytes.Length, qdqEdge, qdqConv, set, images, labels, ortLogits, iterations);
            total.Stop();
            var results = new[] { floatResult, ptqResult, dynResult, qdqResult };

            if (json)
            {
                var arr = new JsonArray();
                foreach (var r in results)
                    arr.Add(new JsonObject
                    {
                        ["name"] = r.Name,
                        ["source"] = r.Source,
                        ["sourceBytes"] = r.SourceBytes,
                        ["edgeFile"] = r.EdgeFile == null ? null : Show(r.EdgeFile),
                        ["edgeBytes"] = r.EdgeFile == null ? null : r.EdgeBytes,
                        ["arenaBytes"] = r.EdgeFile == null ? null : r.ArenaBytes,
                        ["weightsBytes"] = r.EdgeFile == null ? null : r.WeightBytes,
                        ["macs"] = r.EdgeFile == null ? null : r.Macs,
                        ["accuracy"] = (double)r.Correct / n,
                        ["correct"] = r.Correct,
                        ["p50Ms"] = r.Bench?.P50Ms,
                        ["p99Ms"] = r.Bench?.P99Ms,
                        ["allocatedBytesPerInvoke"] = r.Bench?.AllocatedBytesPerInvoke,
                        ["ortExactImages"] = r.OrtExact < 0 ? null : r.OrtExact,
                        ["predictions"] = new JsonArray(r.Predictions.Select(v => (JsonNode)v).ToArray()),
                    });
                var o = new JsonObject
                {
                    ["images"] = n,
                    ["calibrationImages"] = data.Count,
                    ["calibrationMethod"] = CalibrationOptions.Name(calib.Method),
                    ["quantizeAndConvertMs"] = ptqMs,
                    ["kernels"] = KernelCatalog.Name(set),
                    ["iterations"] = iterations,
                    ["totalSeconds"] = total.Elapsed.TotalSeconds,
                    ["models"] = arr,
                };
                stdout.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return Program.ExitOk;
            }

            stdout.WriteLine();
            stdout.WriteLine($"edge demo: a Fashion-MNIST CNN this project trained ({Show(dir)}), float and INT8, on {n} test images");
            stdout.WriteLine();
            var t = new TextTable("model", "source bytes", ".edge bytes", "arena bytes", "accuracy", "p50 ms", "alloc/inference");
            foreach (var r in results)
                t.Add(r.Name, Commands.Num(r.SourceBytes), r.EdgeFile == null ? "–" : Commands.Num(r.EdgeBytes),
                    r.EdgeFile == null ? "–" : Commands.Num(r.ArenaBytes),
                    $"{(100.0 * r.Correct / n).ToString("F1", Inv)} % ({r.Correct}/{n})",
                    r.Bench == null ? "–" : r.Bench.P50Ms.ToString("F3", Inv),
                    r.Bench == null ? "–" : r.Bench.AllocatedBytesPerInvoke.ToString(Inv) + " B");
            t.Write(stdout);
            stdout.WriteLine();
            int agree = Enumerable.Range(0, n).Count(i => ptqResult.Predictions[i] == floatResult.Predictions[i]);
            stdout.WriteLine($"Edge PTQ vs float: same class on {agree}/{n} images; quantized and converted in {ptqMs.ToString("F0", Inv)} ms.");
            stdout.WriteLine($"PyTorch's INT8 model on Edge vs ONNX Runtime: {qdqResult.OrtExact}/{n} images byte-for-byte equal " +
                             (qdqResult.OrtExact == n ? "(bit-exact)." : "(NOT bit-exact)."));
            stdout.WriteLine($"files: {Show(ptqEdge)}, {Show(dynEdge)}, {Show(qdqEdge)}");
            stdout.WriteLine($"latency: {Commands.Num(iterations)} inferences after {Commands.Num(Math.Max(1, iterations / 10))} warm-up, kernels {KernelCatalog.Name(set)}, 1 thread; whole demo {total.Elapsed.TotalSeconds.ToString("F1", Inv)} s");
            return qdqResult.OrtExact == n ? Program.ExitOk : Program.ExitInternal;
        }

        private static ModelResult RunInt8(string name, string source, long sourceBytes, string edgePath, ConversionResult conv,
            KernelSetKind set, byte[] images, byte[] labels, byte[] ortLogits, int iterations)
        {
            var provider = set == KernelSetKind.Reference ? null : new SimdKernelProvider(set, 1);
            try
            {
                var model = provider == null ? EdgeModel.Load(File.ReadAllBytes(edgePath)) : EdgeModel.Load(File.ReadAllBytes(edgePath), provider);
                if (model.InputCount != 1 || model.Input(0).Type != DType.Float32 || model.Input(0).SizeBytes != Pixels * 4 ||
                    model.OutputCount != 1 || model.Output(0).Type != DType.Float32 || model.Output(0).SizeBytes != Classes * 4)
                    throw new InvalidOperationException($"{edgePath}: expected float32 input [1,1,28,28] and float32 output [1,10]");
                var interp = new Interpreter(model, new byte[model.ArenaBytes]);
                int n = labels.Length;
                var r = new ModelResult
                {
                    Name = name, Source = source, SourceBytes = sourceBytes, EdgeFile = edgePath, EdgeBytes = conv.FileBytes,
                    ArenaBytes = model.ArenaBytes, WeightBytes = conv.WeightBytes, Macs = conv.Graph.Metadata.Macs,
                    Predictions = new int[n], OrtExact = ortLogits == null ? -1 : 0,
                };
                var outBytes = new byte[Classes * 4];
                var logits = new float[Classes];
                for (int i = 0; i < n; i++)
                {
                    interp.SetInput(0, images, i * Pixels * 4);
                    interp.Invoke();
                    interp.GetOutput(0, outBytes, 0);
                    Buffer.BlockCopy(outBytes, 0, logits, 0, outBytes.Length);
                    r.Predictions[i] = ArgMax(logits);
                    if (r.Predictions[i] == labels[i]) r.Correct++;
                    if (ortLogits != null && outBytes.AsSpan().SequenceEqual(ortLogits.AsSpan(i * outBytes.Length, outBytes.Length))) r.OrtExact++;
                }
                r.Bench = Benchmark.Measure(interp, Math.Max(1, iterations / 10), iterations);
                return r;
            }
            finally { provider?.Context.Pool?.Dispose(); }
        }

        private static int ArgMax(float[] v)
        {
            int best = 0;
            for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
            return best;
        }
    }
}
