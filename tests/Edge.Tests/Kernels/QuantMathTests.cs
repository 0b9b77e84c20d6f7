using System;
using Edge.Converter.Quantization;
using Xunit;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// Host-side constant computation. QuantizeMultiplier goldens are TFLite's
    /// tensorflow/lite/kernels/internal/quantization_util_test.cc (QuantizeMultiplier,
    /// QuantizeMultiplierSmallerThanOneExp, QuantizeMultiplierGreaterThanOne, QuantizeMultiplierUnderflow; the same
    /// values appear in its Android NN copy); the rest are properties of frexp/round and of the bias fold.
    /// </summary>
    public class QuantMathTests
    {
        [Theory]
        [InlineData(-4, -1073741824, 3)]
        [InlineData(-2, -1073741824, 2)]
        [InlineData(-1, -1073741824, 1)]
        [InlineData(-0.5, -1073741824, 0)]
        [InlineData(-0.25, -1073741824, -1)]
        [InlineData(-0.125, -1073741824, -2)]
        [InlineData(0, 0, 0)]
        [InlineData(0.125, 1073741824, -2)]
        [InlineData(0.25, 1073741824, -1)]
        [InlineData(0.5, 1073741824, 0)]
        [InlineData(1, 1073741824, 1)]
        [InlineData(2, 1073741824, 2)]
        [InlineData(4, 1073741824, 3)]
        public void QuantizeMultiplierGoldens(double value, int q, int shift)
        {
            Assert.Equal(new QuantizedMultiplier(q, shift), QuantMath.QuantizeMultiplier(value));
        }

        [Theory]
        [InlineData(0.25, 1073741824, -1)]
        [InlineData(0.50 - 5e-9, 2147483627, -1)]
        [InlineData(0.50 - 1e-10, 1073741824, 0)]
        [InlineData(0.50, 1073741824, 0)]
        [InlineData(0.75, 1610612736, 0)]
        [InlineData(1 - 1e-9, 2147483646, 0)]
        public void QuantizeMultiplierSmallerThanOneExpGoldens(double value, int q, int shift)
        {
            Assert.Equal(new QuantizedMultiplier(q, shift), QuantMath.QuantizeMultiplierSmallerThanOneExp(value));
        }

        [Theory]
        [InlineData(-0.1)]
        [InlineData(0.0)]
        [InlineData(1 - 1e-15)]
        [InlineData(1.0)]
        public void QuantizeMultiplierSmallerThanOneExpRejects(double value)
        {
            Assert.Throws<ArgumentException>(() => QuantMath.QuantizeMultiplierSmallerThanOneExp(value));
        }

        [Theory]
        [InlineData(1 + 1e-11, 1073741824, 1)]
        [InlineData(1.25, 1342177280, 1)]
        [InlineData(1.50, 1610612736, 1)]
        [InlineData(1.75, 1879048192, 1)]
        [InlineData(2 - 1e-9, 2147483647, 1)]
        [InlineData(2 - 1e-11, 1073741824, 2)]
        [InlineData(2, 1073741824, 2)]
        public void QuantizeMultiplierGreaterThanOneGoldens(double value, int q, int shift)
        {
            Assert.Equal(new QuantizedMultiplier(q, shift), QuantMath.QuantizeMultiplierGreaterThanOne(value));
        }

        [Fact]
        public void QuantizeMultiplierUnderflow()
        {
            Assert.Equal(new QuantizedMultiplier(1073741824, -30), QuantMath.QuantizeMultiplier(Math.ScaleB(1.0f, -31)));
            Assert.Equal(new QuantizedMultiplier(1073741824, -31), QuantMath.QuantizeMultiplier(Math.ScaleB(1.0f, -32)));
            Assert.Equal(new QuantizedMultiplier(0, 0), QuantMath.QuantizeMultiplier(Math.ScaleB(0.99f, -32)));
            Assert.Equal(new QuantizedMultiplier(0, 0), QuantMath.QuantizeMultiplier(Math.ScaleB(1.0f, -33)));
        }

        /// <summary>Frexp agrees with Math.ILogB/ScaleB (an independent exact decomposition), including subnormals.</summary>
        [Fact]
        public void FrexpMatchesILogB()
        {
            var rng = new Random(1);
            for (int i = 0; i < 100000; i++)
            {
                double x = BitConverter.Int64BitsToDouble(((long)rng.Next() << 32) | (uint)rng.Next());
                if (double.IsNaN(x) || double.IsInfinity(x) || x == 0) continue;
                double q = QuantMath.Frexp(x, out int e);
                Assert.Equal(Math.ILogB(x) + 1, e);
                Assert.Equal(Math.ScaleB(x, -e), q);
                Assert.InRange(Math.Abs(q), 0.5, 0.9999999999999999);
            }
        }

        /// <summary>
        /// For random positive multipliers the result is the Q31 significand rounded half away from zero:
        /// q ∈ [2^30, 2^31) (or 0 after underflow), and |q·2^(shift−31) − d| ≤ 2^(shift−32).
        /// </summary>
        [Fact]
        public void QuantizeMultiplierRoundsTheSignificand()
        {
            var rng = new Random(2);
            for (int i = 0; i < 100000; i++)
            {
                double d = Math.Pow(2, rng.NextDouble() * 60 - 40) * (1 + rng.NextDouble());
                QuantizedMultiplier r = QuantMath.QuantizeMultiplier(d);
                if (r.Multiplier == 0) { Assert.True(d < Math.ScaleB(1.0, -32)); continue; }
                Assert.InRange(r.Multiplier, 1 << 30, int.MaxValue);
                double back = r.Multiplier * Math.ScaleB(1.0, r.Shift - 31);
                Assert.True(Math.Abs(back - d) <= Math.ScaleB(1.0, r.Shift - 32), "d=" + d);
            }
        }

        /// <summary>The fold identity the conv/FC kernels rely on, for random filters, zero points and biases (wrapping).</summary>
        [Fact]
        public void FoldBiasIdentity()
        {
            var rng = new Random(4);
            for (int round = 0; round < 200; round++)
            {
                int outC = rng.Next(1, 9), taps = rng.Next(1, 40);
                var filter = new byte[outC * taps];
                rng.NextBytes(filter);
                int[] bias = round % 3 == 0 ? null : new int[outC];
                if (bias != null) for (int i = 0; i < outC; i++) bias[i] = rng.Next(int.MinValue, int.MaxValue);
                int zp = rng.Next(-128, 128);
                int[] outer = QuantMath.FoldBiasOutputChannelOuter(filter, outC, bias, zp);
                // The depthwise layout is the transpose [taps, outC].
                var dw = new byte[filter.Length];
                for (int c = 0; c < outC; c++) for (int t = 0; t < taps; t++) dw[t * outC + c] = filter[c * taps + t];
                int[] inner = QuantMath.FoldBiasDepthwise(dw, outC, bias, zp);
                for (int c = 0; c < outC; c++)
                {
                    long sum = 0;
                    for (int t = 0; t < taps; t++) sum += (sbyte)filter[c * taps + t];
                    int expected = unchecked((int)((bias == null ? 0 : bias[c]) - (long)zp * sum));
                    Assert.Equal(expected, outer[c]);
                    Assert.Equal(expected, inner[c]);
                }
            }
        }

        /// <summary>
        /// FULLY_CONNECTED per-tensor multipliers use TFLM's float product input_scale · filter_scale (then double);
        /// per-channel ones the double product. Find scales where the two differ and check each path takes its own.
        /// </summary>
        [Fact]
        public void FullyConnectedPerTensorUsesFloatProduct()
        {
            var rng = new Random(6);
            int differing = 0;
            for (int i = 0; i < 20000 && differing < 50; i++)
            {
                float si = (float)rng.NextDouble(), sf = (float)rng.NextDouble() * 0.01f, so = (float)rng.NextDouble();
                QuantizedMultiplier fl = QuantMath.QuantizeMultiplier((double)(si * sf) / so);
                QuantizedMultiplier db = QuantMath.QuantizeMultiplier((double)si * sf / so);
                ChannelMultipliers perTensor = QuantMath.FullyConnectedMultipliers(si, new[] { sf }, so, 3);
                ChannelMultipliers perChannel = QuantMath.FullyConnectedMultipliers(si, new[] { sf, sf }, so, 2);
                Assert.Equal(fl.Multiplier, perTensor.Multipliers[2]);
                Assert.Equal(fl.Shift, perTensor.Shifts[2]);
                Assert.Equal(db.Multiplier, perChannel.Multipliers[1]);
                Assert.Equal(db.Shift, perChannel.Shifts[1]);
                if (fl != db) differing++;
            }
            Assert.True(differing > 0, "no scale triple distinguished the two formulas");
        }

        /// <summary>TfLiteRound on floats: half away from zero, including the 0.49999997f trap of naive floor(x + 0.5f).</summary>
        [Fact]
        public void RoundHalfAwayFromZero()
        {
            var rng = new Random(8);
            for (int i = 0; i < 100000; i++)
            {
                float v = BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue));
                if (float.IsNaN(v)) continue;
                Assert.Equal(MathF.Round(v, MidpointRounding.AwayFromZero), QuantMath.RoundHalfAwayFromZero(v));
            }
            Assert.Equal(0f, QuantMath.RoundHalfAwayFromZero(0.49999997f));
            Assert.Equal(-3f, QuantMath.RoundHalfAwayFromZero(-2.5f));
        }
    }
}
