using System;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// CONCATENATION reference kernel. Copy path: golden cases from TFLM's tensorflow/lite/micro/kernels/
    /// concatenation_test.cc (TwoInputsQuantizedInt8, TwoInputsQuantizedInt8FiveDimensions, and the float tests'
    /// integer data as int8). Rescaling path: differential against a literal int8 port of
    /// reference_ops::ConcatenationWithScaling (TFLM itself never rescales int8).
    /// </summary>
    public class ConcatenationTests
    {
        private static byte[] Run(int axis, int[] outShape, byte[][] inputs, int[] axisDims)
        {
            var offsets = new int[inputs.Length];
            var embedded = new byte[inputs.Length][];
            for (int i = 0; i < inputs.Length; i++) { offsets[i] = i + 1; embedded[i] = Embed(inputs[i], i + 1); }
            int n = Product(outShape);
            var outBuf = new byte[n + 3];
            Concatenation.Eval(axis, outShape, embedded, offsets, axisDims, outBuf, 2);
            Assert.Equal(0, outBuf[1]);
            Assert.Equal(0, outBuf[n + 2]);
            var r = new byte[n];
            Array.Copy(outBuf, 2, r, 0, n);
            return r;
        }

        [Fact]
        public void TflmTwoInputsQuantizedInt8()
        {
            byte[] r = Run(2, new[] { 2, 1, 4 }, new[] { Bytes(1, 2, 3, 4), Bytes(5, 6, 7, 8) }, new[] { 2, 2 });
            Assert.Equal(new sbyte[] { 1, 2, 5, 6, 3, 4, 7, 8 }, SBytes(r));
        }

        [Fact]
        public void TflmTwoInputsQuantizedInt8FiveDimensions()
        {
            byte[] r = Run(2, new[] { 2, 1, 4, 1, 3 }, new[] { Bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), Bytes(13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24) }, new[] { 2, 2 });
            Assert.Equal(new sbyte[] { 1, 2, 3, 4, 5, 6, 13, 14, 15, 16, 17, 18, 7, 8, 9, 10, 11, 12, 19, 20, 21, 22, 23, 24 }, SBytes(r));
        }

        [Fact]
        public void TflmTwoInputsAllAxesCombinations()
        {
            byte[] a = Bytes(1, 2, 3, 4, 5, 6), b = Bytes(7, 8, 9, 10, 11, 12);
            Assert.Equal(new sbyte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, SBytes(Run(0, new[] { 4, 3 }, new[] { a, b }, new[] { 2, 2 })));
            Assert.Equal(new sbyte[] { 1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12 }, SBytes(Run(1, new[] { 2, 6 }, new[] { a, b }, new[] { 3, 3 })));
        }

        [Fact]
        public void TflmThreeDimensionalTwoInputsDifferentShapes()
        {
            byte[] r = Run(1, new[] { 2, 4, 2 }, new[] { Bytes(1, 3, 4, 7), Bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) }, new[] { 1, 3 });
            Assert.Equal(new sbyte[] { 1, 3, 1, 2, 3, 4, 5, 6, 4, 7, 7, 8, 9, 10, 11, 12 }, SBytes(r));
        }

        /// <summary>
        /// Literal int8 port of ConcatenationWithScaling's per-input body: copy when (zp, scale) match the output's,
        /// else value = (int32)TfLiteRound(x · scale + bias) + output_zp with scale = in_scale · (1 / out_scale) and
        /// bias = −in_zp · scale in float, clamped to int8.
        /// </summary>
        private static sbyte NaiveScaled(sbyte x, float inScale, int inZp, float outScale, int outZp)
        {
            if (inZp == outZp && inScale == outScale) return x;
            float inverse = 1.0f / outScale;
            float scale = inScale * inverse;
            float bias = -inZp * scale;
            float v = x * scale + bias;
            int value = (int)MathF.Round(v, MidpointRounding.AwayFromZero) + outZp;
            return (sbyte)Math.Max(Math.Min(127, value), -128);
        }

        [Fact]
        public void DifferentialWithScaling()
        {
            for (int seed = 0; seed < 300; seed++)
            {
                var rng = new Random(seed);
                int rank = rng.Next(1, 6);
                int axis = rng.Next(0, rank);
                int count = rng.Next(1, 5);
                var baseShape = new int[rank];
                for (int i = 0; i < rank; i++) baseShape[i] = rng.Next(1, 4);
                var axisDims = new int[count];
                var inputs = new byte[count][];
                var scales = new float[count];
                var zps = new int[count];
                float outScale = (float)(0.01 + rng.NextDouble() * 0.2);
                int outZp = rng.Next(-128, 128);
                int total = 0;
                for (int i = 0; i < count; i++)
                {
                    axisDims[i] = rng.Next(1, 4);
                    total += axisDims[i];
                    int size = Product(baseShape) / baseShape[axis] * axisDims[i];
                    inputs[i] = RandomInt8(rng, size);
                    bool same = rng.Next(0, 3) == 0;
                    scales[i] = same ? outScale : (float)(0.005 + rng.NextDouble() * 0.5);
                    zps[i] = same ? outZp : rng.Next(-128, 128);
                }
                var outShape = (int[])baseShape.Clone();
                outShape[axis] = total;
                int n = Product(outShape);
                var offsets = new int[count];
                var outBuf = new byte[n + 1];
                Concatenation.EvalWithScaling(axis, outShape, inputs, offsets, axisDims, scales, zps, outBuf, 0, outScale, outZp);
                int inner = 1;
                for (int i = axis + 1; i < rank; i++) inner *= outShape[i];
                int outer = n / (total * inner);
                int o = 0;
                for (int k = 0; k < outer; k++)
                    for (int i = 0; i < count; i++)
                    {
                        int copy = axisDims[i] * inner;
                        for (int j = 0; j < copy; j++, o++)
                            Assert.Equal(NaiveScaled((sbyte)inputs[i][k * copy + j], scales[i], zps[i], outScale, outZp), (sbyte)outBuf[o]);
                    }
                Assert.Equal(n, o);
                Assert.Equal(0, outBuf[n]);
            }
        }

        /// <summary>With every input sharing the output quantization, the scaling path is the plain copy.</summary>
        [Fact]
        public void ScalingWithSameQuantizationIsACopy()
        {
            var outBuf = new byte[8];
            Concatenation.EvalWithScaling(2, new[] { 2, 1, 4 }, new[] { Bytes(1, 2, 3, 4), Bytes(5, 6, 7, 8) }, new[] { 0, 0 }, new[] { 2, 2 },
                new[] { 0.1f, 0.1f }, new[] { 0, 0 }, outBuf, 0, 0.1f, 0);
            Assert.Equal(new sbyte[] { 1, 2, 5, 6, 3, 4, 7, 8 }, SBytes(outBuf));
        }
    }
}
