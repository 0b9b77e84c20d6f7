using System;
using System.Linq;
using Edge.Converter.Ir;
using Edge.Converter.Quantization;
using Edge.Kernels.Simd;
using Edge.Runtime;
using FsCheck.Xunit;
using Xunit;

namespace Edge.Tests.Simd
{
    /// <summary>
    /// Differential tests of the generic CONV_2D GEMM kernels (kernels/simd/Generic/ConvGemmKernels.cs,
    /// GemmMicrokernels.cs, PackGemmWeights.cs) against kernels/reference/Conv2D.cs, for every catalog entry that
    /// runs here (portable and the NEON software model with and without dot product). The reference is the oracle.
    /// </summary>
    public class ConvKernelTests
    {
        public sealed record ConvCase(int H, int W, int InC, int OutC, int Kh, int Kw, int Sh, int Sw, int Dh, int Dw, bool Same,
            int InZp, int OutZp, FusedActivation Act, int ShiftMode, int Batches = 1, int Groups = 1)
        {
            public override string ToString() =>
                $"{Batches}x{H}x{W}x{InC}->{OutC} k{Kh}x{Kw} s{Sh}x{Sw} d{Dh}x{Dw} {(Same ? "SAME" : "VALID")} zp{InZp}/{OutZp} {Act} shifts{ShiftMode} g{Groups}";
        }

