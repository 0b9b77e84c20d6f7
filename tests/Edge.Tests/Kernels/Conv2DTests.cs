using System;
using System.Collections.Generic;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// CONV_2D reference kernel. Golden cases are TFLM's tensorflow/lite/micro/kernels/conv_test.cc (tests named in
    /// each row), quantized as conv_test_common.cc TestConvQuantizedPerChannel does; edge shapes are a
    /// differential test against a literal port of reference_integer_ops::ConvPerChannel.
    /// </summary>
    public class Conv2DTests
    {
        // conv_test.cc common data.
        static readonly int[] kInputShape = { 2, 2, 4, 1 };
        static readonly float[] kInputData = { 1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 3, 4, 1, 2, 3, 4 };
        static readonly int[] kFilterShape = { 3, 2, 2, 1 };
        static readonly float[] kFilterData = { 1, 2, 3, 4, -1, 1, -1, 1, -1, -1, 1, 1 };
        static readonly float[] kBiasData = { 1, 2, 3 };
        static readonly int[] kOutputShape = { 2, 1, 2, 3 };
        static readonly float[] kGoldenData = { 18, 2, 5, 18, 2, 5, 17, 4, 3, 37, 4, 3 };

        public sealed class FloatCase
        {
            public string Name;
            public int[] InShape; public float[] Input; public float InScale; public int InZp;
            public int[] FilterShape; public float[] Filter; public float[] Bias;
            public int[] OutShape; public float[] Golden; public float OutScale; public int OutZp;
            public int Stride = 1, DilationH = 1, DilationW = 1; public bool Same;
            public FusedActivation Activation = FusedActivation.None;
            public override string ToString() => Name;
        }

        public static IEnumerable<object[]> FloatCases()
        {
            yield return new object[] { new FloatCase {
                Name = "conv_test.cc SimpleTestQuantizedPerChannel",
                InShape = kInputShape, Input = kInputData, InScale = 0.5f, InZp = 0,
                FilterShape = kFilterShape, Filter = kFilterData, Bias = kBiasData,
                OutShape = kOutputShape, Golden = kGoldenData, OutScale = 1.0f, OutZp = 0, Stride = 2 } };
            yield return new object[] { new FloatCase {
                Name = "conv_test.cc SimpleTestDilatedQuantizedPerChannel",
                InShape = new[] { 2, 4, 6, 1 },
                Input = new float[] { 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4,
                                      1, 2, 3, 4, 5, 6, 2, 6, 2, 4, 4, 2, 3, 2, 6, 5, 1, 4, 1, 2, 1, 4, 6, 3 },
                InScale = 0.5f, InZp = 0, FilterShape = kFilterShape, Filter = kFilterData, Bias = kBiasData,
                OutShape = new[] { 2, 2, 2, 3 },
                Golden = new float[] { 25, 2, 7, 25, 2, 7, 10, 2, -3, 10, 2, -3, 39, 7, 6, 50, 3, 4, 14, 4, -5, 15, 0, -7 },
                OutScale = 1.0f, OutZp = 0, Stride = 2, DilationW = 3, DilationH = 2 } };
            yield return new object[] { new FloatCase {
                Name = "conv_test.cc SimpleTestQuantizedPerChannelRelu6",
                InShape = kInputShape, Input = kInputData, InScale = 0.023529f, InZp = -128,
                FilterShape = kFilterShape, Filter = kFilterData, Bias = new float[] { 1, 2, -3 },
                OutShape = kOutputShape, Golden = new float[] { 6, 2, 0, 6, 2, 0, 6, 4, 0, 6, 4, 0 },
                OutScale = 0.023529f, OutZp = -128, Stride = 2 } };
            yield return new object[] { new FloatCase {
                Name = "conv_test.cc Kernel1x1QuantizedPerChannel",
                InShape = new[] { 1, 2, 2, 4 }, Input = kInputData, InScale = 0.5f, InZp = 0,
                FilterShape = new[] { 3, 1, 1, 4 }, Filter = kFilterData, Bias = kBiasData,
                OutShape = new[] { 1, 2, 2, 3 }, Golden = new float[] { 11, 2, 3, 21, 2, 3, 31, 4, 7, 31, 4, 7 },
                OutScale = 1.0f, OutZp = 0, Stride = 1 } };
            yield return new object[] { new FloatCase {
                Name = "conv_test.cc Kernel1x1QuantizedPerChannelRelu6",
                InShape = new[] { 1, 2, 2, 4 }, Input = kInputData, InScale = 0.023529f, InZp = -128,
                FilterShape = new[] { 3, 1, 1, 4 }, Filter = kFilterData, Bias = new float[] { 1, 2, -3 },
                OutShape = new[] { 1, 2, 2, 3 }, Golden = new float[] { 6, 2, 0, 6, 2, 0, 6, 4, 1, 6, 4, 1 },
                OutScale = 0.023529f, OutZp = -128, Stride = 1, Activation = FusedActivation.Relu6 } };
        }

        /// <summary>
        /// TFLM TestConvQuantizedPerChannel: input Quantize(in_scale, in_zp); filter SymmetricPerChannelQuantize
        /// (dim 0); bias per-channel at in_scale · filter_scale[c]; golden Quantize(out_scale, out_zp); tolerance 1
        /// as in TFLM. Additionally the output must equal the literal TFLite-form port exactly.
        /// </summary>
        [Theory]
        [MemberData(nameof(FloatCases))]
        public void TflmGoldenPerChannel(FloatCase c)
        {
            sbyte[] input = Quantize(c.Input, c.InScale, c.InZp);
            sbyte[] filter = SymmetricPerChannelQuantize(c.Filter, c.FilterShape, 0, out float[] filterScales);
            int[] bias = QuantizeBias(c.Bias, BiasScales(c.InScale, filterScales));
            sbyte[] golden = Quantize(c.Golden, c.OutScale, c.OutZp);
            sbyte[] actual = RunConv(input, c.InShape, c.InZp, filter, c.FilterShape, bias, filterScales, c.InScale,
                c.OutShape, c.OutScale, c.OutZp, c.Stride, c.DilationH, c.DilationW, c.Same, c.Activation, out sbyte[] naive);
            AssertNear(golden, actual, 1, c.Name);
            Assert.Equal(naive, actual);
        }

        /// <summary>conv_test.cc BroadcastPerLayerQuantizationToPerChannelShouldMatchGolden (per-tensor scales of 1, default tolerance).</summary>
        [Fact]
        public void TflmBroadcastPerLayerQuantizationToPerChannel()
        {
            sbyte[] input = Quantize(kInputData, 1.0f, 0);
            sbyte[] filter = Quantize(kFilterData, 1.0f, 0);
            int[] bias = QuantizeBias(kBiasData, new[] { 1.0f * 1.0f });
            sbyte[] golden = Quantize(kGoldenData, 1.0f, 0);
            sbyte[] actual = RunConv(input, kInputShape, 0, filter, kFilterShape, bias, new[] { 1.0f }, 1.0f,
                kOutputShape, 1.0f, 0, 2, 1, 1, false, FusedActivation.None, out sbyte[] naive);
            Assert.Equal(golden, actual);
            Assert.Equal(naive, actual);
        }

        /// <summary>
        /// conv_test.cc Int8Filter1x3x3x1ShouldMatchGolden{Even,Odd}InputPaddingSame: int8 data from
        /// testdata/conv_test_data.cc, stride 2, SAME padding, zero bias, tolerance 1 as in TFLM.
        /// </summary>
        [Theory]
        [InlineData(4)]
        [InlineData(5)]
        public void TflmInt8Filter1x3x3x1PaddingSame(int size)
        {
            sbyte[] filter = { 22, -98, 78, -127, 101, 47, 87, 12, -15 };
            sbyte[] input = size == 4
                ? new sbyte[] { -127, -111, -95, -79, -63, -47, -31, -15, 1, 17, 33, 49, 65, 81, 97, 113 }
                : new sbyte[] { -128, -111, -95, -79, -63, -47, -31, -15, 1, 17, 33, 49, 65, 81, 97, 113, 127, 100, 80, 60, 40, 20, 0, -20, -40 };
            sbyte[] golden = size == 4
                ? new sbyte[] { 38, 24, 16, -58 }
                : new sbyte[] { -6, 25, 30, 58, 76, 7, 50, -11, -59 };
            int outSize = size == 4 ? 2 : 3;
            sbyte[] actual = RunConv(input, new[] { 1, size, size, 1 }, -128, filter, new[] { 1, 3, 3, 1 }, new[] { 0 },
                new[] { 0.00448552053f }, 0.00392120517f, new[] { 1, outSize, outSize, 1 }, 0.00627814838f, -7,
                2, 1, 1, true, FusedActivation.None, out sbyte[] naive);
            AssertNear(golden, actual, 1, "Int8Filter1x3x3x1 " + size);
            Assert.Equal(naive, actual);
        }

        /// <summary>conv_test.cc Int8Input32x1Filter32x32ShouldMatchGolden: per-tensor, output scale 50, tolerance 1.</summary>
        [Fact]
        public void TflmInt8Input32x1Filter32x32()
        {
            const int n = 32;
            float[] expected = {
                5168, 3377, 306, -4045, -4556, -1227, 822, 1591, 5176, 3385, 314, -4037, -4548, -1219, 830, 1599,
                5184, 3393, 322, -4029, -4540, -1211, 838, 1607, 5192, 3401, 330, -4021, -4532, -1203, 846, 1615 };
            var filterValues = new float[n * n];
            var inputValues = new float[n];
            var biasValues = new float[n];
            for (int i = 0; i < n; i++) { biasValues[i] = i; inputValues[i] = i - 16; }
            for (int i = 0; i < n * n; i++) filterValues[i] = (i * 25) % 256 - 128;
            sbyte[] input = Quantize(inputValues, 1.0f, 0);
            sbyte[] filter = Quantize(filterValues, 1.0f, 0);
            int[] bias = QuantizeBias(biasValues, new[] { 1.0f * 50.0f });   // the test quantizes with input_scale * output_scale
            sbyte[] golden = Quantize(expected, 50.0f, 0);
            sbyte[] actual = RunConv(input, new[] { 1, 1, 1, n }, 0, filter, new[] { n, 1, 1, n }, bias, new[] { 1.0f }, 1.0f,
                new[] { 1, 1, 1, n }, 50.0f, 0, 1, 1, 1, false, FusedActivation.None, out sbyte[] naive);
            AssertNear(golden, actual, 1, "Int8Input32x1Filter32x32");
            Assert.Equal(naive, actual);
        }

        /// <summary>
        /// Edge shapes TFLM lacks, differential against the literal TFLite-form port with seeded random data:
        /// odd channel counts, 1×1 / 3×3 / 5×3 filters, stride 2, dilation 2, SAME with odd sizes, zero points
        /// −128 / 127, per-channel scales, grouped conv, batches, optional bias, fused activations.
        /// </summary>
        [Theory]
        [InlineData(1, 5, 7, 3, 5, 3, 3, 1, 1, true, -128, 7, FusedActivation.None, true)]
        [InlineData(2, 7, 5, 1, 2, 1, 1, 1, 1, false, 127, -128, FusedActivation.Relu, true)]
        [InlineData(1, 9, 9, 6, 7, 3, 3, 2, 1, true, 3, 127, FusedActivation.Relu6, false)]
        [InlineData(1, 11, 8, 5, 3, 3, 3, 1, 2, true, -7, 0, FusedActivation.None, true)]
        [InlineData(1, 10, 13, 4, 9, 5, 3, 2, 2, true, 0, -5, FusedActivation.ReluN1To1, true)]
        [InlineData(3, 6, 6, 8, 4, 3, 3, 2, 1, false, -1, 2, FusedActivation.None, true)]
        [InlineData(1, 1, 1, 33, 17, 1, 1, 1, 1, false, 11, -3, FusedActivation.Relu, true)]
        [InlineData(1, 3, 3, 2, 3, 5, 5, 1, 1, true, -128, -128, FusedActivation.None, true)]
        public void DifferentialAgainstTfliteForm(int batches, int inH, int inW, int inDepth, int outDepth,
            int fH, int fW, int stride, int dilation, bool same, int inZp, int outZp, FusedActivation act, bool withBias)
        {
            for (int seed = 0; seed < 25; seed++)
            {
                var rng = new Random(seed * 7919 + inH * 31 + inDepth);
                RandomConvCase(rng, batches, inH, inW, inDepth, inDepth, outDepth, fH, fW, stride, dilation, same, inZp, outZp, act, withBias);
            }
        }

        /// <summary>Grouped convolution (filter input depth smaller than the input depth), as ConvPerChannel supports.</summary>
        [Theory]
        [InlineData(6, 2, 9)]
        [InlineData(8, 4, 4)]
        [InlineData(3, 1, 6)]
        public void DifferentialGrouped(int inDepth, int filterInDepth, int outDepth)
        {
            for (int seed = 0; seed < 20; seed++)
            {
                var rng = new Random(1000 + seed);
                RandomConvCase(rng, 1, 6, 5, inDepth, filterInDepth, outDepth, 3, 3, 1, 1, true, rng.Next(-128, 128), rng.Next(-128, 128),
                    FusedActivation.None, true);
            }
        }

        /// <summary>Large accumulations that overflow int32 must still agree (wrapping arithmetic in both forms).</summary>
        [Fact]
        public void WrappingAccumulatorAgrees()
        {
            var rng = new Random(42);
            int inDepth = 64, outDepth = 3, fH = 3, fW = 3;
            // Extreme values: all −128 input with zp 127 and weights −127 drive |acc| well past 2^31 with a huge bias.
            byte[] inputBytes = new byte[1 * 5 * 5 * inDepth];
            for (int i = 0; i < inputBytes.Length; i++) inputBytes[i] = 0x80;
            byte[] filterBytes = new byte[outDepth * fH * fW * inDepth];
            for (int i = 0; i < filterBytes.Length; i++) filterBytes[i] = 0x81;
            int[] bias = { int.MaxValue - 5, int.MinValue + 9, 123456789 };
            var m = new int[outDepth]; var s = new int[outDepth];
            for (int i = 0; i < outDepth; i++) { var q = QuantMath.QuantizeMultiplier(0.3 + rng.NextDouble() * 1e-4); m[i] = q.Multiplier; s[i] = q.Shift; }
            CompareConv(SBytes(inputBytes), 1, 5, 5, inDepth, SBytes(filterBytes), outDepth, fH, fW, inDepth, bias, m, s,
                5, 5, 1, 1, 1, 1, 1, 1, 127, 0, -128, 127);
        }

        // ---------------------------------------------------------------- helpers

        private static void RandomConvCase(Random rng, int batches, int inH, int inW, int inDepth, int fInDepth, int outDepth,
            int fH, int fW, int stride, int dilation, bool same, int inZp, int outZp, FusedActivation act, bool withBias)
        {
            int outH = ComputeOutAndPad(same, stride, dilation, inH, fH, out int padH);
            int outW = ComputeOutAndPad(same, stride, dilation, inW, fW, out int padW);
            if (outH <= 0 || outW <= 0) return;
            sbyte[] input = SBytes(RandomInt8(rng, batches * inH * inW * inDepth));
            sbyte[] filter = SBytes(RandomInt8(rng, outDepth * fH * fW * fInDepth));
            for (int i = 0; i < filter.Length; i++) if (filter[i] == -128) filter[i] = -127;
            float inScale = (float)(0.002 + rng.NextDouble() * 0.05);
            float outScale = (float)(0.01 + rng.NextDouble() * 0.5);
            var filterScales = new float[outDepth];
            for (int i = 0; i < outDepth; i++) filterScales[i] = (float)(0.0005 + rng.NextDouble() * 0.02);
            int[] bias = null;
            if (withBias)
            {
                bias = new int[outDepth];
                for (int i = 0; i < outDepth; i++) bias[i] = rng.Next(-200000, 200000);
            }
            ChannelMultipliers cm = QuantMath.PopulateConvolutionQuantizationParams(inScale, filterScales, outScale, outDepth);
            ActivationRange r = QuantMath.CalculateActivationRangeQuantized(act, outScale, outZp);
            CompareConv(input, batches, inH, inW, inDepth, filter, outDepth, fH, fW, fInDepth, bias, cm.Multipliers, cm.Shifts,
                outH, outW, stride, stride, dilation, dilation, padH, padW, inZp, outZp, r.Min, r.Max);
        }

        private static void CompareConv(sbyte[] input, int batches, int inH, int inW, int inDepth, sbyte[] filter, int outDepth,
            int fH, int fW, int fInDepth, int[] bias, int[] mult, int[] shift, int outH, int outW,
            int strideH, int strideW, int dilH, int dilW, int padH, int padW, int inZp, int outZp, int actMin, int actMax)
        {
            sbyte[] naive = NaiveConv(input, batches, inH, inW, inDepth, filter, outDepth, fH, fW, fInDepth, bias, mult, shift,
                outH, outW, strideH, strideW, dilH, dilW, padH, padW, -inZp, outZp, actMin, actMax);
            byte[] filterBytes = Bytes(filter);
            int[] folded = QuantMath.FoldBiasOutputChannelOuter(filterBytes, outDepth, bias, inZp);
            const int inOff = 5, fOff = 3, outOff = 7;
            byte[] inBuf = Embed(Bytes(input), inOff);
            byte[] fBuf = Embed(filterBytes, fOff);
            byte[] outBuf = new byte[outOff + naive.Length + 4];
            Conv2D.Eval(inBuf, inOff, batches, inH, inW, inDepth, fBuf, fOff, outDepth, fH, fW, fInDepth,
                folded, mult, shift, outBuf, outOff, outH, outW, strideH, strideW, dilH, dilW, padH, padW,
                inZp, outZp, actMin, actMax);
            Assert.Equal(naive, SBytes(outBuf, outOff, naive.Length));
            Assert.Equal(0, outBuf[outOff - 1]);
            Assert.Equal(0, outBuf[outOff + naive.Length]);
        }

        /// <summary>Runs the kernel the way the converter would prepare it, and the naive oracle on the same data.</summary>
        private static sbyte[] RunConv(sbyte[] input, int[] inShape, int inZp, sbyte[] filter, int[] filterShape, int[] bias,
            float[] filterScales, float inScale, int[] outShape, float outScale, int outZp,
            int stride, int dilH, int dilW, bool same, FusedActivation act, out sbyte[] naive)
        {
            int outDepth = filterShape[0];
            ChannelMultipliers cm = QuantMath.PopulateConvolutionQuantizationParams(inScale, filterScales, outScale, outDepth);
            ActivationRange r = QuantMath.CalculateActivationRangeQuantized(act, outScale, outZp);
            // As TFLM's CalculateOpDataConv: padding from ComputePaddingHeightWidth, loop extents from the output
            // tensor's shape (SimpleTestDilatedQuantizedPerChannel declares one more row than VALID produces; its
            // taps fall outside the image and are skipped).
            ComputeOutAndPad(same, stride, dilH, inShape[1], filterShape[1], out int padH);
            ComputeOutAndPad(same, stride, dilW, inShape[2], filterShape[2], out int padW);
            int outH = outShape[1], outW = outShape[2];
            int[] folded = QuantMath.FoldBiasOutputChannelOuter(Bytes(filter), outDepth, bias, inZp);
            var outBuf = new byte[Product(outShape)];
            Conv2D.Eval(Bytes(input), 0, inShape[0], inShape[1], inShape[2], inShape[3],
                Bytes(filter), 0, outDepth, filterShape[1], filterShape[2], filterShape[3],
                folded, cm.Multipliers, cm.Shifts, outBuf, 0, outH, outW, stride, stride, dilH, dilW, padH, padW,
                inZp, outZp, r.Min, r.Max);
            naive = NaiveConv(input, inShape[0], inShape[1], inShape[2], inShape[3], filter, outDepth, filterShape[1], filterShape[2],
                filterShape[3], bias, cm.Multipliers, cm.Shifts, outH, outW, stride, stride, dilH, dilW, padH, padW, -inZp, outZp, r.Min, r.Max);
            return SBytes(outBuf);
        }
    }
}
