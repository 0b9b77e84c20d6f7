using System;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Edge.Runtime;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// ADD reference kernel. Golden cases from TFLM's tensorflow/lite/micro/kernels/add_test.cc (TestAddQuantized:
    /// inputs/golden via tflite::Quantize, tolerance 1e-5 → exact); broadcasting up to 6-D differential against a
    /// literal port of AddFunc over TFLite's NdArrayDesc indexing.
    /// </summary>
    public class AddTests
    {
        internal static readonly int[][] VariousShapes = { new[] { 6 }, new[] { 2, 3 }, new[] { 2, 1, 3 }, new[] { 1, 3, 1, 2 } };
        internal static readonly int[] BroadcastInput1Shape = { 2, 3, 1, 2 };
        internal static readonly int[][] BroadcastInput2Shapes = { new[] { 1, 1, 3, 2 }, new[] { 1, 3, 1, 2 }, new[] { 2, 1, 3, 1 }, new[] { 2, 3, 1, 1 } };
        internal static readonly float[] BroadcastInput1 = F(-0.3, 2.3, 0.9, 0.5, 0.8, -1.1, 1.2, 2.8, -1.6, 0.0, 0.7, -2.2);
        static readonly float[][] BroadcastGoldens = {
            F(-0.1, 2.6, -0.7, 2.8, 0.7, 3.2, 1.1, 0.8, 0.5, 1.0, 1.9, 1.4, 1.0, -0.8, 0.4, -0.6, 1.8, -0.2, 1.4, 3.1, 0.8, 3.3, 2.2, 3.7,
              -1.4, 0.3, -2.0, 0.5, -0.6, 0.9, 0.9, -1.9, 0.3, -1.7, 1.7, -1.3),
            F(-0.1, 2.6, 0.5, 1.0, 1.8, -0.2, 1.4, 3.1, -2.0, 0.5, 1.7, -1.3),
            F(-0.1, 2.5, 0.0, 2.6, -0.7, 1.9, 1.1, 0.7, 1.2, 0.8, 0.5, 0.1, 1.0, -0.9, 1.1, -0.8, 0.4, -1.5, 1.7, 3.3, 2.2, 3.8, 2.1, 3.7,
              -1.1, 0.5, -0.6, 1.0, -0.7, 0.9, 1.2, -1.7, 1.7, -1.2, 1.6, -1.3),
            F(-0.1, 2.5, 1.2, 0.8, 0.4, -1.5, 1.7, 3.3, -0.6, 1.0, 1.6, -1.3),
        };

        /// <summary>C float arrays initialised from double literals: each value is (float)double.</summary>
        internal static float[] F(params double[] v)
        {
            var f = new float[v.Length];
            for (int i = 0; i < v.Length; i++) f[i] = (float)v[i];
            return f;
        }

        [Theory]
        [InlineData("QuantizedAddNoActivationInt8", FusedActivation.None)]
        [InlineData("QuantizedAddActivationRelu1Int8", FusedActivation.ReluN1To1)]
        public void TflmSimple(string name, FusedActivation act)
        {
            float[] golden = act == FusedActivation.None ? F(-1, 1, 3, 5) : F(-1, 1, 1, 1);
            Check(name, new[] { 1, 2, 2, 1 }, F(-2.01, -1.01, -0.01, 0.98), (float)0.25, -10,
                new[] { 1, 2, 2, 1 }, F(1.01, 1.99, 2.99, 4.02), (float)0.5, 4, golden, (float)1.0, 13, act);
        }

        [Fact]
        public void TflmQuantizedAddVariousInputShapesInt8()
        {
            foreach (int[] shape in VariousShapes)
                Check("QuantizedAddVariousInputShapesInt8", shape, F(-2.0, 0.2, 0.7, 0.8, 1.1, 2.0), (float)0.1, -9,
                    shape, F(0.1, 0.2, 0.3, 0.5, 1.1, 0.1), (float)0.05, 5, F(-1.9, 0.4, 1.0, 1.3, 2.2, 2.1), (float)0.1, 14, FusedActivation.None);
        }

        [Fact]
        public void TflmQuantizedAddWithScalarBroadcastInt8()
        {
            foreach (int[] shape in VariousShapes)
                Check("QuantizedAddWithScalarBroadcastInt8", shape, F(-2.0, 0.2, 0.7, 0.8, 1.1, 2.0), (float)0.1, -8,
                    new int[0], F(0.1), (float)0.05, 4, F(-1.9, 0.3, 0.8, 0.9, 1.2, 2.1), (float)0.05, 12, FusedActivation.None);
        }

        [Fact]
        public void TflmQuantizedAddWithMixedBroadcastInt8()
        {
            for (int i = 0; i < 4; i++)
                Check("QuantizedAddWithMixedBroadcastInt8 " + i, BroadcastInput1Shape, BroadcastInput1, (float)0.1, -10,
                    BroadcastInput2Shapes[i], F(0.2, 0.3, -0.4, 0.5, 1.0, 0.9), (float)0.05, -5, BroadcastGoldens[i], (float)0.1, 7, FusedActivation.None);
        }

        private static void Check(string name, int[] shape1, float[] in1, float s1, int zp1, int[] shape2, float[] in2, float s2, int zp2,
            float[] golden, float so, int zpo, FusedActivation act)
        {
            AddSubParams p = QuantMath.AddParams(s1, zp1, s2, zp2, so, zpo, act);
            byte[] outBuf = RunAdd(Bytes(Quantize(in1, s1, zp1)), shape1, Bytes(Quantize(in2, s2, zp2)), shape2, p, out int[] outShape);
            Assert.True(golden.Length == Product(outShape), name);
            Assert.Equal(Quantize(golden, so, zpo), SBytes(outBuf));
        }

        internal static byte[] RunAdd(byte[] in1, int[] shape1, byte[] in2, int[] shape2, AddSubParams p, out int[] outShape)
        {
            outShape = BroadcastOutShape(shape1, shape2);
            int n = Product(outShape);
            var outBuf = new byte[n];
            Add.Eval(in1, 0, shape1, in2, 0, shape2, outBuf, 0, p.LeftShift,
                p.Input1Offset, p.Input1Multiplier, p.Input1Shift, p.Input2Offset, p.Input2Multiplier, p.Input2Shift,
                p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActMin, p.ActMax);
            return outBuf;
        }

        /// <summary>Literal port of reference_integer_ops::AddFunc.</summary>
        internal static int NaiveAddFunc(int x, int y, AddSubParams p, bool subtract)
        {
            int input1Val = p.Input1Offset + x;
            int input2Val = p.Input2Offset + y;
            int shifted1 = input1Val * (1 << p.LeftShift);
            int shifted2 = input2Val * (1 << p.LeftShift);
            int scaled1 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted1, p.Input1Multiplier, p.Input1Shift);
            int scaled2 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted2, p.Input2Multiplier, p.Input2Shift);
            int raw = subtract ? scaled1 - scaled2 : scaled1 + scaled2;
            int rawOutput = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(raw, p.OutputMultiplier, p.OutputShift) + p.OutputOffset;
            return Math.Min(p.ActMax, Math.Max(p.ActMin, rawOutput));
        }

        /// <summary>Random shapes of rank 0..6 with random broadcast axes, random quantization, many seeds.</summary>
        [Fact]
        public void DifferentialBroadcastUpTo6D()
        {
            RandomBroadcastCases(7, (rng, shape1, shape2, in1, in2, outShape) =>
            {
                float s1 = (float)(0.001 + rng.NextDouble()), s2 = (float)(0.001 + rng.NextDouble()), so = (float)(0.002 + rng.NextDouble() * 2);
                int zp1 = rng.Next(-128, 128), zp2 = rng.Next(-128, 128), zpo = rng.Next(-128, 128);
                AddSubParams p = QuantMath.AddParams(s1, zp1, s2, zp2, so, zpo, (FusedActivation)rng.Next(0, 4));
                byte[] actual = RunAdd(in1, shape1, in2, shape2, p, out _);
                for (int i = 0; i < actual.Length; i++)
                {
                    int x = (sbyte)in1[BroadcastSourceIndex(i, outShape, shape1)];
                    int y = (sbyte)in2[BroadcastSourceIndex(i, outShape, shape2)];
                    Assert.Equal(NaiveAddFunc(x, y, p, false), (sbyte)actual[i]);
                }
            });
        }

        internal delegate void BroadcastCase(Random rng, int[] shape1, int[] shape2, byte[] in1, byte[] in2, int[] outShape);

        /// <summary>Generates random broadcast-compatible shape pairs (rank 0..6, extents 1..4) and random int8 data.</summary>
        internal static void RandomBroadcastCases(int seedBase, BroadcastCase body)
        {
            for (int seed = 0; seed < 300; seed++)
            {
                var rng = new Random(seedBase * 1000 + seed);
                int rank = rng.Next(0, 7);
                var full = new int[rank];
                for (int i = 0; i < rank; i++) full[i] = rng.Next(1, 5);
                int[] shape1 = Derive(rng, full);
                int[] shape2 = Derive(rng, full);
                int[] outShape = BroadcastOutShape(shape1, shape2);
                if (outShape.Length == 0) outShape = new[] { 1 };
                byte[] in1 = RandomInt8(rng, Product(shape1));
                byte[] in2 = RandomInt8(rng, Product(shape2));
                body(rng, shape1, shape2, in1, in2, outShape);
            }
        }

        private static int[] Derive(Random rng, int[] full)
        {
            int drop = rng.Next(0, full.Length + 1);   // drop leading dims (implicit 1s)
            var s = new int[full.Length - drop];
            for (int i = 0; i < s.Length; i++) s[i] = rng.Next(0, 3) == 0 ? 1 : full[i + drop];
            return s;
        }
    }
}
