using System;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using Edge.Converter.Ir;
using Edge.Kernels.Simd;
using Edge.Runtime;
using FsCheck.Xunit;
using Xunit;

namespace Edge.Tests.Simd
{
    /// <summary>
    /// Differential tests of the ONNX-rule kernels (QLINEAR_CONV, QLINEAR_MATMUL: ONNX Runtime's float
    /// requantization; x86 and the generic portable / NEON-model set) against the reference kernels, which are the oracle: one-op graphs with seeded random
    /// weights, biases, scales and inputs, every byte compared (<see cref="SimdHarness"/>).
    /// </summary>
    public class QLinearKernelTests
    {
        /// <summary>A QLINEAR_CONV case. OutKind 0 = int32, 1 = uint8, 2 = int8. WZpMode 0 = zero, 1 = per tensor, 2 = per channel.</summary>
        public sealed record ConvCase(int Batches, int H, int W, int InC, int OutC, int Kh, int Kw, int Sh, int Sw, int Dh, int Dw,
            bool Same, int Group, bool InSigned, bool WSigned, int InZp, int WZpMode, int OutKind, int OutZp, bool Clamp, bool PairSat,
            bool Bias, int ScaleMode)
        {
            public override string ToString() =>
                $"qconv {Batches}x{H}x{W}x{InC}->{OutC} g{Group} k{Kh}x{Kw} s{Sh}x{Sw} d{Dh}x{Dw} {(Same ? "SAME" : "VALID")} " +
                $"{(InSigned ? "s8" : "u8")}x{(WSigned ? "s8" : "u8")} zp{InZp} wzp{WZpMode} out{OutKind} ozp{OutZp} clamp{Clamp} sat{PairSat} bias{Bias} scale{ScaleMode}";
        }

        /// <summary>A QLINEAR_MATMUL case: A [aBatch.., M, K] × constant B [bBatch.., K, N].</summary>
        public sealed record MatMulCase(int[] ABatch, int[] BBatch, int M, int K, int N, bool ASigned, bool BSigned, int AZp, int BZpMode,
            int OutKind, int OutZp, bool Clamp, bool PairSat, bool Bias, int ScaleMode)
        {
            public override string ToString() =>
                $"qmatmul [{string.Join(",", ABatch)}|{M}x{K}] x [{string.Join(",", BBatch)}|{K}x{N}] {(ASigned ? "s8" : "u8")}x{(BSigned ? "s8" : "u8")} " +
                $"zp{AZp} bzp{BZpMode} out{OutKind} ozp{OutZp} clamp{Clamp} sat{PairSat} bias{Bias} scale{ScaleMode}";
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

        private static DType T(bool signed) => signed ? DType.Int8 : DType.UInt8;

        private static int[] WeightZps(Random rng, int n, int mode, bool signed)
        {
            int lo = signed ? -128 : 0, hi = signed ? 127 : 255;
            if (mode == 0) return new[] { 0 };
            if (mode == 1) return new[] { rng.Next(2) == 0 ? (rng.Next(2) == 0 ? lo : hi) : rng.Next(lo, hi + 1) };
            var z = new int[n];
            for (int i = 0; i < n; i++) z[i] = i % 5 == 0 ? lo : i % 5 == 1 ? hi : rng.Next(lo, hi + 1);
            return z;
        }

        /// <summary>
        /// Scales: 0 = realistic (accumulator range to a few hundred), 1 = exact ties (powers of two, 0.5 steps hit
        /// the half-even rounding), 2 = large (most outputs clamp), per channel.
        /// </summary>
        private static float[] Scales(Random rng, int n, int mode, long k)
        {
            var s = new float[n];
            for (int i = 0; i < n; i++)
                s[i] = mode == 1 ? MathF.Pow(2, -rng.Next(1, 14)) : mode == 2 ? (float)(rng.NextDouble() * 10 + 0.01)
                    : (float)((0.5 + rng.NextDouble()) * 2.0 / (Math.Sqrt(k) * 128.0 * (1 + rng.Next(4))));
            return s;
        }

        private static (int min, int max) Range(Random rng, int kind, bool clamp)
        {
            int lo = kind == 1 ? 0 : -128, hi = kind == 1 ? 255 : 127;
            if (!clamp) return (lo, hi);
            int a = rng.Next(lo, hi + 1), b = rng.Next(lo, hi + 1);
            return (Math.Min(a, b), Math.Max(a, b));
        }

        private static byte[] Ints(int[] v)
        {
            var bytes = new byte[4 * v.Length];
            for (int i = 0; i < v.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), v[i]);
            return bytes;
        }

