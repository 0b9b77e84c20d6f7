using System;
using System.Collections.Generic;
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
    /// Differential tests of the generic DEPTHWISE_CONV_2D kernels (kernels/simd/Generic/DepthwiseKernels.cs)
    /// against kernels/reference/DepthwiseConv2D.cs, for every catalog entry that runs here (portable and the
    /// NEON software model with and without dot product). The reference kernel is the oracle.
    /// </summary>
    public class DepthwiseKernelTests
    {
        public sealed record DwCase(int H, int W, int C, int Dm, int Kh, int Kw, int Sh, int Sw, int Dh, int Dw, bool Same,
            int InZp, int OutZp, FusedActivation Act, int ShiftMode, int Batches = 1)
        {
            public override string ToString() =>
                $"{Batches}x{H}x{W}x{C} dm{Dm} k{Kh}x{Kw} s{Sh}x{Sw} d{Dh}x{Dw} {(Same ? "SAME" : "VALID")} zp{InZp}/{OutZp} {Act} shifts{ShiftMode}";
        }

        /// <summary>Our entries (portable + NEON model sets) that run on this machine.</summary>
        private static string[] OurEntries() => SimdHarness.Entries(OpType.DepthwiseConv2D)
            .Where(n => n.StartsWith("qs8-dwconv2d-", StringComparison.Ordinal) &&
                        (SimdHarness.SetOf(n) == KernelSetKind.Portable || SimdHarness.SetOf(n) == KernelSetKind.NeonModel))
            .ToArray();

        /// <summary>Does this entry claim the case (then it must apply)?</summary>
        private static bool Claims(string entry, DwCase c)
        {
            if (entry.Contains("-generic-")) return true;
            int s = entry.Contains("-3x3s1-") ? 1 : entry.Contains("-3x3s2-") ? 2 : -1;
            return c.Kh == 3 && c.Kw == 3 && c.Dh == 1 && c.Dw == 1 && c.Sh == s && c.Sw == s;
        }

        private static int OutSize(int input, int k, int stride, int dil, bool same, out int padBefore, out int padAfter)
        {
            int eff = (k - 1) * dil + 1;
            int output = same ? (input + stride - 1) / stride : (input - eff + stride) / stride;
            int total = Math.Max((output - 1) * stride + eff - input, 0);
            padBefore = same ? total / 2 : 0;
            padAfter = same ? total - total / 2 : 0;
            return output;
        }

        /// <summary>A one-op DEPTHWISE_CONV_2D graph built the way the converter builds it.</summary>
        public static EdgeGraph Build(DwCase c, int seed)
        {
            var rng = new Random(seed);
            int outC = c.C * c.Dm;
            int oh = OutSize(c.H, c.Kh, c.Sh, c.Dh, c.Same, out int pt, out int pb);
            int ow = OutSize(c.W, c.Kw, c.Sw, c.Dw, c.Same, out int pl, out int pr);
            var filter = new byte[c.Kh * c.Kw * outC];
            rng.NextBytes(filter);
            if (filter.Length > 1) { filter[0] = 0x80; filter[^1] = 0x7F; }
            var bias = new int[outC];
            for (int i = 0; i < outC; i++) bias[i] = rng.Next(-40000, 40000);
            if (outC > 2) { bias[1] = int.MaxValue - rng.Next(100); bias[2] = int.MinValue + rng.Next(100); }
            int[] folded = QuantMath.FoldBiasDepthwise(filter, outC, bias, c.InZp);

            float inScale = 0.05f, outScale = 0.1f;
            int[] mult, shift;
            if (c.ShiftMode == 0)
            {
                // Realistic: per-channel filter scales through TFLite's formula.
                var fs = new float[outC];
                for (int i = 0; i < outC; i++) fs[i] = (float)(0.002 * Math.Pow(2, rng.Next(0, 10)) * (1 + rng.NextDouble()));
                var q = QuantMath.PopulateConvolutionQuantizationParams(inScale, fs, outScale, outC);
                mult = q.Multipliers; shift = q.Shifts;
            }
            else
            {
                // Extremes: multipliers at and near 2^31 and 2^30, shifts of both signs (large ones too).
                mult = new int[outC]; shift = new int[outC];
                int[] ms = { int.MaxValue, int.MaxValue - 1, 1 << 30, (1 << 30) + 1, 1518500250, 2000000000 };
                int[] ss = { -31, -20, -12, -9, -7, -3, -1, 0, 1, 2, 5, 12, 30 };
                for (int i = 0; i < outC; i++)
                {
                    mult[i] = rng.Next(3) == 0 ? ms[rng.Next(ms.Length)] : rng.Next(1 << 30, int.MaxValue);
                    shift[i] = c.ShiftMode == 1 ? ss[rng.Next(ss.Length)] : rng.Next(-14, 3);
                }
            }
            var range = QuantMath.CalculateActivationRangeQuantized(c.Act, outScale, c.OutZp);

            var g = new EdgeGraph();
            int input = g.AddTensor(new EdgeTensor { Name = "in", DType = DType.Int8, Shape = new[] { c.Batches, c.H, c.W, c.C }, Scales = new[] { inScale }, ZeroPoints = new[] { c.InZp } });
            int f = g.AddTensor(new EdgeTensor
            {
                Name = "filter", DType = DType.Int8, Shape = new[] { 1, c.Kh, c.Kw, outC },
                Scales = Enumerable.Repeat(0.01f, outC).ToArray(), ZeroPoints = new int[outC], QuantizedDimension = 3, Data = filter,
            });
            int b = g.AddTensor(new EdgeTensor { Name = "bias", DType = DType.Int32, Shape = new[] { outC }, Data = Ints(folded) });
            int o = g.AddTensor(new EdgeTensor { Name = "out", DType = DType.Int8, Shape = new[] { c.Batches, oh, ow, outC }, Scales = new[] { outScale }, ZeroPoints = new[] { c.OutZp } });
            g.Inputs.Add(input);
            g.Outputs.Add(o);
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.DepthwiseConv2D, Inputs = new[] { input, f, b }, Outputs = new[] { o },
                Options = new DepthwiseConv2DOptions
                {
                    StrideW = c.Sw, StrideH = c.Sh, DilationW = c.Dw, DilationH = c.Dh,
                    PadTop = pt, PadLeft = pl, PadBottom = pb, PadRight = pr, DepthMultiplier = c.Dm,
                    InputZeroPoint = c.InZp, OutputZeroPoint = c.OutZp, ActMin = range.Min, ActMax = range.Max,
                    OutputMultiplier = mult, OutputShift = shift,
                },
                Macs = (long)c.Batches * oh * ow * outC * c.Kh * c.Kw,
            });
            g.Metadata = new EdgeMetadata { SourceFormat = "test", SourceFile = "dwconv", SourceSha256 = new string('0', 64), ConverterVersion = "test" };
            return g;
        }

        internal static byte[] Ints(int[] v)
        {
            var bytes = new byte[4 * v.Length];
            for (int i = 0; i < v.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), v[i]);
            return bytes;
        }

        private static readonly int[] ZeroPoints = { -128, 127, 0, -5, 17 };
        private static readonly FusedActivation[] Acts = { FusedActivation.None, FusedActivation.Relu, FusedActivation.Relu6, FusedActivation.ReluN1To1 };

        private static void Check(string entry, DwCase c, int seed, int threads = 1)
        {
            var r = SimdHarness.Compare(Build(c, seed), entry, seed, threads);
            if (Claims(entry, c)) Assert.True(r.Applied, $"{entry} did not apply to {c}");
            if (r.Applied) Assert.True(r.PackedBytes > 0, $"{entry}: packed bytes not counted");
            Assert.True(r.Difference == null, $"{c}: {r.Difference}");
        }

        [Fact]
        public void EntriesAreRegistered()
        {
            var names = OurEntries();
            foreach (var isa in new[] { "portable", "neondotmodel", "neonmodel" })
                foreach (var v in new[] { "3x3s1", "3x3s2", "generic" })
                    Assert.Contains($"qs8-dwconv2d-{v}-gemmlowp-{isa}", names);
        }

        /// <summary>The full sweep on the portable set (fast): channels × kernel × stride × dilation × padding × multiplier.</summary>
        [Fact]
        public void PortableSweepMatchesReference()
        {
            var entries = OurEntries().Where(n => n.EndsWith("-portable", StringComparison.Ordinal)).ToArray();
            Assert.Equal(3, entries.Length);
            int seed = 1, applied3x3 = 0;
            foreach (int ch in new[] { 1, 3, 5, 8, 15, 16, 17, 33, 64 })
                foreach (int k in new[] { 3, 5 })
                    foreach (int s in new[] { 1, 2 })
                        foreach (int d in new[] { 1, 2 })
                            foreach (bool same in new[] { true, false })
                                foreach (int dm in new[] { 1, 2, 3 })
                                {
                                    if (ch >= 33 && dm == 3 && d == 2) continue;   // keep the sweep quick
                                    int eff = (k - 1) * d + 1;
                                    var c = new DwCase(eff + 2 + (seed % 2), eff + 1 + (seed % 3), ch, dm, k, k, s, s, d, d, same,
                                        ZeroPoints[seed % ZeroPoints.Length], ZeroPoints[(seed / 2) % ZeroPoints.Length], Acts[seed % Acts.Length], seed % 3,
                                        Batches: seed % 7 == 0 ? 2 : 1);
                                    foreach (var e in entries)
                                    {
                                        if (!Claims(e, c)) continue;
                                        Check(e, c, seed);
                                        if (!e.Contains("generic")) applied3x3++;
                                    }
                                    seed++;
                                }
            Assert.True(applied3x3 > 0);
        }

        /// <summary>Non-square windows and mixed strides/dilations (the generic path) and 3×3 entries declining them.</summary>
        [Fact]
        public void PortableMixedGeometry()
        {
            var cases = new[]
            {
                new DwCase(9, 6, 17, 1, 3, 1, 1, 2, 1, 1, true, -128, 127, FusedActivation.None, 1),
                new DwCase(5, 11, 5, 2, 1, 5, 2, 1, 1, 3, true, 127, -128, FusedActivation.Relu, 2),
                new DwCase(8, 8, 16, 1, 2, 4, 3, 2, 2, 1, false, 3, -4, FusedActivation.Relu6, 0),
                new DwCase(4, 4, 33, 3, 7, 7, 1, 1, 1, 1, true, -128, -128, FusedActivation.None, 1),
                new DwCase(1, 1, 64, 1, 3, 3, 1, 1, 1, 1, true, 127, 127, FusedActivation.None, 1),
                new DwCase(2, 3, 8, 2, 3, 3, 2, 2, 1, 1, true, -1, 0, FusedActivation.ReluN1To1, 2),
                new DwCase(7, 5, 16, 1, 3, 3, 1, 2, 1, 1, true, 0, 0, FusedActivation.None, 0),   // 3x3 but mixed strides: generic only
            };
            int seed = 500;
            foreach (var c in cases)
                foreach (var e in OurEntries().Where(n => n.EndsWith("-portable", StringComparison.Ordinal)))
                {
                    var r = SimdHarness.Compare(Build(c, seed), e, seed);
                    Assert.Equal(Claims(e, c), r.Applied);
                    Assert.True(r.Difference == null, $"{c}: {r.Difference}");
                    seed++;
                }
        }

        /// <summary>The NEON software model (dot and no-dot cores) on small shapes: every variant, tails, multipliers, padding.</summary>
        [Fact]
        public void NeonModelMatchesReference()
        {
            var entries = OurEntries().Where(n => SimdHarness.SetOf(n) == KernelSetKind.NeonModel).ToArray();
            Assert.Equal(6, entries.Length);
            int seed = 900;
            foreach (int ch in new[] { 1, 5, 16, 17, 33 })
                foreach (var (k, s, d) in new[] { (3, 1, 1), (3, 2, 1), (5, 1, 2), (3, 2, 2) })
                    foreach (int dm in new[] { 1, 3 })
                    {
                        if (ch == 33 && dm == 3) continue;
                        bool same = seed % 2 == 0;
                        int eff = (k - 1) * d + 1;
                        var c = new DwCase(eff + 1, eff + (seed % 2), ch, dm, k, k, s, s, d, d, same,
                            ZeroPoints[seed % ZeroPoints.Length], ZeroPoints[(seed / 3) % ZeroPoints.Length], Acts[seed % Acts.Length], 1 + seed % 2);
                        foreach (var e in entries)
                            if (Claims(e, c)) Check(e, c, seed);
                        seed++;
                    }
        }

        /// <summary>Rows split across two participants (pool path) give the same bytes.</summary>
        [Fact]
        public void TwoThreadsMatchReference()
        {
            var cases = new[]
            {
                new DwCase(20, 19, 33, 1, 3, 3, 1, 1, 1, 1, true, -128, 5, FusedActivation.Relu6, 1, Batches: 2),
                new DwCase(21, 20, 24, 1, 3, 3, 2, 2, 1, 1, true, 127, -128, FusedActivation.None, 2),
                new DwCase(15, 14, 17, 2, 5, 5, 1, 1, 2, 2, true, 7, 0, FusedActivation.Relu, 0),
            };
            int seed = 77;
            foreach (var c in cases)
                foreach (var e in OurEntries().Where(n => n.EndsWith("-portable", StringComparison.Ordinal)))
                    if (Claims(e, c)) Check(e, c, seed++, threads: 2);
            // One small case on each NEON model too.
            var small = new DwCase(9, 8, 17, 1, 3, 3, 1, 1, 1, 1, true, -128, 127, FusedActivation.None, 1);
            foreach (var e in OurEntries().Where(n => SimdHarness.SetOf(n) == KernelSetKind.NeonModel && n.Contains("3x3s1")))
                Check(e, small, seed++, threads: 2);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void InvokeAllocatesNothing(int threads)
        {
            foreach (var c in new[]
            {
                new DwCase(16, 16, 33, 1, 3, 3, 1, 1, 1, 1, true, -3, 4, FusedActivation.None, 0),
                new DwCase(16, 16, 17, 2, 5, 5, 2, 2, 1, 1, true, -3, 4, FusedActivation.None, 0),
            })
            {
                foreach (var e in OurEntries().Where(n => n.EndsWith("-portable", StringComparison.Ordinal) && Claims(n, c)))
                {
                    var provider = new SimdKernelProvider(KernelSetKind.Portable, threads) { Only = e };
                    try
                    {
                        var model = EdgeModel.Load(SimdHarness.Write(Build(c, 3)), provider);
                        Assert.Equal(e, provider.Chosen.Single());
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
            }
        }

        /// <summary>Random geometry, zero points, multipliers and activations: the generic portable kernel equals the reference.</summary>
        [Property(MaxTest = 60)]
        public void GenericPortableProperty(int a, int b, int d, int e)
        {
            uint x = (uint)a, y = (uint)b, z = (uint)d, w = (uint)e;
            int k1 = 1 + (int)(x % 5), k2 = 1 + (int)((x / 5) % 5);
            int s1 = 1 + (int)((x / 25) % 3), s2 = 1 + (int)((x / 75) % 3);
            int d1 = 1 + (int)(y % 3), d2 = 1 + (int)((y / 3) % 2);
            int ch = 1 + (int)((y / 6) % 40), dm = 1 + (int)((y / 240) % 3);
            bool same = (z & 1) == 0;
            int h = Math.Max((k1 - 1) * d1 + 1, 1) + (int)((z >> 1) % 6);
            int wd = Math.Max((k2 - 1) * d2 + 1, 1) + (int)((z >> 4) % 6);
            int inZp = (int)(w % 256) - 128, outZp = (int)((w >> 8) % 256) - 128;
            var act = Acts[(w >> 16) % 4];
            var c = new DwCase(h, wd, ch, dm, k1, k2, s1, s2, d1, d2, same, inZp, outZp, act, (int)((w >> 18) % 3));
            string entry = "qs8-dwconv2d-generic-gemmlowp-portable";
            Check(entry, c, a ^ e);
            if (k1 == 3 && k2 == 3 && d1 == 1 && d2 == 1 && s1 == s2 && s1 <= 2) Check($"qs8-dwconv2d-3x3s{s1}-gemmlowp-portable", c, b);
        }
    }
}
