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
    /// Differential tests of the generic ADD / SUB / MUL / AVERAGE_POOL_2D / MAX_POOL_2D / MEAN kernels
    /// (kernels/simd/Generic/Elementwise*, Pool*, Mean*) against kernels/reference, for every catalog entry that
    /// runs here (portable, NEON model with and without dot product). The reference kernels are the oracle.
    /// </summary>
    public class ElementwiseKernelTests
    {
        private static string[] OurEntries(OpType op) => SimdHarness.Entries(op)
            .Where(n => (n.StartsWith("qs8-", StringComparison.Ordinal) || n.StartsWith("qu8-", StringComparison.Ordinal)) &&
                        (SimdHarness.SetOf(n) == KernelSetKind.Portable || SimdHarness.SetOf(n) == KernelSetKind.NeonModel))
            .ToArray();

        private static EdgeMetadata Meta() => new() { SourceFormat = "test", SourceFile = "elementwise", SourceSha256 = new string('0', 64), ConverterVersion = "test" };

        private static int[] BroadcastOf(int[] a, int[] b)
        {
            int rank = Math.Max(a.Length, b.Length);
            var o = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                int da = i - (rank - a.Length) < 0 ? 1 : a[i - (rank - a.Length)];
                int db = i - (rank - b.Length) < 0 ? 1 : b[i - (rank - b.Length)];
                o[i] = Math.Max(da, db);
            }
            return o;
        }

        /// <summary>Covered by our binary kernels: same 6-D shape, or one side broadcast along leading axes only.</summary>
        private static bool BinaryClaims(int[] a, int[] b, int[] o)
        {
            static int D(int[] s, int i) => i - (6 - s.Length) < 0 ? 1 : s[i - (6 - s.Length)];
            static bool Same(int[] s, int[] t) { for (int i = 0; i < 6; i++) if (D(s, i) != D(t, i)) return false; return true; }
            static bool Leading(int[] s, int[] t) { int k = 0; while (k < 6 && D(s, k) == 1) k++; for (int i = k; i < 6; i++) if (D(s, i) != D(t, i)) return false; return true; }
            return Same(a, b) || (Same(a, o) && Leading(b, o)) || (Same(b, o) && Leading(a, o));
        }

        public sealed record BinCase(OpType Op, int[] A, int[] B, float S1, int Zp1, float S2, int Zp2, float So, int ZpO, FusedActivation Act, bool Extreme)
        {
            public override string ToString() =>
                $"{Op} [{string.Join(",", A)}]x[{string.Join(",", B)}] s{S1}/{S2}->{So} zp{Zp1}/{Zp2}->{ZpO} {Act}{(Extreme ? " extreme" : "")}";
        }

        public static EdgeGraph BuildBinary(BinCase c, int seed)
        {
            var rng = new Random(seed);
            var o = BroadcastOf(c.A, c.B);
            OpOptions options;
            if (c.Op == OpType.Mul)
            {
                var p = QuantMath.MulParams(c.S1, c.Zp1, c.S2, c.Zp2, c.So, c.ZpO, c.Act);
                var mo = new MulOptions
                {
                    Input1Offset = p.Input1Offset, Input2Offset = p.Input2Offset, OutputOffset = p.OutputOffset,
                    OutputMultiplier = p.OutputMultiplier, OutputShift = p.OutputShift, ActMin = p.ActMin, ActMax = p.ActMax,
                };
                if (c.Extreme)
                {
                    mo.OutputMultiplier = rng.Next(2) == 0 ? int.MaxValue - rng.Next(3) : rng.Next(1 << 30, int.MaxValue);
                    mo.OutputShift = new[] { -31, -20, -8, -1, 0, 3, 9, 16, 30 }[rng.Next(9)];
                }
                options = mo;
            }
            else
            {
                var p = c.Op == OpType.Add
                    ? QuantMath.AddParams(c.S1, c.Zp1, c.S2, c.Zp2, c.So, c.ZpO, c.Act)
                    : QuantMath.SubParams(c.S1, c.Zp1, c.S2, c.Zp2, c.So, c.ZpO, c.Act);
                var ao = new AddSubOptions
                {
                    LeftShift = p.LeftShift,
                    Input1Offset = p.Input1Offset, Input1Multiplier = p.Input1Multiplier, Input1Shift = p.Input1Shift,
                    Input2Offset = p.Input2Offset, Input2Multiplier = p.Input2Multiplier, Input2Shift = p.Input2Shift,
                    OutputOffset = p.OutputOffset, OutputMultiplier = p.OutputMultiplier, OutputShift = p.OutputShift,
                    ActMin = p.ActMin, ActMax = p.ActMax,
                };
                if (c.Extreme)
                {
                    // Multipliers at/near 2^31 and 2^30, shifts across the whole non-positive range, left shifts up to 24 (wrapping).
                    int[] ms = { int.MaxValue, int.MaxValue - 1, 1 << 30, (1 << 30) + 1 };
                    int M() => rng.Next(2) == 0 ? ms[rng.Next(ms.Length)] : rng.Next(1 << 30, int.MaxValue);
                    ao.LeftShift = new[] { 20, 20, 0, 7, 24 }[rng.Next(5)];
                    ao.Input1Multiplier = M(); ao.Input2Multiplier = M(); ao.OutputMultiplier = M();
                    ao.Input1Shift = -rng.Next(0, 32); ao.Input2Shift = -rng.Next(0, 32); ao.OutputShift = -rng.Next(0, 32);
                }
                options = ao;
            }
            var g = new EdgeGraph();
            int ta = g.AddTensor(new EdgeTensor { Name = "a", DType = DType.Int8, Shape = c.A, Scales = new[] { c.S1 }, ZeroPoints = new[] { c.Zp1 } });
            int tb = g.AddTensor(new EdgeTensor { Name = "b", DType = DType.Int8, Shape = c.B, Scales = new[] { c.S2 }, ZeroPoints = new[] { c.Zp2 } });
            int to = g.AddTensor(new EdgeTensor { Name = "o", DType = DType.Int8, Shape = o, Scales = new[] { c.So }, ZeroPoints = new[] { c.ZpO } });
            g.Inputs.Add(ta); g.Inputs.Add(tb); g.Outputs.Add(to);
            g.Ops.Add(new EdgeOp { Type = c.Op, Inputs = new[] { ta, tb }, Outputs = new[] { to }, Options = options });
            g.Metadata = Meta();
            return g;
        }

        private static readonly int[][][] ShapePairs =
        {
            new[] { new[] { 1, 5, 7, 33 }, new[] { 1, 5, 7, 33 } },       // same
            new[] { new[] { 100 }, new[] { 100 } },
            new[] { new[] { 2, 3, 17 }, new[] { 1, 2, 3, 17 } },           // same after 6-D extension
            new[] { new[] { 1, 4, 4, 20 }, new[] { 1 } },                  // scalar second
            new[] { new[] { 1 }, new[] { 1, 3, 5, 7 } },                   // scalar first
            new[] { new[] { 1, 1, 1, 1 }, new[] { 2, 3, 3, 16 } },         // scalar first, 4-D
            new[] { new[] { 1, 4, 5, 24 }, new[] { 24 } },                 // per-channel
            new[] { new[] { 1, 1, 1, 3 }, new[] { 2, 3, 5, 3 } },          // per-channel first, tiny C
            new[] { new[] { 2, 3, 4, 5 }, new[] { 4, 5 } },                // trailing block
            new[] { new[] { 2, 2, 3, 2, 3, 17 }, new[] { 1, 1, 1, 1, 3, 17 } }, // 6-D
            new[] { new[] { 1, 4, 1, 8 }, new[] { 1, 1, 5, 8 } },          // both broadcast: not covered (reference)
            new[] { new[] { 1, 4, 5, 8 }, new[] { 1, 4, 1, 8 } },          // middle broadcast: not covered
            new[] { new[] { 3, 1 }, new[] { 3, 16 } },                     // inner broadcast: not covered
        };

        private static readonly (float S1, int Z1, float S2, int Z2, float So, int Zo, FusedActivation Act)[] Quants =
        {
            (0.05f, -128, 0.05f, 127, 0.1f, -128, FusedActivation.None),
            (1.0f, 127, 0.001f, -128, 0.02f, 127, FusedActivation.Relu),
            (0.003f, 0, 0.8f, 5, 2.0f, -3, FusedActivation.Relu6),
            (0.5f, -7, 0.25f, 9, 0.0005f, 11, FusedActivation.ReluN1To1),
        };

        private static void CheckBinary(string entry, BinCase c, int seed)
        {
            var r = SimdHarness.Compare(BuildBinary(c, seed), entry, seed);
            bool claims = BinaryClaims(c.A, c.B, BroadcastOf(c.A, c.B));
            Assert.True(claims == r.Applied, $"{entry}: Applied {r.Applied}, expected {claims} for {c}");
            Assert.True(r.Difference == null, $"{c}: {r.Difference}");
        }

        [Fact]
        public void EntriesAreRegistered()
        {
            foreach (var isa in new[] { "portable", "neondotmodel", "neonmodel" })
            {
                Assert.Contains($"qs8-vadd-minmax-gemmlowp-{isa}", OurEntries(OpType.Add));
                Assert.Contains($"qs8-vsub-minmax-gemmlowp-{isa}", OurEntries(OpType.Sub));
                Assert.Contains($"qs8-vmul-minmax-gemmlowp-{isa}", OurEntries(OpType.Mul));
                Assert.Contains($"qs8-avgpool2d-minmax-{isa}", OurEntries(OpType.AveragePool2D));
                Assert.Contains($"qs8-maxpool2d-minmax-{isa}", OurEntries(OpType.MaxPool2D));
                Assert.Contains($"qs8-mean-hw-gemmlowp-{isa}", OurEntries(OpType.Mean));
            }
        }

        [Theory]
        [InlineData(OpType.Add)]
        [InlineData(OpType.Sub)]
        [InlineData(OpType.Mul)]
        public void BinaryPortableSweep(OpType op)
        {
            var entry = OurEntries(op).Single(n => n.EndsWith("-portable", StringComparison.Ordinal));
            int seed = 10 + (int)op * 1000;
            foreach (var pair in ShapePairs)
                foreach (var q in Quants)
                    foreach (bool extreme in new[] { false, true })
                        CheckBinary(entry, new BinCase(op, pair[0], pair[1], q.S1, q.Z1, q.S2, q.Z2, q.So, q.Zo, q.Act, extreme), seed++);
        }

        [Theory]
        [InlineData(OpType.Add)]
        [InlineData(OpType.Sub)]
        [InlineData(OpType.Mul)]
        public void BinaryNeonModel(OpType op)
        {
            var entries = OurEntries(op).Where(n => SimdHarness.SetOf(n) == KernelSetKind.NeonModel).ToArray();
            Assert.Equal(2, entries.Length);
            int seed = 77 + (int)op * 1000;
            foreach (var e in entries)
                foreach (var pair in new[] { ShapePairs[0], ShapePairs[3], ShapePairs[4], ShapePairs[6], ShapePairs[7], ShapePairs[10] })
                    foreach (bool extreme in new[] { false, true })
                    {
                        var q = Quants[seed % Quants.Length];
                        CheckBinary(e, new BinCase(op, pair[0], pair[1], q.S1, q.Z1, q.S2, q.Z2, q.So, q.Zo, q.Act, extreme), seed++);
                    }
        }

        /// <summary>Random shapes (covered and uncovered broadcasts), zero points, scales and activations.</summary>
        [Property(MaxTest = 60)]
        public void BinaryPortableProperty(int a, int b, int d)
        {
            uint x = (uint)a, y = (uint)b, z = (uint)d;
            var op = new[] { OpType.Add, OpType.Sub, OpType.Mul }[x % 3];
            int rank = 1 + (int)((x / 3) % 4);
            var full = new int[rank];
            uint h = y;
            for (int i = 0; i < rank; i++) { full[i] = 1 + (int)(h % 7); h /= 7; }
            full[rank - 1] = 1 + (int)((z >> 20) % 40);
            var other = (int[])full.Clone();
            int pattern = (int)((x / 12) % 4);
            if (pattern == 1) other = new[] { 1 };
            else if (pattern == 2) other = full.Skip(Math.Min(rank - 1, (int)((x / 48) % (uint)rank))).ToArray();
            else if (pattern == 3) for (int i = 0; i < rank; i++) if (((z >> i) & 1) != 0) other[i] = 1;
            bool swap = ((z >> 8) & 1) != 0;
            float s1 = (float)Math.Pow(2, (int)(z % 13) - 8) * 0.37f, s2 = (float)Math.Pow(2, (int)((z >> 4) % 9) - 6) * 0.11f;
            float so = (float)Math.Pow(2, (int)((z >> 9) % 11) - 6) * 0.2f;
            so = Math.Max(so, Math.Max(s1, s2) / 100000f);   // ADD/SUB: the output multiplier must stay below one
            int z1 = (int)(y % 256) - 128, z2 = (int)((x >> 8) % 256) - 128, zo = (int)((z >> 12) % 256) - 128;
            var act = new[] { FusedActivation.None, FusedActivation.Relu, FusedActivation.Relu6, FusedActivation.ReluN1To1 }[(z >> 24) % 4];
            var c = new BinCase(op, swap ? other : full, swap ? full : other, s1, z1, s2, z2, so, zo, act, ((x >> 30) & 1) != 0);
            string entry = op switch { OpType.Add => "qs8-vadd-minmax-gemmlowp-portable", OpType.Sub => "qs8-vsub-minmax-gemmlowp-portable", _ => "qs8-vmul-minmax-gemmlowp-portable" };
            CheckBinary(entry, c, a ^ d);
        }

        // ------------------------------------------------------------------------------------------------ pooling

        public sealed record PoolCase(bool Max, int B, int H, int W, int C, int Fh, int Fw, int Sh, int Sw, bool Same, int ActMin, int ActMax, bool U8 = false)
        {
            public override string ToString() => $"{(Max ? "MAX" : "AVG")} {(U8 ? "u8" : "s8")} {B}x{H}x{W}x{C} f{Fh}x{Fw} s{Sh}x{Sw} {(Same ? "SAME" : "VALID")} [{ActMin},{ActMax}]";
        }

        private static int OutSize(int input, int k, int stride, bool same, out int padBefore, out int padAfter)
        {
            int output = same ? (input + stride - 1) / stride : (input - k + stride) / stride;
            int total = Math.Max((output - 1) * stride + k - input, 0);
            padBefore = same ? total / 2 : 0;
            padAfter = same ? total - total / 2 : 0;
            return output;
        }

        public static EdgeGraph BuildPool(PoolCase c)
        {
            int oh = OutSize(c.H, c.Fh, c.Sh, c.Same, out int pt, out int pb);
            int ow = OutSize(c.W, c.Fw, c.Sw, c.Same, out int pl, out int pr);
            var g = new EdgeGraph();
            var dt = c.U8 ? DType.UInt8 : DType.Int8;
            int ti = g.AddTensor(new EdgeTensor { Name = "in", DType = dt, Shape = new[] { c.B, c.H, c.W, c.C }, Scales = new[] { 0.1f }, ZeroPoints = new[] { 3 } });
            int to = g.AddTensor(new EdgeTensor { Name = "out", DType = dt, Shape = new[] { c.B, oh, ow, c.C }, Scales = new[] { 0.1f }, ZeroPoints = new[] { 3 } });
            g.Inputs.Add(ti); g.Outputs.Add(to);
            g.Ops.Add(new EdgeOp
            {
                Type = c.Max ? OpType.MaxPool2D : OpType.AveragePool2D, Inputs = new[] { ti }, Outputs = new[] { to },
                Options = new Pool2DOptions
                {
                    StrideW = c.Sw, StrideH = c.Sh, FilterW = c.Fw, FilterH = c.Fh,
                    PadTop = pt, PadLeft = pl, PadBottom = pb, PadRight = pr, ActMin = c.ActMin, ActMax = c.ActMax,
                },
            });
            g.Metadata = Meta();
            return g;
        }

        private static IEnumerable<PoolCase> PoolCases(bool max, bool small)
        {
            int i = 0;
            var chans = small ? new[] { 1, 17, 33 } : new[] { 1, 3, 5, 8, 15, 16, 17, 33, 64 };
            var geoms = new[] { (2, 2, 2, 2), (3, 3, 1, 1), (3, 3, 2, 2), (2, 3, 1, 2), (5, 5, 1, 1) };
            var acts = new[] { (-128, 127), (3, 127), (-100, 20), (0, 0) };
            foreach (int ch in chans)
                foreach (var (fh, fw, sh, sw) in geoms)
                    foreach (bool same in new[] { true, false })
                    {
                        var (lo, hi) = acts[i % acts.Length];
                        if (small && i % 3 != 0) { i++; continue; }
                        yield return new PoolCase(max, i % 5 == 0 ? 2 : 1, fh + 2 + i % 3, fw + 1 + i % 4, ch, fh, fw, sh, sw, same, lo, hi);
                        i++;
                    }
            if (!small)
            {
                yield return new PoolCase(max, 1, 7, 7, 40, 7, 7, 1, 1, false, -128, 127);      // global 7×7
                yield return new PoolCase(max, 1, 16, 16, 17, 16, 16, 16, 16, false, -128, 127); // 256-tap window (int16 limit)
                yield return new PoolCase(max, 1, 17, 17, 5, 17, 17, 1, 1, false, -128, 127);    // 289 taps: avg declines
            }
        }

        private static bool PoolClaims(PoolCase c) => c.Max || c.Fh * c.Fw <= 256;

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void PoolPortableSweep(bool max)
        {
            var entry = OurEntries(max ? OpType.MaxPool2D : OpType.AveragePool2D).Single(n => n.StartsWith("qs8-", StringComparison.Ordinal) && n.EndsWith("-portable", StringComparison.Ordinal));
            int seed = max ? 3000 : 4000;
            foreach (var c in PoolCases(max, false))
            {
                var r = SimdHarness.Compare(BuildPool(c), entry, seed++);
                Assert.True(PoolClaims(c) == r.Applied, $"{entry}: Applied {r.Applied} for {c}");
                Assert.True(r.Difference == null, $"{c}: {r.Difference}");
            }
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void PoolNeonModel(bool max)
        {
            var entries = OurEntries(max ? OpType.MaxPool2D : OpType.AveragePool2D).Where(n => n.StartsWith("qs8-", StringComparison.Ordinal) && SimdHarness.SetOf(n) == KernelSetKind.NeonModel).ToArray();
            Assert.Equal(2, entries.Length);
            int seed = max ? 5000 : 6000;
            foreach (var e in entries)
                foreach (var c in PoolCases(max, true))
                {
                    var r = SimdHarness.Compare(BuildPool(c), e, seed++);
                    Assert.True(r.Applied, $"{e} did not apply to {c}");
                    Assert.True(r.Difference == null, $"{c}: {r.Difference}");
                }
        }

        /// <summary>
        /// uint8 MAX_POOL_2D (ONNX): every set's qu8 entry over the int8 sweep's geometry with uint8 clamps (including
        /// empty ranges at the ends), byte-exact; the qs8 entries decline uint8 and the qu8 entries int8.
        /// </summary>
        [Fact]
        public void MaxPoolUInt8MatchesReference()
        {
            var entries = OurEntries(OpType.MaxPool2D).Where(n => n.StartsWith("qu8-", StringComparison.Ordinal)).ToArray();
            foreach (var isa in new[] { "portable", "neondotmodel", "neonmodel" }) Assert.Contains($"qu8-maxpool2d-minmax-{isa}", entries);
            var acts = new[] { (0, 255), (3, 255), (28, 148), (0, 0), (255, 255) };
            int seed = 7000, i = 0;
            foreach (var s8 in PoolCases(true, false))
            {
                var (lo, hi) = acts[i++ % acts.Length];
                var c = s8 with { U8 = true, ActMin = lo, ActMax = hi };
                foreach (var e in entries)
                {
                    if (SimdHarness.SetOf(e) == KernelSetKind.NeonModel && i % 4 != 0) continue;   // the model is slow
                    var r = SimdHarness.Compare(BuildPool(c), e, seed++);
                    Assert.True(r.Applied, $"{e} did not apply to {c}");
                    Assert.True(r.Difference == null, $"{c}: {r.Difference}");
                }
            }
            var signed = new PoolCase(true, 1, 6, 6, 17, 3, 3, 1, 1, true, -128, 127);
            var unsigned = signed with { U8 = true, ActMin = 0, ActMax = 255 };
            foreach (var e in OurEntries(OpType.MaxPool2D))
            {
                var r = SimdHarness.Compare(BuildPool(e.StartsWith("qu8-", StringComparison.Ordinal) ? signed : unsigned), e, seed++);
                Assert.False(r.Applied, $"{e} applied to the other signedness");
                Assert.Null(r.Difference);
            }
        }

        /// <summary>Average pooling with constant windows of extreme values (every rounding tie and the int16 bound).</summary>
        [Fact]
        public void AveragePoolExtremeSums()
        {
            foreach (var e in OurEntries(OpType.AveragePool2D))
            {
                if (SimdHarness.SetOf(e) == KernelSetKind.NeonModel && !e.EndsWith("-neonmodel", StringComparison.Ordinal)) continue;
                var c = new PoolCase(false, 1, 16, 16, 3, 16, 16, 16, 16, false, -128, 127);
                foreach (byte v in new byte[] { 0x80, 0x7F, 0xFF, 0x01 })
                {
                    var g = BuildPool(c);
                    var file = SimdHarness.Write(g);
                    var reference = EdgeModel.Load(file);
                    var provider = new SimdKernelProvider(SimdHarness.SetOf(e)) { Only = e };
                    var fast = EdgeModel.Load(file, provider);
                    Assert.Equal(e, provider.Chosen.Single());
                    var input = Enumerable.Repeat(v, reference.Input(0).SizeBytes).ToArray();
                    for (int k = 0; k < input.Length; k += 5) input[k] = (byte)(v ^ 0x80);
                    var ri = new Interpreter(reference, new byte[reference.ArenaBytes]);
                    var fi = new Interpreter(fast, new byte[fast.ArenaBytes]);
                    ri.SetInput(0, input, 0); fi.SetInput(0, input, 0);
                    ri.Invoke(); fi.Invoke();
                    var a = new byte[reference.Output(0).SizeBytes]; var b = new byte[a.Length];
                    ri.GetOutput(0, a, 0); fi.GetOutput(0, b, 0);
                    Assert.Equal(a, b);
                }
            }
        }

        // ------------------------------------------------------------------------------------------------ mean

        public static EdgeGraph BuildMean(int[] shape, int[] axes, bool keepDims, float inScale, int inZp, float outScale, int outZp)
        {
            var opts = NonlinearParams.Mean(shape, axes, keepDims, inScale, inZp, outScale, outZp);
            var outShape = new List<int>();
            for (int d = 0; d < shape.Length; d++)
            {
                if (opts.Axes.Contains(d)) { if (keepDims) outShape.Add(1); }
                else outShape.Add(shape[d]);
            }
            var g = new EdgeGraph();
            int ti = g.AddTensor(new EdgeTensor { Name = "in", DType = DType.Int8, Shape = shape, Scales = new[] { inScale }, ZeroPoints = new[] { inZp } });
            int to = g.AddTensor(new EdgeTensor { Name = "out", DType = DType.Int8, Shape = outShape.ToArray(), Scales = new[] { outScale }, ZeroPoints = new[] { outZp } });
            g.Inputs.Add(ti); g.Outputs.Add(to);
            g.Ops.Add(new EdgeOp { Type = OpType.Mean, Inputs = new[] { ti }, Outputs = new[] { to }, Options = opts });
            g.Metadata = Meta();
            return g;
        }

        [Fact]
        public void MeanMatchesReference()
        {
            var shapes = new[] { new[] { 1, 7, 7, 33 }, new[] { 2, 5, 3, 17 }, new[] { 1, 20, 20, 8 }, new[] { 1, 1, 1, 1 }, new[] { 3, 2, 9, 64 }, new[] { 1, 23, 23, 5 } };
            var quants = new[] { (0.1f, 3, 0.1f, 3), (0.1f, -128, 0.05f, 127), (0.02f, 127, 0.5f, -128), (0.7f, 0, 0.0007f, -5) };
            int seed = 8000;
            foreach (var e in OurEntries(OpType.Mean))
            {
                bool model = SimdHarness.SetOf(e) == KernelSetKind.NeonModel;
                foreach (var shape in model ? shapes.Take(4) : shapes)
                    foreach (var (si, zi, so, zo) in quants)
                        foreach (bool keep in new[] { true, false })
                        {
                            var r = SimdHarness.Compare(BuildMean(shape, new[] { 1, 2 }, keep, si, zi, so, zo), e, seed);
                            Assert.True(r.Applied, $"{e} did not apply to [{string.Join(",", shape)}]");
                            Assert.True(r.Difference == null, r.Difference);
                            seed++;
                        }
                // Other axes: declined (reference runs).
                var r2 = SimdHarness.Compare(BuildMean(new[] { 1, 4, 4, 8 }, new[] { 3 }, false, 0.1f, 1, 0.2f, 2), e, seed++);
                Assert.False(r2.Applied);
                Assert.True(r2.Difference == null, r2.Difference);
                var r3 = SimdHarness.Compare(BuildMean(new[] { 2, 4, 6 }, new[] { 1 }, true, 0.1f, 1, 0.2f, 2), e, seed++);
                Assert.False(r3.Applied);
                Assert.True(r3.Difference == null, r3.Difference);
            }
        }

        // ------------------------------------------------------------------------------------------------ allocation

        public static IEnumerable<object[]> AllocationGraphs()
        {
            yield return new object[] { "add", OpType.Add };
            yield return new object[] { "sub-scalar", OpType.Sub };
            yield return new object[] { "mul-channel", OpType.Mul };
            yield return new object[] { "avgpool", OpType.AveragePool2D };
            yield return new object[] { "maxpool", OpType.MaxPool2D };
            yield return new object[] { "maxpool-u8", OpType.MaxPool2D };
            yield return new object[] { "mean", OpType.Mean };
        }

        private static EdgeGraph AllocationGraph(string name) => name switch
        {
            "add" => BuildBinary(new BinCase(OpType.Add, new[] { 1, 8, 8, 33 }, new[] { 1, 8, 8, 33 }, 0.1f, 1, 0.2f, 2, 0.3f, 3, FusedActivation.None, false), 1),
            "sub-scalar" => BuildBinary(new BinCase(OpType.Sub, new[] { 1, 8, 8, 33 }, new[] { 1 }, 0.1f, 1, 0.2f, 2, 0.3f, 3, FusedActivation.None, false), 1),
            "mul-channel" => BuildBinary(new BinCase(OpType.Mul, new[] { 33 }, new[] { 1, 8, 8, 33 }, 0.1f, 1, 0.2f, 2, 0.3f, 3, FusedActivation.None, false), 1),
            "avgpool" => BuildPool(new PoolCase(false, 1, 9, 9, 33, 3, 3, 2, 2, true, -128, 127)),
            "maxpool" => BuildPool(new PoolCase(true, 1, 9, 9, 33, 3, 3, 2, 2, true, -128, 127)),
            "maxpool-u8" => BuildPool(new PoolCase(true, 1, 9, 9, 33, 3, 3, 2, 2, true, 0, 255, U8: true)),
            _ => BuildMean(new[] { 1, 9, 9, 33 }, new[] { 1, 2 }, true, 0.1f, 1, 0.2f, 2),
        };

        [Theory]
        [MemberData(nameof(AllocationGraphs))]
        public void InvokeAllocatesNothing(string name, OpType op)
        {
            var entry = OurEntries(op).Single(n => n.StartsWith(name.EndsWith("-u8", StringComparison.Ordinal) ? "qu8-" : "qs8-", StringComparison.Ordinal)
                                                   && n.EndsWith("-portable", StringComparison.Ordinal));
            var provider = new SimdKernelProvider(KernelSetKind.Portable) { Only = entry };
            var model = EdgeModel.Load(SimdHarness.Write(AllocationGraph(name)), provider);
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
    }
}
