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
    /// Differential tests of the generic FULLY_CONNECTED GEMM kernels (kernels/simd/Generic/ConvGemmKernels.cs)
    /// against kernels/reference/FullyConnected.cs for every catalog entry that runs here.
    /// </summary>
    public class FcKernelTests
    {
        public sealed record FcCase(int Batches, int InC, int Units, int InZp, int OutZp, FusedActivation Act, int ShiftMode, bool PerChannel = true)
        {
            public override string ToString() =>
                $"{Batches}x{InC}->{Units} zp{InZp}/{OutZp} {Act} shifts{ShiftMode} {(PerChannel ? "per-channel" : "per-tensor")}";
        }

        private static string[] Entries() => ConvKernelTests.OurEntries(OpType.FullyConnected, "qs8-fc-");
        private static string[] Portable() => Entries().Where(n => n.EndsWith("-portable", StringComparison.Ordinal)).ToArray();

        /// <summary>A one-op FULLY_CONNECTED graph built the way the converter builds it.</summary>
        public static EdgeGraph Build(FcCase c, int seed)
        {
            var rng = new Random(seed);
            var weights = new byte[c.Units * c.InC];
            rng.NextBytes(weights);
            if (weights.Length > 1) { weights[0] = 0x80; weights[^1] = 0x7F; }
            int[] folded = QuantMath.FoldBiasOutputChannelOuter(weights, c.Units, ConvKernelTests.Bias(rng, c.Units), c.InZp);
            float inScale = 0.05f, outScale = 0.1f;
            int[] mult, shift;
            if (c.PerChannel) (mult, shift) = ConvKernelTests.Multipliers(rng, c.ShiftMode, c.Units, inScale, outScale);
            else
            {
                var q = QuantMath.FullyConnectedMultipliers(inScale, new[] { 0.004f }, outScale, c.Units);
                mult = q.Multipliers; shift = q.Shifts;
            }
            var range = QuantMath.CalculateActivationRangeQuantized(c.Act, outScale, c.OutZp);

            var g = new EdgeGraph();
            int input = g.AddTensor(new EdgeTensor { Name = "in", DType = DType.Int8, Shape = new[] { c.Batches, c.InC }, Scales = new[] { inScale }, ZeroPoints = new[] { c.InZp } });
            int w = g.AddTensor(new EdgeTensor
            {
                Name = "weights", DType = DType.Int8, Shape = new[] { c.Units, c.InC },
                Scales = c.PerChannel ? Enumerable.Repeat(0.004f, c.Units).ToArray() : new[] { 0.004f },
                ZeroPoints = c.PerChannel ? new int[c.Units] : new[] { 0 }, QuantizedDimension = 0, Data = weights,
            });
            int b = g.AddTensor(new EdgeTensor { Name = "bias", DType = DType.Int32, Shape = new[] { c.Units }, Data = DepthwiseKernelTests.Ints(folded) });
            int o = g.AddTensor(new EdgeTensor { Name = "out", DType = DType.Int8, Shape = new[] { c.Batches, c.Units }, Scales = new[] { outScale }, ZeroPoints = new[] { c.OutZp } });
            g.Inputs.Add(input);
            g.Outputs.Add(o);
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.FullyConnected, Inputs = new[] { input, w, b }, Outputs = new[] { o },
                Options = new FullyConnectedOptions
                {
                    InputZeroPoint = c.InZp, OutputZeroPoint = c.OutZp, ActMin = range.Min, ActMax = range.Max,
                    OutputMultiplier = mult, OutputShift = shift,
                },
                Macs = (long)c.Batches * c.Units * c.InC,
            });
            g.Metadata = new EdgeMetadata { SourceFormat = "test", SourceFile = "fc", SourceSha256 = new string('0', 64), ConverterVersion = "test" };
            return g;
        }

        private static void Check(string entry, FcCase c, int seed, int threads = 1)
        {
            var r = SimdHarness.Compare(Build(c, seed), entry, seed, threads);
            Assert.True(r.Applied, $"{entry} did not apply to {c}");
            Assert.True(r.PackedBytes > 0, $"{entry}: packed bytes not counted");
            Assert.True(r.Difference == null, $"{c}: {r.Difference}");
        }

        private static readonly int[] InChannels = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100 };
        private static readonly int[] Units = { 1, 3, 5, 8, 13, 16, 17, 33 };
        private static readonly int[] Batches = { 1, 2, 3, 4, 5, 9 };

        [Fact]
        public void EntriesAreRegistered()
        {
            var names = Entries();
            Assert.Contains("qs8-fc-4x8c4-gemmlowp-portable", names);
            Assert.Contains("qs8-fc-4x8-gemmlowp-portable", names);
            Assert.Contains("qs8-fc-4x8c4-gemmlowp-neondotmodel", names);
            Assert.Contains("qs8-fc-4x8-gemmlowp-neondotmodel", names);
            Assert.Contains("qs8-fc-4x8-gemmlowp-neonmodel", names);
        }

        /// <summary>Input depth × units × batches (the 4-row tile, the 1-row tail and both), zero points, multipliers, activations.</summary>
        [Fact]
        public void PortableSweepMatchesReference()
        {
            var entries = Portable();
            Assert.Equal(2, entries.Length);
            int seed = 1;
            foreach (int ic in InChannels)
                foreach (int u in Units)
                {
                    var c = new FcCase(Batches[seed % Batches.Length], ic, u,
                        ConvKernelTests.ZeroPoints[seed % 5], ConvKernelTests.ZeroPoints[(seed / 2) % 5],
                        ConvKernelTests.Acts[seed % 4], seed % 3, PerChannel: seed % 4 != 0);
                    foreach (var e in entries) Check(e, c, seed);
                    seed++;
                }
        }

        [Fact]
        public void NeonModelMatchesReference()
        {
            var entries = Entries().Where(n => SimdHarness.SetOf(n) == KernelSetKind.NeonModel).ToArray();
            Assert.Equal(3, entries.Length);
            int seed = 400;
            foreach (int ic in new[] { 1, 3, 4, 7, 9, 16, 17, 33 })
                foreach (int u in new[] { 1, 5, 8, 13, 17 })
                {
                    var c = new FcCase(1 + seed % 6, ic, u, ConvKernelTests.ZeroPoints[seed % 5], ConvKernelTests.ZeroPoints[(seed / 3) % 5],
                        ConvKernelTests.Acts[seed % 4], 1 + seed % 2);
                    foreach (var e in entries) Check(e, c, seed);
                    seed++;
                }
        }

        [Fact]
        public void TwoThreadsMatchReference()
        {
            int seed = 60;
            foreach (var c in new[]
            {
                new FcCase(1, 256, 131, -128, 5, FusedActivation.None, 1),   // batch 1: channel blocks split
                new FcCase(11, 67, 40, 127, -128, FusedActivation.Relu, 2),
                new FcCase(2, 300, 200, 0, 0, FusedActivation.Relu6, 0),
            })
                foreach (var e in Portable()) Check(e, c, seed++, threads: 2);
            foreach (var e in Entries().Where(n => SimdHarness.SetOf(n) == KernelSetKind.NeonModel))
                Check(e, new FcCase(1, 150, 40, -7, 3, FusedActivation.None, 1), seed++, threads: 2);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void InvokeAllocatesNothing(int threads)
        {
            foreach (var c in new[] { new FcCase(1, 513, 257, -3, 4, FusedActivation.None, 0), new FcCase(6, 63, 30, 5, -4, FusedActivation.Relu, 0) })
                foreach (var e in Portable())
                    ConvKernelTests.AssertNoAllocation(e, Build(c, 5), threads);
        }

        [Property(MaxTest = 60)]
        public void PortableProperty(int a, int b, int d)
        {
            uint x = (uint)a, y = (uint)b, z = (uint)d;
            var c = new FcCase(1 + (int)(x % 9), 1 + (int)((x / 9) % 130), 1 + (int)(y % 70),
                (int)(z % 256) - 128, (int)((z >> 8) % 256) - 128, ConvKernelTests.Acts[(z >> 16) % 4], (int)((y / 70) % 3),
                PerChannel: ((z >> 18) & 1) == 0);
            foreach (var e in Portable()) Check(e, c, a ^ d);
        }
    }
}
