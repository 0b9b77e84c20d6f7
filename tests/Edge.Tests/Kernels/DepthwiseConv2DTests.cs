using System;
using System.Collections.Generic;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// DEPTHWISE_CONV_2D reference kernel. Golden cases from TFLM's tensorflow/lite/micro/kernels/
    /// depthwise_conv_test.cc (TestDepthwiseConvQuantizedPerChannel: filter SymmetricPerChannelQuantize on
    /// dimension 3, per-channel bias, tolerance 1); edge shapes differential against a literal port of
    /// reference_integer_ops::DepthwiseConvPerChannel.
    /// </summary>
    public class DepthwiseConv2DTests
    {
        static readonly float[] kFilter16 = { 1, 2, 3, 4, -9, 10, -11, 12, 5, 6, 7, 8, 13, -14, 15, -16 };

        public sealed class FloatCase
        {
            public string Name;
            public int[] InShape; public float[] Input; public float InScale; public int InZp;
            public int[] FilterShape; public float[] Filter; public float[] Bias;
            public int[] OutShape; public float[] Golden; public float OutScale; public int OutZp;
            public int DilationH = 1, DilationW = 1;
            public FusedActivation Activation = FusedActivation.None;
            public override string ToString() => Name;
        }

        public static IEnumerable<object[]> FloatCases()
        {
            yield return new object[] { new FloatCase {
                Name = "depthwise_conv_test.cc SimpleTestQuantizedPerChannel",
                InShape = new[] { 1, 3, 2, 2 }, Input = new float[] { 1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12 }, InScale = 0.5f, InZp = 0,
                FilterShape = new[] { 1, 2, 2, 4 }, Filter = kFilter16, Bias = new float[] { 1, 2, 3, 4 },
                OutShape = new[] { 1, 2, 1, 4 }, Golden = new float[] { 71, -34, 99, -20, 91, -26, 127, -4 }, OutScale = 1.0f, OutZp = 0 } };
            yield return new object[] { new FloatCase {
                Name = "depthwise_conv_test.cc SimpleTestQuantizedPerChannelDepthMultiplier1",
                InShape = new[] { 1, 3, 2, 2 }, Input = new float[] { 1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12 }, InScale = 1.0f, InZp = 0,
                FilterShape = new[] { 1, 2, 2, 2 }, Filter = new float[] { 1, 2, 3, 4, -9, 10, -11, 12 }, Bias = new float[] { 1, 2 },
                OutShape = new[] { 1, 2, 1, 2 }, Golden = new float[] { -103, 127, -128, 127 }, OutScale = 1.0f, OutZp = 0 } };
            yield return new object[] { new FloatCase {
                Name = "depthwise_conv_test.cc TestQuantizedPerChannelDepthMultiplier1Relu6",
                InShape = new[] { 1, 3, 2, 4 }, Input = Fill(24, 1), InScale = 0.023529f, InZp = -128,
                FilterShape = new[] { 1, 2, 2, 4 }, Filter = new float[] { 0, 1, 8, -2, -1, 2, -10, 0, -1, 3, -18, 0, 0, 4, 20, -3 },
                Bias = new float[] { 1, 2, 3, 4 },
                OutShape = new[] { 1, 2, 1, 4 }, Golden = new float[] { 0, 6, 3, 0, 0, 6, 3, 0 }, OutScale = 0.023529f, OutZp = -128,
                Activation = FusedActivation.Relu6 } };
            yield return new object[] { new FloatCase {
                Name = "depthwise_conv_test.cc SimpleTestDilatedQuantizedPerChannel",
                InShape = new[] { 1, 4, 6, 2 },
                Input = new float[] { 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4,
                                      1, 2, 3, 4, 5, 6, 2, 6, 2, 4, 4, 2, 3, 2, 6, 5, 1, 4, 1, 2, 1, 4, 6, 3 },
                InScale = 0.5f, InZp = 0, FilterShape = new[] { 1, 2, 2, 4 }, Filter = kFilter16, Bias = new float[] { 1, 2, 3, 4 },
                OutShape = new[] { 1, 2, 3, 4 },
                Golden = new float[] { 15, 2, 88, -48, 25, 14, 72, 0, 61, -2, 56, 48, -4, 52, 12, 48, 11, 70, 63, 40, 51, -30, 41, 48 },
                OutScale = 1.0f, OutZp = 0, DilationW = 3, DilationH = 2 } };
            yield return new object[] { new FloatCase {
                Name = "depthwise_conv_test.cc TestQuantizedPerChannelCompareWithFloat",
                InShape = new[] { 1, 2, 3, 2 }, Input = new float[] { 3, 2, 1, -1, -2, -3, 4, 3, 2, -2, -3, -4 }, InScale = 0.5f, InZp = 0,
                FilterShape = new[] { 1, 2, 2, 4 }, Filter = new float[] { 1, 2, 3, 4, 3, 4, 5, 6, 7, 8, 5, 6, 3, 4, 1, 2 },
                Bias = new float[] { 3, -2, 4, 6 },
                OutShape = new[] { 1, 1, 2, 4 }, Golden = new float[] { 43, 48, 18, 22, 3, -4, -28, -36 }, OutScale = 1.0f, OutZp = 0 } };
        }

        private static float[] Fill(int n, float v)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++) a[i] = v;
            return a;
        }

        [Theory]
        [MemberData(nameof(FloatCases))]
        public void TflmGoldenPerChannel(FloatCase c)
        {
            sbyte[] input = Quantize(c.Input, c.InScale, c.InZp);
            sbyte[] filter = SymmetricPerChannelQuantize(c.Filter, c.FilterShape, 3, out float[] filterScales);
            int[] bias = QuantizeBias(c.Bias, BiasScales(c.InScale, filterScales));
            sbyte[] golden = Quantize(c.Golden, c.OutScale, c.OutZp);
            sbyte[] actual = Run(input, c.InShape, c.InZp, filter, c.FilterShape, bias, filterScales, c.InScale,
                c.OutShape, c.OutScale, c.OutZp, c.DilationH, c.DilationW, c.Activation, out sbyte[] naive);
            AssertNear(golden, actual, 1, c.Name);
            Assert.Equal(naive, actual);
        }

        /// <summary>depthwise_conv_test.cc PerChannelBroadcastQuantizationParams: per-tensor scales 1, tolerance 1e-5 (exact).</summary>
        [Fact]
        public void TflmPerChannelBroadcastQuantizationParams()
        {
            sbyte[] input = Quantize(new float[] { 1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12 }, 1.0f, 0);
            sbyte[] filter = Quantize(kFilter16, 1.0f, 0);
            int[] bias = QuantizeBias(new float[] { 1, 2, 3, 4 }, new[] { 1.0f });
            sbyte[] golden = Quantize(new float[] { 71, -34, 99, -20, 91, -26, 127, -4 }, 1.0f, 0);
            sbyte[] actual = Run(input, new[] { 1, 3, 2, 2 }, 0, filter, new[] { 1, 2, 2, 4 }, bias, new[] { 1.0f }, 1.0f,
                new[] { 1, 2, 1, 4 }, 1.0f, 0, 1, 1, FusedActivation.None, out sbyte[] naive);
            Assert.Equal(golden, actual);
            Assert.Equal(naive, actual);
        }

        /// <summary>
        /// Differential against the literal TFLite-form port: depth multipliers 1..4, odd channel counts, strides 1/2,
        /// dilation 2, SAME with odd sizes, extreme zero points, batches, with/without bias, activations.
        /// </summary>
        [Theory]
        [InlineData(1, 7, 5, 3, 1, 3, 3, 1, 1, true, -128, 7, FusedActivation.None, true)]
        [InlineData(1, 9, 9, 5, 2, 3, 3, 2, 1, true, 127, -128, FusedActivation.Relu6, true)]
        [InlineData(2, 8, 7, 1, 4, 5, 5, 1, 2, true, 3, 0, FusedActivation.Relu, false)]
        [InlineData(1, 11, 6, 6, 3, 3, 2, 2, 2, false, -9, 127, FusedActivation.None, true)]
        [InlineData(1, 1, 1, 17, 1, 1, 1, 1, 1, false, 0, 0, FusedActivation.None, true)]
        [InlineData(1, 4, 4, 8, 1, 3, 3, 1, 1, true, -128, -128, FusedActivation.ReluN1To1, true)]
        [InlineData(3, 5, 6, 2, 2, 2, 2, 2, 1, true, 5, -6, FusedActivation.None, true)]
        public void DifferentialAgainstTfliteForm(int batches, int inH, int inW, int inDepth, int depthMultiplier,
            int fH, int fW, int stride, int dilation, bool same, int inZp, int outZp, FusedActivation act, bool withBias)
        {
            for (int seed = 0; seed < 25; seed++)
            {
                var rng = new Random(seed * 104729 + inDepth * 13 + depthMultiplier);
                int outDepth = inDepth * depthMultiplier;
                int outH = ComputeOutAndPad(same, stride, dilation, inH, fH, out int padH);
                int outW = ComputeOutAndPad(same, stride, dilation, inW, fW, out int padW);
                sbyte[] input = SBytes(RandomInt8(rng, batches * inH * inW * inDepth));
                sbyte[] filter = SBytes(RandomInt8(rng, fH * fW * outDepth));
                for (int i = 0; i < filter.Length; i++) if (filter[i] == -128) filter[i] = -127;
                float inScale = (float)(0.002 + rng.NextDouble() * 0.05);
                float outScale = (float)(0.01 + rng.NextDouble() * 0.3);
                var filterScales = new float[outDepth];
                for (int i = 0; i < outDepth; i++) filterScales[i] = (float)(0.0005 + rng.NextDouble() * 0.03);
                int[] bias = null;
                if (withBias)
                {
                    bias = new int[outDepth];
                    for (int i = 0; i < outDepth; i++) bias[i] = rng.Next(-100000, 100000);
                }
                ChannelMultipliers cm = QuantMath.PopulateConvolutionQuantizationParams(inScale, filterScales, outScale, outDepth);
                ActivationRange r = QuantMath.CalculateActivationRangeQuantized(act, outScale, outZp);
                sbyte[] naive = NaiveDepthwise(input, batches, inH, inW, inDepth, filter, fH, fW, depthMultiplier, bias,
                    cm.Multipliers, cm.Shifts, outH, outW, stride, stride, dilation, dilation, padH, padW, -inZp, outZp, r.Min, r.Max);
                int[] folded = QuantMath.FoldBiasDepthwise(Bytes(filter), outDepth, bias, inZp);
                const int inOff = 3, fOff = 9, outOff = 2;
                byte[] outBuf = new byte[outOff + naive.Length + 2];
                DepthwiseConv2D.Eval(Embed(Bytes(input), inOff), inOff, batches, inH, inW, inDepth,
                    Embed(Bytes(filter), fOff), fOff, fH, fW, depthMultiplier, folded, cm.Multipliers, cm.Shifts,
                    outBuf, outOff, outH, outW, stride, stride, dilation, dilation, padH, padW, inZp, outZp, r.Min, r.Max);
                Assert.Equal(naive, SBytes(outBuf, outOff, naive.Length));
                Assert.Equal(0, outBuf[outOff - 1]);
                Assert.Equal(0, outBuf[outOff + naive.Length]);
            }
        }

        private static sbyte[] Run(sbyte[] input, int[] inShape, int inZp, sbyte[] filter, int[] filterShape, int[] bias,
            float[] filterScales, float inScale, int[] outShape, float outScale, int outZp, int dilH, int dilW,
            FusedActivation act, out sbyte[] naive)
        {
            int outDepth = filterShape[3];
            int depthMultiplier = outDepth / inShape[3];
            ChannelMultipliers cm = QuantMath.PopulateConvolutionQuantizationParams(inScale, filterScales, outScale, outDepth);
            ActivationRange r = QuantMath.CalculateActivationRangeQuantized(act, outScale, outZp);
            // TFLM tests run VALID padding with stride 1; loop extents come from the output tensor.
            ComputeOutAndPad(false, 1, dilH, inShape[1], filterShape[1], out int padH);
            ComputeOutAndPad(false, 1, dilW, inShape[2], filterShape[2], out int padW);
            int[] folded = QuantMath.FoldBiasDepthwise(Bytes(filter), outDepth, bias, inZp);
            var outBuf = new byte[Product(outShape)];
            DepthwiseConv2D.Eval(Bytes(input), 0, inShape[0], inShape[1], inShape[2], inShape[3],
                Bytes(filter), 0, filterShape[1], filterShape[2], depthMultiplier, folded, cm.Multipliers, cm.Shifts,
                outBuf, 0, outShape[1], outShape[2], 1, 1, dilH, dilW, padH, padW, inZp, outZp, r.Min, r.Max);
            naive = NaiveDepthwise(input, inShape[0], inShape[1], inShape[2], inShape[3], filter, filterShape[1], filterShape[2],
                depthMultiplier, bias, cm.Multipliers, cm.Shifts, outShape[1], outShape[2], 1, 1, dilH, dilW, padH, padW,
                -inZp, outZp, r.Min, r.Max);
            return SBytes(outBuf);
        }
    }
}
