using System;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using Edge.Converter.Ir;
using Edge.Converter.Quantization;
using Edge.Kernels.Simd;
using Edge.Runtime;
using FsCheck.Xunit;
using Xunit;

namespace Edge.Tests.Simd
{
    /// <summary>
    /// Differential tests of the x86 kernels (kernels/x86: CONV_2D / FULLY_CONNECTED GEMM on AVX-VNNI and AVX2,
    /// DEPTHWISE_CONV_2D on AVX-512 and AVX2) against the reference kernels, which are the oracle, plus the exact
    /// requantization against runtime/Math/FixedPoint.cs. Entries whose instructions this CPU lacks are skipped
    /// (SimdHarness.Entries lists only runnable sets; TryCreate also declines).
    /// </summary>
    public class X86KernelTests
    {
        // ------------------------------------------------------------------ graph builders

        /// <summary>A convolution-like case. Kind: 0 = CONV_2D, 1 = DEPTHWISE_CONV_2D, 2 = FULLY_CONNECTED.</summary>
        public sealed record Case(int Kind, int Batches, int H, int W, int InC, int OutC, int Kh, int Kw, int Sh, int Sw, int Dh, int Dw,
            bool Same, int InZp, int OutZp, FusedActivation Act, int ShiftMode, int Dm = 1)
        {
            public override string ToString() =>
                $"{(Kind == 0 ? "conv" : Kind == 1 ? "dw" : "fc")} {Batches}x{H}x{W}x{InC}->{OutC} dm{Dm} k{Kh}x{Kw} s{Sh}x{Sw} d{Dh}x{Dw} {(Same ? "SAME" : "VALID")} zp{InZp}/{OutZp} {Act} shifts{ShiftMode}";
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

        private static (int[] mult, int[] shift) Multipliers(Random rng, int outC, int shiftMode, int k)
        {
            if (shiftMode == 0)
            {
                // Realistic: per-channel filter scales through TFLite's formula, scaled to the accumulation depth.
                var fs = new float[outC];
                for (int i = 0; i < outC; i++) fs[i] = (float)(0.0004 * Math.Pow(2, rng.Next(0, 8)) * (1 + rng.NextDouble()) / Math.Sqrt(k));
                var q = QuantMath.PopulateConvolutionQuantizationParams(0.05f, fs, 0.1f, outC);
                return (q.Multipliers, q.Shifts);
            }
            // Extremes: multipliers at and near 2^31 and 2^30, shifts of both signs (large ones too).
            var mult = new int[outC];
            var shift = new int[outC];
            int[] ms = { int.MaxValue, int.MaxValue - 1, 1 << 30, (1 << 30) + 1, 1518500250, 2000000000, 0 };
            int[] ss = { -31, -20, -12, -9, -7, -3, -1, 0, 1, 2, 5, 12, 30 };
            for (int i = 0; i < outC; i++)
            {
                mult[i] = rng.Next(3) == 0 ? ms[rng.Next(ms.Length)] : rng.Next(1 << 30, int.MaxValue);
                shift[i] = shiftMode == 1 ? ss[rng.Next(ss.Length)] : rng.Next(-14, 3);
            }
            return (mult, shift);
        }

        /// <summary>A one-op graph built the way the converter builds it (folded bias, per-channel multipliers).</summary>
        public static EdgeGraph Build(Case c, int seed)
        {
            var rng = new Random(seed);
            var g = new EdgeGraph();
            int outC = c.Kind == 1 ? c.InC * c.Dm : c.OutC;
            int oh = 1, ow = 1, pt = 0, pb = 0, pl = 0, pr = 0;
            if (c.Kind != 2)
            {
                oh = OutSize(c.H, c.Kh, c.Sh, c.Dh, c.Same, out pt, out pb);
                ow = OutSize(c.W, c.Kw, c.Sw, c.Dw, c.Same, out pl, out pr);
            }
            int k = c.Kind == 0 ? c.Kh * c.Kw * c.InC : c.Kind == 1 ? c.Kh * c.Kw : c.InC;
            var filter = new byte[c.Kind == 1 ? c.Kh * c.Kw * outC : outC * k];
            rng.NextBytes(filter);
            if (filter.Length > 1) { filter[0] = 0x80; filter[^1] = 0x7F; }
            if (filter.Length > 4 && seed % 3 == 0) for (int i = 0; i < Math.Min(k, filter.Length); i++) filter[i] = 0x80;   // a channel of −128s
            var bias = new int[outC];
            for (int i = 0; i < outC; i++) bias[i] = rng.Next(-40000, 40000);
            if (outC > 2) { bias[1] = int.MaxValue - rng.Next(100); bias[2] = int.MinValue + rng.Next(100); }
            int[] folded = c.Kind == 1
                ? QuantMath.FoldBiasDepthwise(filter, outC, bias, c.InZp)
                : QuantMath.FoldBiasOutputChannelOuter(filter, outC, bias, c.InZp);
            var (mult, shift) = Multipliers(rng, outC, c.ShiftMode, k);
            var range = QuantMath.CalculateActivationRangeQuantized(c.Act, 0.1f, c.OutZp);

            int[] inShape = c.Kind == 2 ? new[] { c.Batches, c.InC } : new[] { c.Batches, c.H, c.W, c.InC };
            int[] outShape = c.Kind == 2 ? new[] { c.Batches, outC } : new[] { c.Batches, oh, ow, outC };
            int[] fShape = c.Kind == 0 ? new[] { outC, c.Kh, c.Kw, c.InC } : c.Kind == 1 ? new[] { 1, c.Kh, c.Kw, outC } : new[] { outC, c.InC };
            int input = g.AddTensor(new EdgeTensor { Name = "in", DType = DType.Int8, Shape = inShape, Scales = new[] { 0.05f }, ZeroPoints = new[] { c.InZp } });
            int f = g.AddTensor(new EdgeTensor
            {
                Name = "filter", DType = DType.Int8, Shape = fShape,
                Scales = Enumerable.Repeat(0.01f, c.Kind == 2 ? 1 : outC).ToArray(), ZeroPoints = new int[c.Kind == 2 ? 1 : outC],
                QuantizedDimension = c.Kind == 1 ? 3 : 0, Data = filter,
            });
            int b = g.AddTensor(new EdgeTensor { Name = "bias", DType = DType.Int32, Shape = new[] { outC }, Data = Ints(folded) });
            int o = g.AddTensor(new EdgeTensor { Name = "out", DType = DType.Int8, Shape = outShape, Scales = new[] { 0.1f }, ZeroPoints = new[] { c.OutZp } });
            g.Inputs.Add(input);
            g.Outputs.Add(o);
            long macs = (long)c.Batches * oh * ow * outC * k;
            OpOptions options = c.Kind switch
            {
                0 => (OpOptions)new Conv2DOptions
                {
                    StrideW = c.Sw, StrideH = c.Sh, DilationW = c.Dw, DilationH = c.Dh, PadTop = pt, PadLeft = pl, PadBottom = pb, PadRight = pr,
                    InputZeroPoint = c.InZp, OutputZeroPoint = c.OutZp, ActMin = range.Min, ActMax = range.Max, OutputMultiplier = mult, OutputShift = shift,
                },
                1 => new DepthwiseConv2DOptions
                {
                    StrideW = c.Sw, StrideH = c.Sh, DilationW = c.Dw, DilationH = c.Dh, PadTop = pt, PadLeft = pl, PadBottom = pb, PadRight = pr,
                    DepthMultiplier = c.Dm, InputZeroPoint = c.InZp, OutputZeroPoint = c.OutZp, ActMin = range.Min, ActMax = range.Max,
                    OutputMultiplier = mult, OutputShift = shift,
                },
                _ => (OpOptions)new FullyConnectedOptions
                {
                    InputZeroPoint = c.InZp, OutputZeroPoint = c.OutZp, ActMin = range.Min, ActMax = range.Max, OutputMultiplier = mult, OutputShift = shift,
                },
            };
            g.Ops.Add(new EdgeOp
            {
                Type = c.Kind == 0 ? OpType.Conv2D : c.Kind == 1 ? OpType.DepthwiseConv2D : OpType.FullyConnected,
                Inputs = new[] { input, f, b }, Outputs = new[] { o }, Options = options, Macs = macs,
            });
            g.Metadata = new EdgeMetadata { SourceFormat = "test", SourceFile = "x86", SourceSha256 = new string('0', 64), ConverterVersion = "test" };
            return g;
        }

        private static byte[] Ints(int[] v)
        {
            var bytes = new byte[4 * v.Length];
            for (int i = 0; i < v.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), v[i]);
            return bytes;
        }

