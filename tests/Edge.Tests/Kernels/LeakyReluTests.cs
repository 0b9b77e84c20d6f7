using System;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Edge.Runtime;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// LEAKY_RELU reference kernel. Golden cases from TFLM's tensorflow/lite/micro/kernels/leaky_relu_test.cc
    /// (QuantizedActivationsOpTestLeakyReluInt8_1 / _2: outputs dequantized and compared with the test's tolerance);
    /// differential against a literal port of reference_ops::QuantizeLeakyRelu over all 256 inputs.
    /// </summary>
    public class LeakyReluTests
    {
        private static float[] RunDequantized(float[] input, float scale, int zp, float alpha)
        {
            LeakyReluParams p = QuantMath.LeakyReluParams(scale, zp, scale, zp, alpha);
            var outBuf = new byte[input.Length];
            LeakyRelu.Eval(Bytes(Quantize(input, scale, zp)), 0, input.Length, p.InputOffset, p.OutputOffset,
                p.OutputMultiplierIdentity, p.OutputShiftIdentity, p.OutputMultiplierAlpha, p.OutputShiftAlpha, outBuf, 0);
            var r = new float[input.Length];
            for (int i = 0; i < r.Length; i++) r[i] = ((sbyte)outBuf[i] - zp) * scale;   // tflite::Dequantize
            return r;
        }

        private const float kQuantizedTolerance = 2 * (1.0f / 256);

        [Fact]
        public void TflmQuantizedActivationsOpTestLeakyReluInt8_1()
        {
            float[] r = RunDequantized(new[] { 0.0f, 1.0f, 3.0f, 1.0f, -1.0f, -2.0f }, 0.1f, 0, 0.5f);
            float[] expect = { 0.0f, 1.0f, 3.0f, 1.0f, -0.5f, -1.0f };
            for (int i = 0; i < r.Length; i++) Assert.InRange(r[i], expect[i] - kQuantizedTolerance, expect[i] + kQuantizedTolerance);
        }

        [Fact]
        public void TflmQuantizedActivationsOpTestLeakyReluInt8_2()
        {
            float[] input = {
                -5.0f, -4.6f, -4.2f, -3.8f, -3.4f, -3.0f, -2.6f, -2.2f, -1.8f, -1.4f, -1.0f, -0.6f, -0.2f, 0.2f, 0.6f,
                1.0f, 1.4f, 1.8f, 2.2f, 2.6f, 3.0f, 3.4f, 3.8f, 4.2f, 4.6f };
            float[] expect = {
                -0.50f, -0.46f, -0.42f, -0.38f, -0.34f, -0.30f, -0.26f, -0.22f, -0.18f, -0.14f, -0.10f, -0.06f, -0.02f, 0.20f, 0.60f,
                1.00f, 1.40f, 1.80f, 2.20f, 2.60f, 3.00f, 3.40f, 3.80f, 4.20f, 4.60f };
            // ScaleFromMinMax / ZeroPointFromMinMax<int8_t> (test_helpers.h) over [5·(−1), 5·(127/128)].
            const float kMin = -1;
            float kMax = 127 / (float)128;
            float dataMin = 5 * kMin, dataMax = 5 * kMax;
            float scale = (dataMax - dataMin) / (float)(127 * 1.0 - (-128));
            int zp = -128 + (int)(-dataMin / scale + 0.5f);
            float[] r = RunDequantized(input, scale, zp, 0.1f);
            for (int i = 0; i < r.Length; i++) Assert.InRange(r[i], expect[i] - 5 * kQuantizedTolerance, expect[i] + 5 * kQuantizedTolerance);
        }

        [Fact]
        public void DifferentialAllInputs()
        {
            var rng = new Random(33);
            var input = new byte[256];
            for (int i = 0; i < 256; i++) input[i] = (byte)i;
            for (int round = 0; round < 300; round++)
            {
                float inScale = (float)Math.Pow(10, rng.NextDouble() * 3 - 3);
                float outScale = (float)Math.Pow(10, rng.NextDouble() * 3 - 3);
                float alpha = round % 4 == 0 ? -(float)rng.NextDouble() : (float)(rng.NextDouble() * 1.5);
                int inZp = rng.Next(-128, 128), outZp = rng.Next(-128, 128);
                LeakyReluParams p = QuantMath.LeakyReluParams(inScale, inZp, outScale, outZp, alpha);
                var outBuf = new byte[256];
                LeakyRelu.Eval(input, 0, 256, p.InputOffset, p.OutputOffset, p.OutputMultiplierIdentity, p.OutputShiftIdentity,
                    p.OutputMultiplierAlpha, p.OutputShiftAlpha, outBuf, 0);
                for (int i = 0; i < 256; i++)
                {
                    int inputValue = (sbyte)input[i] - inZp;   // TFLM LeakyReluParams.input_offset = +zp
                    int unclamped = inputValue >= 0
                        ? outZp + FixedPoint.MultiplyByQuantizedMultiplier(inputValue, p.OutputMultiplierIdentity, p.OutputShiftIdentity)
                        : outZp + FixedPoint.MultiplyByQuantizedMultiplier(inputValue, p.OutputMultiplierAlpha, p.OutputShiftAlpha);
                    Assert.Equal(Math.Min(127, Math.Max(-128, unclamped)), (sbyte)outBuf[i]);
                }
            }
        }
    }
}
