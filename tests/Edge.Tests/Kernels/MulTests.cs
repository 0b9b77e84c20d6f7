using System;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Edge.Runtime;
using Xunit;
using static Edge.Tests.Kernels.AddTests;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// MUL reference kernel. Golden cases from TFLM's tensorflow/lite/micro/kernels/mul_test.cc (TestMulQuantized:
    /// both inputs share scale/zp, tolerance 1.0 as in TFLM); broadcasting differential against a literal port of
    /// MulElementwise / BroadcastMul4DSlow's per-element body.
    /// </summary>
    public class MulTests
    {
        [Fact]
        public void TflmSimpleInt8NoActivationShouldMatchGolden()
        {
            Check(new[] { 1, 2, 2, 1 }, F(-0.8, 0.2, 0.9, 0.7), new[] { 1, 2, 2, 1 }, F(0.6, 0.4, 0.9, 0.8), (float)0.01, 0,
                F(-0.48, 0.08, 0.81, 0.56), (float)0.01, 0);
        }

        [Fact]
        public void TflmBroadcastInt8NoActivationShouldMatchGolden()
        {
            Check(new[] { 1, 3, 1, 2 }, F(-2.0, 0.2, 0.7, 0.8, 1.1, 2.0), new[] { 1 }, F(0.1), 0.05f, 0,
                F(-0.2, 0.02, 0.07, 0.08, 0.11, 0.2), 0.01f, 0);
        }

        private static void Check(int[] shape1, float[] in1, int[] shape2, float[] in2, float inScale, int inZp,
            float[] golden, float outScale, int outZp)
        {
            MulParams p = QuantMath.MulParams(inScale, inZp, inScale, inZp, outScale, outZp, FusedActivation.None);
            byte[] actual = RunMul(Bytes(Quantize(in1, inScale, inZp)), shape1, Bytes(Quantize(in2, inScale, inZp)), shape2, p, out int[] outShape);
            AssertNear(Quantize(golden, outScale, outZp), SBytes(actual), 1, "mul_test.cc");
            // And exactly the TFLite per-element form.
            byte[] q1 = Bytes(Quantize(in1, inScale, inZp)), q2 = Bytes(Quantize(in2, inScale, inZp));
            for (int i = 0; i < actual.Length; i++)
                Assert.Equal(NaiveMulFunc((sbyte)q1[BroadcastSourceIndex(i, outShape, shape1)], (sbyte)q2[BroadcastSourceIndex(i, outShape, shape2)], p), (sbyte)actual[i]);
        }

        private static byte[] RunMul(byte[] in1, int[] shape1, byte[] in2, int[] shape2, MulParams p, out int[] outShape)
        {
            outShape = BroadcastOutShape(shape1, shape2);
            const int off1 = 2, off2 = 5, offO = 1;
            var outBuf = new byte[offO + Product(outShape) + 1];
            Mul.Eval(Embed(in1, off1), off1, shape1, Embed(in2, off2), off2, shape2, outBuf, offO,
                p.Input1Offset, p.Input2Offset, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActMin, p.ActMax);
            Assert.Equal(0, outBuf[0]);
            Assert.Equal(0, outBuf[outBuf.Length - 1]);
            var r = new byte[Product(outShape)];
            Array.Copy(outBuf, offO, r, 0, r.Length);
            return r;
        }

        /// <summary>Literal port of reference_integer_ops::MulElementwise's body.</summary>
        private static int NaiveMulFunc(int x, int y, MulParams p)
        {
            int input1Val = p.Input1Offset + x;
            int input2Val = p.Input2Offset + y;
            int unclamped = p.OutputOffset + FixedPoint.MultiplyByQuantizedMultiplier(input1Val * input2Val, p.OutputMultiplier, p.OutputShift);
            return Math.Min(p.ActMax, Math.Max(p.ActMin, unclamped));
        }

        [Fact]
        public void DifferentialBroadcastUpTo6D()
        {
            RandomBroadcastCases(13, (rng, shape1, shape2, in1, in2, outShape) =>
            {
                float s1 = (float)(0.001 + rng.NextDouble()), s2 = (float)(0.001 + rng.NextDouble()), so = (float)(0.0005 + rng.NextDouble() * 3);
                int zp1 = rng.Next(-128, 128), zp2 = rng.Next(-128, 128), zpo = rng.Next(-128, 128);
                MulParams p = QuantMath.MulParams(s1, zp1, s2, zp2, so, zpo, (FusedActivation)rng.Next(0, 4));
                byte[] actual = RunMul(in1, shape1, in2, shape2, p, out _);
                for (int i = 0; i < actual.Length; i++)
                {
                    int x = (sbyte)in1[BroadcastSourceIndex(i, outShape, shape1)];
                    int y = (sbyte)in2[BroadcastSourceIndex(i, outShape, shape2)];
                    Assert.Equal(NaiveMulFunc(x, y, p), (sbyte)actual[i]);
                }
            });
        }
    }
}