        // ------------------------------------------------------------------ helpers

        private static OpType OpOf(Case c) => c.Kind == 0 ? OpType.Conv2D : c.Kind == 1 ? OpType.DepthwiseConv2D : OpType.FullyConnected;

        /// <summary>Our entries (the X86 set) for an op that run on this machine.</summary>
        private static string[] X86Entries(OpType op) =>
            SimdHarness.Entries(op).Where(n => SimdHarness.SetOf(n) == KernelSetKind.X86).ToArray();

        /// <summary>Does the entry claim the case (then it must apply)?</summary>
        private static bool Claims(string entry, Case c)
        {
            if (entry.EndsWith("-avxvnni", StringComparison.Ordinal) && !AvxVnni.IsSupported) return false;
            if (entry.EndsWith("-avx512skx", StringComparison.Ordinal) && !(Avx512F.IsSupported && Avx512BW.IsSupported)) return false;
            if (!Avx2.IsSupported) return false;
            if (c.Kind != 1) return true;
            int outC = c.InC * c.Dm;
            if (entry.EndsWith("-avx512skx", StringComparison.Ordinal) && outC % 16 != 0 && outC % 16 <= 8) return false;
            if (entry.Contains("-3x3-")) return c.Kh == 3 && c.Kw == 3;
            return true;
        }

