using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// SOFTMAX, int8 in -&gt; int8 out.
    ///
    /// Contract: for each of outerSize rows of depth int8 values, writes softmax(beta * input_scale * (x - max))
    /// quantized with scale 1/256 and zero point -128, bit-exact with TFLite Micro's int8 -&gt; int8 path:
    /// tflite::reference_ops::Softmax&lt;int8_t, int8_t&gt;(const SoftmaxParams&amp;, ...) in
    /// tensorflow/lite/kernels/internal/reference/softmax.h (ported from it; gemmlowp exp_on_negative_values on
    /// Q5.26, sum in Q12.19, GetReciprocal). Constants come from
    /// Edge.Converter.Quantization.NonlinearParams.Softmax (TFLM softmax_common.cc CalculateSoftmaxParams).
    ///
    /// Data: input/output are (byte[] data, int offset) pairs holding outerSize * depth int8 values, row-major
    /// (the last dimension is depth). Input and output may be the same range (in place is safe: every element is
    /// read before it is written). Allocates nothing, throws nothing.
    ///
    /// Note: TFLM TFLITE_CHECK-aborts when a row's sum of exponentials reaches 2^9 (only possible when depth &gt;= 512
    /// with very flat rows); this kernel then clamps the final shift to 31 instead of aborting.
    /// </summary>
    public static class Softmax
    {
        private const int ScaledDiffIntegerBits = 5;
        private const int AccumulationIntegerBits = 12;

        public static void Eval(byte[] input, int inputOffset, byte[] output, int outputOffset,
                                int outerSize, int depth,
                                int inputBetaMultiplier, int inputBetaLeftShift, int diffMin)
        {
            for (int i = 0; i < outerSize; i++)
            {
                int rowIn = inputOffset + i * depth;
                int rowOut = outputOffset + i * depth;

                int maxInRow = -128;
                for (int c = 0; c < depth; c++)
                {
                    int v = (sbyte)input[rowIn + c];
                    if (v > maxInRow) maxInRow = v;
                }

                int sumOfExps = 0;   // Q12.19
                for (int c = 0; c < depth; c++)
                {
                    int inputDiff = (sbyte)input[rowIn + c] - maxInRow;
                    if (inputDiff >= diffMin)
                    {
                        int inputDiffRescaled = FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(
                            inputDiff, inputBetaMultiplier, inputBetaLeftShift);
                        int expQ0 = FixedPointExtra.ExpOnNegativeValues(inputDiffRescaled, ScaledDiffIntegerBits);
                        sumOfExps = unchecked(sumOfExps + FixedPointExtra.Rescale(expQ0, 0, AccumulationIntegerBits));
                    }
                }

                int numBitsOverUnit;
                int shiftedScale = FixedPointExtra.GetReciprocal(sumOfExps, AccumulationIntegerBits, out numBitsOverUnit);
                int exponent = numBitsOverUnit + 31 - 8;
                if (exponent > 31) exponent = 31;   // TFLM: TFLITE_CHECK(0 <= exponent && exponent <= 31)
                if (exponent < 0) exponent = 0;

                for (int c = 0; c < depth; c++)
                {
                    int inputDiff = (sbyte)input[rowIn + c] - maxInRow;
                    int result;
                    if (inputDiff >= diffMin)
                    {
                        int inputDiffRescaled = FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(
                            inputDiff, inputBetaMultiplier, inputBetaLeftShift);
                        int expQ0 = FixedPointExtra.ExpOnNegativeValues(inputDiffRescaled, ScaledDiffIntegerBits);
                        int unsatOutput = FixedPoint.RoundingDivideByPOT(
                            FixedPoint.SaturatingRoundingDoublingHighMul(shiftedScale, expQ0), exponent);
                        result = unsatOutput - 128;
                        if (result > 127) result = 127;
                        if (result < -128) result = -128;
                    }
                    else
                    {
                        result = -128;
                    }
                    output[rowOut + c] = (byte)result;
                }
            }
        }
    }
}
