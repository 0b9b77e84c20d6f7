using System;
using System.IO;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Ir;
using Edge.Converter.Onnx;
using Edge.Kernels.Simd;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Simd
{
    /// <summary>
    /// The demo's PyTorch QDQ model (samples/fashion-mnist/fashion_mnist_qdq.onnx) on the committed test images with
    /// every kernel set — portable, x86 with one and two threads, the NEON model with and without the dot product —
    /// byte for byte equal to the reference kernels, with zero allocations per Invoke; as converted by default (exact
    /// accumulation) and with --ort-avx2 (ONNX Runtime's pair-saturating accumulation).
    /// </summary>
    public class OnnxModelKernelSetTests
    {
        private readonly ITestOutputHelper _log;
        public OnnxModelKernelSetTests(ITestOutputHelper log) { _log = log; }

        private static readonly (string Set, string Suffix, int Threads)[] Configs =
        {
            ("portable", null, 1), ("x86", null, 1), ("x86", null, 2), ("neon-model", "-neondotmodel", 1), ("neon-model", "-neonmodel", 1),
        };

        private static string Dir => Path.Combine(SharedData.RepoRoot, "samples", "fashion-mnist");

        private static byte[] Images(int count)
        {
            var a = Edge.Converter.Cli.Npy.Read(Path.Combine(Dir, "test_images_f32.npy"));
            Assert.Equal(DType.Float32, a.DType);
            return a.Data.AsSpan(0, count * 28 * 28 * 4).ToArray();
        }

        private static byte[] Model(bool exact)
        {
            // Default conversion: exact int32 accumulation; --ort-avx2: ONNX Runtime's AVX2 pair saturation.
            var result = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(Dir, "fashion_mnist_qdq.onnx")), "fashion_mnist_qdq.onnx",
                onnx: new OnnxImportOptions { OrtX86PairSaturation = !exact });
            int saturating = result.Graph.Ops.Count(op =>
                (op.Options is QLinearConvOptions c && c.PairSaturation) || (op.Options is QLinearMatMulOptions m && m.PairSaturation));
            if (exact) Assert.Equal(0, saturating);
            else Assert.True(saturating > 0, "the --ort-avx2 conversion has no pair-saturating op");
            return result.FileBytesData;
        }

        private static byte[][] Run(EdgeModel model, byte[] images, int count)
        {
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            int inBytes = model.Input(0).SizeBytes;
            Assert.Equal(28 * 28 * 4, inBytes);
            var outputs = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                interp.SetInput(0, images, i * inBytes);
                interp.Invoke();
                outputs[i] = new byte[model.Output(0).SizeBytes];
                interp.GetOutput(0, outputs[i], 0);
            }
            return outputs;
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void DemoModelIsByteExactWithEveryKernelSet(bool exact)
        {
            const int count = 40;
            var file = Model(exact);
            var images = Images(count);
            var expected = Run(EdgeModel.Load(file), images, count);
            foreach (var (set, suffix, threads) in Configs)
            {
                var kind = KernelCatalog.Parse(set);
                if (!KernelCatalog.IsSupported(kind)) continue;
                var provider = new SimdKernelProvider(kind, threads) { IsaSuffix = suffix };
                try
                {
                    var model = EdgeModel.Load(file, provider);
                    var got = Run(model, images, count);
                    for (int i = 0; i < count; i++)
                        Assert.True(expected[i].AsSpan().SequenceEqual(got[i]), $"{set}{suffix} x{threads} image {i}: {Convert.ToHexString(got[i])} != {Convert.ToHexString(expected[i])}");
                    if (kind == KernelSetKind.X86)
                    {
                        Assert.Contains(provider.Chosen, k => k.StartsWith("qx8-qlinearconv-", StringComparison.Ordinal) && k.Contains("-pairsat-") != exact);
                        Assert.Contains(provider.Chosen, k => k.StartsWith("qx8-qlinearmatmul-", StringComparison.Ordinal) && k.Contains("-pairsat-") != exact);
                    }
                    // Zero allocations per Invoke.
                    var interp = new Interpreter(model, new byte[model.ArenaBytes]);
                    interp.SetInput(0, images, 0);
                    long allocated = -1;
                    for (int window = 0; window < 4 && allocated != 0; window++)
                    {
                        for (int i = 0; i < 5; i++) interp.Invoke();
                        long before = GC.GetAllocatedBytesForCurrentThread();
                        for (int i = 0; i < 20; i++) interp.Invoke();
                        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    }
                    Assert.True(allocated == 0, $"{set}{suffix} x{threads}: {allocated} bytes allocated per 20 Invokes");
                    _log.WriteLine($"{set}{suffix} x{threads}: {count} images equal; kernels {string.Join(", ", provider.Chosen.Distinct())}");
                }
                finally { provider.Context.Pool?.Dispose(); }
            }
        }
    }
}