        private static int[] Biases(Random rng, int n)
        {
            var b = new int[n];
            for (int i = 0; i < n; i++) b[i] = rng.Next(-50000, 50000);
            if (n > 2) { b[1] = int.MaxValue - rng.Next(100); b[2] = int.MinValue + rng.Next(100); }   // wrapping
            return b;
        }

        private static byte[] Filter(Random rng, int n, int seed)
        {
            var f = new byte[n];
            rng.NextBytes(f);
            if (n > 1) { f[0] = 0x80; f[^1] = 0x7F; }
            if (seed % 4 == 0) for (int i = 0; i < Math.Min(n, 64); i++) f[i] = 0x80;
            if (seed % 4 == 1) for (int i = 0; i < Math.Min(n, 64); i++) f[i] = 0xFF;
            return f;
        }

        public static EdgeGraph BuildConv(ConvCase c, int seed)
        {
            var rng = new Random(seed);
            var g = new EdgeGraph();
            int oh = OutSize(c.H, c.Kh, c.Sh, c.Dh, c.Same, out int pt, out int pb);
            int ow = OutSize(c.W, c.Kw, c.Sw, c.Dw, c.Same, out int pl, out int pr);
            int ipg = c.InC / c.Group;
            var filter = Filter(rng, c.OutC * c.Kh * c.Kw * ipg, seed);
            var outType = c.OutKind == 0 ? DType.Int32 : T(c.OutKind == 2);
            var (amin, amax) = c.OutKind == 0 ? (0, 0) : Range(rng, c.OutKind, c.Clamp);
            int outZp = c.OutKind == 0 ? 0 : Math.Clamp(c.OutZp, c.OutKind == 1 ? 0 : -128, c.OutKind == 1 ? 255 : 127);
            int input = g.AddTensor(new EdgeTensor { Name = "in", DType = T(c.InSigned), Shape = new[] { c.Batches, c.H, c.W, c.InC } });
            int f = g.AddTensor(new EdgeTensor { Name = "filter", DType = T(c.WSigned), Shape = new[] { c.OutC, c.Kh, c.Kw, ipg }, Data = filter });
            int o = g.AddTensor(new EdgeTensor { Name = "out", DType = outType, Shape = new[] { c.Batches, oh, ow, c.OutC } });
            var inputs = new[] { input, f };
            if (c.Bias)
                inputs = new[] { input, f, g.AddTensor(new EdgeTensor { Name = "bias", DType = DType.Int32, Shape = new[] { c.OutC }, Data = Ints(Biases(rng, c.OutC)) }) };
            g.Inputs.Add(input);
            g.Outputs.Add(o);
            var opts = new QLinearConvOptions
            {
                StrideH = c.Sh, StrideW = c.Sw, DilationH = c.Dh, DilationW = c.Dw, PadTop = pt, PadLeft = pl, PadBottom = pb, PadRight = pr,
                Group = c.Group, InputZeroPoint = c.InZp, WeightZeroPoint = WeightZps(rng, c.OutC, c.PairSat ? 0 : c.WZpMode, c.WSigned),
                OutputZeroPoint = outZp, ActMin = amin, ActMax = amax, PairSaturation = c.PairSat,
                OutputScale = c.OutKind == 0 ? Array.Empty<float>() : Scales(rng, c.OutC, c.ScaleMode, (long)c.Kh * c.Kw * ipg),
            };
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.QLinearConv, Inputs = inputs, Outputs = new[] { o }, Options = opts,
                Macs = (long)c.Batches * oh * ow * c.OutC * c.Kh * c.Kw * ipg,
            });
            g.Metadata = new EdgeMetadata { SourceFormat = "test", SourceFile = "qlinear", SourceSha256 = new string('0', 64), ConverterVersion = "test" };
            return g;
        }

        public static EdgeGraph BuildMatMul(MatMulCase c, int seed)
        {
            var rng = new Random(seed);
            var g = new EdgeGraph();
            int rank = Math.Max(c.ABatch.Length, c.BBatch.Length) + 2;
            var outBatch = new int[rank - 2];
            for (int i = 0; i < rank - 2; i++)
            {
                int ia = i - (rank - 2 - c.ABatch.Length), ib = i - (rank - 2 - c.BBatch.Length);
                outBatch[i] = Math.Max(ia >= 0 ? c.ABatch[ia] : 1, ib >= 0 ? c.BBatch[ib] : 1);
            }
            int bCount = c.BBatch.Aggregate(1, (x, y) => x * y) * c.K * c.N;
            var outType = c.OutKind == 0 ? DType.Int32 : T(c.OutKind == 2);
            var (amin, amax) = c.OutKind == 0 ? (0, 0) : Range(rng, c.OutKind, c.Clamp);
            int outZp = c.OutKind == 0 ? 0 : Math.Clamp(c.OutZp, c.OutKind == 1 ? 0 : -128, c.OutKind == 1 ? 255 : 127);
            int a = g.AddTensor(new EdgeTensor { Name = "a", DType = T(c.ASigned), Shape = c.ABatch.Concat(new[] { c.M, c.K }).ToArray() });
            int b = g.AddTensor(new EdgeTensor { Name = "b", DType = T(c.BSigned), Shape = c.BBatch.Concat(new[] { c.K, c.N }).ToArray(), Data = Filter(rng, bCount, seed) });
            int o = g.AddTensor(new EdgeTensor { Name = "out", DType = outType, Shape = outBatch.Concat(new[] { c.M, c.N }).ToArray() });
            var inputs = new[] { a, b };
            if (c.Bias)
                inputs = new[] { a, b, g.AddTensor(new EdgeTensor { Name = "bias", DType = DType.Int32, Shape = new[] { c.N }, Data = Ints(Biases(rng, c.N)) }) };
            g.Inputs.Add(a);
            g.Outputs.Add(o);
            var opts = new QLinearMatMulOptions
            {
                InputZeroPoint = c.AZp, WeightZeroPoint = WeightZps(rng, c.N, c.PairSat ? 0 : c.BZpMode, c.BSigned),
                OutputZeroPoint = outZp, ActMin = amin, ActMax = amax, PairSaturation = c.PairSat,
                OutputScale = c.OutKind == 0 ? Array.Empty<float>() : Scales(rng, c.N, c.ScaleMode, c.K),
            };
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.QLinearMatMul, Inputs = inputs, Outputs = new[] { o }, Options = opts,
                Macs = (long)outBatch.Aggregate(1, (x, y) => x * y) * c.M * c.K * c.N,
            });
            g.Metadata = new EdgeMetadata { SourceFormat = "test", SourceFile = "qlinear", SourceSha256 = new string('0', 64), ConverterVersion = "test" };
            return g;
        }

        // ------------------------------------------------------------------ helpers

        private static string[] X86Entries(OpType op) =>
            SimdHarness.Entries(op).Where(n => SimdHarness.SetOf(n) == KernelSetKind.X86).ToArray();

        /// <summary>Every runnable entry of an op: x86 and the generic set (portable, NEON model).</summary>
        private static string[] AllEntries(OpType op) => SimdHarness.Entries(op);

        private static bool IsX86(string entry) => SimdHarness.SetOf(entry) == KernelSetKind.X86;

        /// <summary>The NEON software model is slow: it runs on every fourth case of a sweep.</summary>
        private static bool Runs(string entry, int seed) => SimdHarness.SetOf(entry) != KernelSetKind.NeonModel || seed % 4 == 0;

        private static bool ClaimsConv(string entry, ConvCase c)
        {
            if (!IsX86(entry)) return true;   // generic: any groups, exact or pair-saturating accumulation
            if (!Avx2.IsSupported) return false;
            if (entry.Contains("-pairsat-") != c.PairSat) return false;
            int ipg = c.InC / c.Group, opg = c.OutC / c.Group;
            if (c.Group > 1 && ipg == 1 && opg == 1) return entry.Contains("-dwconv-");
            if (entry.Contains("-dwconv-")) return false;
            return c.Group == 1 || opg >= 8;
        }

        private static void CheckConv(string entry, ConvCase c, int seed, int threads = 1)
        {
            var r = SimdHarness.Compare(BuildConv(c, seed), entry, seed, threads);
            Assert.True(ClaimsConv(entry, c) == r.Applied, $"{entry} {c}: applied {r.Applied}");
            if (r.Applied) Assert.True(r.PackedBytes > 0, $"{entry}: packed bytes not counted");
            Assert.True(r.Difference == null, $"{c}: {r.Difference}");
        }

        private static void CheckMatMul(string entry, MatMulCase c, int seed, int threads = 1)
        {
            var r = SimdHarness.Compare(BuildMatMul(c, seed), entry, seed, threads);
            bool claims = !IsX86(entry) || Avx2.IsSupported && entry.Contains("-pairsat-") == c.PairSat;
            Assert.True(claims == r.Applied, $"{entry} {c}: applied {r.Applied}");
            if (r.Applied) Assert.True(r.PackedBytes > 0, $"{entry}: packed bytes not counted");
            Assert.True(r.Difference == null, $"{c}: {r.Difference}");
        }

        private static readonly int[] U8Zps = { 0, 255, 128, 3, 200 };
        private static readonly int[] S8Zps = { -128, 127, 0, -5, 17 };

        private static int InZp(bool signed, int i) => signed ? S8Zps[i % S8Zps.Length] : U8Zps[i % U8Zps.Length];

        // ------------------------------------------------------------------ tests

        [Fact]
        public void EntriesAreRegistered()
        {
            var all = KernelCatalog.All.Where(e => e.Set == KernelSetKind.X86).Select(e => e.Name).ToArray();
            foreach (var n in new[]
            {
                "qx8-qlinearconv-gemm-4x16c2-fp32-avx2", "qx8-qlinearconv-gemm-4x16c4-pairsat-fp32-avx2", "qx8-qlinearconv-dwconv-8c-fp32-avx2",
                "qx8-qlinearmatmul-gemm-1x32c2-fp32-avx2", "qx8-qlinearmatmul-gemm-1x32c4-pairsat-fp32-avx2",
            })
                Assert.Contains(n, all);
            var generic = KernelCatalog.All.Select(e => e.Name).ToArray();
            foreach (var isa in new[] { "portable", "neonmodel", "neondotmodel" })
                foreach (var op in new[] { "qlinearconv", "qlinearmatmul" })
                    Assert.Contains($"qx8-{op}-gemm-4x8-fp32-{isa}", generic);
        }

        /// <summary>
        /// QLINEAR_CONV sweep: K below/equal/above/multiples of the steps, channel tails, 1×1/3×3/5×5, stride and
        /// dilation 1/2, padding, uint8/int8 activations and weights, zero points at the ends, per-channel weight zero
        /// points and scales, int32/uint8/int8 outputs, clamps; the pair-saturating variant on int8 weights.
        /// </summary>
        [Fact]
        public void ConvSweepMatchesReference()
        {
            var entries = AllEntries(OpType.QLinearConv);
            Assert.NotEmpty(entries);
            int seed = 1;
            foreach (int outC in new[] { 1, 7, 8, 13, 16, 17, 33 })
                foreach (int inC in new[] { 1, 3, 4, 8, 17 })
                    foreach (var (k, s, d) in new[] { (1, 1, 1), (3, 1, 1), (3, 2, 1), (5, 1, 2), (1, 2, 1), (3, 1, 2), (5, 2, 1) })
                    {
                        bool same = seed % 2 == 0;
                        int eff = (k - 1) * d + 1;
                        bool inS = seed % 3 != 0, wS = seed % 4 != 1;
                        bool sat = wS && seed % 5 == 0;
                        var c = new ConvCase(seed % 7 == 0 ? 2 : 1, eff + 1 + seed % 4, eff + (seed % 5), inC, outC, k, k, s, s, d, d, same, 1,
                            inS, wS, InZp(inS, seed), seed % 3, seed % 3 == 2 ? 0 : 1 + seed % 2, (seed * 37) % 256 - 128, seed % 4 == 3, sat,
                            seed % 6 != 5, seed % 3);
                        foreach (var e in entries) if (Runs(e, seed)) CheckConv(e, c, seed);
                        seed++;
                    }
        }

        /// <summary>Grouped convolutions (output channels per group ≥ 8 run the GEMM per group; narrower ones keep the reference).</summary>
        [Fact]
        public void GroupedConvMatchesReference()
        {
            var entries = AllEntries(OpType.QLinearConv);
            int seed = 500;
            foreach (var (inC, outC, group) in new[] { (4, 16, 2), (6, 24, 3), (8, 8, 2), (16, 32, 4), (9, 27, 3), (4, 4, 4), (8, 16, 8) })
                foreach (int k in new[] { 1, 3 })
                {
                    bool inS = seed % 2 == 0, wS = seed % 3 != 0;
                    var c = new ConvCase(1, 7, 6, inC, outC, k, k, 1 + seed % 2, 1, 1, 1, true, group, inS, wS, InZp(inS, seed), 2,
                        seed % 3, 5, seed % 2 == 0, false, true, seed % 3);
                    foreach (var e in entries) if (Runs(e, seed)) CheckConv(e, c, seed);
                    seed++;
                }
        }

        /// <summary>
        /// Depthwise (group = channels): channel counts around the 8-lane blocks, 1×1/3×3/5×5, stride and dilation
        /// 1/2, padding, operand types, per-channel weight zero points and scales, every output kind, clamps; with
        /// pair_saturation no x86 entry claims it (the reference runs).
        /// </summary>
        [Fact]
        public void DepthwiseSweepMatchesReference()
        {
            var entries = AllEntries(OpType.QLinearConv);
            if (Avx2.IsSupported) Assert.Contains("qx8-qlinearconv-dwconv-8c-fp32-avx2", entries);
            int seed = 600;
            foreach (int ch in new[] { 2, 3, 8, 13, 16, 17, 33 })
                foreach (var (k, s, d) in new[] { (3, 1, 1), (3, 2, 1), (3, 1, 2), (5, 1, 1), (5, 2, 2), (1, 1, 1) })
                {
                    bool same = seed % 2 == 0;
                    int eff = (k - 1) * d + 1;
                    bool inS = seed % 3 != 0, wS = seed % 4 != 1;
                    var c = new ConvCase(seed % 7 == 0 ? 2 : 1, eff + 2 + seed % 3, eff + 1 + seed % 4, ch, ch, k, k, s, s, d, d, same, ch,
                        inS, wS, InZp(inS, seed), seed % 3, seed % 3 == 2 ? 0 : 1 + seed % 2, (seed * 29) % 256 - 128, seed % 4 == 3,
                        wS && seed % 9 == 0, seed % 5 != 4, seed % 3);
                    foreach (var e in entries) if (Runs(e, seed)) CheckConv(e, c, seed);
                    seed++;
                }
            foreach (var c in new[]
            {
                new ConvCase(1, 9, 6, 17, 17, 3, 1, 1, 2, 1, 1, true, 17, false, false, 255, 2, 1, 0, false, false, true, 1),
                new ConvCase(1, 1, 1, 64, 64, 3, 3, 1, 1, 1, 1, true, 64, true, true, -128, 2, 2, 127, false, false, true, 2),
                new ConvCase(1, 7, 5, 32, 32, 3, 3, 1, 2, 1, 1, true, 32, false, true, 0, 0, 0, 0, false, false, true, 0),
            })
                { foreach (var e in entries) if (Runs(e, seed)) CheckConv(e, c, seed); seed++; }
        }

        /// <summary>Realistic layers: the demo's shapes, many rows over several chunks, pointwise with large K.</summary>
        [Fact]
        public void LayersMatchReference()
        {
            var entries = AllEntries(OpType.QLinearConv);
            int seed = 800;
            foreach (var c in new[]
            {
                new ConvCase(1, 28, 28, 1, 16, 3, 3, 1, 1, 1, 1, false, 1, false, true, 0, 0, 1, 0, false, false, true, 0),
                new ConvCase(1, 28, 28, 1, 16, 3, 3, 1, 1, 1, 1, false, 1, false, true, 0, 0, 1, 0, false, true, true, 0),
                new ConvCase(1, 13, 13, 16, 32, 3, 3, 1, 1, 1, 1, false, 1, false, true, 255, 0, 1, 0, false, true, true, 0),
                new ConvCase(1, 13, 13, 16, 32, 3, 3, 1, 1, 1, 1, false, 1, true, true, -128, 2, 2, -3, false, false, true, 0),
                new ConvCase(1, 32, 32, 16, 16, 3, 3, 1, 1, 1, 1, true, 1, false, false, 128, 2, 1, 128, true, false, true, 1),
                new ConvCase(1, 9, 9, 100, 40, 1, 1, 1, 1, 1, 1, false, 1, true, true, 7, 1, 0, 0, false, false, true, 0),
                new ConvCase(1, 9, 9, 100, 40, 1, 1, 1, 1, 1, 1, false, 1, true, true, 7, 0, 2, 0, false, true, false, 0),
                new ConvCase(2, 5, 11, 3, 9, 1, 5, 2, 1, 1, 3, true, 1, false, true, 0, 1, 1, 77, true, false, true, 2),
            })
                { foreach (var e in entries) if (Runs(e, seed)) CheckConv(e, c, seed); seed++; }
        }

        /// <summary>
        /// QLINEAR_MATMUL: the Gemm/FC shape M = 1, several rows, batched with broadcasting (shared and per-batch B),
        /// depths around the steps, column tails, operand types, zero points, per-column zero points and scales, outputs.
        /// </summary>
        [Fact]
        public void MatMulSweepMatchesReference()
        {
            var entries = AllEntries(OpType.QLinearMatMul);
            Assert.NotEmpty(entries);
            int seed = 2000;
            foreach (int k in new[] { 1, 2, 3, 4, 5, 8, 15, 17, 32, 288, 301 })
                foreach (int n in new[] { 1, 3, 8, 10, 17, 32, 33 })
                    foreach (int m in new[] { 1, 3, 9 })
                    {
                        if (m != 1 && seed % 3 != 0) { seed++; continue; }
                        bool aS = seed % 2 == 0, bS = seed % 3 != 1;
                        var c = new MatMulCase(Array.Empty<int>(), Array.Empty<int>(), m, k, n, aS, bS, InZp(aS, seed), seed % 3,
                            seed % 4 == 3 ? 0 : 1 + seed % 2, (seed * 53) % 256 - 128, seed % 5 == 4, bS && seed % 4 == 0, seed % 6 != 5, seed % 3);
                        foreach (var e in entries) if (Runs(e, seed)) CheckMatMul(e, c, seed);
                        seed++;
                    }
            foreach (var (ab, bb) in new[]
            {
                (new[] { 3 }, new int[0]), (new[] { 2, 3 }, new[] { 3 }), (new[] { 2, 1 }, new[] { 1, 3 }), (new[] { 1 }, new[] { 4 }),
                (new[] { 2 }, new[] { 2 }),
            })
                foreach (bool sat in new[] { false, true })
                {
                    var c = new MatMulCase(ab, bb, 1 + seed % 5, 19 + seed % 7, 9 + seed % 11, seed % 2 == 0, true, InZp(seed % 2 == 0, seed), 2,
                        seed % 3, 11, seed % 2 == 1, sat, true, seed % 3);
                    foreach (var e in entries) if (Runs(e, seed)) CheckMatMul(e, c, seed);
                    seed++;
                }
        }

        /// <summary>Work split across two participants gives the same bytes.</summary>
        [Fact]
        public void TwoThreadsMatchReference()
        {
            if (!Avx2.IsSupported) return;
            int seed = 3000;
            foreach (var e in X86Entries(OpType.QLinearConv))
                foreach (bool sat in new[] { false, true })
                    CheckConv(e, new ConvCase(1, 20, 20, 8, 40, 3, 3, 1, 1, 1, 1, true, 1, false, true, 9, 0, 1, 3, false, sat, true, 0), seed++, threads: 2);
            foreach (var e in X86Entries(OpType.QLinearMatMul))
                CheckMatMul(e, new MatMulCase(new[] { 2 }, new int[0], 40, 64, 70, true, true, -3, 2, 2, 0, false, false, true, 0), seed++, threads: 2);
        }

        private static EdgeGraph BuildQuantize(int count, float scale, int zp, bool signed)
        {
            var g = new EdgeGraph();
            int i = g.AddTensor(new EdgeTensor { Name = "x", DType = DType.Float32, Shape = new[] { 1, count } });
            int o = g.AddTensor(new EdgeTensor { Name = "q", DType = T(signed), Shape = new[] { 1, count }, Scales = new[] { scale }, ZeroPoints = new[] { zp } });
            g.Inputs.Add(i);
            g.Outputs.Add(o);
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.Quantize, Inputs = new[] { i }, Outputs = new[] { o },
                Options = new AffineQuantizeOptions
                {
                    RequantRule = RequantRuleKind.OnnxRuntimeFloat, Scales = new[] { scale }, ZeroPoints = new[] { zp }, Scale = scale, ZeroPoint = zp,
                },
            });
            g.Metadata = new EdgeMetadata { SourceFormat = "test", SourceFile = "qlinear", SourceSha256 = new string('0', 64), ConverterVersion = "test" };
            return g;
        }

        /// <summary>
        /// ONNX QuantizeLinear float32 → uint8/int8: random bit patterns (NaN, ±∞, denormals, huge values) through the
        /// harness, and directed values — exact ties k + ½ of the scale (half to even), ±0, the clamp edges — with
        /// counts that leave a scalar tail.
        /// </summary>
        [Fact]
        public void QuantizeLinearMatchesReference()
        {
            const string entry = "f32-qx8-quantizelinear-avx2";
            Assert.Contains(entry, KernelCatalog.All.Select(e => e.Name));
            if (!Avx2.IsSupported) return;
            int seed = 4000;
            foreach (bool signed in new[] { false, true })
                foreach (int zp in signed ? new[] { -128, 0, 127, 5 } : new[] { 0, 255, 128, 3 })
                    foreach (float scale in new[] { 1f, 0.5f, 0.00390625f, 0.0123f, 3.7e-5f, 1e30f })
                        foreach (int count in new[] { 1, 7, 8, 9, 33, 784 })
                        {
                            var g = BuildQuantize(count, scale, zp, signed);
                            var r = SimdHarness.Compare(g, entry, seed++);
                            Assert.True(r.Applied, entry);
                            Assert.True(r.Difference == null, $"zp {zp} scale {scale} n {count}: {r.Difference}");
                            // Directed values.
                            var file = SimdHarness.Write(g);
                            var reference = EdgeModel.Load(file);
                            var provider = new SimdKernelProvider(KernelSetKind.X86) { Only = entry };
                            var fast = EdgeModel.Load(file, provider);
                            var ri = new Interpreter(reference, new byte[reference.ArenaBytes]);
                            var fi = new Interpreter(fast, new byte[fast.ArenaBytes]);
                            var rng = new Random(seed);
                            var x = new float[count];
                            for (int k = 0; k < count; k++)
                                x[k] = (k % 6) switch
                                {
                                    0 => (rng.Next(-300, 300) + 0.5f) * scale,
                                    1 => rng.Next(-300, 300) * scale,
                                    2 => k % 12 == 2 ? -0f : 0f,
                                    3 => (float)((rng.NextDouble() - 0.5) * 600 * scale),
                                    4 => (zp + (k % 2 == 0 ? 0.5f : -0.5f)) * scale * (signed ? 1 : -1),
                                    _ => float.NegativeInfinity,
                                };
                            var bytes = new byte[4 * count];
                            Buffer.BlockCopy(x, 0, bytes, 0, bytes.Length);
                            ri.SetInput(0, bytes, 0); fi.SetInput(0, bytes, 0);
                            ri.Invoke(); fi.Invoke();
                            var a = new byte[count]; var b = new byte[count];
                            ri.GetOutput(0, a, 0); fi.GetOutput(0, b, 0);
                            Assert.True(a.AsSpan().SequenceEqual(b), $"directed zp {zp} scale {scale} n {count}");
                        }
        }

        /// <summary>Random conv / matmul geometry and quantization (FsCheck) against the reference.</summary>
        [Property(MaxTest = 40)]
        public void RandomCasesMatchReference(int a, int b, int d, int e)
        {
            var rng = new Random(a ^ (b << 8) ^ (d << 16) ^ e);
            int seed = rng.Next();
            if (rng.Next(3) == 0)
            {
                bool aS = rng.Next(2) == 0, bS = rng.Next(2) == 0;
                var c = new MatMulCase(rng.Next(3) == 0 ? new[] { 1 + rng.Next(3) } : Array.Empty<int>(), Array.Empty<int>(), 1 + rng.Next(12),
                    1 + rng.Next(80), 1 + rng.Next(40), aS, bS, aS ? rng.Next(-128, 128) : rng.Next(256), rng.Next(3), rng.Next(3),
                    rng.Next(-128, 256), rng.Next(2) == 0, bS && rng.Next(2) == 0, rng.Next(4) != 0, rng.Next(3));
                foreach (var en in AllEntries(OpType.QLinearMatMul)) if (Runs(en, seed)) CheckMatMul(en, c, seed);
            }
            else
            {
                int k = 1 + 2 * rng.Next(3), s = 1 + rng.Next(2), dl = 1 + rng.Next(2), eff = (k - 1) * dl + 1;
                int group = rng.Next(4) == 0 ? 2 : 1;
                bool inS = rng.Next(2) == 0, wS = rng.Next(2) == 0;
                var c = new ConvCase(1 + rng.Next(2), eff + rng.Next(8), eff + rng.Next(8), group * (1 + rng.Next(10)), group * (1 + rng.Next(20)),
                    k, k, s, s, dl, dl, rng.Next(2) == 0, group, inS, wS, inS ? rng.Next(-128, 128) : rng.Next(256), rng.Next(3), rng.Next(3),
                    rng.Next(-128, 256), rng.Next(2) == 0, wS && rng.Next(2) == 0, rng.Next(4) != 0, rng.Next(3));
                foreach (var en in AllEntries(OpType.QLinearConv)) if (Runs(en, seed)) CheckConv(en, c, seed);
            }
        }
    }
}
