using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// MEAN (reduce mean), int8 in -&gt; int8 out, over any set of axes of a tensor of any rank.
    ///
    /// Contract: bit-exact with TFLite Micro's int8 MEAN as dispatched by EvalMeanHelper -&gt; EvalIntegerMean in
    /// tensorflow/lite/micro/kernels/reduce_common.cc (2023+ form, which has no int8 special case for 4-D over
    /// axes {1, 2}; see docs/kernels-nonlinear.md), ported from tensorflow/lite/kernels/internal/reference/reduce.h:
    ///  * same quantization (input zero point == output zero point and input scale == output scale, float compare):
    ///    reference_ops::Mean&lt;int8_t, int32_t&gt;: sum of the raw int8 values in int32, then C integer division by
    ///    the element count (truncation toward zero, no zero-point handling, no rounding) -- <see cref="EvalSameQuantization"/>;
    ///  * otherwise: reference_ops::QuantizedMeanOrSum&lt;int8_t, int32_t&gt;(compute_sum = false):
    ///    out = clamp(MultiplyByQuantizedMultiplier(sum - input_zp * count, M', s') + output_zp) where (M', s') is
    ///    QuantizeMultiplier(input_scale / output_scale) with 1/count folded in exactly as that function does at run
    ///    time; the host does the folding once (NonlinearParams.Mean) -- <see cref="EvalRescaled"/>.
    /// Sums wrap in int32 like TFLite's AddTensorValuesWithExpectedOverflow.
    ///
    /// Data: the input holds product(inputShape) int8 values, row-major; axes are non-negative dimension indices
    /// (duplicates harmless). The output holds the product of the non-reduced dimensions, row-major in input
    /// dimension order (keep_dims does not change the layout). Input and output must not overlap.
    ///
    /// Scratch: <paramref name="scratch"/> is an int[] the caller allocates once at load with at least
    /// <see cref="ScratchLength"/> = (output element count + input rank) entries: the per-output int32
    /// accumulators followed by the iteration index. Allocates nothing, throws nothing. Zero-sized dimensions are
    /// not supported (the loader must reject them).
    /// </summary>
    public static class Mean
    {
        /// <summary>Required scratch length: output element count + input rank.</summary>
        public static int ScratchLength(int[] inputShape, int[] axes)
        {
            int mask = AxisMask(axes);
            int outputCount = 1;
            for (int d = 0; d < inputShape.Length; d++)
                if (((mask >> d) & 1) == 0) outputCount *= inputShape[d];
            return outputCount + inputShape.Length;
        }

        /// <summary>
        /// Dispatches like TFLM EvalIntegerMean: <paramref name="sameQuantization"/> selects
        /// <see cref="EvalSameQuantization"/>, otherwise <see cref="EvalRescaled"/>.
        /// </summary>
        public static void Eval(byte[] input, int inputOffset, int[] inputShape, int[] axes,
                                byte[] output, int outputOffset, bool sameQuantization,
                                int inputZeroPoint, int outputZeroPoint, int multiplier, int shift, int[] scratch)
        {
            if (sameQuantization)
                EvalSameQuantization(input, inputOffset, inputShape, axes, output, outputOffset, scratch);
            else
                EvalRescaled(input, inputOffset, inputShape, axes, output, outputOffset,
                             inputZeroPoint, outputZeroPoint, multiplier, shift, scratch);
        }

        /// <summary>
        /// reference_ops::Mean&lt;int8_t, int32_t&gt;: out = (int8)(sum / count), C division (truncates toward zero).
        /// </summary>
        public static void EvalSameQuantization(byte[] input, int inputOffset, int[] inputShape, int[] axes,
                                                byte[] output, int outputOffset, int[] scratch)
        {
            int count;
            int outputCount = Accumulate(input, inputOffset, inputShape, axes, scratch, out count);
            for (int o = 0; o < outputCount; o++)
                output[outputOffset + o] = (byte)(scratch[o] / count);
        }

        /// <summary>
        /// reference_ops::QuantizedMeanOrSum&lt;int8_t, int32_t&gt; with compute_sum = false, given the multiplier and
        /// shift with 1/count already folded in (NonlinearParams.Mean).
        /// </summary>
        public static void EvalRescaled(byte[] input, int inputOffset, int[] inputShape, int[] axes,
                                        byte[] output, int outputOffset,
                                        int inputZeroPoint, int outputZeroPoint, int multiplier, int shift,
                                        int[] scratch)
        {
            int count;
            int outputCount = Accumulate(input, inputOffset, inputShape, axes, scratch, out count);
            int zeroPointTimesCount = unchecked(inputZeroPoint * count);
            for (int o = 0; o < outputCount; o++)
            {
                int shiftedSum = unchecked(scratch[o] - zeroPointTimesCount);
                int v = FixedPoint.MultiplyByQuantizedMultiplier(shiftedSum, multiplier, shift) + outputZeroPoint;
                if (v < -128) v = -128;
                if (v > 127) v = 127;
                output[outputOffset + o] = (byte)v;
            }
        }

        private static int AxisMask(int[] axes)
        {
            int mask = 0;
            for (int k = 0; k < axes.Length; k++) mask |= 1 << axes[k];
            return mask;
        }

        // Sums the input into scratch[0 .. outputCount) (wrapping int32); returns outputCount and the number of
        // elements per output (product of the reduced dimensions).
        private static int Accumulate(byte[] input, int inputOffset, int[] inputShape, int[] axes, int[] scratch,
                                      out int count)
        {
            int rank = inputShape.Length;
            int mask = AxisMask(axes);
            int outputCount = 1;
            int inputCount = 1;
            count = 1;
            for (int d = 0; d < rank; d++)
            {
                inputCount *= inputShape[d];
                if (((mask >> d) & 1) != 0) count *= inputShape[d];
                else outputCount *= inputShape[d];
            }

            for (int o = 0; o < outputCount; o++) scratch[o] = 0;
            int idx = outputCount;   // scratch[idx + d] is the index along dimension d
            for (int d = 0; d < rank; d++) scratch[idx + d] = 0;

            for (int i = 0; i < inputCount; i++)
            {
                int outOffset = 0;
                for (int d = 0; d < rank; d++)
                    if (((mask >> d) & 1) == 0) outOffset = outOffset * inputShape[d] + scratch[idx + d];
                scratch[outOffset] = unchecked(scratch[outOffset] + (sbyte)input[inputOffset + i]);

                for (int d = rank - 1; d >= 0; d--)
                {
                    int next = scratch[idx + d] + 1;
                    if (next < inputShape[d]) { scratch[idx + d] = next; break; }
                    scratch[idx + d] = 0;
                }
            }
            return outputCount;
        }
    }
}
