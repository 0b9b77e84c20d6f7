using System;
using System.Collections.Generic;
using Edge.Converter.Ir;
using Edge.Converter.Quantization;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// TANH int8 -> int8: TFLM golden vectors (tensorflow/lite/micro/kernels/tanh_test.cc), exhaustive checks of
    /// all 256 inputs against <see cref="NonlinearTflmLiteral.Tanh"/> (literal port of reference_integer_ops::Tanh over
    /// <see cref="GemmlowpLiteral"/>) for several scale / zero-point pairs, and host-constant checks.
    /// </summary>
    public class TanhTests
    {
        private static readonly float[] TanhInput =
        {
            -8.0000000000f, -7.8181818182f, -7.6363636364f, -7.4545454545f, -7.2727272727f,
            -7.0909090909f, -6.9090909091f, -6.7272727273f, -6.5454545455f, -6.3636363636f,
            -6.1818181818f, -6.0000000000f, -5.8181818182f, -5.6363636364f, -5.4545454545f,
            -5.2727272727f, -5.0909090909f, -4.9090909091f, -4.7272727273f, -4.5454545455f,
            -4.3636363636f, -4.1818181818f, -4.0000000000f, -3.8181818182f, -3.6363636364f,
            -3.4545454545f, -3.2727272727f, -3.0909090909f, -2.9090909091f, -2.7272727273f,
            -2.5454545455f, -2.3636363636f, -2.1818181818f, -2.0000000000f, -1.8181818182f,
            -1.6363636364f, -1.4545454545f, -1.2727272727f, -1.0909090909f, -0.9090909091f,
            -0.7272727273f, -0.5454545455f, -0.3636363636f, -0.1818181818f, 0.0000000000f,
            0.1818181818f, 0.3636363636f, 0.5454545455f, 0.7272727273f, 0.9090909091f,
            1.0909090909f, 1.2727272727f, 1.4545454545f, 1.6363636364f, 1.8181818182f,
            2.0000000000f, 2.1818181818f, 2.3636363636f, 2.5454545455f, 2.7272727273f,
            2.9090909091f, 3.0909090909f, 3.2727272727f, 3.4545454545f, 3.6363636364f,
            3.8181818182f, 4.0000000000f, 4.1818181818f, 4.3636363636f, 4.5454545455f,
            4.7272727273f, 4.9090909091f, 5.0909090909f, 5.2727272727f, 5.4545454545f,
            5.6363636364f, 5.8181818182f, 6.0000000000f, 6.1818181818f, 6.3636363636f,
            6.5454545455f, 6.7272727273f, 6.9090909091f, 7.0909090909f, 7.2727272727f,
            7.4545454545f, 7.6363636364f, 7.8181818182f, 8.0000000000f,
            0.0f,   // tanh_test.cc declares tanh_vec_size = 90 but lists 89 values: C++ zero-fills the 90th
        };

        private static readonly float[] TanhGolden =
        {
            -0.9999997749f, -0.9999996762f, -0.9999995342f, -0.9999993300f, -0.9999990361f,
            -0.9999986134f, -0.9999980053f, -0.9999971306f, -0.9999958722f, -0.9999940619f,
            -0.9999914578f, -0.9999877117f, -0.9999823226f, -0.9999745703f, -0.9999634183f,
            -0.9999473758f, -0.9999242982f, -0.9998911009f, -0.9998433469f, -0.9997746542f,
            -0.9996758446f, -0.9995337191f, -0.9993292997f, -0.9990353053f, -0.9986125310f,
            -0.9980046622f, -0.9971308601f, -0.9958751909f, -0.9940716137f, -0.9914827859f,
            -0.9877703933f, -0.9824541388f, -0.9748561217f, -0.9640275801f, -0.9486568273f,
            -0.9269625051f, -0.8965880154f, -0.8545351057f, -0.7972097087f, -0.7206956332f,
            -0.6213939966f, -0.4971057414f, -0.3484130125f, -0.1798408185f, 0.0000000000f,
            0.1798408185f, 0.3484130125f, 0.4971057414f, 0.6213939966f, 0.7206956332f,
            0.7972097087f, 0.8545351057f, 0.8965880154f, 0.9269625051f, 0.9486568273f,
            0.9640275801f, 0.9748561217f, 0.9824541388f, 0.9877703933f, 0.9914827859f,
            0.9940716137f, 0.9958751909f, 0.9971308601f, 0.9980046622f, 0.9986125310f,
            0.9990353053f, 0.9993292997f, 0.9995337191f, 0.9996758446f, 0.9997746542f,
            0.9998433469f, 0.9998911009f, 0.9999242982f, 0.9999473758f, 0.9999634183f,
            0.9999745703f, 0.9999823226f, 0.9999877117f, 0.9999914578f, 0.9999940619f,
            0.9999958722f, 0.9999971306f, 0.9999980053f, 0.9999986134f, 0.9999990361f,
            0.9999993300f, 0.9999995342f, 0.9999996762f, 0.9999997749f,
            0.0f,   // zero-filled 90th element, as in the C++
        };

        /// <summary>
        /// tanh_test.cc SimpleTestTanhUInt8 (an int8 test despite its name): input scale 16/256.f, zero point 0;
        /// output scale 1.99999955f/256.f, zero point 0; golden quantized with tflite::Quantize; tolerance 2.
        /// </summary>
        [Fact]
        public void TflmGolden_SimpleTestTanhUInt8()
        {
            const float inputScale = 16 / 256.0f;
            const float outputScale = 1.99999955f / 256.0f;
            Assert.Equal(90, TanhInput.Length);
            Assert.Equal(90, TanhGolden.Length);
            SigmoidTanhOptions p;
            string warning;
            Assert.Null(NonlinearParams.TryTanh(inputScale, 0, outputScale, 0, out p, out warning));

            byte[] inQ = NonlinearTestUtil.QuantizeToBytes(TanhInput, inputScale, 0);
            var outQ = new byte[TanhInput.Length];
            Edge.Kernels.Reference.Tanh.Eval(inQ, 0, outQ, 0, TanhInput.Length,
                p.InputZeroPoint, p.InputRangeRadius, p.InputMultiplier, p.InputLeftShift);
            for (int i = 0; i < TanhGolden.Length; i++)
            {
                int expected = NonlinearTestUtil.FloatToQuantizedInt8(TanhGolden[i], outputScale, 0);
                int actual = (sbyte)outQ[i];
                Assert.True(Math.Abs(expected - actual) <= 2, "element " + i + " expected " + expected + " got " + actual);
            }
        }

        public static IEnumerable<object[]> ScaleZeroPointPairs()
        {
            yield return new object[] { 16 / 256.0f, 0 };
            yield return new object[] { 0.1f, 0 };
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
            SigmoidTanhOptions p = NonlinearParams.Tanh(inputScale, inputZeroPoint, 1.0f / 128, 0);
            int m, s, r;
            NonlinearTflmLiteral.SigmoidTanhPrepare(inputScale, out m, out s, out r);
            Assert.Equal(m, p.InputMultiplier);
            Assert.Equal(s, p.InputLeftShift);
            Assert.Equal(r, p.InputRangeRadius);
            Assert.Equal(inputZeroPoint, p.InputZeroPoint);

            var input = new byte[256];
            for (int i = 0; i < 256; i++) input[i] = (byte)(i - 128);
            var output = new byte[256 + 9];
            Edge.Kernels.Reference.Tanh.Eval(input, 0, output, 9, 256,
                p.InputZeroPoint, p.InputRangeRadius, p.InputMultiplier, p.InputLeftShift);
            for (int i = 0; i < 256; i++)
            {
                sbyte expected = NonlinearTflmLiteral.Tanh((sbyte)(i - 128), inputZeroPoint, r, m, s);
                Assert.True(expected == (sbyte)output[9 + i], "x=" + (i - 128) + " expected " + expected + " got " + (sbyte)output[9 + i]);
            }
        }

        /// <summary>Sanity anchor independent of the literal port: every output is within 1 LSB of the real function.</summary>
        [Theory]
        [MemberData(nameof(ScaleZeroPointPairs))]
        public void WithinOneLsbOfRealFunction(float inputScale, int inputZeroPoint)
        {
            SigmoidTanhOptions p = NonlinearParams.Tanh(inputScale, inputZeroPoint, (float)(1 / 128.0), 0);
            var data = new byte[256];
            for (int i = 0; i < 256; i++) data[i] = (byte)(i - 128);
            var output = new byte[256];
            Edge.Kernels.Reference.Tanh.Eval(data, 0, output, 0, 256, p.InputZeroPoint, p.InputRangeRadius, p.InputMultiplier, p.InputLeftShift);
            for (int i = 0; i < 256; i++)
            {
                double x = (double)inputScale * ((i - 128) - inputZeroPoint);
                if (p.InputRangeRadius == 0 && (i - 128) == inputZeroPoint)
                {
                    // TFLM quirk (input scale >= 8): radius 0 sends even x == zero point to the "<= -radius" branch.
                    Assert.Equal(-128, (sbyte)output[i]);
                    continue;
                }
                double ideal = Math.Min(127, Math.Max(-128, Math.Round(Math.Tanh(x) * 128.0) + 0));
                Assert.True(Math.Abs(ideal - (sbyte)output[i]) <= 1, "x=" + x + " ideal " + ideal + " got " + (sbyte)output[i]);
            }
        }

        [Fact]
        public void InPlaceGivesSameResult()
        {
            SigmoidTanhOptions p = NonlinearParams.Tanh(0.05f, 3, 1.0f / 128, 0);
            var data = new byte[256];
            for (int i = 0; i < 256; i++) data[i] = (byte)i;
            var separate = new byte[256];
            Edge.Kernels.Reference.Tanh.Eval(data, 0, separate, 0, 256, p.InputZeroPoint, p.InputRangeRadius, p.InputMultiplier, p.InputLeftShift);
            Edge.Kernels.Reference.Tanh.Eval(data, 0, data, 0, 256, p.InputZeroPoint, p.InputRangeRadius, p.InputMultiplier, p.InputLeftShift);
            Assert.Equal(separate, data);
        }

        [Fact]
        public void HostWarnsButAcceptsNonCanonicalOutputQuantization()
        {
            // TFLM's tanh Prepare checks neither output zero point nor output scale.
            SigmoidTanhOptions p;
            string warning;
            Assert.Null(NonlinearParams.TryTanh(0.1f, 0, 1.0f / 128, 0, out p, out warning));
            Assert.Null(warning);
            Assert.Null(NonlinearParams.TryTanh(0.1f, 0, 0.01f, 5, out p, out warning));
            Assert.NotNull(warning);
            Assert.NotNull(NonlinearParams.TryTanh(0.0f, 0, 1.0f / 128, 0, out p, out warning));
        }

        [Fact]
        public void FixedPointTanhMatchesLiteralPort()
        {
            var rng = new Random(777);
            for (int integerBits = 0; integerBits <= 6; integerBits++)
            {
                for (int k = 0; k < 5000; k++)
                {
                    int a = k < 3 ? k - 1 : rng.Next(int.MinValue, int.MaxValue);
                    if (k == 3) a = int.MinValue;
                    if (k == 4) a = int.MaxValue;
                    Assert.Equal(GemmlowpLiteral.Tanh(a, integerBits), FixedPointExtra.Tanh(a, integerBits));
                }
            }
        }
    }
}
