using System;
using System.Collections.Generic;
using Edge.Converter.Ir;
using Edge.Converter.Quantization;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// SOFTMAX int8 -> int8: TFLM golden vectors (tensorflow/lite/micro/kernels/softmax_test.cc), a seeded
    /// differential test against <see cref="NonlinearTflmLiteral.Softmax"/> (literal port of reference_ops::Softmax over
    /// <see cref="GemmlowpLiteral"/>), checks of the host constants against an independent port of TFLM's Prepare,
    /// and unit checks of the gemmlowp primitives in FixedPointExtra.
    /// </summary>
    public class SoftmaxTests
    {
        // ---- tensorflow/lite/micro/kernels/softmax_test.cc data --------------------------------------------

        private static readonly float[] InputData1D = { 1.0f, 2.0f, 3.0f, 4.0f, 5.0f };
        private static readonly float[] Golden1D = { 0.011656231f, 0.031684921f, 0.086128544f, 0.234121657f, 0.636408647f };

        private static readonly float[] InputData2D = { 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, -1.0f, -2.0f, -3.0f, -4.0f, -5.0f };
        private static readonly float[] Golden2D =
        {
            0.011656231f, 0.031684921f, 0.086128544f, 0.234121657f, 0.636408647f,
            0.636408647f, 0.234121657f, 0.086128544f, 0.031684921f, 0.011656231f,
        };

        private static readonly float[] InputData3D =
        {
            3.00f, 6.00f, -5.00f, 4.00f, -9.00f, -10.00f, -10.00f, -8.00f, 2.00f, 2.00f,
            8.00f, -5.00f, -8.00f, 5.00f, -6.00f, -8.00f, 6.00f, 1.00f, -10.00f, -8.00f,
            7.00f, 6.00f, -10.00f, -4.00f, -5.00f, 2.00f, 7.00f, 9.00f, -9.00f, 7.00f,
            -4.00f, -2.00f, 8.00f, 2.00f, 2.00f, 3.00f, 6.00f, 6.00f, 2.00f, 4.00f,
            9.00f, 7.00f, -7.00f, 0.00f, 4.00f, -3.00f, 8.00f, 8.00f, -3.00f, -4.00f,
            -9.00f, -9.00f, 4.00f, -8.00f, -1.00f, -10.00f, -2.00f, 6.00f, -7.00f, 0.00f,
        };
        private static readonly float[] Golden3D =
        {
            0.042009463f, 0.843782625f, 0.000014093f, 0.114193561f, 0.000000258f,
            0.000003072f, 0.000003072f, 0.000022699f, 0.499985578f, 0.499985578f,
            0.952571219f, 0.000002153f, 0.000000107f, 0.047425728f, 0.000000792f,
            0.000000826f, 0.993305397f, 0.006692839f, 0.000000112f, 0.000000826f,
            0.731046347f, 0.268936922f, 0.000000030f, 0.000012210f, 0.000004492f,
            0.000717124f, 0.106430599f, 0.786421666f, 0.000000012f, 0.106430599f,
            0.000006114f, 0.000045174f, 0.995015917f, 0.002466398f, 0.002466398f,
            0.022595176f, 0.453836234f, 0.453836234f, 0.008312301f, 0.061420055f,
            0.875505904f, 0.118486839f, 0.000000099f, 0.000108046f, 0.005899112f,
            0.000008351f, 0.499990113f, 0.499990113f, 0.000008351f, 0.000003072f,
            0.000002245f, 0.000002245f, 0.993296627f, 0.000006103f, 0.006692780f,
            0.000000112f, 0.000334520f, 0.997191323f, 0.000002254f, 0.002471790f,
        };

        private static readonly float[] InputData4D = Concat(InputData3D, new[]
        {
            -9.00f, -8.00f, 6.00f, -1.00f, -5.00f, -10.00f, -5.00f, -10.00f, 7.00f, -2.00f,
            -5.00f, -4.00f, 1.00f, 2.00f, 2.00f, -2.00f, -2.00f, 1.00f, 1.00f, -4.00f,
            -8.00f, -3.00f, 1.00f, 1.00f, -1.00f, -2.00f, 6.00f, -1.00f, -5.00f, 6.00f,
            -7.00f, 8.00f, 9.00f, 0.00f, 9.00f, -9.00f, -5.00f, -2.00f, 0.00f, 8.00f,
            4.00f, 2.00f, -3.00f, 5.00f, 8.00f, -1.00f, 1.00f, -4.00f, -9.00f, 7.00f,
            3.00f, -8.00f, 0.00f, 9.00f, -4.00f, 8.00f, -1.00f, 9.00f, -9.00f, 1.00f,
        });
        private static readonly float[] Golden4D = Concat(Golden3D, new[]
        {
            0.000000306f, 0.000000831f, 0.999071142f, 0.000911035f, 0.000016686f,
            0.000000041f, 0.000006143f, 0.000000041f, 0.999870380f, 0.000123394f,
            0.000384554f, 0.001045327f, 0.155140254f, 0.421714933f, 0.421714933f,
            0.023637081f, 0.023637081f, 0.474763454f, 0.474763454f, 0.003198931f,
            0.000057299f, 0.008503973f, 0.464301197f, 0.464301197f, 0.062836334f,
            0.000167625f, 0.499684188f, 0.000455653f, 0.000008346f, 0.499684188f,
            0.000000048f, 0.155354299f, 0.422296769f, 0.000052116f, 0.422296769f,
            0.000000041f, 0.000002259f, 0.000045383f, 0.000335334f, 0.999616982f,
            0.017107856f, 0.002315297f, 0.000015600f, 0.046503973f, 0.934057274f,
            0.000334516f, 0.002471755f, 0.000016655f, 0.000000112f, 0.997176963f,
            0.002472313f, 0.000000041f, 0.000123089f, 0.997402302f, 0.000002254f,
            0.268866557f, 0.000033181f, 0.730855076f, 0.000000011f, 0.000245175f,
        });

        private static float[] Concat(float[] a, float[] b)
        {
            var r = new float[a.Length + b.Length];
            Array.Copy(a, r, a.Length);
            Array.Copy(b, 0, r, a.Length, b.Length);
            return r;
        }

        public static IEnumerable<object[]> TflmGoldenCases()
        {
            // name (TFLM test), shape, input, golden
            yield return new object[] { "Softmax1DQuantizedInt8ShouldMatchGolden", new[] { 5 }, InputData1D, Golden1D };
            yield return new object[] { "Softmax2DQuantizedInt8ShouldMatchGolden", new[] { 2, 5 }, InputData2D, Golden2D };
            yield return new object[] { "Softmax3DQuantizedInt8ShouldMatchGolden", new[] { 3, 4, 5 }, InputData3D, Golden3D };
            yield return new object[] { "Softmax4DQuantizedInt8ShouldMatchGolden", new[] { 2, 3, 4, 5 }, InputData4D, Golden4D };
        }

        /// <summary>
        /// softmax_test.cc TestSoftmaxQuantized&lt;int8_t, int8_t&gt;: input scale 0.1f, zero point 0, beta 1.0f,
        /// output 1/256, -128; golden quantized with tflite::Quantize; EXPECT_NEAR tolerance 1.0.
        /// </summary>
        [Theory]
        [MemberData(nameof(TflmGoldenCases))]
        public void TflmGolden(string tflmTest, int[] shape, float[] input, float[] golden)
        {
            const float inputScale = 0.1f;
            const int inputZeroPoint = 0;
            const float outputScale = 1.0f / 256.0f;
            const int outputZeroPoint = -128;
            int depth = shape[shape.Length - 1];
            int outer = input.Length / depth;
            Assert.Equal(golden.Length, input.Length);

            SoftmaxOptions p = NonlinearParams.Softmax(1.0f, inputScale, outputScale, outputZeroPoint);
            byte[] inQ = NonlinearTestUtil.QuantizeToBytes(input, inputScale, inputZeroPoint);
            byte[] outQ = new byte[input.Length];
            Edge.Kernels.Reference.Softmax.Eval(inQ, 0, outQ, 0, outer, depth, p.InputMultiplier, p.InputLeftShift, p.DiffMin);

            for (int i = 0; i < golden.Length; i++)
            {
                int expected = NonlinearTestUtil.FloatToQuantizedInt8(golden[i], outputScale, outputZeroPoint);
                int actual = (sbyte)outQ[i];
                Assert.True(Math.Abs(expected - actual) <= 1,
                    tflmTest + ": element " + i + " expected " + expected + " got " + actual);
            }
            // And bit-exact with the literal port on the same data.
            sbyte[] reference = NonlinearTflmLiteral.Softmax(NonlinearTestUtil.ToSbytes(inQ), outer, depth,
                p.InputMultiplier, p.InputLeftShift, p.DiffMin);
            Assert.Equal(reference, NonlinearTestUtil.ToSbytes(outQ));
        }

        /// <summary>Seeded random rows (depth 1..300, several scales and betas): kernel == literal port, bit for bit.</summary>
        [Fact]
        public void MatchesLiteralPortOnRandomRows()
        {
            var rng = new Random(12345);
            float[] scales = { 0.0039f, 0.02f, 0.1f, 0.25f, 1.0f, 4.0f, 16.0f };
            float[] betas = { 1.0f, 0.5f, 2.0f };
            int checkedRows = 0;
            foreach (float scale in scales)
            {
                foreach (float beta in betas)
                {
                    SoftmaxOptions p;
                    if (NonlinearParams.TrySoftmax(beta, scale, 1.0f / 256, -128, out p) != null) continue;
                    for (int trial = 0; trial < 12; trial++)
                    {
                        int depth = 1 + rng.Next(300);
                        int outer = 1 + rng.Next(3);
                        var data = new byte[outer * depth + 7];
                        rng.NextBytes(data);
                        if (trial % 3 == 0)
                        {
                            // Flat rows exercise large sums of exponentials.
                            for (int i = 0; i < data.Length; i++) data[i] = (byte)(100 + rng.Next(4));
                        }
                        var outBytes = new byte[outer * depth + 5];
                        Edge.Kernels.Reference.Softmax.Eval(data, 7, outBytes, 5, outer, depth,
                            p.InputMultiplier, p.InputLeftShift, p.DiffMin);
                        var inRow = new sbyte[outer * depth];
                        for (int i = 0; i < inRow.Length; i++) inRow[i] = (sbyte)data[7 + i];
                        sbyte[] expected = NonlinearTflmLiteral.Softmax(inRow, outer, depth, p.InputMultiplier, p.InputLeftShift, p.DiffMin);
                        for (int i = 0; i < expected.Length; i++)
                            Assert.True(expected[i] == (sbyte)outBytes[5 + i],
                                "scale " + scale + " beta " + beta + " depth " + depth + " i " + i);
                        checkedRows += outer;
                    }
                }
            }
            Assert.True(checkedRows > 100);
        }

        [Fact]
        public void InPlaceGivesSameResult()
        {
            var rng = new Random(7);
            SoftmaxOptions p = NonlinearParams.Softmax(1.0f, 0.05f, 1.0f / 256, -128);
            var data = new byte[3 * 17];
            rng.NextBytes(data);
            var separate = new byte[data.Length];
            Edge.Kernels.Reference.Softmax.Eval(data, 0, separate, 0, 3, 17, p.InputMultiplier, p.InputLeftShift, p.DiffMin);
            Edge.Kernels.Reference.Softmax.Eval(data, 0, data, 0, 3, 17, p.InputMultiplier, p.InputLeftShift, p.DiffMin);
            Assert.Equal(separate, data);
        }

        /// <summary>Host constants == independent port of TFLM CalculateSoftmaxParams over many scales and betas.</summary>
        [Fact]
        public void HostConstantsMatchIndependentPrepare()
        {
            var rng = new Random(99);
            int compared = 0;
            for (int k = 0; k < 2000; k++)
            {
                float scale = (float)Math.Pow(2, -12 + 20 * rng.NextDouble());
                float beta = k % 4 == 0 ? 1.0f : (float)(0.1 + 3 * rng.NextDouble());
                SoftmaxOptions p;
                string err = NonlinearParams.TrySoftmax(beta, scale, 1.0f / 256, -128, out p);
                double real = Math.Min((double)beta * (double)scale * (1 << 26), (1L << 31) - 1.0);
                if (!(real > 1.0))
                {
                    Assert.NotNull(err);
                    continue;
                }
                Assert.Null(err);
                int m, s;
                NonlinearTestUtil.QuantizeMultiplier(real, out m, out s);
                Assert.Equal(m, p.InputMultiplier);
                Assert.Equal(s, p.InputLeftShift);
                Assert.Equal(-(int)Math.Floor(31.0 * Math.Pow(2, 26) / Math.Pow(2, s)), p.DiffMin);
                compared++;
            }
            Assert.True(compared > 1000);
        }

        [Fact]
        public void HostRejectsWhatTflmRejects()
        {
            SoftmaxOptions p;
            Assert.NotNull(NonlinearParams.TrySoftmax(1.0f, 0.1f, 1.0f / 256, 0, out p));        // zp != -128
            Assert.NotNull(NonlinearParams.TrySoftmax(1.0f, 0.1f, 1.0f / 255, -128, out p));     // scale != 1/256
            Assert.NotNull(NonlinearParams.TrySoftmax(1.0f, 1e-9f, 1.0f / 256, -128, out p));    // multiplier <= 1
            Assert.Throws<ArgumentException>(() => NonlinearParams.Softmax(1.0f, 0.1f, 0.5f, -128));
            Assert.Null(NonlinearParams.TrySoftmax(1.0f, 0.1f, 1.0f / 256, -128, out p));
            Assert.NotNull(p);
        }

        // ---- FixedPointExtra primitives vs the literal gemmlowp port -----------------------------------

        [Fact]
        public void ExpOnNegativeValuesMatchesLiteralPort()
        {
            var rng = new Random(2024);
            for (int integerBits = 0; integerBits <= 7; integerBits++)
            {
                for (int k = 0; k < 4000; k++)
                {
                    int a = k < 8 ? -k : -rng.Next(int.MaxValue);
                    if (k == 8) a = int.MinValue;
                    Assert.Equal(GemmlowpLiteral.ExpOnNegativeValues(a, integerBits), FixedPointExtra.ExpOnNegativeValues(a, integerBits));
                }
            }
        }

        /// <summary>
        /// Sanity anchor independent of both ports: the fixed-point functions track the real math functions
        /// (gemmlowp's approximations are accurate to a few 1e-9 in these ranges).
        /// </summary>
        [Fact]
        public void FixedPointFunctionsTrackRealMath()
        {
            var rng = new Random(1);
            const double q31 = 2147483648.0;
            double worstExp = 0, worstLogistic = 0, worstTanh = 0, worstRecip = 0;
            for (int k = 0; k < 20000; k++)
            {
                int a = -rng.Next(int.MaxValue);
                worstExp = Math.Max(worstExp, Math.Abs(FixedPointExtra.ExpOnNegativeValues(a, 5) / q31 - Math.Exp(a / (double)(1 << 26))));
                int b = rng.Next(int.MinValue, int.MaxValue);
                double xb = b / (double)(1 << 27);
                worstLogistic = Math.Max(worstLogistic, Math.Abs(FixedPointExtra.Logistic(b, 4) / q31 - 1 / (1 + Math.Exp(-xb))));
                worstTanh = Math.Max(worstTanh, Math.Abs(FixedPointExtra.Tanh(b, 4) / q31 - Math.Tanh(xb)));
                int c = rng.Next(int.MaxValue);
                worstRecip = Math.Max(worstRecip, Math.Abs(FixedPointExtra.OneOverOnePlusXForXIn01(c) / q31 - 1 / (1 + c / q31)));
            }
            Assert.True(worstExp < 1e-6, "exp " + worstExp);
            Assert.True(worstLogistic < 1e-6, "logistic " + worstLogistic);
            Assert.True(worstTanh < 1e-6, "tanh " + worstTanh);
            Assert.True(worstRecip < 1e-6, "reciprocal " + worstRecip);
        }

        [Fact]
        public void ReciprocalHelpersMatchLiteralPort()
        {
            var rng = new Random(4242);
            for (int k = 0; k < 20000; k++)
            {
                int a = rng.Next(int.MaxValue);
                Assert.Equal(GemmlowpLiteral.OneOverOnePlusXForXIn01(a), FixedPointExtra.OneOverOnePlusXForXIn01(a));
                Assert.Equal(GemmlowpLiteral.OneMinusXOverOnePlusXForXIn01(a), FixedPointExtra.OneMinusXOverOnePlusXForXIn01(a));
                int x = 1 + rng.Next(int.MaxValue);
                int nb1, nb2;
                Assert.Equal(NonlinearTflmLiteral.GetReciprocal(x, 12, out nb1), FixedPointExtra.GetReciprocal(x, 12, out nb2));
                Assert.Equal(nb1, nb2);
            }
            for (int b = 0; b < 32; b++)
            {
                uint v = 1u << b;
                Assert.Equal(System.Numerics.BitOperations.LeadingZeroCount(v), FixedPointExtra.CountLeadingZeros(v));
                Assert.Equal(System.Numerics.BitOperations.LeadingZeroCount(v | 1), FixedPointExtra.CountLeadingZeros(v | 1));
            }
            Assert.Equal(32, FixedPointExtra.CountLeadingZeros(0));
        }
    }

    // =====================================================================================================
    // Shared independent references for the nonlinear kernel tests (also used by Logistic/Tanh/HardSwish/Mean
    // tests). Written separately from runtime/Math/FixedPointExtra.cs, in the shape of the C++ they port.
    // =====================================================================================================

    /// <summary>
    /// Literal port of google/gemmlowp fixedpoint/fixedpoint.h generic (scalar int32) templates, keeping the
    /// mask-based style (MaskIf*, SelectUsingMask) and the FixedPoint&lt;int32_t, IntegerBits&gt; type (as F).
    /// </summary>
    internal static class GemmlowpLiteral
    {
        internal readonly struct F
        {
            public readonly int Raw;
            public readonly int IntegerBits;
            public F(int raw, int integerBits) { Raw = raw; IntegerBits = integerBits; }
            public int FractionalBits => 31 - IntegerBits;
        }

        // Part 1: primitives.
        public static int BitAnd(int a, int b) => a & b;
        public static int BitNot(int a) => ~a;
        public static int BitXor(int a, int b) => a ^ b;
        public static int Add(int a, int b) => unchecked(a + b);
        public static int Sub(int a, int b) => unchecked(a - b);
        public static int Neg(int a) => unchecked(-a);
        public static int ShiftLeft(int a, int offset) => unchecked(a * (1 << offset));
        public static int ShiftRight(int a, int offset) => a >> offset;
        public static int SelectUsingMask(int ifMask, int thenVal, int elseVal) =>
            BitXor(BitAnd(ifMask, thenVal), BitAnd(BitNot(ifMask), elseVal));
        public static int MaskIfNonZero(int a) => a != 0 ? BitNot(0) : 0;
        public static int MaskIfZero(int a) => MaskIfNonZero(a == 0 ? 1 : 0);
        public static int MaskIfGreaterThan(int a, int b) => MaskIfNonZero(a > b ? 1 : 0);
        public static int MaskIfLessThan(int a, int b) => MaskIfNonZero(a < b ? 1 : 0);

        public static int RoundingHalfSum(int a, int b)
        {
            long a64 = a, b64 = b;
            long sum = a64 + b64;
            long sign = sum >= 0 ? 1 : -1;
            return (int)((sum + sign) / 2);
        }

        public static int SaturatingRoundingDoublingHighMul(int a, int b)
        {
            bool overflow = a == b && a == int.MinValue;
            long a64 = a, b64 = b;
            long ab64 = a64 * b64;
            int nudge = ab64 >= 0 ? (1 << 30) : (1 - (1 << 30));
            int abX2High32 = (int)((ab64 + nudge) / (1L << 31));
            return overflow ? int.MaxValue : abX2High32;
        }

        public static int RoundingDivideByPOT(int x, int exponent)
        {
            int mask = (int)((1L << exponent) - 1);
            int zero = 0, one = 1;
            int remainder = BitAnd(x, mask);
            int threshold = Add(ShiftRight(mask, 1), BitAnd(MaskIfLessThan(x, zero), one));
            return Add(ShiftRight(x, exponent), BitAnd(MaskIfGreaterThan(remainder, threshold), one));
        }

        public static int SaturatingRoundingMultiplyByPOT(int x, int exponent)
        {
            if (exponent == 0) return x;
            if (exponent < 0) return RoundingDivideByPOT(x, -exponent);
            int min = int.MinValue, max = int.MaxValue;
            int threshold = (1 << (32 - 1 - exponent)) - 1;
            int positiveMask = MaskIfGreaterThan(x, threshold);
            int negativeMask = MaskIfLessThan(x, -threshold);
            int result = ShiftLeft(x, exponent);
            result = SelectUsingMask(positiveMask, max, result);
            result = SelectUsingMask(negativeMask, min, result);
            return result;
        }

        // Part 2: FixedPoint.
        public static F FromRaw(int raw, int integerBits) => new F(raw, integerBits);
        public static F ConstantPOT(int integerBits, int exponent) => new F(1 << (31 - integerBits + exponent), integerBits);
        public static F Zero(int integerBits) => new F(0, integerBits);
        public static F One(int integerBits) => new F(integerBits == 0 ? int.MaxValue : 1 << (31 - integerBits), integerBits);
        public static F Mul(F a, F b) => new F(SaturatingRoundingDoublingHighMul(a.Raw, b.Raw), a.IntegerBits + b.IntegerBits);
        public static F Plus(F a, F b) { Same(a, b); return new F(Add(a.Raw, b.Raw), a.IntegerBits); }
        public static F Minus(F a, F b) { Same(a, b); return new F(Sub(a.Raw, b.Raw), a.IntegerBits); }
        public static F Negate(F a) => new F(Neg(a.Raw), a.IntegerBits);
        public static F And(F a, F b) { Same(a, b); return new F(BitAnd(a.Raw, b.Raw), a.IntegerBits); }
        public static F ExactMulByPot(F a, int exponent) => new F(a.Raw, a.IntegerBits + exponent);
        public static F SaturatingRoundingMultiplyByPOT(F a, int exponent) =>
            new F(SaturatingRoundingMultiplyByPOT(a.Raw, exponent), a.IntegerBits);
        public static F Rescale(F x, int dstIntegerBits) =>
            new F(SaturatingRoundingMultiplyByPOT(x.Raw, x.IntegerBits - dstIntegerBits), dstIntegerBits);
        public static F SelectUsingMask(int mask, F thenVal, F elseVal) { Same(thenVal, elseVal); return new F(SelectUsingMask(mask, thenVal.Raw, elseVal.Raw), thenVal.IntegerBits); }
        // GEMMLOWP_CHECKED_FIXEDPOINT_CONSTANT for int32: RescaleConstantInitializer = RoundingDivideByPOT(v, 32 - 32).
        public static F Constant(int integerBits, int rawInt32) => new F(RoundingDivideByPOT(rawInt32, 0), integerBits);

        private static void Same(F a, F b)
        {
            if (a.IntegerBits != b.IntegerBits) throw new InvalidOperationException("integer bits differ");
        }

        public static F ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(F a)
        {
            F constantTerm = Constant(0, 1895147668);
            F constant1Over3 = Constant(0, 715827883);
            F x = Plus(a, ConstantPOT(0, -3));
            F x2 = Mul(x, x);
            F x3 = Mul(x2, x);
            F x4 = Mul(x2, x2);
            F x4Over4 = SaturatingRoundingMultiplyByPOT(x4, -2);
            F poly = SaturatingRoundingMultiplyByPOT(Plus(Mul(Plus(x4Over4, x3), constant1Over3), x2), -1);
            return Plus(constantTerm, Mul(constantTerm, Plus(x, poly)));   // AddSaturatingIf16Bit == Add for int32
        }

        private static readonly int[] BarrelExponents = { -2, -1, 0, 1, 2, 3, 4 };
        private static readonly int[] BarrelMultipliers = { 1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242 };

        public static int ExpOnNegativeValues(int raw, int integerBits) => ExpOnNegativeValues(FromRaw(raw, integerBits)).Raw;

        public static F ExpOnNegativeValues(F a)
        {
            int kIntegerBits = a.IntegerBits, kFractionalBits = a.FractionalBits;
            F kOneQuarter = ConstantPOT(kIntegerBits, -2);
            F mask = Minus(kOneQuarter, FromRaw(1, kIntegerBits));
            F aModQuarterMinusOneQuarter = Minus(And(a, mask), kOneQuarter);
            F result = ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(Rescale(aModQuarterMinusOneQuarter, 0));
            int remainder = Minus(aModQuarterMinusOneQuarter, a).Raw;
            for (int k = 0; k < BarrelExponents.Length; k++)
            {
                int exponent = BarrelExponents[k];
                if (kIntegerBits > exponent)
                {
                    F kMultiplier = Constant(0, BarrelMultipliers[k]);
                    int kShiftAmount = kIntegerBits > exponent ? kFractionalBits + exponent : 0;
                    result = SelectUsingMask(MaskIfNonZero(BitAnd(remainder, 1 << kShiftAmount)),
                                             Mul(result, kMultiplier), result);
                }
            }
            int clampB = kIntegerBits > 5 ? 36 - kIntegerBits : 0;
            if (kIntegerBits > 5)
            {
                F clamp = Constant(kIntegerBits, -(1 << clampB));
                result = SelectUsingMask(MaskIfLessThan(a.Raw, clamp.Raw), Zero(0), result);
            }
            result = SelectUsingMask(MaskIfZero(a.Raw), One(0), result);
            return result;
        }

        public static int OneMinusXOverOnePlusXForXIn01(int raw) => OneMinusXOverOnePlusXForXIn01(FromRaw(raw, 0)).Raw;

        public static F OneMinusXOverOnePlusXForXIn01(F a)
        {
            F halfDenominator = new F(RoundingHalfSum(a.Raw, One(0).Raw), 0);
            F constant48Over17 = Constant(2, 1515870810);
            F constantNeg32Over17 = Constant(2, -1010580540);
            F x = Plus(constant48Over17, Mul(halfDenominator, constantNeg32Over17));
            for (int i = 0; i < 3; i++)
            {
                F halfDenominatorTimesX = Mul(halfDenominator, x);
                F oneMinusHalfDenominatorTimesX = Minus(One(2), halfDenominatorTimesX);
                x = Plus(x, Rescale(Mul(x, oneMinusHalfDenominatorTimesX), 2));
            }
            return Rescale(Minus(x, One(2)), 0);
        }

        public static int OneOverOnePlusXForXIn01(int raw) => OneOverOnePlusXForXIn01(FromRaw(raw, 0)).Raw;

        public static F OneOverOnePlusXForXIn01(F a)
        {
            F halfDenominator = new F(RoundingHalfSum(a.Raw, One(0).Raw), 0);
            F constant48Over17 = Constant(2, 1515870810);
            F constantNeg32Over17 = Constant(2, -1010580540);
            F x = Plus(constant48Over17, Mul(halfDenominator, constantNeg32Over17));
            for (int i = 0; i < 3; i++)
            {
                F halfDenominatorTimesX = Mul(halfDenominator, x);
                F oneMinusHalfDenominatorTimesX = Minus(One(2), halfDenominatorTimesX);
                x = Plus(x, Rescale(Mul(x, oneMinusHalfDenominatorTimesX), 2));
            }
            return Rescale(ExactMulByPot(x, -1), 0);
        }

        public static int Tanh(int raw, int integerBits) => Tanh(FromRaw(raw, integerBits)).Raw;

        public static F Tanh(F a)
        {
            int maskIfNegative = MaskIfLessThan(a.Raw, 0);
            int maskIfZero = MaskIfZero(a.Raw);
            F n = SelectUsingMask(maskIfNegative, a, Negate(a));
            // neg_tanh_on_negative_values
            F t = OneMinusXOverOnePlusXForXIn01(ExpOnNegativeValues(ExactMulByPot(n, 1)));
            return SelectUsingMask(maskIfZero, Zero(0), SelectUsingMask(maskIfNegative, Negate(t), t));
        }

        public static int Logistic(int raw, int integerBits) => Logistic(FromRaw(raw, integerBits)).Raw;

        public static F Logistic(F a)
        {
            int maskIfPositive = MaskIfGreaterThan(a.Raw, 0);
            int maskIfZero = MaskIfZero(a.Raw);
            F absInput = SelectUsingMask(maskIfPositive, a, Negate(a));
            F resultIfPositive = OneOverOnePlusXForXIn01(ExpOnNegativeValues(Negate(absInput)));   // logistic_on_positive_values
            F resultIfNegative = Minus(One(0), resultIfPositive);
            F oneHalf = Constant(0, 1 << 30);
            return SelectUsingMask(maskIfZero, oneHalf, SelectUsingMask(maskIfPositive, resultIfPositive, resultIfNegative));
        }
    }

    /// <summary>
    /// Literal ports of the TFLite / TFLM C++ the tests compare against: common.h helpers and the int8 reference
    /// kernels (softmax.h, integer_ops/logistic.h, integer_ops/tanh.h), plus quantization_util.cc pieces.
    /// </summary>
    internal static class NonlinearTflmLiteral
    {
        // tensorflow/lite/kernels/internal/common.h (TFLITE_SINGLE_ROUNDING off)
        public static int MultiplyByQuantizedMultiplier(int x, int quantizedMultiplier, int shift)
        {
            int leftShift = shift > 0 ? shift : 0;
            int rightShift = shift > 0 ? 0 : -shift;
            return GemmlowpLiteral.RoundingDivideByPOT(
                GemmlowpLiteral.SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), quantizedMultiplier),
                rightShift);
        }

        public static int MultiplyByQuantizedMultiplierGreaterThanOne(int x, int quantizedMultiplier, int leftShift) =>
            GemmlowpLiteral.SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), quantizedMultiplier);

        public static int GetReciprocal(int x, int xIntegerDigits, out int numBitsOverUnit)
        {
            int headroomPlusOne = System.Numerics.BitOperations.LeadingZeroCount((uint)x);
            numBitsOverUnit = xIntegerDigits - headroomPlusOne;
            int shiftedSumMinusOne = unchecked((int)(((uint)x << headroomPlusOne) - (1u << 31)));
            return GemmlowpLiteral.OneOverOnePlusXForXIn01(shiftedSumMinusOne);
        }

        // reference_ops::Softmax<int8_t, int8_t>
        public static sbyte[] Softmax(sbyte[] input, int outerSize, int depth,
                                      int inputBetaMultiplier, int inputBetaLeftShift, int diffMin)
        {
            const int kScaledDiffIntegerBits = 5;
            const int kAccumulationIntegerBits = 12;
            var output = new sbyte[outerSize * depth];
            for (int i = 0; i < outerSize; ++i)
            {
                sbyte maxInRow = sbyte.MinValue;
                for (int c = 0; c < depth; ++c) maxInRow = Math.Max(maxInRow, input[i * depth + c]);

                var sumOfExps = GemmlowpLiteral.Zero(kAccumulationIntegerBits);
                for (int c = 0; c < depth; ++c)
                {
                    int inputDiff = input[i * depth + c] - maxInRow;
                    if (inputDiff >= diffMin)
                    {
                        int rescaled = MultiplyByQuantizedMultiplierGreaterThanOne(inputDiff, inputBetaMultiplier, inputBetaLeftShift);
                        var scaledDiffF8 = GemmlowpLiteral.FromRaw(rescaled, kScaledDiffIntegerBits);
                        sumOfExps = GemmlowpLiteral.Plus(sumOfExps,
                            GemmlowpLiteral.Rescale(GemmlowpLiteral.ExpOnNegativeValues(scaledDiffF8), kAccumulationIntegerBits));
                    }
                }

                int numBitsOverUnit;
                var shiftedScale = GemmlowpLiteral.FromRaw(GetReciprocal(sumOfExps.Raw, kAccumulationIntegerBits, out numBitsOverUnit), 0);
                int exponent = numBitsOverUnit + 31 - 8;
                if (!(0 <= exponent && exponent <= 31)) throw new InvalidOperationException("TFLITE_CHECK would abort");

                for (int c = 0; c < depth; ++c)
                {
                    int inputDiff = input[i * depth + c] - maxInRow;
                    if (inputDiff >= diffMin)
                    {
                        int rescaled = MultiplyByQuantizedMultiplierGreaterThanOne(inputDiff, inputBetaMultiplier, inputBetaLeftShift);
                        var scaledDiffF8 = GemmlowpLiteral.FromRaw(rescaled, kScaledDiffIntegerBits);
                        var expIn0 = GemmlowpLiteral.ExpOnNegativeValues(scaledDiffF8);
                        int unsatOutput = GemmlowpLiteral.RoundingDivideByPOT(GemmlowpLiteral.Mul(shiftedScale, expIn0).Raw, exponent);
                        int shiftedOutput = unsatOutput + sbyte.MinValue;
                        output[i * depth + c] = (sbyte)Math.Max(Math.Min(shiftedOutput, (int)sbyte.MaxValue), (int)sbyte.MinValue);
                    }
                    else
                    {
                        output[i * depth + c] = sbyte.MinValue;
                    }
                }
            }
            return output;
        }

        // reference_integer_ops::Logistic (int8)
        public static sbyte Logistic(sbyte inputData, int inputZeroPoint, int inputRangeRadius, int inputMultiplier, int inputLeftShift)
        {
            const int kInputIntegerBits = 4, kOutputIntegerBits = 8, kOutputZeroPoint = -128;
            int input = inputData - inputZeroPoint;
            if (input <= -inputRangeRadius) return sbyte.MinValue;
            if (input >= inputRangeRadius) return sbyte.MaxValue;
            int inputInQ4 = MultiplyByQuantizedMultiplier(input, inputMultiplier, inputLeftShift);
            int outputInQ0 = GemmlowpLiteral.Logistic(inputInQ4, kInputIntegerBits);
            int outputInQ23 = GemmlowpLiteral.RoundingDivideByPOT(outputInQ0, 31 - kOutputIntegerBits);
            outputInQ23 = Math.Min(Math.Max(outputInQ23 + kOutputZeroPoint, (int)sbyte.MinValue), (int)sbyte.MaxValue);
            return (sbyte)outputInQ23;
        }

        // reference_integer_ops::Tanh (int8)
        public static sbyte Tanh(sbyte inputData, int inputZeroPoint, int inputRangeRadius, int inputMultiplier, int inputShift)
        {
            const int kInputIntegerBits = 4, kOutputScale = 7;
            int input = inputData - inputZeroPoint;
            if (input <= -inputRangeRadius) return sbyte.MinValue;
            if (input >= inputRangeRadius) return sbyte.MaxValue;
            int inputInQ4 = MultiplyByQuantizedMultiplier(input, inputMultiplier, inputShift);
            int outputInQ0 = GemmlowpLiteral.Tanh(inputInQ4, kInputIntegerBits);
            int outputInQ24 = GemmlowpLiteral.RoundingDivideByPOT(outputInQ0, 31 - kOutputScale);
            outputInQ24 = Math.Min(Math.Max(outputInQ24, (int)sbyte.MinValue), (int)sbyte.MaxValue);
            return (sbyte)outputInQ24;
        }

        /// <summary>
        /// Independent port of the int8 part of TFLM CalculateArithmeticOpDataLogistic / tanh.cc
        /// CalculateArithmeticOpData (identical for both): frexp through Math.ILogB/ScaleB.
        /// </summary>
        public static void SigmoidTanhPrepare(float inputScale, out int multiplier, out int leftShift, out int radius)
        {
            double inputRealMultiplier = (double)inputScale * (double)(1 << 27);
            leftShift = Math.ILogB(inputRealMultiplier) + 1;
            double q = Math.ScaleB(inputRealMultiplier, -leftShift);
            multiplier = checked((int)Math.Round(q * 2147483648.0, MidpointRounding.AwayFromZero));
            radius = (int)Math.Floor(1.0 * 15 * (double)(1L << 27) / (double)(1L << leftShift));
        }
    }

    /// <summary>TFLM test helpers (micro_utils.h, test_helpers.h) and an independent QuantizeMultiplier.</summary>
    internal static class NonlinearTestUtil
    {
        /// <summary>tflite::FloatToQuantizedType&lt;int8_t&gt;: round(value / scale) + zero_point, clamped.</summary>
        public static int FloatToQuantizedInt8(float value, float scale, int zeroPoint)
        {
            float ratio = value / scale;
            double rounded = Math.Round((double)ratio, MidpointRounding.AwayFromZero);
            int result = (int)(rounded + zeroPoint);
            return Math.Min(127, Math.Max(-128, result));
        }

        /// <summary>tflite::Quantize&lt;int8_t&gt; into a byte buffer.</summary>
        public static byte[] QuantizeToBytes(float[] values, float scale, int zeroPoint)
        {
            var r = new byte[values.Length];
            for (int i = 0; i < values.Length; i++) r[i] = (byte)FloatToQuantizedInt8(values[i], scale, zeroPoint);
            return r;
        }

        public static sbyte[] ToSbytes(byte[] b)
        {
            var r = new sbyte[b.Length];
            for (int i = 0; i < b.Length; i++) r[i] = (sbyte)b[i];
            return r;
        }

        /// <summary>tflite::QuantizeMultiplier, written independently of QuantMath (frexp through ILogB/ScaleB).</summary>
        public static void QuantizeMultiplier(double d, out int multiplier, out int shift)
        {
            if (d == 0) { multiplier = 0; shift = 0; return; }
            shift = Math.ILogB(d) + 1;
            double q = Math.ScaleB(d, -shift);
            long qFixed = (long)Math.Round(q * (1L << 31), MidpointRounding.AwayFromZero);
            if (qFixed == (1L << 31)) { qFixed /= 2; ++shift; }
            if (shift < -31) { shift = 0; qFixed = 0; }
            multiplier = (int)qFixed;
        }

        /// <summary>std::minstd_rand (x = x * 48271 mod 2^31 - 1, default seed 1).</summary>
        internal sealed class MinStdRand
        {
            private long _state = 1;
            public const long Modulus = 2147483647;
            public long Next()
            {
                _state = _state * 48271 % Modulus;
                return _state;
            }
        }
    }
}
