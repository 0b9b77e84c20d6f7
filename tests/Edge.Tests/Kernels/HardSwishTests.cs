using System;
using Edge.Converter.Ir;
using Edge.Converter.Quantization;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// HARD_SWISH int8 -> int8: the TFLM tests of tensorflow/lite/micro/kernels/hard_swish_test.cc
    /// (SimpleHardSwishTestInt8 with its std::minstd_rand inputs; SimpleHardSwishTestQuantizedBias adapted from
    /// uint8 to int8), exhaustive checks of all 256 inputs against <see cref="Literal"/> (a literal port of
    /// reference_ops::HardSwish&lt;int8_t&gt; with C++ int16_t semantics) over many scale / zero-point combinations,
    /// host-constant checks against an independent port of HardSwishPrepare, and int16 primitive checks.
    /// </summary>
    public class HardSwishTests
    {
        // ---- hard_swish_test.cc helpers ----------------------------------------------------------------

        private static float ScaleFromMinMaxInt8(float min, float max) =>
            (float)((max - min) / (float)((127 * 1.0) - (-128)));

        private static int ZeroPointFromMinMaxInt8(float min, float max) =>
            -128 + (int)(float)(-min / ScaleFromMinMaxInt8(min, max) + 0.5f);

        private static float ReferenceHardSwish(float input) =>
            (float)((float)(input * Math.Min(6.0f, Math.Max(0.0f, (float)(input + 3)))) * (1.0f / 6.0f));

        private static void GenerateUniformRandomVector(int size, float min, float max, NonlinearTestUtil.MinStdRand rng, float[] result)
        {
            float inv = 1.0f / (float)NonlinearTestUtil.MinStdRand.Modulus;
            for (int i = 0; i < size; i++)
            {
                float scaled01 = (float)((float)rng.Next() * inv);
                result[i] = (float)(min + (float)((max - min) * scaled01));
            }
        }

        private static byte[] RunKernel(float[] values, float inScale, int inZp, float outScale, int outZp, out HardSwishOptions p)
        {
            p = NonlinearParams.HardSwish(inScale, inZp, outScale, outZp);
            byte[] inQ = NonlinearTestUtil.QuantizeToBytes(values, inScale, inZp);
            var outQ = new byte[values.Length];
            Edge.Kernels.Reference.HardSwish.Eval(inQ, 0, outQ, 0, values.Length, p.InputZeroPoint, p.OutputZeroPoint,
                p.ReluishMultiplierFixedpointInt16, p.ReluishMultiplierExponent,
                p.OutputMultiplierFixedpointInt16, p.OutputMultiplierExponent);
            // Every TFLM-golden run is also checked bit for bit against the literal port.
            for (int i = 0; i < values.Length; i++)
                Assert.Equal(Literal.HardSwish((sbyte)inQ[i], p), (sbyte)outQ[i]);
            return outQ;
        }

        /// <summary>hard_swish_test.cc SimpleHardSwishTestInt8: 4 x 4 min/max pairs, 101 random inputs each.</summary>
        [Fact]
        public void TflmGolden_SimpleHardSwishTestInt8()
        {
            var rng = new NonlinearTestUtil.MinStdRand();
            float[][] minmax = { new[] { 0.0f, 1.0f }, new[] { -2.0f, 1.0f }, new[] { -5.0f, 10.0f }, new[] { -40.0f, 60.0f } };
            const int size = 101;
            var inputValues = new float[size];
            int checkedValues = 0;
            for (int x = 0; x < 4; x++)
            {
                for (int y = 0; y < 4; y++)
                {
                    float inMin = minmax[x][0], inMax = minmax[x][1], outMin = minmax[y][0], outMax = minmax[y][1];
                    float inScale = ScaleFromMinMaxInt8(inMin, inMax);
                    int inZp = ZeroPointFromMinMaxInt8(inMin, inMax);
                    float outScale = ScaleFromMinMaxInt8(outMin, outMax);
                    int outZp = ZeroPointFromMinMaxInt8(outMin, outMax);
                    float tolerance = (float)(Math.Max(inMax - inMin, outMax - outMin) * (1.5f / 256.0f));

                    GenerateUniformRandomVector(size, inMin, inMax, rng, inputValues);
                    var refOut = new float[size];
                    for (int i = 0; i < size; i++)
                        refOut[i] = Math.Min(outMax, Math.Max(outMin, ReferenceHardSwish(inputValues[i])));

                    HardSwishOptions p;
                    byte[] outQ = RunKernel(inputValues, inScale, inZp, outScale, outZp, out p);
                    for (int i = 0; i < size; i++)
                    {
                        float deq = (float)(((sbyte)outQ[i] - outZp) * outScale);
                        Assert.True(Math.Abs(refOut[i] - deq) <= tolerance,
                            "pair (" + x + "," + y + ") i " + i + ": ref " + refOut[i] + " got " + deq + " tol " + tolerance);
                        checkedValues++;
                    }
                }
            }
            Assert.Equal(16 * size, checkedValues);
        }

        /// <summary>
        /// hard_swish_test.cc SimpleHardSwishTestQuantizedBias, which TFLM runs on uint8; adapted to int8 by moving
        /// both zero points by -128 (the int8 kernel then computes exactly what the uint8 one does). Index
        /// arithmetic is kept in the uint8 form of the original.
        /// </summary>
        [Fact]
        public void TflmGolden_SimpleHardSwishTestQuantizedBias_AdaptedToInt8()
        {
            const int size = 43;
            const float inMin = -11.654928f, inMax = 25.036512f, outMin = -0.3905796f, outMax = 24.50887f;
            const float toleratedBias = 0.035f;
            float inScale = ScaleFromMinMaxInt8(inMin, inMax);
            float outScale = ScaleFromMinMaxInt8(outMin, outMax);
            int inZp = ZeroPointFromMinMaxInt8(inMin, inMax);
            int outZp = ZeroPointFromMinMaxInt8(outMin, outMax);
            float maxScale = Math.Max(outScale, inScale);

            int qNeg3 = (int)Math.Round((double)(float)(0 + (float)((-3.0f - inMin) / inScale)), MidpointRounding.AwayFromZero);
            int qPos3 = (int)Math.Round((double)(float)(0 + (float)((3.0f - inMin) / inScale)), MidpointRounding.AwayFromZero);
            var inputValues = new float[size];
            for (int i = qNeg3; i < size && i <= qPos3; i++) inputValues[i] = (float)(inMin + (float)(i * inScale));

            var refOut = new float[size];
            for (int i = 0; i < size; i++) refOut[i] = Math.Min(outMax, Math.Max(outMin, ReferenceHardSwish(inputValues[i])));

            HardSwishOptions p;
            byte[] outQ = RunKernel(inputValues, inScale, inZp, outScale, outZp, out p);
            float sumDiff = 0;
            for (int i = 0; i < size; i++) sumDiff += (float)(((sbyte)outQ[i] - outZp) * outScale) - refOut[i];
            float bias = sumDiff / (size * maxScale);
            Assert.True(Math.Abs(bias) <= toleratedBias, "bias " + bias);
        }

        /// <summary>All 256 inputs over seeded random scale / zero-point combinations: kernel == literal port.</summary>
        [Fact]
        public void Exhaustive256MatchesLiteralPort()
        {
            float[] inScales = { 0.0005f, 0.003f, 0.02f, 0.0235294122f, 0.05f, 0.1f, 0.3f, 1.0f, 5.0f, 40.0f };
            float[] outScales = { 0.0001f, 0.004f, 0.01f, 0.0235294122f, 0.05f, 0.1f, 0.5f, 4.0f };
            int[] zps = { -128, -100, -3, 0, 5, 77, 127 };
            var rng = new Random(2718);
            var input = new byte[256];
            for (int i = 0; i < 256; i++) input[i] = (byte)(i - 128);
            var output = new byte[256];
            int combos = 0, rejected = 0;
            foreach (float inScale in inScales)
            {
                foreach (float outScale in outScales)
                {
                    int inZp = zps[rng.Next(zps.Length)], outZp = zps[rng.Next(zps.Length)];
                    HardSwishOptions p;
                    string err = NonlinearParams.TryHardSwish(inScale, inZp, outScale, outZp, out p);
                    Literal.Params expectedParams;
                    bool ok = Literal.Prepare(inScale, inZp, outScale, outZp, out expectedParams);
                    Assert.Equal(ok, err == null);
                    if (!ok) { rejected++; continue; }
                    Assert.Equal(expectedParams.ReluishMultiplier, p.ReluishMultiplierFixedpointInt16);
                    Assert.Equal(expectedParams.ReluishExponent, p.ReluishMultiplierExponent);
                    Assert.Equal(expectedParams.OutputMultiplier, p.OutputMultiplierFixedpointInt16);
                    Assert.Equal(expectedParams.OutputExponent, p.OutputMultiplierExponent);

                    Edge.Kernels.Reference.HardSwish.Eval(input, 0, output, 0, 256, p.InputZeroPoint, p.OutputZeroPoint,
                        p.ReluishMultiplierFixedpointInt16, p.ReluishMultiplierExponent,
                        p.OutputMultiplierFixedpointInt16, p.OutputMultiplierExponent);
                    for (int i = 0; i < 256; i++)
                    {
                        sbyte expected = Literal.HardSwish((sbyte)(i - 128), expectedParams);
                        Assert.True(expected == (sbyte)output[i],
                            "in " + inScale + "/" + inZp + " out " + outScale + "/" + outZp + " x=" + (i - 128) +
                            " expected " + expected + " got " + (sbyte)output[i]);
                    }
                    combos++;
                }
            }
            Assert.True(combos >= 40, "combos " + combos);
            Assert.True(rejected > 0);   // input_scale / 128 >= output_scale is rejected, as TFLM does
        }

        [Fact]
        public void Int16PrimitivesMatchLiteralPort()
        {
            var rng = new Random(1618);
            for (int k = 0; k < 200000; k++)
            {
                short a = (short)rng.Next(short.MinValue, short.MaxValue + 1);
                short b = (short)rng.Next(short.MinValue, short.MaxValue + 1);
                if (k == 0) { a = short.MinValue; b = short.MinValue; }
                Assert.Equal(Literal.SaturatingRoundingDoublingHighMul(a, b), FixedPointExtra.SaturatingRoundingDoublingHighMul16(a, b));
                Assert.Equal(Literal.SaturatingDoublingHighMul(a, b), FixedPointExtra.SaturatingDoublingHighMul16(a, b));
                int e = rng.Next(32);
                Assert.Equal(Literal.RoundingDivideByPOT(a, e), FixedPointExtra.RoundingDivideByPOT16(a, e));
                int amount = rng.Next(31);
                Assert.Equal(Literal.SaturatingLeftShift(a, amount), FixedPointExtra.SaturatingLeftShift16(a, amount));
            }
        }

        [Fact]
        public void DownScaleInt32ToInt16Multiplier()
        {
            Assert.Equal(short.MaxValue, NonlinearParams.DownScaleInt32ToInt16Multiplier(int.MaxValue));
            Assert.Equal(short.MaxValue, NonlinearParams.DownScaleInt32ToInt16Multiplier(int.MaxValue - (1 << 15)));
            Assert.Equal((short)16384, NonlinearParams.DownScaleInt32ToInt16Multiplier(1 << 30));
            Assert.Equal((short)1, NonlinearParams.DownScaleInt32ToInt16Multiplier(1 << 15));
            Assert.Equal((short)0, NonlinearParams.DownScaleInt32ToInt16Multiplier((1 << 15) - 1));
        }

        /// <summary>
        /// Literal port of tensorflow/lite/kernels/internal/reference/hard_swish.h (HardSwish&lt;int8_t&gt;,
        /// SaturatingLeftShift, SaturatingDoublingHighMul), gemmlowp's int16 SaturatingRoundingDoublingHighMul and
        /// RoundingDivideByPOT&lt;int16_t&gt;, and TFLM HardSwishPrepare; every value C++ keeps in an int16_t passes
        /// through I16 (two's complement truncation).
        /// </summary>
        internal static class Literal
        {
            internal struct Params
            {
                public int InputZeroPoint, OutputZeroPoint;
                public short ReluishMultiplier, OutputMultiplier;
                public int ReluishExponent, OutputExponent;
            }

            private static short I16(long v) => unchecked((short)v);
            private static short MaskIfNonZero16(bool v) => v ? I16(~0) : (short)0;

            public static short SaturatingRoundingDoublingHighMul(short a, short b)
            {
                bool overflow = a == b && a == short.MinValue;
                int a32 = a, b32 = b;
                int ab32 = a32 * b32;
                short nudge = I16(ab32 >= 0 ? (1 << 14) : (1 - (1 << 14)));
                short abX2High16 = I16((ab32 + nudge) / (1 << 15));
                return overflow ? short.MaxValue : abX2High16;
            }

            public static short SaturatingDoublingHighMul(short a, short b)
            {
                bool overflow = a == b && a == short.MinValue;
                int a32 = a, b32 = b;
                int ab32 = a32 * b32;
                short abX2High16 = I16(ab32 / (1 << 15));
                return overflow ? short.MaxValue : abX2High16;
            }

            public static short RoundingDivideByPOT(short x, int exponent)
            {
                short mask = I16((1L << exponent) - 1);
                short zero = 0, one = 1;
                short remainder = I16(x & mask);
                short threshold = I16(I16(mask >> 1) + I16(MaskIfNonZero16(x < zero) & one));
                return I16(I16(x >> exponent) + I16(MaskIfNonZero16(remainder > threshold) & one));
            }

            public static short SaturatingLeftShift(short value, int amount)
            {
                long result = (long)value * (1 << amount);
                result = Math.Min(result, (long)short.MaxValue);
                result = Math.Max(result, (long)short.MinValue);
                return I16(result);
            }

            public static sbyte HardSwish(sbyte input, HardSwishOptions p)
            {
                var q = new Params
                {
                    InputZeroPoint = p.InputZeroPoint, OutputZeroPoint = p.OutputZeroPoint,
                    ReluishMultiplier = (short)p.ReluishMultiplierFixedpointInt16, ReluishExponent = p.ReluishMultiplierExponent,
                    OutputMultiplier = (short)p.OutputMultiplierFixedpointInt16, OutputExponent = p.OutputMultiplierExponent,
                };
                return HardSwish(input, q);
            }

            public static sbyte HardSwish(sbyte input, Params p)
            {
                short inputValue = I16(input - p.InputZeroPoint);
                short inputValueOnHiresInputScale = I16(inputValue * (1 << 7));
                short inputValueOnPreshiftOutputScale = SaturatingRoundingDoublingHighMul(inputValueOnHiresInputScale, p.OutputMultiplier);
                short reluishValue = inputValueOnHiresInputScale;
                if (p.ReluishExponent > 0) reluishValue = SaturatingLeftShift(reluishValue, p.ReluishExponent - 1);
                reluishValue = SaturatingRoundingDoublingHighMul(reluishValue, p.ReluishMultiplier);
                if (p.ReluishExponent > 0) reluishValue = SaturatingLeftShift(reluishValue, 1);
                if (p.ReluishExponent < 0) reluishValue = RoundingDivideByPOT(reluishValue, -p.ReluishExponent);
                reluishValue = I16((reluishValue + (1 << 15)) >> 1);
                short preshiftOutputValue = SaturatingDoublingHighMul(reluishValue, inputValueOnPreshiftOutputScale);
                short outputValue = RoundingDivideByPOT(preshiftOutputValue, -p.OutputExponent);
                outputValue = I16(outputValue + p.OutputZeroPoint);
                outputValue = Math.Min(outputValue, (short)sbyte.MaxValue);
                outputValue = Math.Max(outputValue, (short)sbyte.MinValue);
                return (sbyte)outputValue;
            }

            /// <summary>HardSwishPrepare (int8), with the float arithmetic of the C++.</summary>
            public static bool Prepare(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint, out Params p)
            {
                p = new Params { InputZeroPoint = inputZeroPoint, OutputZeroPoint = outputZeroPoint };
                float hiresInputScale = (float)((1.0f / 128.0f) * inputScale);
                float reluishScale = 3.0f / 32768.0f;
                double outputMultiplier = (float)(hiresInputScale / outputScale);
                int m32, e;
                NonlinearTestUtil.QuantizeMultiplier(outputMultiplier, out m32, out e);
                p.OutputMultiplier = DownScale(m32);
                p.OutputExponent = e;
                if (e > 0) return false;   // TF_LITE_ENSURE(output_multiplier_exponent <= 0)
                double reluishMultiplier = (float)(hiresInputScale / reluishScale);
                NonlinearTestUtil.QuantizeMultiplier(reluishMultiplier, out m32, out e);
                p.ReluishMultiplier = DownScale(m32);
                p.ReluishExponent = e;
                return true;
            }

            private static short DownScale(int m)
            {
                const int kRoundingOffset = 1 << 15;
                if (m >= int.MaxValue - kRoundingOffset) return short.MaxValue;
                return I16((m + kRoundingOffset) >> 16);
            }
        }
    }
}