        private static void Check(string entry, Case c, int seed, int threads = 1)
        {
            var r = SimdHarness.Compare(Build(c, seed), entry, seed, threads);
            Assert.Equal(Claims(entry, c), r.Applied);
            if (r.Applied) Assert.True(r.PackedBytes > 0, $"{entry}: packed bytes not counted");
            Assert.True(r.Difference == null, $"{c}: {r.Difference}");
        }

        private static readonly int[] ZeroPoints = { -128, 127, 0, -5, 17 };
        private static readonly FusedActivation[] Acts = { FusedActivation.None, FusedActivation.Relu, FusedActivation.Relu6, FusedActivation.ReluN1To1 };

        // ------------------------------------------------------------------ tests

        [Fact]
        public void EntriesAreRegistered()
        {
            var all = KernelCatalog.All.Where(e => e.Set == KernelSetKind.X86).Select(e => e.Name).ToArray();
            foreach (var n in new[]
            {
                "qs8-conv2d-3x32c4-gemmlowp-avxvnni", "qs8-conv2d-4x16c2-gemmlowp-avx2",
                "qs8-fc-1x64c4-gemmlowp-avxvnni", "qs8-fc-1x32c2-gemmlowp-avx2",
                "qs8-dwconv2d-3x3-gemmlowp-avx512skx", "qs8-dwconv2d-3x3-gemmlowp-avx2",
                "qs8-dwconv2d-generic-gemmlowp-avx512skx", "qs8-dwconv2d-generic-gemmlowp-avx2",
            })
                Assert.Contains(n, all);
            if (Avx2.IsSupported) Assert.NotEmpty(X86Entries(OpType.Conv2D));
        }

