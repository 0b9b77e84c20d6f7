using System;
using Edge.Converter.Quantization;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// Shared helpers for the "linear" kernel tests: TFLM test-helper quantization (tensorflow/lite/micro/
    /// test_helpers.cc, micro_utils.h/.cc), byte packing, TFLite padding, and deliberately naive literal ports of
    /// TFLite's own kernel forms (unfolded bias, input_offset, out-of-image taps skipped) used as differential
    /// oracles.
    /// </summary>
    public static class LinearKernelTestUtil
    {
        // ---------------------------------------------------------------- TFLM test-helper quantization

        /// <summary>tflite::Quantize / FloatToQuantizedType&lt;int8_t&gt;: round(v / scale) + zp, clamped.</summary>
        public static sbyte[] Quantize(float[] values, float scale, int zeroPoint)
        {
            var q = new sbyte[values.Length];
            for (int i = 0; i < values.Length; i++) q[i] = (sbyte)QuantMath.FloatToQuantizedInt8(values[i], scale, zeroPoint);
            return q;
        }

        /// <summary>
        /// tflite::SignedSymmetricPerChannelQuantize (micro_utils.cc) for int8 with quantized_dimension 0 or 3:
        /// per channel, scale = fmaxf(|min|, |max|) / 127 (min/max start at 0), q = clamp(roundf(v / scale), −127, 127).
        /// </summary>
        public static sbyte[] SymmetricPerChannelQuantize(float[] values, int[] dims, int quantizedDimension, out float[] scales)
        {
            int channelCount = dims[quantizedDimension];
            int perChannel = values.Length / channelCount;
            int stride, channelStride;
            if (quantizedDimension == 0) { stride = 1; channelStride = perChannel; }
            else if (quantizedDimension == dims.Length - 1) { stride = channelCount; channelStride = 1; }
            else throw new ArgumentException("quantized dimension must be first or last");
            scales = new float[channelCount];
            var q = new sbyte[values.Length];
            for (int c = 0; c < channelCount; c++)
            {
                float min = 0, max = 0;
                for (int i = 0; i < perChannel; i++)
                {
                    int idx = c * channelStride + i * stride;
                    min = MathF.Min(min, values[idx]);
                    max = MathF.Max(max, values[idx]);
                }
                scales[c] = (float)(MathF.Max(MathF.Abs(min), MathF.Abs(max)) / 127);
                for (int i = 0; i < perChannel; i++)
                {
                    int idx = c * channelStride + i * stride;
                    int v = (int)QuantMath.RoundHalfAwayFromZero((float)(values[idx] / scales[c]));
                    q[idx] = (sbyte)Math.Min(127, Math.Max(-127, v));
                }
            }
            return q;
        }

        /// <summary>
        /// tflite::SymmetricPerChannelQuantize&lt;int32_t&gt; of a bias with per-channel scales (one element per
        /// channel): FloatToSymmetricQuantizedType = clamp(round(v / scale), INT32_MIN + 1, INT32_MAX).
        /// </summary>
        public static int[] QuantizeBias(float[] values, float[] scales)
        {
            var q = new int[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                float s = scales.Length == 1 ? scales[0] : scales[i];
                double r = QuantMath.RoundHalfAwayFromZero((float)(values[i] / s));
                q[i] = (int)Math.Min(int.MaxValue, Math.Max(int.MinValue + 1L, (long)r));
            }
            return q;
        }

        /// <summary>Bias scales as CreatePerChannelQuantizedBiasTensor computes them: input_scale · weight_scale[c] in float.</summary>
        public static float[] BiasScales(float inputScale, float[] filterScales)
        {
            var s = new float[filterScales.Length];
            for (int i = 0; i < s.Length; i++) s[i] = (float)(inputScale * filterScales[i]);
            return s;
        }

        // ---------------------------------------------------------------- bytes

        public static byte[] Bytes(sbyte[] v)
        {
            var b = new byte[v.Length];
            for (int i = 0; i < v.Length; i++) b[i] = (byte)v[i];
            return b;
        }

        public static byte[] Bytes(params int[] v)
        {
            var b = new byte[v.Length];
            for (int i = 0; i < v.Length; i++) b[i] = (byte)(sbyte)v[i];
            return b;
        }

        public static sbyte[] SBytes(byte[] b, int offset, int count)
        {
            var v = new sbyte[count];
            for (int i = 0; i < count; i++) v[i] = (sbyte)b[offset + i];
            return v;
        }

        public static sbyte[] SBytes(byte[] b) => SBytes(b, 0, b.Length);

        /// <summary>Copies <paramref name="data"/> into a larger array at <paramref name="offset"/> (exercises non-zero tensor offsets).</summary>
        public static byte[] Embed(byte[] data, int offset, int trailing = 3)
        {
            var b = new byte[offset + data.Length + trailing];
            for (int i = 0; i < b.Length; i++) b[i] = 0xA5;
            Array.Copy(data, 0, b, offset, data.Length);
            return b;
        }

        public static byte[] RandomInt8(Random rng, int n)
        {
            var b = new byte[n];
            rng.NextBytes(b);
            return b;
        }

        public static int Product(int[] shape)
        {
            int n = 1;
            foreach (int d in shape) n *= d;
            return n;
        }

        // ---------------------------------------------------------------- assertions

        /// <summary>|actual − expected| ≤ tolerance for every element (TFLM's TF_LITE_MICRO_EXPECT_NEAR).</summary>
        public static void AssertNear(sbyte[] expected, sbyte[] actual, int tolerance, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                if (Math.Abs(expected[i] - actual[i]) > tolerance)
                    Assert.Fail(what + ": element " + i + " expected " + expected[i] + " ± " + tolerance + ", got " + actual[i]);
            }
        }

        public static void AssertBytesEqual(byte[] expected, int expectedOffset, byte[] actual, int actualOffset, int count, string what)
        {
            for (int i = 0; i < count; i++)
            {
                if (expected[expectedOffset + i] != actual[actualOffset + i])
                    Assert.Fail(what + ": element " + i + " expected " + (sbyte)expected[expectedOffset + i] + ", got " + (sbyte)actual[actualOffset + i]);
            }
        }

        // ---------------------------------------------------------------- TFLite padding

        /// <summary>
        /// tflite::ComputePaddingHeightWidth for one dimension (kernels/padding.h): returns the output size and
        /// the leading padding (SAME: total = max((out − 1)·stride + effective_filter − in, 0), leading = total / 2).
        /// </summary>
        public static int ComputeOutAndPad(bool same, int stride, int dilation, int inSize, int filterSize, out int pad)
        {
            int effectiveFilter = (filterSize - 1) * dilation + 1;
            int outSize = same ? (inSize + stride - 1) / stride : (inSize - effectiveFilter + stride) / stride;
            int total = (outSize - 1) * stride + effectiveFilter - inSize;
            pad = Math.Max(total / 2, 0);
            return outSize;
        }

        // ---------------------------------------------------------------- naive TFLite-form oracles

        /// <summary>
        /// Literal port of reference_integer_ops::ConvPerChannel: acc = Σ_inside w · (x + input_offset) with
        /// out-of-image taps skipped, then + bias (unfolded, optional), MBQM, + output_offset, clamp.
        /// </summary>
        public static sbyte[] NaiveConv(
            sbyte[] input, int batches, int inH, int inW, int inDepth,
            sbyte[] filter, int outDepth, int fH, int fW, int fInDepth, int[] bias,
            int[] mult, int[] shift, int outH, int outW,
            int strideH, int strideW, int dilH, int dilW, int padH, int padW,
            int inputOffset, int outputOffset, int actMin, int actMax)
        {
            var output = new sbyte[batches * outH * outW * outDepth];
            int groups = inDepth / fInDepth;
            int filtersPerGroup = outDepth / groups;
            for (int b = 0; b < batches; b++)
                for (int oy = 0; oy < outH; oy++)
                    for (int ox = 0; ox < outW; ox++)
                        for (int oc = 0; oc < outDepth; oc++)
                        {
                            int group = oc / filtersPerGroup;
                            int acc = 0;
                            for (int fy = 0; fy < fH; fy++)
                            {
                                int iy = oy * strideH - padH + dilH * fy;
                                for (int fx = 0; fx < fW; fx++)
                                {
                                    int ix = ox * strideW - padW + dilW * fx;
                                    if (!(ix >= 0 && ix < inW && iy >= 0 && iy < inH)) continue;
                                    for (int ic = 0; ic < fInDepth; ic++)
                                    {
                                        int x = input[((b * inH + iy) * inW + ix) * inDepth + ic + group * fInDepth];
                                        int w = filter[((oc * fH + fy) * fW + fx) * fInDepth + ic];
                                        acc = unchecked(acc + w * (x + inputOffset));
                                    }
                                }
                            }
                            if (bias != null) acc = unchecked(acc + bias[oc]);
                            acc = FixedPoint.MultiplyByQuantizedMultiplier(acc, mult[oc], shift[oc]);
                            acc = unchecked(acc + outputOffset);
                            acc = Math.Max(acc, actMin);
                            acc = Math.Min(acc, actMax);
                            output[((b * outH + oy) * outW + ox) * outDepth + oc] = (sbyte)acc;
                        }
            return output;
        }

        /// <summary>Literal port of reference_integer_ops::DepthwiseConvPerChannel (int8).</summary>
        public static sbyte[] NaiveDepthwise(
            sbyte[] input, int batches, int inH, int inW, int inDepth,
            sbyte[] filter, int fH, int fW, int depthMultiplier, int[] bias,
            int[] mult, int[] shift, int outH, int outW,
            int strideH, int strideW, int dilH, int dilW, int padH, int padW,
            int inputOffset, int outputOffset, int actMin, int actMax)
        {
            int outDepth = inDepth * depthMultiplier;
            var output = new sbyte[batches * outH * outW * outDepth];
            for (int b = 0; b < batches; b++)
                for (int oy = 0; oy < outH; oy++)
                    for (int ox = 0; ox < outW; ox++)
                        for (int ic = 0; ic < inDepth; ic++)
                            for (int m = 0; m < depthMultiplier; m++)
                            {
                                int oc = m + ic * depthMultiplier;
                                int inXOrigin = ox * strideW - padW;
                                int inYOrigin = oy * strideH - padH;
                                int acc = 0;
                                for (int fy = 0; fy < fH; fy++)
                                    for (int fx = 0; fx < fW; fx++)
                                    {
                                        int ix = inXOrigin + dilW * fx;
                                        int iy = inYOrigin + dilH * fy;
                                        if (ix >= 0 && ix < inW && iy >= 0 && iy < inH)
                                        {
                                            int x = input[((b * inH + iy) * inW + ix) * inDepth + ic];
                                            int w = filter[(fy * fW + fx) * outDepth + oc];
                                            acc = unchecked(acc + w * (x + inputOffset));
                                        }
                                    }
                                if (bias != null) acc = unchecked(acc + bias[oc]);
                                acc = FixedPoint.MultiplyByQuantizedMultiplier(acc, mult[oc], shift[oc]);
                                acc = unchecked(acc + outputOffset);
                                acc = Math.Max(acc, actMin);
                                acc = Math.Min(acc, actMax);
                                output[((b * outH + oy) * outW + ox) * outDepth + oc] = (sbyte)acc;
                            }
            return output;
        }

        /// <summary>Literal port of reference_integer_ops::FullyConnectedPerChannel (int8).</summary>
        public static sbyte[] NaiveFullyConnected(
            sbyte[] input, int batches, int accumDepth, sbyte[] filter, int outDepth, int[] bias,
            int[] mult, int[] shift, int inputOffset, int outputOffset, int actMin, int actMax)
        {
            var output = new sbyte[batches * outDepth];
            for (int b = 0; b < batches; b++)
                for (int oc = 0; oc < outDepth; oc++)
                {
                    int acc = 0;
                    for (int d = 0; d < accumDepth; d++)
                    {
                        int x = input[b * accumDepth + d];
                        int w = filter[oc * accumDepth + d];
                        acc = unchecked(acc + w * (x + inputOffset));
                    }
                    if (bias != null) acc = unchecked(acc + bias[oc]);
                    acc = FixedPoint.MultiplyByQuantizedMultiplier(acc, mult[oc], shift[oc]);
                    acc = unchecked(acc + outputOffset);
                    acc = Math.Max(acc, actMin);
                    acc = Math.Min(acc, actMax);
                    output[oc + outDepth * b] = (sbyte)acc;
                }
            return output;
        }

        /// <summary>
        /// Naive broadcast index: for output element <paramref name="flat"/> of the broadcast shape, the flat index
        /// into an input of shape <paramref name="inShape"/> (TFLite's NdArrayDesc + SubscriptToIndex, via div/mod).
        /// </summary>
        public static int BroadcastSourceIndex(int flat, int[] outShape, int[] inShape)
        {
            int rank = outShape.Length;
            int lead = rank - inShape.Length;
            int index = 0;
            int inStride = 1;
            int rem = flat;
            var subscripts = new int[rank];
            for (int d = rank - 1; d >= 0; d--)
            {
                subscripts[d] = rem % outShape[d];
                rem /= outShape[d];
            }
            for (int d = rank - 1; d >= lead; d--)
            {
                int extent = inShape[d - lead];
                int sub = extent == 1 ? 0 : subscripts[d];
                index += sub * inStride;
                inStride *= extent;
            }
            return index;
        }

        /// <summary>Broadcast output shape of two shapes (right-aligned).</summary>
        public static int[] BroadcastOutShape(int[] a, int[] b)
        {
            int rank = Math.Max(a.Length, b.Length);
            var o = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                int da = i - (rank - a.Length) < 0 ? 1 : a[i - (rank - a.Length)];
                int db = i - (rank - b.Length) < 0 ? 1 : b[i - (rank - b.Length)];
                o[i] = Math.Max(da, db);
            }
            return o;
        }
    }
}
