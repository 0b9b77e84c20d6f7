using System;
using System.Collections.Generic;
using Edge.Converter.Ir;
using Edge.Converter.Quantization;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// LOGISTIC int8 -> int8: TFLM golden vectors (tensorflow/lite/micro/kernels/logistic_test.cc), exhaustive
    /// checks of all 256 inputs against <see cref="NonlinearTflmLiteral.Logistic"/> (literal port of
    /// reference_integer_ops::Logistic over <see cref="GemmlowpLiteral"/>) for several scale / zero-point pairs, and
    /// host-constant checks against an independent port of TFLM's CalculateArithmeticOpDataLogistic.
    /// </summary>
    public class LogisticTests
    {
        private static readonly float[] InputBasic = { 1, 2, 3, 4, 5, -1, -2, -3, -4, -5 };
        private static readonly float[] GoldenBasic =
        {
            0.73105858f, 0.88079708f, 0.95257413f, 0.98201379f, 0.99330715f,
            0.26894142f, 0.11920292f, 0.04742587f, 0.01798621f, 0.00669285f,
        };
        private static readonly float[] InputWideRange = { 1.0f, 2.0f, 3.0f, 4.0f, 93.0f, -1.0f, -2.0f, -3.0f, -4.0f, -93.0f };
        private static readonly float[] GoldenWideRange =
        {
            0.73105858f, 0.88079708f, 0.95257413f, 0.98201379f, 1.0f,
            0.26894142f, 0.11920292f, 0.04742587f, 0.01798621f, 0.0f,
        };

        public static IEnumerable<object[]> TflmGoldenCases()
        {
            // TFLM test name, input, golden, input scale (input zero point 0 in both)
            yield return new object[] { "LogisticQuantizedInt8BasicShouldMatchGolden", InputBasic, GoldenBasic, 0.1f };
            yield return new object[] { "LogisticQuantizedInt8WideRangeShouldMatchGolden", InputWideRange, GoldenWideRange, 1.0f };
        }

        /// <summary>
        /// logistic_test.cc TestLogisticQuantized&lt;int8_t&gt;: output quantization (1/255, -128) -- TFLM's own test
        /// uses 1/255 although the kernel writes the 1/256 grid -- golden quantized with tflite::Quantize,
        /// EXPECT_NEAR tolerance 1.
        /// </summary>
        [Theory]
        [MemberData(nameof(TflmGoldenCases))]
        public void TflmGolden(string tflmTest, float[] input, float[] golden, float inputScale)
        {
            const float outputScale = (float)(1.0 / 255.0);   // quantized_output_scale_int8
            const int outputZeroPoint = -128;
            SigmoidTanhOptions p;
            string warning;
            Assert.Null(NonlinearParams.TryLogistic(inputScale, 0, outputScale, outputZeroPoint, out p, out warning));
            Assert.NotNull(warning);   // 1/255 is accepted (as TFLM does) but reported

            byte[] inQ = NonlinearTestUtil.QuantizeToBytes(input, inputScale, 0);
            var outQ = new byte[input.Length];
            Edge.Kernels.Reference.Logistic.Eval(inQ, 0, outQ, 0, input.Length,
                p.InputZeroPoint, p.InputRangeRadius, p.InputMultiplier, p.InputLeftShift);
            for (int i = 0; i < input.Length; i++)
            {
                int expected = NonlinearTestUtil.FloatToQuantizedInt8(golden[i], outputScale, outputZeroPoint);
                int actual = (sbyte)outQ[i];
                Assert.True(Math.Abs(expected - actual) <= 1, tflmTest + ": element " + i + " expected " + expected + " got " + actual);
            }
        }

        public static IEnumerable<object[]> ScaleZeroPointPairs()
        {
            yield return new object[] { 0.1f, 0 };
            yield return new object[] { 1.0f, 0 };
            yield return new object[] { 0.0078125f, -128 };
            yield return new object[] { 0.0235294122f, 17 };
            yield return new object[] { 0.05f, -20 };
            yield return new object[] { 0.3f, 100 };
            yield return new object[] { 2.5f, -5 };
            yield return new object[] { 0.00390625f, 127 };
            yield return new object[] { 1e-4f, 3 };
            yield return new object[] { 40.0f, 0 };
        }

        /// <summary>All 256 int8 inputs: kernel == literal port, and host constants == independent Prepare port.</summary>
        [Theory]
        [MemberData(nameof(ScaleZeroPointPairs))]
        public void Exhaustive256MatchesLiteralPort(float inputScale, int inputZeroPoint)
        {
            SigmoidTanhOptions p = NonlinearParams.Logistic(inputScale, inputZeroPoint, 1.0f / 256, -128);
            int m, s, r;
            NonlinearTflmLiteral.SigmoidTanhPrepare(inputScale, out m, out s, out r);
            Assert.Equal(m, p.InputMultiplier);
            Assert.Equal(s, p.InputLeftShift);
            Assert.Equal(r, p.InputRangeRadius);
            Assert.Equal(inputZeroPoint, p.InputZeroPoint);

            var input = new byte[256 + 3];
            for (int i = 0; i < 256; i++) input[3 + i] = (byte)(i - 128);
            var output = new byte[256 + 1];
            Edge.Kernels.Reference.Logistic.Eval(input, 3, output, 1, 256,
                p.InputZeroPoint, p.InputRangeRadius, p.InputMultiplier, p.InputLeftShift);
            for (int i = 0; i < 256; i++)
            {
                sbyte expected = NonlinearTflmLiteral.Logistic((sbyte)(i - 128), inputZeroPoint, r, m, s);
                Assert.True(expected == (sbyte)output[1 + i], "x=" + (i - 128) + " expected " + expected + " got " + (sbyte)output[1 + i]);
            }
        }

        /// <summary>Sanity anchor independent of the literal port: every output is within 1 LSB of the real function.</summary>
        [Theory]
        [MemberData(nameof(ScaleZeroPointPairs))]
        public void WithinOneLsbOfRealFunction(float inputScale, int inputZeroPoint)
        {
            SigmoidTanhOptions p = NonlinearParams.Logistic(inputScale, inputZeroPoint, (float)(1 / 256.0), -128);
            var data = new byte[256];
            for (int i = 0; i < 256; i++) data[i] = (byte)(i - 128);
            var output = new byte[256];
            Edge.Kernels.Reference.Logistic.Eval(data, 0, output, 0, 256, p.InputZeroPoint, p.InputRangeRadius, p.InputMultiplier, p.InputLeftShift);
            for (int i = 0; i < 256; i++)
            {
                double x = (double)inputScale * ((i - 128) - inputZeroPoint);
                if (p.InputRangeRadius == 0 && (i - 128) == inputZeroPoint)
                {
                    // TFLM quirk (input scale >= 8): radius 0 sends even x == zero point to the "<= -radius" branch.
                    Assert.Equal(-128, (sbyte)output[i]);
                    continue;
                }
                double ideal = Math.Min(127, Math.Max(-128, Math.Round(1 / (1 + Math.Exp(-x)) * 256.0) + -128));
                Assert.True(Math.Abs(ideal - (sbyte)output[i]) <= 1, "x=" + x + " ideal " + ideal + " got " + (sbyte)output[i]);
            }
        }

        [Fact]
        public void HostConstantsMatchIndependentPrepareOverManyScales()
        {
            var rng = new Random(31337);
            for (int k = 0; k < 3000; k++)
            {
                float scale = (float)Math.Pow(2, -20 + 28 * rng.NextDouble());
                SigmoidTanhOptions p;
                string warning;
                Assert.Null(NonlinearParams.TryLogistic(scale, 0, 1.0f / 256, -128, out p, out warning));
                Assert.Null(warning);
                int m, s, r;
                NonlinearTflmLiteral.SigmoidTanhPrepare(scale, out m, out s, out r);
                Assert.Equal(m, p.InputMultiplier);
                Assert.Equal(s, p.InputLeftShift);
                Assert.Equal(r, p.InputRangeRadius);
            }
        }

        [Fact]
        public void HostRejectsOutputZeroPointOtherThanMinus128()
        {
            SigmoidTanhOptions p;
            string warning;
            Assert.NotNull(NonlinearParams.TryLogistic(0.1f, 0, 1.0f / 256, 0, out p, out warning));
            Assert.Throws<ArgumentException>(() => NonlinearParams.Logistic(0.1f, 0, 1.0f / 256, -127));
        }

        [Fact]
        public void FixedPointLogisticMatchesLiteralPort()
        {
            var rng = new Random(555);
            for (int integerBits = 0; integerBits <= 6; integerBits++)
            {
                for (int k = 0; k < 5000; k++)
                {
                    int a = k < 3 ? k - 1 : rng.Next(int.MinValue, int.MaxValue);
                    if (k == 3) a = int.MinValue;
                    if (k == 4) a = int.MaxValue;
                    Assert.Equal(GemmlowpLiteral.Logistic(a, integerBits), FixedPointExtra.Logistic(a, integerBits));
                }
            }
        }
    }
}
