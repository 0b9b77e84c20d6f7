using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Edge.Converter.Cli;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Samples
{
    /// <summary>`edge demo` (README's main command) on samples/fashion-mnist, checked against ONNX Runtime's recorded results.</summary>
    public class FashionMnistDemoCommandTests
    {
        private readonly ITestOutputHelper _log;
        public FashionMnistDemoCommandTests(ITestOutputHelper log) { _log = log; }

        private static string Dir => Path.Combine(SharedData.RepoRoot, "samples", "fashion-mnist");

        [Fact]
        public void DemoQuantizesConvertsAndMatchesOnnxRuntime()
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = Program.Run(new[] { "demo", "--json", "--iterations", "20" }, stdout, stderr);
            _log.WriteLine(stdout.ToString());
            Assert.True(rc == Program.ExitOk, $"exit {rc}: {stderr}");
            var o = JsonNode.Parse(stdout.ToString())!;
            var ort = JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "ort_reference.json")))!;
            int[] labels = ort["labels"]!.AsArray().Select(v => (int)v!).ToArray();
            int n = (int)o["images"]!;
            Assert.Equal(labels.Length, n);
            Assert.Equal(100, (int)o["calibrationImages"]!);
            var models = o["models"]!.AsArray();
            Assert.Equal(4, models.Count);
            int[] Preds(JsonNode m) => m["predictions"]!.AsArray().Select(v => (int)v!).ToArray();
            int Correct(int[] p) => p.Where((c, i) => c == labels[i]).Count();

            // The float model through the converter's float executor classifies every image as ONNX Runtime does.
            int[] ortFloat = ort["predictions_float"]!.AsArray().Select(v => (int)v!).ToArray();
            Assert.Equal(ortFloat, Preds(models[0]!));
            Assert.Equal(Correct(ortFloat), (int)models[0]!["correct"]!);

            // PyTorch's INT8 model on the Edge runtime: ONNX Runtime's output bytes on every image.
            var qdq = models[3]!;
            Assert.Equal(n, (int)qdq["ortExactImages"]!);
            int[] ortQdq = ort["predictions_qdq"]!.AsArray().Select(v => (int)v!).ToArray();
            Assert.Equal(ortQdq, Preds(qdq));

            // Edge's own PTQ: a real INT8 model that stays within 3 points of the float accuracy on these images.
            var ptq = models[1]!;
            Assert.Equal(Correct(Preds(ptq)), (int)ptq["correct"]!);
            Assert.InRange((int)ptq["correct"]!, Correct(ortFloat) - 6, n);

            // Dynamic quantization of the same float model (no calibration): also within 3 points.
            var dyn = models[2]!;
            Assert.Equal(Correct(Preds(dyn)), (int)dyn["correct"]!);
            Assert.InRange((int)dyn["correct"]!, Correct(ortFloat) - 6, n);

            foreach (var m in new[] { ptq, dyn, qdq })
            {
                string file = Path.Combine(SharedData.RepoRoot, (string)m["edgeFile"]!);
                var model = EdgeModel.Load(File.ReadAllBytes(file));
                Assert.Equal((long)model.ArenaBytes, (long)m["arenaBytes"]!);
                Assert.Equal(new FileInfo(file).Length, (long)m["edgeBytes"]!);
                Assert.Equal(0L, (long)m["allocatedBytesPerInvoke"]!);
                Assert.True((double)m["p50Ms"]! > 0);
            }
        }

        [Fact]
        public void DemoPrintsAReadableTable()
        {
            var stdout = new StringWriter();
            int rc = Program.Run(new[] { "demo", "--iterations", "10", "--kernels", "reference" }, stdout, new StringWriter());
            string text = stdout.ToString();
            _log.WriteLine(text);
            Assert.Equal(Program.ExitOk, rc);
            foreach (var s in new[] { "accuracy", "arena bytes", ".edge bytes", "p50 ms", "alloc/inference", "float32 ONNX", "Edge PTQ", "--dynamic", "PyTorch", "bit-exact" })
                Assert.Contains(s, text);
        }
    }
}
