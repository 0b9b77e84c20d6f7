using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;
using Edge.Kernels.Simd;
using Edge.Runtime;
using Edge.Tests.Conformance;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Samples
{
    /// <summary>
    /// edge convert --dynamic on the project's own float Fashion-MNIST CNN (samples/fashion-mnist): the 200 committed
    /// test images through the dynamic .edge against their labels and against the float executor's logits; zero
    /// allocations per Invoke; every kernel set gives the reference kernels' bytes.
    /// </summary>
    public class FashionMnistDynamicTests
    {
        private readonly ITestOutputHelper _log;
        public FashionMnistDynamicTests(ITestOutputHelper log) { _log = log; }

        private const int Images = 200, Classes = 10, Pixels = 28 * 28;
        private static string PathOf(string name) => Path.Combine(SharedData.RepoRoot, "samples", "fashion-mnist", name);

        private static (OnnxModel model, byte[] edge, float[] images, byte[] labels) Load()
        {
            var m = OnnxReader.ReadFile(PathOf("fashion_mnist_float.onnx"));
            var edge = Edge.Converter.Conversion.ModelConverter.Convert(FloatGraphPrep.Prepare(m), "fashion_mnist_float.onnx", null, null,
                new OnnxImportOptions { Dynamic = true }).FileBytesData;
            var img = Edge.Converter.Cli.Npy.Read(PathOf("test_images_f32.npy"));
            Assert.Equal(new[] { Images, 1, 28, 28 }, img.Shape);
            var images = new float[Images * Pixels];
            Buffer.BlockCopy(img.Data, 0, images, 0, img.Data.Length);
            var labels = Edge.Converter.Cli.Npy.Read(PathOf("test_labels.npy")).Data;
            Assert.Equal(Images, labels.Length);
            return (m, edge, images, labels);
        }

        private static byte[] Image(float[] images, int i)
        {
            var b = new byte[Pixels * 4];
            Buffer.BlockCopy(images, i * Pixels * 4, b, 0, b.Length);
            return b;
        }

        private static int Argmax(float[] v) { int p = 0; for (int j = 1; j < v.Length; j++) if (v[j] > v[p]) p = j; return p; }

        [Fact]
        public void DynamicModelTracksTheFloatModel()
        {
            var (m, bytes, images, labels) = Load();
            var em = EdgeModel.Load(bytes);
            Assert.Contains(em.Ops, k => k.Type == OpType.DynamicConv2D);
            Assert.Contains(em.Ops, k => k.Type == OpType.DynamicFullyConnected);
            var interp = new Interpreter(em, new byte[em.ArenaBytes]);
            var exec = new FloatExecutor(m);
            string inName = m.Graph.RealInputs.Single().Name, outName = m.Graph.Outputs[0].Name;
            var outBytes = new byte[em.Output(0).SizeBytes];
            var y = new float[Classes];
            int edgeCorrect = 0, floatCorrect = 0, agree = 0;
            double sig = 0, noise = 0;
            for (int i = 0; i < Images; i++)
            {
                interp.SetInput(0, Image(images, i), 0);
                interp.Invoke();
                interp.GetOutput(0, outBytes, 0);
                Buffer.BlockCopy(outBytes, 0, y, 0, outBytes.Length);
                var x = new FloatTensor(new[] { 1, 1, 28, 28 }, images.Skip(i * Pixels).Take(Pixels).ToArray());
                var yf = exec.Run(new Dictionary<string, FloatTensor> { [inName] = x })[outName].F;
                for (int j = 0; j < Classes; j++) { sig += (double)yf[j] * yf[j]; noise += (double)(yf[j] - y[j]) * (yf[j] - y[j]); }
                if (Argmax(y) == labels[i]) edgeCorrect++;
                if (Argmax(yf) == labels[i]) floatCorrect++;
                if (Argmax(y) == Argmax(yf)) agree++;
            }
            double sqnr = 10 * Math.Log10(sig / noise);
            _log.WriteLine($"--dynamic: {edgeCorrect}/{Images} correct (float executor {floatCorrect}/{Images}); same class as float on {agree}/{Images}; logits SQNR vs float {sqnr:F1} dB; arena {em.ArenaBytes} bytes");
            Assert.Equal(180, floatCorrect);   // samples/fashion-mnist/ort_reference.json: the float model's accuracy
            Assert.InRange(edgeCorrect, floatCorrect - 3, Images);
            Assert.True(agree >= Images - 3, $"{agree}/{Images} agree with float");
            Assert.True(sqnr > 35, $"SQNR {sqnr:F1} dB");   // measured 44.0 dB
        }

        [Fact]
        public void InvokeAllocatesNothing()
        {
            var (_, bytes, images, _) = Load();
            var em = EdgeModel.Load(bytes);
            var interp = new Interpreter(em, new byte[em.ArenaBytes]);
            interp.SetInput(0, Image(images, 3), 0);
            for (int i = 0; i < 5; i++) interp.Invoke();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) interp.Invoke();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            // latency (informational): median of 50 invokes
            var t = new double[50];
            for (int i = 0; i < t.Length; i++) { var sw = Stopwatch.StartNew(); interp.Invoke(); t[i] = sw.Elapsed.TotalMilliseconds; }
            Array.Sort(t);
            _log.WriteLine($"p50 {t[t.Length / 2]:F3} ms per Invoke (reference kernels); arena {em.ArenaBytes} bytes");
        }

        [Fact]
        public void EveryKernelSetGivesTheReferenceBytes()
        {
            var (_, bytes, images, _) = Load();
            var refModel = EdgeModel.Load(bytes);
            var refInterp = new Interpreter(refModel, new byte[refModel.ArenaBytes]);
            var expected = new List<byte[]>();
            for (int i = 0; i < 20; i++)
            {
                refInterp.SetInput(0, Image(images, i), 0);
                refInterp.Invoke();
                var o = new byte[refModel.Output(0).SizeBytes];
                refInterp.GetOutput(0, o, 0);
                expected.Add(o);
            }
            int sets = 0;
            foreach (var (set, suffix, threads) in KernelSetConformanceTests.Configs)
            {
                var kind = KernelCatalog.Parse(set);
                if (!KernelCatalog.IsSupported(kind)) { _log.WriteLine($"{set}: not on this CPU"); continue; }
                var provider = new SimdKernelProvider(kind, threads) { IsaSuffix = suffix.Length == 0 ? null : suffix };
                try
                {
                    var em = EdgeModel.Load(bytes, provider);
                    var interp = new Interpreter(em, new byte[em.ArenaBytes]);
                    for (int i = 0; i < expected.Count; i++)
                    {
                        interp.SetInput(0, Image(images, i), 0);
                        interp.Invoke();
                        var o = new byte[em.Output(0).SizeBytes];
                        interp.GetOutput(0, o, 0);
                        Assert.Equal(expected[i], o);
                    }
                    _log.WriteLine($"{set}{suffix} x{threads}: equal; kernels {string.Join(", ", provider.Chosen.Distinct())}");
                    sets++;
                }
                finally { provider.Context.Pool?.Dispose(); }
            }
            Assert.True(sets >= 1);
        }
    }
}
