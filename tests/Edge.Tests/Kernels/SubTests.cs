using System;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.AddTests;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// SUB reference kernel. Golden cases from TFLM's tensorflow/lite/micro/kernels/sub_test.cc (TestSubQuantized,
    /// tolerance 1e-5 → exact); broadcasting up to 6-D differential against a literal port of SubElementwise /
    /// BroadcastQuantSubSlow's per-element body.
    /// </summary>
    public class SubTests
    {
        static readonly float[][] BroadcastGoldens = {
            F(-0.1, 2.6, -0.7, 2.8, 0.7, 3.2, 1.1, 0.8, 0.5, 1.0, 1.9, 1.4, 1.0, -0.8, 0.4, -0.6, 1.8, -0.2, 1.4, 3.1, 0.8, 3.3, 2.2, 3.7,
              -1.4, 0.3, -2.0, 0.5, -0.6, 0.9, 0.9, -1.9, 0.3, -1.7, 1.7, -1.3),
            F(-0.1, 2.6, 0.5, 1.0, 1.8, -0.2, 1.4, 3.1, -2.0, 0.5, 1.7, -1.3),
            F(-0.1, 2.5, 0.0, 2.6, -0.7, 1.9, 1.1, 0.7, 1.2, 0.8, 0.5, 0.1, 1.0, -0.9, 1.1, -0.8, 0.4, -1.5, 1.7, 3.3, 2.2, 3.8, 2.1, 3.7,
              -1.1, 0.5, -0.6, 1.0, -0.7, 0.9, 1.2, -1.7, 1.7, -1.2, 1.6, -1.3),
            F(-0.1, 2.5, 1.2, 0.8, 0.4, -1.5, 1.7, 3.3, -0.6, 1.0, 1.6, -1.3),
        };

        [Theory]
        [InlineData("QuantizedSubNoActivationInt8", FusedActivation.None)]
        [InlineData("QuantizedSubActivationRelu1Int8", FusedActivation.ReluN1To1)]
        public void TflmSimple(string name, FusedActivation act)
        {
            float[] golden = act == FusedActivation.None ? F(-1, 1, 3, 5) : F(-1, 1, 1, 1);
            Check(name, new[] { 1, 2, 2, 1 }, F(-2.01, -1.01, -0.01, 0.98), (float)0.25, -10,
                new[] { 1, 2, 2, 1 }, F(-1.01, -1.99, -2.99, -4.02), (float)0.5, 4, golden, (float)1.0, 13, act);
        }

        [Fact]
        public void TflmQuantizedSubVariousInputShapesInt8()
        {
            foreach (int[] shape in VariousShapes)
                Check("QuantizedSubVariousInputShapesInt8", shape, F(-2.0, 0.2, 0.7, 0.8, 1.1, 2.0), (float)0.1, -9,
                    shape, F(-0.1, -0.2, -0.3, -0.5, -1.1, -0.1), (float)0.05, 5, F(-1.9, 0.4, 1.0, 1.3, 2.2, 2.1), (float)0.1, 14, FusedActivation.None);
        }

        [Fact]
        public void TflmQuantizedSubWithScalarBroadcastInt8()
        {
            foreach (int[] shape in VariousShapes)
                Check("QuantizedSubWithScalarBroadcastInt8", shape, F(-2.0, 0.2, 0.7, 0.8, 1.1, 2.0), (float)0.1, -8,
                    new int[0], F(-0.1), (float)0.05, 4, F(-1.9, 0.3, 0.8, 0.9, 1.2, 2.1), (float)0.05, 12, FusedActivation.None);
        }

        [Fact]
        public void TflmQuantizedSubWithMixedBroadcastInt8()
        {
            for (int i = 0; i < 4; i++)
                Check("QuantizedSubWithMixedBroadcastInt8 " + i, BroadcastInput1Shape, BroadcastInput1, (float)0.1, -10,
                    BroadcastInput2Shapes[i], F(-0.2, -0.3, 0.4, -0.5, -1.0, -0.9), (float)0.05, -5, BroadcastGoldens[i], (float)0.1, 7, FusedActivation.None);
        }

        private static void Check(string name, int[] shape1, float[] in1, float s1, int zp1, int[] shape2, float[] in2, float s2, int zp2,
            float[] golden, float so, int zpo, FusedActivation act)
        {
            AddSubParams p = QuantMath.SubParams(s1, zp1, s2, zp2, so, zpo, act);
            byte[] outBuf = RunSub(Bytes(Quantize(in1, s1, zp1)), shape1, Bytes(Quantize(in2, s2, zp2)), shape2, p, out int[] outShape);
            Assert.True(golden.Length == Product(outShape), name);
            Assert.Equal(Quantize(golden, so, zpo), SBytes(outBuf));
        }

        internal static byte[] RunSub(byte[] in1, int[] shape1, byte[] in2, int[] shape2, AddSubParams p, out int[] outShape)
        {
            outShape = BroadcastOutShape(shape1, shape2);
            const int off1 = 3, off2 = 1, offO = 2;
            var outBuf = new byte[offO + Product(outShape) + 1];
            Sub.Eval(Embed(in1, off1), off1, shape1, Embed(in2, off2), off2, shape2, outBuf, offO, p.LeftShift,
                p.Input1Offset, p.Input1Multiplier, p.Input1Shift, p.Input2Offset, p.Input2Multiplier, p.Input2Shift,
                p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActMin, p.ActMax);
            Assert.Equal(0, outBuf[offO - 1]);
            Assert.Equal(0, outBuf[outBuf.Length - 1]);
            var r = new byte[Product(outShape)];
            Array.Copy(outBuf, offO, r, 0, r.Length);
            return r;
        }

        [Fact]
        public void DifferentialBroadcastUpTo6D()
        {
            RandomBroadcastCases(11, (rng, shape1, shape2, in1, in2, outShape) =>
            {
                float s1 = (float)(0.001 + rng.NextDouble()), s2 = (float)(0.001 + rng.NextDouble()), so = (float)(0.002 + rng.NextDouble() * 2);
                int zp1 = rng.Next(-128, 128), zp2 = rng.Next(-128, 128), zpo = rng.Next(-128, 128);
                AddSubParams p = QuantMath.SubParams(s1, zp1, s2, zp2, so, zpo, (FusedActivation)rng.Next(0, 4));
                byte[] actual = RunSub(in1, shape1, in2, shape2, p, out _);
                for (int i = 0; i < actual.Length; i++)
                {
                    int x = (sbyte)in1[BroadcastSourceIndex(i, outShape, shape1)];
                    int y = (sbyte)in2[BroadcastSourceIndex(i, outShape, shape2)];
                    Assert.Equal(NaiveAddFunc(x, y, p, true), (sbyte)actual[i]);
                }
            });
        }
    }
}