        /// <summary>The 256- and 512-bit requantization equal FixedPoint.MultiplyByQuantizedMultiplier everywhere we can reach.</summary>
        [Fact]
        public void RequantizationIsExact()
        {
            if (!Avx2.IsSupported) return;
            bool wide = Avx512F.IsSupported;
            var rng = new Random(12345);
            int[] edgesAcc = { 0, 1, -1, 2, -2, int.MaxValue, int.MinValue, int.MaxValue - 1, int.MinValue + 1, 1 << 30, -(1 << 30), 12345678, -12345678, 0x40000000 - 1, -0x40000001 };
            int[] edgesMult = { 0, 1, int.MaxValue, int.MaxValue - 1, 1 << 30, (1 << 30) + 1, 1518500250 };
            var acc = new int[16]; var m = new int[16]; var s = new int[16]; var r8 = new int[8]; var r16 = new int[16];
            var a8 = new int[8]; var m8 = new int[8]; var s8 = new int[8];
            int checkedCount = 0;
            for (int it = 0; it < 30000; it++)
            {
                for (int i = 0; i < 16; i++)
                {
                    int mode = rng.Next(4);
                    acc[i] = mode == 0 ? edgesAcc[rng.Next(edgesAcc.Length)] : mode == 1 ? rng.Next(-70000, 70000) : (int)(uint)rng.NextInt64(0, 1L << 32);
                    // Exact ties of the final rounding: acc a multiple of a power of two around the shift.
                    if (rng.Next(8) == 0) acc[i] = (rng.Next(-1000, 1000) * 2 + 1) << rng.Next(0, 20);
                    m[i] = rng.Next(3) == 0 ? edgesMult[rng.Next(edgesMult.Length)] : rng.Next(1 << 30, int.MaxValue);
                    s[i] = rng.Next(-31, 31);
                }
                Array.Copy(acc, a8, 8); Array.Copy(m, m8, 8); Array.Copy(s, s8, 8);
                X86Requant.Requantize8(a8, m8, s8, r8);
                if (wide) X86Requant.Requantize16(acc, m, s, r16);
                for (int i = 0; i < 16; i++)
                {
                    int e = FixedPoint.MultiplyByQuantizedMultiplier(acc[i], m[i], s[i]);
                    if (i < 8) Assert.True(e == r8[i], $"256: acc {acc[i]} m {m[i]} shift {s[i]}: {r8[i]} != {e}");
                    if (wide) Assert.True(e == r16[i], $"512: acc {acc[i]} m {m[i]} shift {s[i]}: {r16[i]} != {e}");
                    checkedCount++;
                }
            }
            Assert.Equal(30000 * 16, checkedCount);
        }

        /// <summary>CONV_2D sweep: K below/equal/above/multiples of the tiles, channel tails, windows, strides, dilations, padding.</summary>
        [Fact]
        public void ConvSweepMatchesReference()
        {
            var entries = X86Entries(OpType.Conv2D);
            if (!Avx2.IsSupported) return;
            Assert.NotEmpty(entries);
            int seed = 1;
            foreach (int outC in new[] { 1, 3, 8, 13, 16, 17, 33, 65 })
                foreach (int inC in new[] { 1, 3, 4, 8, 17 })
                    foreach (var (k, s, d) in new[] { (1, 1, 1), (3, 1, 1), (3, 2, 1), (5, 1, 2), (1, 2, 1), (3, 1, 2) })
                    {
                        if (outC >= 33 && inC == 17 && k == 5) continue;   // keep the sweep quick
                        bool same = seed % 2 == 0;
                        int eff = (k - 1) * d + 1;
                        var c = new Case(0, seed % 7 == 0 ? 2 : 1, eff + 1 + seed % 4, eff + (seed % 5), inC, outC, k, k, s, s, d, d, same,
                            ZeroPoints[seed % ZeroPoints.Length], ZeroPoints[(seed / 2) % ZeroPoints.Length], Acts[seed % Acts.Length], seed % 3);
                        foreach (var e in entries) Check(e, c, seed);
                        seed++;
                    }
        }

        /// <summary>Pointwise (GEMM over NHWC rows) with K around the 4/8-element steps, many rows, and zero points at the ends.</summary>
        [Fact]
        public void PointwiseAndLargeMatchReference()
        {
            var entries = X86Entries(OpType.Conv2D);
            int seed = 300;
            foreach (int inC in new[] { 2, 4, 7, 16, 31, 32, 33, 64, 100 })
                foreach (int outC in new[] { 8, 24, 32, 40, 64, 96 })
                {
                    var c = new Case(0, 1, 7 + seed % 5, 9, inC, outC, 1, 1, 1, 1, 1, 1, false,
                        seed % 2 == 0 ? -128 : 127, ZeroPoints[seed % ZeroPoints.Length], Acts[seed % Acts.Length], seed % 3);
                    foreach (var e in entries) Check(e, c, seed);
                    seed++;
                }
            // A realistic 3×3 layer over several chunks of rows, and non-square windows / mixed strides.
            foreach (var c in new[]
            {
                new Case(0, 1, 32, 32, 16, 16, 3, 3, 1, 1, 1, 1, true, -128, 5, FusedActivation.Relu, 0),
                new Case(0, 1, 49, 10, 1, 64, 10, 4, 2, 2, 1, 1, true, 83, -128, FusedActivation.Relu, 0),
                new Case(0, 1, 9, 6, 5, 19, 3, 1, 1, 2, 1, 1, true, 127, -128, FusedActivation.None, 1),
                new Case(0, 1, 5, 11, 3, 9, 1, 5, 2, 1, 1, 3, true, -1, 0, FusedActivation.ReluN1To1, 2),
                new Case(0, 1, 8, 8, 6, 7, 2, 4, 3, 2, 2, 1, false, 3, -4, FusedActivation.Relu6, 0),
            })
                foreach (var e in entries) Check(e, c, seed++);
        }