        /// <summary>Our CONV_2D entries (portable + NEON model sets) that run on this machine.</summary>
        internal static string[] OurEntries(OpType op, string prefix) => SimdHarness.Entries(op)
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) &&
                        (SimdHarness.SetOf(n) == KernelSetKind.Portable || SimdHarness.SetOf(n) == KernelSetKind.NeonModel))
            .ToArray();

        private static string[] Entries() => OurEntries(OpType.Conv2D, "qs8-conv2d-");
        private static string[] Portable() => Entries().Where(n => n.EndsWith("-portable", StringComparison.Ordinal)).ToArray();

        internal static int OutSize(int input, int k, int stride, int dil, bool same, out int padBefore, out int padAfter)
        {
            int eff = (k - 1) * dil + 1;
            int output = same ? (input + stride - 1) / stride : (input - eff + stride) / stride;
            int total = Math.Max((output - 1) * stride + eff - input, 0);
            padBefore = same ? total / 2 : 0;
            padAfter = same ? total - total / 2 : 0;
            return output;
        }

        /// <summary>
        /// Per-channel multipliers and shifts: mode 0 through TFLite's formula from realistic scales, mode 1 extremes
        /// (multipliers at/near 2^31 and 2^30, shifts −31..30), mode 2 random multipliers with small shifts of both signs.
        /// </summary>
        internal static (int[] Mult, int[] Shift) Multipliers(Random rng, int mode, int n, float inScale, float outScale)
        {
            if (mode == 0)
            {
                var fs = new float[n];
                for (int i = 0; i < n; i++) fs[i] = (float)(0.0005 * Math.Pow(2, rng.Next(0, 10)) * (1 + rng.NextDouble()));
                var q = QuantMath.PopulateConvolutionQuantizationParams(inScale, fs, outScale, n);
                return (q.Multipliers, q.Shifts);
            }
            var mult = new int[n];
            var shift = new int[n];
            int[] ms = { int.MaxValue, int.MaxValue - 1, 1 << 30, (1 << 30) + 1, 1518500250, 2000000000 };
            int[] ss = { -31, -20, -12, -9, -7, -3, -1, 0, 1, 2, 5, 12, 30 };
            for (int i = 0; i < n; i++)
            {
                mult[i] = rng.Next(3) == 0 ? ms[rng.Next(ms.Length)] : rng.Next(1 << 30, int.MaxValue);
                shift[i] = mode == 1 ? ss[rng.Next(ss.Length)] : rng.Next(-14, 3);
            }
            return (mult, shift);
        }

        /// <summary>Random int32 bias with the int32 extremes in two channels (the fold then wraps).</summary>
        internal static int[] Bias(Random rng, int n)
        {
            var bias = new int[n];
            for (int i = 0; i < n; i++) bias[i] = rng.Next(-40000, 40000);
            if (n > 2) { bias[1] = int.MaxValue - rng.Next(100); bias[2] = int.MinValue + rng.Next(100); }
            return bias;
        }

        /// <summary>A one-op CONV_2D graph built the way the converter builds it (folded bias, per-channel multipliers).</summary>
        public static EdgeGraph Build(ConvCase c, int seed)
        {
            var rng = new Random(seed);
            int fInC = c.InC / c.Groups;
            int oh = OutSize(c.H, c.Kh, c.Sh, c.Dh, c.Same, out int pt, out int pb);
            int ow = OutSize(c.W, c.Kw, c.Sw, c.Dw, c.Same, out int pl, out int pr);
            var filter = new byte[c.OutC * c.Kh * c.Kw * fInC];
            rng.NextBytes(filter);
            if (filter.Length > 1) { filter[0] = 0x80; filter[^1] = 0x7F; }
            int[] folded = QuantMath.FoldBiasOutputChannelOuter(filter, c.OutC, Bias(rng, c.OutC), c.InZp);
            float inScale = 0.05f, outScale = 0.1f;
            var (mult, shift) = Multipliers(rng, c.ShiftMode, c.OutC, inScale, outScale);
            var range = QuantMath.CalculateActivationRangeQuantized(c.Act, outScale, c.OutZp);

            var g = new EdgeGraph();
            int input = g.AddTensor(new EdgeTensor { Name = "in", DType = DType.Int8, Shape = new[] { c.Batches, c.H, c.W, c.InC }, Scales = new[] { inScale }, ZeroPoints = new[] { c.InZp } });
            int f = g.AddTensor(new EdgeTensor
            {
                Name = "filter", DType = DType.Int8, Shape = new[] { c.OutC, c.Kh, c.Kw, fInC },
                Scales = Enumerable.Repeat(0.01f, c.OutC).ToArray(), ZeroPoints = new int[c.OutC], QuantizedDimension = 0, Data = filter,
            });
            int b = g.AddTensor(new EdgeTensor { Name = "bias", DType = DType.Int32, Shape = new[] { c.OutC }, Data = DepthwiseKernelTests.Ints(folded) });
            int o = g.AddTensor(new EdgeTensor { Name = "out", DType = DType.Int8, Shape = new[] { c.Batches, oh, ow, c.OutC }, Scales = new[] { outScale }, ZeroPoints = new[] { c.OutZp } });
            g.Inputs.Add(input);
            g.Outputs.Add(o);
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.Conv2D, Inputs = new[] { input, f, b }, Outputs = new[] { o },
                Options = new Conv2DOptions
                {
                    StrideW = c.Sw, StrideH = c.Sh, DilationW = c.Dw, DilationH = c.Dh,
                    PadTop = pt, PadLeft = pl, PadBottom = pb, PadRight = pr,
                    InputZeroPoint = c.InZp, OutputZeroPoint = c.OutZp, ActMin = range.Min, ActMax = range.Max,
                    OutputMultiplier = mult, OutputShift = shift,
                },
                Macs = (long)c.Batches * oh * ow * c.OutC * c.Kh * c.Kw * fInC,
            });
            g.Metadata = new EdgeMetadata { SourceFormat = "test", SourceFile = "conv", SourceSha256 = new string('0', 64), ConverterVersion = "test" };
            return g;
        }

        internal static readonly int[] ZeroPoints = { -128, 127, 0, -5, 17 };
        internal static readonly FusedActivation[] Acts = { FusedActivation.None, FusedActivation.Relu, FusedActivation.Relu6, FusedActivation.ReluN1To1 };
        private static readonly int[] InChannels = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64 };
        private static readonly int[] OutChannels = { 1, 3, 5, 8, 13, 16, 17, 33 };

        /// <summary>Every ungrouped CONV_2D is claimed by every entry of ours; the comparison must apply and match.</summary>
        private static void Check(string entry, ConvCase c, int seed, int threads = 1)
        {
            var r = SimdHarness.Compare(Build(c, seed), entry, seed, threads);
            if (c.Groups == 1) Assert.True(r.Applied, $"{entry} did not apply to {c}");
            if (r.Applied) Assert.True(r.PackedBytes > 0, $"{entry}: packed bytes not counted");
            Assert.True(r.Difference == null, $"{c}: {r.Difference}");
        }

        [Fact]
        public void EntriesAreRegistered()
        {
            var names = Entries();
            Assert.Contains("qs8-conv2d-4x8c4-gemmlowp-portable", names);
            Assert.Contains("qs8-conv2d-4x8-gemmlowp-portable", names);
            Assert.Contains("qs8-conv2d-4x8c4-gemmlowp-neondotmodel", names);
            Assert.Contains("qs8-conv2d-4x8-gemmlowp-neondotmodel", names);
            Assert.Contains("qs8-conv2d-4x8-gemmlowp-neonmodel", names);
            Assert.DoesNotContain("qs8-conv2d-4x8c4-gemmlowp-neonmodel", names);   // no SDOT on the modelled Pi 4 core
            // The dot-product kernel is preferred where it exists.
            var portable = KernelCatalog.For(KernelSetKind.Portable).Where(e => e.Op == OpType.Conv2D).Select(e => e.Name).ToList();
            Assert.True(portable.IndexOf("qs8-conv2d-4x8c4-gemmlowp-portable") < portable.IndexOf("qs8-conv2d-4x8-gemmlowp-portable"));
        }

        /// <summary>
        /// Channels: every input depth (K below / equal / above / multiples of the SDOT group and the tile) against
        /// every output depth (partial 8-channel blocks), geometry rotating through 1×1/3×3/5×5, strides, dilations,
        /// SAME/VALID, zero points, activations and multiplier modes. Both portable entries (SDOT and SMLAL paths).
        /// </summary>
        [Fact]
        public void PortableChannelSweepMatchesReference()
        {
            var entries = Portable();
            Assert.Equal(2, entries.Length);
            var geoms = new[] { (1, 1, 1), (3, 1, 1), (3, 2, 1), (5, 1, 2), (1, 2, 1), (3, 1, 2), (5, 2, 1) };   // (k, stride, dilation)
            int seed = 1;
            foreach (int ic in InChannels)
                foreach (int oc in OutChannels)
                {
                    var (k, s, d) = geoms[seed % geoms.Length];
                    int eff = (k - 1) * d + 1;
                    bool same = seed % 3 != 0;
                    var c = new ConvCase(eff + 1 + seed % 4, eff + seed % 3, ic, oc, k, k, s, s, d, d, same,
                        ZeroPoints[seed % ZeroPoints.Length], ZeroPoints[(seed / 2) % ZeroPoints.Length], Acts[seed % Acts.Length], seed % 3,
                        Batches: seed % 5 == 0 ? 2 : 1);
                    foreach (var e in entries) Check(e, c, seed);
                    seed++;
                }
        }

        /// <summary>Geometry: kernel sizes × strides × dilations × padding with odd image sizes, partial pixel tiles.</summary>
        [Fact]
        public void PortableGeometrySweepMatchesReference()
        {
            var entries = Portable();
            int seed = 300;
            foreach (int k in new[] { 1, 3, 5 })
                foreach (int s in new[] { 1, 2 })
                    foreach (int d in new[] { 1, 2 })
                        foreach (bool same in new[] { true, false })
                            foreach (var (ic, oc) in new[] { (3, 8), (16, 13), (17, 33) })
                            {
                                if (k == 1 && d == 2) continue;
                                int eff = (k - 1) * d + 1;
                                var c = new ConvCase(eff + 2 + seed % 5, eff + 4 - seed % 3, ic, oc, k, k, s, s, d, d, same,
                                    ZeroPoints[seed % ZeroPoints.Length], ZeroPoints[(seed / 3) % ZeroPoints.Length], Acts[seed % Acts.Length], seed % 3,
                                    Batches: seed % 4 == 0 ? 3 : 1);
                                foreach (var e in entries) Check(e, c, seed);
                                seed++;
                            }
        }

        /// <summary>Non-square windows, mixed strides/dilations, the pointwise in-place path, extremes, and a grouped conv (declined).</summary>
        [Fact]
        public void PortableSpecialCasesMatchReference()
        {
            var cases = new[]
            {
                new ConvCase(9, 6, 17, 5, 3, 1, 1, 2, 1, 1, true, -128, 127, FusedActivation.None, 1),
                new ConvCase(5, 11, 5, 9, 1, 5, 2, 1, 1, 3, true, 127, -128, FusedActivation.Relu, 2),
                new ConvCase(8, 8, 16, 16, 2, 4, 3, 2, 2, 1, false, 3, -4, FusedActivation.Relu6, 0),
                new ConvCase(1, 1, 64, 33, 3, 3, 1, 1, 1, 1, true, 127, 127, FusedActivation.None, 1),   // every tap but the centre is padding
                new ConvCase(7, 7, 32, 17, 1, 1, 1, 1, 1, 1, false, -128, -128, FusedActivation.None, 1), // pointwise, read in place
                new ConvCase(7, 5, 7, 17, 1, 1, 1, 1, 1, 1, true, 127, 0, FusedActivation.Relu, 1),      // pointwise, K tail (SDOT packs)
                new ConvCase(6, 6, 8, 8, 1, 1, 2, 2, 1, 1, true, -1, 0, FusedActivation.ReluN1To1, 2),  // 1×1 stride 2
                new ConvCase(3, 2, 3, 3, 7, 7, 1, 1, 1, 1, true, 0, 0, FusedActivation.None, 1),        // window larger than the image
                new ConvCase(10, 9, 3, 16, 3, 3, 2, 2, 1, 1, true, -128, 127, FusedActivation.Relu6, 0, Batches: 2),  // first-layer-like
            };
            int seed = 500;
            foreach (var c in cases)
                foreach (var e in Portable())
                    Check(e, c, seed++);
            // Grouped convolution: declined (the reference runs), still the same bytes.
            var grouped = new ConvCase(5, 5, 8, 4, 3, 3, 1, 1, 1, 1, true, 3, -3, FusedActivation.None, 0, Groups: 2);
            foreach (var e in Portable())
            {
                var r = SimdHarness.Compare(Build(grouped, seed), e, seed);
                Assert.False(r.Applied, $"{e} claimed a grouped convolution");
                Assert.Null(r.Difference);
            }
        }

        /// <summary>The NEON software model (dot and no-dot cores), small shapes: K and channel tails, padding, strides, dilations, multipliers.</summary>
        [Fact]
        public void NeonModelMatchesReference()
        {
            var entries = Entries().Where(n => SimdHarness.SetOf(n) == KernelSetKind.NeonModel).ToArray();
            Assert.Equal(3, entries.Length);
            int seed = 900;
            foreach (var (ic, oc) in new[] { (1, 3), (3, 8), (5, 9), (8, 1), (9, 17), (16, 5), (17, 8), (31, 13), (32, 16), (33, 3) })
                foreach (var (k, s, d) in new[] { (1, 1, 1), (3, 1, 1), (3, 2, 2), (5, 2, 1) })
                {
                    bool same = seed % 2 == 0;
                    int eff = (k - 1) * d + 1;
                    var c = new ConvCase(eff + seed % 3, eff + 1, ic, oc, k, k, s, s, d, d, same,
                        ZeroPoints[seed % ZeroPoints.Length], ZeroPoints[(seed / 3) % ZeroPoints.Length], Acts[seed % Acts.Length], 1 + seed % 2);
                    foreach (var e in entries) Check(e, c, seed);
                    seed++;
                }
        }

        /// <summary>Work split across two participants (pool path) gives the same bytes.</summary>
        [Fact]
        public void TwoThreadsMatchReference()
        {
            var cases = new[]
            {
                new ConvCase(13, 11, 17, 33, 3, 3, 1, 1, 1, 1, true, -128, 5, FusedActivation.Relu6, 1, Batches: 2),
                new ConvCase(15, 14, 24, 16, 3, 3, 2, 2, 1, 1, true, 127, -128, FusedActivation.None, 2),
                new ConvCase(9, 9, 32, 40, 1, 1, 1, 1, 1, 1, false, 7, 0, FusedActivation.Relu, 0),
                new ConvCase(1, 1, 96, 131, 1, 1, 1, 1, 1, 1, false, -3, 2, FusedActivation.None, 1),   // one pixel: channel blocks split
            };
            int seed = 77;
            foreach (var c in cases)
                foreach (var e in Portable())
                    Check(e, c, seed++, threads: 2);
            var small = new ConvCase(8, 7, 9, 17, 3, 3, 1, 1, 1, 1, true, -128, 127, FusedActivation.None, 1);
            foreach (var e in Entries().Where(n => SimdHarness.SetOf(n) == KernelSetKind.NeonModel))
                Check(e, small, seed++, threads: 2);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void InvokeAllocatesNothing(int threads)
        {
            foreach (var c in new[]
            {
                new ConvCase(16, 16, 17, 24, 3, 3, 1, 1, 1, 1, true, -3, 4, FusedActivation.None, 0),
                new ConvCase(12, 12, 32, 21, 1, 1, 1, 1, 1, 1, false, -3, 4, FusedActivation.None, 0),
            })
                foreach (var e in Portable())
                    AssertNoAllocation(e, Build(c, 3), threads);
        }

        internal static void AssertNoAllocation(string entry, EdgeGraph g, int threads)
        {
            var provider = new SimdKernelProvider(KernelSetKind.Portable, threads) { Only = entry };
            try
            {
                var model = EdgeModel.Load(SimdHarness.Write(g), provider);
                Assert.Equal(entry, provider.Chosen.Single());
                var interp = new Interpreter(model, new byte[model.ArenaBytes]);
                long allocated = -1;
                for (int window = 0; window < 4 && allocated != 0; window++)
                {
                    for (int i = 0; i < 5; i++) interp.Invoke();
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < 20; i++) interp.Invoke();
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }
                Assert.Equal(0, allocated);
            }
            finally { provider.Context.Pool?.Dispose(); }
        }

        /// <summary>Random geometry, channels, zero points, multipliers and activations: both portable paths equal the reference.</summary>
        [Property(MaxTest = 60)]
        public void PortableProperty(int a, int b, int d, int e)
        {
            uint x = (uint)a, y = (uint)b, z = (uint)d, w = (uint)e;
            int k1 = 1 + (int)(x % 5), k2 = 1 + (int)((x / 5) % 5);
            int s1 = 1 + (int)((x / 25) % 3), s2 = 1 + (int)((x / 75) % 3);
            int d1 = 1 + (int)(y % 3), d2 = 1 + (int)((y / 3) % 2);
            int ic = 1 + (int)((y / 6) % 40), oc = 1 + (int)((y / 240) % 40);
            bool same = (z & 1) == 0;
            int h = (k1 - 1) * d1 + 1 + (int)((z >> 1) % 6);
            int wd = (k2 - 1) * d2 + 1 + (int)((z >> 4) % 6);
            int inZp = (int)(w % 256) - 128, outZp = (int)((w >> 8) % 256) - 128;
            var act = Acts[(w >> 16) % 4];
            var c = new ConvCase(h, wd, ic, oc, k1, k2, s1, s2, d1, d2, same, inZp, outZp, act, (int)((w >> 18) % 3), Batches: 1 + (int)((z >> 8) % 2));
            foreach (var entry in Portable()) Check(entry, c, a ^ e);
        }
    }
}
