using System;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// AVERAGE_POOL_2D and MAX_POOL_2D reference kernels. Golden cases from TFLM's
    /// tensorflow/lite/micro/kernels/pooling_test.cc (int8 data given directly, tolerance 1e-5 → exact; input
    /// 1×2×4×1, VALID padding, output extents from the output tensor as TFLM does); edge shapes differential
    /// against literal ports of reference_integer_ops::AveragePool / MaxPool.
    /// </summary>
    public class PoolingTests
    {
        static readonly int[] In = { 0, -24, 8, 16, 12, 8, -40, 28 };
        static readonly int[] In6 = { 12, -24, 32, 16, 12, 8, 40, 28 };

        [Theory]
        [InlineData("SimpleAveragePoolTestInt8PaddingValidStride2ActNone", 0, 2, 2, 1, 2, FusedActivation.None, new[] { -1, 3 })]
        [InlineData("SimpleAveragePoolTestInt8PaddingValidStride1Stride2Relu", 0, 2, 1, 1, 3, FusedActivation.Relu, new[] { 0, 0, 3 })]
        [InlineData("SimpleAveragePoolTestInt8PaddingValidStride2Stride1ReluN1To1", 0, 1, 2, 1, 2, FusedActivation.ReluN1To1, new[] { -1, 3 })]
        [InlineData("SimpleAveragePoolTestInt8PaddingValidStride2Relu6", 1, 2, 2, 1, 2, FusedActivation.Relu6, new[] { 2, 24 })]
        [InlineData("SimpleAveragePoolTestInt8PaddingSameStride1ActNone", 1, 1, 1, 2, 4, FusedActivation.None, new[] { 2, 14, 29, 22, 10, 24, 34, 28 })]
        public void TflmAveragePool(string name, int inputSet, int strideH, int strideW, int outH, int outW, FusedActivation act, int[] golden)
        {
            int[] input = inputSet == 0 ? In : In6;
            ActivationRange r = QuantMath.CalculateActivationRangeQuantized(act, 0.25f, 0);
            var outBuf = new byte[outH * outW];
            bool ok = AveragePool2D.Eval(Bytes(input), 0, 1, 2, 4, 1, outBuf, 0, outH, outW, 2, 2, strideH, strideW, 0, 0, r.Min, r.Max);
            Assert.True(ok, name);
            Assert.Equal(Array.ConvertAll(golden, v => (sbyte)v), SBytes(outBuf));
        }

        [Theory]
        [InlineData("SimpleMaxPoolTestInt8ActNone", new[] { 0, 6, 2, 4, 3, 2, 10, 7 }, 1.0f, FusedActivation.None, new[] { 6, 10 })]
        [InlineData("MaxPoolTestInt8ActRelu", new[] { -3, -12, 4, 8, -6, -4, 20, 14 }, 0.5f, FusedActivation.Relu, new[] { 0, 20 })]
        [InlineData("MaxPoolTestInt8ActReluN1To1", new[] { -2, -6, -2, -4, -3, -2, 10, 7 }, 1.0f, FusedActivation.ReluN1To1, new[] { -1, 1 })]
        [InlineData("MaxPoolTestInt8ActRelu6", new[] { 0, -6, 12, 4, -3, -2, 10, 7 }, 1.0f, FusedActivation.Relu6, new[] { 0, 6 })]
        public void TflmMaxPool(string name, int[] input, float scale, FusedActivation act, int[] golden)
        {
            ActivationRange r = QuantMath.CalculateActivationRangeQuantized(act, scale, 0);
            var outBuf = new byte[2];
            MaxPool2D.Eval(Bytes(input), 0, 1, 2, 4, 1, outBuf, 0, 1, 2, 2, 2, 2, 2, 0, 0, r.Min, r.Max);
            Assert.True(golden.Length == 2, name);
            Assert.Equal(Array.ConvertAll(golden, v => (sbyte)v), SBytes(outBuf));
        }

        [Theory]
        [InlineData(1, 7, 5, 3, 3, 3, 2, 2, true)]
        [InlineData(2, 8, 8, 5, 2, 2, 2, 2, false)]
        [InlineData(1, 9, 6, 1, 3, 2, 1, 1, true)]
        [InlineData(1, 5, 5, 17, 5, 5, 1, 1, true)]
        [InlineData(3, 1, 9, 2, 1, 3, 1, 2, true)]
        [InlineData(1, 12, 12, 4, 7, 7, 3, 3, true)]
        public void DifferentialAgainstTfliteForm(int batches, int inH, int inW, int depth, int fH, int fW, int strideH, int strideW, bool same)
        {
            for (int seed = 0; seed < 30; seed++)
            {
                var rng = new Random(seed * 17 + inH * 3 + depth);
                int outH = ComputeOutAndPad(same, strideH, 1, inH, fH, out int padH);
                int outW = ComputeOutAndPad(same, strideW, 1, inW, fW, out int padW);
                sbyte[] input = SBytes(RandomInt8(rng, batches * inH * inW * depth));
                var act = (FusedActivation)(seed % 4);
                ActivationRange r = QuantMath.CalculateActivationRangeQuantized(act, (float)(0.01 + rng.NextDouble() * 0.1), rng.Next(-128, 128));
                int n = batches * outH * outW * depth;
                const int inOff = 2, outOff = 3;
                var avg = new byte[outOff + n + 1];
                var max = new byte[outOff + n + 1];
                Assert.True(AveragePool2D.Eval(Embed(Bytes(input), inOff), inOff, batches, inH, inW, depth, avg, outOff, outH, outW, fH, fW, strideH, strideW, padH, padW, r.Min, r.Max));
                MaxPool2D.Eval(Embed(Bytes(input), inOff), inOff, batches, inH, inW, depth, max, outOff, outH, outW, fH, fW, strideH, strideW, padH, padW, r.Min, r.Max);
                Naive(input, batches, inH, inW, depth, outH, outW, fH, fW, strideH, strideW, padH, padW, r.Min, r.Max, out sbyte[] navg, out sbyte[] nmax);
                Assert.Equal(navg, SBytes(avg, outOff, n));
                Assert.Equal(nmax, SBytes(max, outOff, n));
                Assert.Equal(0, avg[outOff + n]);
                Assert.Equal(0, max[outOff - 1]);
            }
        }

        /// <summary>A window entirely in the padding has no taps: TFLite's AveragePool returns false (error).</summary>
        [Fact]
        public void EmptyWindowReportsFalse()
        {
            var outBuf = new byte[4];
            bool ok = AveragePool2D.Eval(Bytes(1, 2, 3, 4), 0, 1, 2, 2, 1, outBuf, 0, 2, 2, 1, 1, 1, 1, 1, 1, -128, 127);
            Assert.False(ok);
        }

        /// <summary>Literal ports of reference_integer_ops::AveragePool and MaxPool (int8).</summary>
        private static void Naive(sbyte[] input, int batches, int inH, int inW, int depth, int outH, int outW, int fH, int fW,
            int strideH, int strideW, int padH, int padW, int actMin, int actMax, out sbyte[] avg, out sbyte[] max)
        {
            avg = new sbyte[batches * outH * outW * depth];
            max = new sbyte[avg.Length];
            for (int b = 0; b < batches; b++)
                for (int oy = 0; oy < outH; oy++)
                    for (int ox = 0; ox < outW; ox++)
                        for (int c = 0; c < depth; c++)
                        {
                            int inXOrigin = ox * strideW - padW;
                            int inYOrigin = oy * strideH - padH;
                            int fxStart = Math.Max(0, -inXOrigin);
                            int fxEnd = Math.Min(fW, inW - inXOrigin);
                            int fyStart = Math.Max(0, -inYOrigin);
                            int fyEnd = Math.Min(fH, inH - inYOrigin);
                            int acc = 0, count = 0;
                            sbyte m = sbyte.MinValue;
                            for (int fy = fyStart; fy < fyEnd; fy++)
                                for (int fx = fxStart; fx < fxEnd; fx++)
                                {
                                    sbyte v = input[((b * inH + inYOrigin + fy) * inW + inXOrigin + fx) * depth + c];
                                    acc += v;
                                    count++;
                                    m = Math.Max(m, v);
                                }
                            Assert.True(count > 0);
                            acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                            acc = Math.Max(acc, actMin);
                            acc = Math.Min(acc, actMax);
                            int idx = ((b * outH + oy) * outW + ox) * depth + c;
                            avg[idx] = (sbyte)acc;
                            m = Math.Max(m, (sbyte)actMin);
                            m = Math.Min(m, (sbyte)actMax);
                            max[idx] = m;
                        }
        }
    }
}