        /// <summary>FULLY_CONNECTED: depths around the steps, unit counts with tails, batches 1..5.</summary>
        [Fact]
        public void FullyConnectedMatchesReference()
        {
            var entries = X86Entries(OpType.FullyConnected);
            if (!Avx2.IsSupported) return;
            Assert.NotEmpty(entries);
            int seed = 700;
            foreach (int depth in new[] { 1, 3, 4, 5, 8, 15, 16, 17, 64, 250, 640 })
                foreach (int units in new[] { 1, 3, 8, 13, 16, 17, 33, 65, 128 })
                    foreach (int batches in new[] { 1, 2, 5 })
                    {
                        if (batches != 1 && (seed % 3) != 0) { seed++; continue; }
                        var c = new Case(2, batches, 1, 1, depth, units, 1, 1, 1, 1, 1, 1, false,
                            ZeroPoints[seed % ZeroPoints.Length], ZeroPoints[(seed / 2) % ZeroPoints.Length], Acts[seed % Acts.Length], seed % 3);
                        foreach (var e in entries) Check(e, c, seed);
                        seed++;
                    }
        }

        /// <summary>DEPTHWISE_CONV_2D sweep: channels × kernel × stride × dilation × padding × multiplier.</summary>
        [Fact]
        public void DepthwiseSweepMatchesReference()
        {
            var entries = X86Entries(OpType.DepthwiseConv2D);
            if (!Avx2.IsSupported) return;
            Assert.NotEmpty(entries);
            int seed = 1000;
            foreach (int ch in new[] { 1, 3, 8, 13, 16, 17, 24, 33, 64 })
                foreach (var (k, s, d) in new[] { (3, 1, 1), (3, 2, 1), (3, 1, 2), (5, 1, 1), (5, 2, 2), (1, 1, 1) })
                    foreach (int dm in new[] { 1, 2, 3, 8 })
                    {
                        if (dm == 8 && ch > 3) continue;
                        if (dm == 3 && ch > 17) continue;
                        bool same = seed % 2 == 0;
                        int eff = (k - 1) * d + 1;
                        var c = new Case(1, seed % 7 == 0 ? 2 : 1, eff + 2 + (seed % 3), eff + 1 + (seed % 4), ch, ch * dm, k, k, s, s, d, d, same,
                            ZeroPoints[seed % ZeroPoints.Length], ZeroPoints[(seed / 2) % ZeroPoints.Length], Acts[seed % Acts.Length], seed % 3, dm);
                        foreach (var e in entries) Check(e, c, seed);
                        seed++;
                    }
            // Non-square windows, mixed strides, and 1×1 images.
            foreach (var c in new[]
            {
                new Case(1, 1, 9, 6, 17, 17, 3, 1, 1, 2, 1, 1, true, -128, 127, FusedActivation.None, 1),
                new Case(1, 1, 5, 11, 5, 10, 1, 5, 2, 1, 1, 3, true, 127, -128, FusedActivation.Relu, 2, 2),
                new Case(1, 1, 1, 1, 64, 64, 3, 3, 1, 1, 1, 1, true, 127, 127, FusedActivation.None, 1),
                new Case(1, 1, 96, 96, 1, 8, 3, 3, 2, 2, 1, 1, true, -128, -128, FusedActivation.Relu6, 0, 8),
                new Case(1, 1, 7, 5, 32, 32, 3, 3, 1, 2, 1, 1, true, 0, 0, FusedActivation.None, 0),
            })
                foreach (var e in entries) Check(e, c, seed++);
        }

