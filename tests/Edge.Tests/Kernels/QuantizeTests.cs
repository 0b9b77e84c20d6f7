using System;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Edge.Runtime;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// QUANTIZE reference kernels. int8 → int8 (Requantize): TFLM tensorflow/lite/micro/kernels/quantize_test.cc
    /// QuantizeOpTestInt8toInt8 / ...NoZeroPoint (exact). float32 → int8 (AffineQuantize): the same file's
    /// QuantizeOpTestInt16 / Int16NoScale data, whose values fit int8, with the golden produced by the test
    /// helper tflite::Quantize exactly as ValidateQuantizeGoldens does; plus differential tests against literal
    /// ports of Requantize and AffineQuantize.
    /// </summary>
    public class QuantizeTests
    {
        private static byte[] FloatBytes(float[] v)
        {
            var b = new byte[4 * v.Length];
            for (int i = 0; i < v.Length; i++) BitConverter.GetBytes(v[i]).CopyTo(b, 4 * i);
            return b;
        }

        [Theory]
        [InlineData("QuantizeOpTestInt8toInt8", new float[] { -64, -62, -60, -58, -56, 54, 56, 58, 60, 62 }, 2.0f, 0, 0.5f, 32)]
        [InlineData("QuantizeOpTestInt8toInt8NoZeroPoint", new float[] { -32, -31, -30, -29, -28, 27, 28, 29, 30, 31 }, 1.0f, 0, 0.5f, 0)]
        public void TflmRequantize(string name, float[] values, float inScale, int inZp, float outScale, int outZp)
        {
            sbyte[] input = Quantize(values, inScale, inZp);
            sbyte[] golden = Quantize(values, outScale, outZp);
            RequantizeParams p = QuantMath.RequantizeParams(inScale, inZp, outScale, outZp);
            var outBuf = new byte[values.Length];
            Edge.Kernels.Reference.Quantize.Requantize(Bytes(input), 0, values.Length, inZp, outZp, p.OutputMultiplier, p.OutputShift, outBuf, 0);
            Assert.True(golden.Length == values.Length, name);
            Assert.Equal(golden, SBytes(outBuf));
            // The shared requantize-form kernel (Relu.Eval with the int8 range) gives the same bytes.
            var viaRelu = new byte[values.Length];
            Relu.Eval(Bytes(input), 0, values.Length, p.InputOffset, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActMin, p.ActMax, viaRelu, 0);
            Assert.Equal(outBuf, viaRelu);
        }

        [Theory]
        [InlineData("QuantizeOpTestInt16 data", new float[] { -63.5f, -63, -62.5f, -62, -61.5f, 62, 62.5f, 63, 63.5f, 64 }, 0.5f, -1)]
        [InlineData("QuantizeOpTestInt16NoScale data", new float[] { -128, -127, -126, -125, -124, 123, 124, 125, 126, 127 }, 1.0f, 0)]
        public void TflmAffineQuantize(string name, float[] values, float scale, int zp)
        {
            var outBuf = new byte[values.Length + 2];
            const int inOff = 3;
            Edge.Kernels.Reference.Quantize.AffineQuantize(Embed(FloatBytes(values), inOff), inOff, values.Length, scale, zp, outBuf, 1);
            Assert.True(outBuf[0] == 0 && outBuf[values.Length + 1] == 0, name);
            Assert.Equal(Quantize(values, scale, zp), SBytes(outBuf, 1, values.Length));
        }

        /// <summary>Literal port of reference_ops::AffineQuantize&lt;float, int8_t&gt; (TfLiteRound on the float quotient).</summary>
        private static sbyte NaiveAffine(float val, float scale, int zp)
        {
            float q = val / scale;
            float r = MathF.Round(q, MidpointRounding.AwayFromZero);
            long unclamped = (long)Math.Clamp((double)r, int.MinValue, int.MaxValue) + zp;
            return (sbyte)Math.Min(Math.Max(unclamped, -128), 127);
        }

        [Fact]
        public void DifferentialAffineQuantize()
        {
            var rng = new Random(5);
            for (int round = 0; round < 200; round++)
            {
                float scale = (float)Math.Pow(10, rng.NextDouble() * 6 - 4);
                int zp = rng.Next(-128, 128);
                var values = new float[64];
                for (int i = 0; i < values.Length; i++)
                {
                    double k = rng.Next(-200, 200);
                    // Many exact ties (k + 0.5) · scale, plus arbitrary values and extremes.
                    values[i] = i % 3 == 0 ? (float)((k + 0.5) * scale) : i % 3 == 1 ? (float)(rng.NextDouble() * 400 - 200) * scale : (float)k * scale;
                }
                values[0] = float.MaxValue; values[1] = float.MinValue; values[2] = float.PositiveInfinity; values[3] = float.NegativeInfinity;
                values[4] = float.NaN; values[5] = -0.0f; values[6] = float.Epsilon; values[7] = 1e30f;
                var outBuf = new byte[values.Length];
                Edge.Kernels.Reference.Quantize.AffineQuantize(FloatBytes(values), 0, values.Length, scale, zp, outBuf, 0);
                for (int i = 0; i < values.Length; i++)
                {
                    sbyte expected = float.IsNaN(values[i]) ? (sbyte)Math.Min(Math.Max(zp, -128), 127) : NaiveAffine(values[i], scale, zp);
                    Assert.Equal(expected, (sbyte)outBuf[i]);
                }
            }
        }

        /// <summary>Literal port of reference_ops::Requantize&lt;int8_t, int8_t&gt; over all 256 inputs, random scales.</summary>
        [Fact]
        public void DifferentialRequantizeAllInputs()
        {
            var rng = new Random(9);
            var input = new byte[256];
            for (int i = 0; i < 256; i++) input[i] = (byte)i;
            for (int round = 0; round < 300; round++)
            {
                float inScale = (float)Math.Pow(10, rng.NextDouble() * 4 - 3);
                float outScale = (float)Math.Pow(10, rng.NextDouble() * 4 - 3);
                if (round % 10 == 0) outScale = inScale;
                int inZp = rng.Next(-128, 128), outZp = rng.Next(-128, 128);
                RequantizeParams p = QuantMath.RequantizeParams(inScale, inZp, outScale, outZp);
                var outBuf = new byte[256];
                Edge.Kernels.Reference.Quantize.Requantize(input, 0, 256, inZp, outZp, p.OutputMultiplier, p.OutputShift, outBuf, 0);
                for (int i = 0; i < 256; i++)
                {
                    int x = (sbyte)input[i] - inZp;
                    int output = FixedPoint.MultiplyByQuantizedMultiplier(x, p.OutputMultiplier, p.OutputShift) + outZp;
                    Assert.Equal(Math.Max(Math.Min(output, 127), -128), (sbyte)outBuf[i]);
                }
            }
        }
    }
}