        /// <summary>Work split across two participants gives the same bytes.</summary>
        [Fact]
        public void TwoThreadsMatchReference()
        {
            if (!Avx2.IsSupported) return;
            int seed = 77;
            foreach (var c in new[]
            {
                new Case(0, 2, 20, 19, 16, 33, 3, 3, 1, 1, 1, 1, true, -128, 5, FusedActivation.Relu6, 1),
                new Case(0, 1, 3, 3, 64, 96, 1, 1, 1, 1, 1, 1, false, 127, -128, FusedActivation.None, 2),
                new Case(2, 3, 1, 1, 200, 70, 1, 1, 1, 1, 1, 1, false, -7, 3, FusedActivation.Relu, 0),
                new Case(1, 2, 20, 19, 33, 33, 3, 3, 1, 1, 1, 1, true, -128, 5, FusedActivation.Relu6, 1),
                new Case(1, 1, 21, 20, 12, 24, 5, 5, 2, 2, 1, 1, true, 127, -128, FusedActivation.None, 2, 2),
            })
                foreach (var e in X86Entries(OpOf(c)))
                    Check(e, c, seed++, threads: 2);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void InvokeAllocatesNothing(int threads)
        {
            if (!Avx2.IsSupported) return;
            foreach (var c in new[]
            {
                new Case(0, 1, 16, 16, 16, 33, 3, 3, 1, 1, 1, 1, true, -3, 4, FusedActivation.None, 0),
                new Case(2, 1, 1, 1, 300, 40, 1, 1, 1, 1, 1, 1, false, -3, 4, FusedActivation.None, 0),
                new Case(1, 1, 16, 16, 33, 33, 3, 3, 1, 1, 1, 1, true, -3, 4, FusedActivation.None, 0),
                new Case(1, 1, 16, 16, 17, 34, 5, 5, 2, 2, 1, 1, true, -3, 4, FusedActivation.None, 0, 2),
            })
            {
                foreach (var e in X86Entries(OpOf(c)).Where(n => Claims(n, c)))
                {
                    var provider = new SimdKernelProvider(KernelSetKind.X86, threads) { Only = e };
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

        /// <summary>Random geometry, zero points, multipliers and activations: every x86 entry equals the reference.</summary>
        [Property(MaxTest = 40)]
        public void RandomCasesMatchReference(int a, int b, int d, int e)
        {
            if (!Avx2.IsSupported) return;
            uint x = (uint)a, y = (uint)b, z = (uint)d, w = (uint)e;
            int kind = (int)(x % 3);
            int k1 = 1 + (int)((x / 3) % 5), k2 = 1 + (int)((x / 15) % 5);
            int s1 = 1 + (int)((x / 75) % 3), s2 = 1 + (int)((x / 225) % 3);
            int d1 = 1 + (int)(y % 3), d2 = 1 + (int)((y / 3) % 2);
            int inC = 1 + (int)((y / 6) % 40), outC = 1 + (int)((y / 240) % 70), dm = 1 + (int)((y / 16800) % 3);
            bool same = (z & 1) == 0;
            int h = (k1 - 1) * d1 + 1 + (int)((z >> 1) % 6);
            int wd = (k2 - 1) * d2 + 1 + (int)((z >> 4) % 6);
            int inZp = (int)(w % 256) - 128, outZp = (int)((w >> 8) % 256) - 128;
            var act = Acts[(w >> 16) % 4];
            int batches = 1 + (int)((w >> 18) % 2);
            var c = kind == 2
                ? new Case(2, batches, 1, 1, inC * 3, outC, 1, 1, 1, 1, 1, 1, false, inZp, outZp, act, (int)((w >> 20) % 3))
                : new Case(kind, batches, h, wd, inC, kind == 1 ? inC * dm : outC, k1, k2, s1, s2, d1, d2, same, inZp, outZp, act, (int)((w >> 20) % 3), kind == 1 ? dm : 1);
            foreach (var entry in X86Entries(OpOf(c))) Check(entry, c, a ^ e);
        }
    }
}
