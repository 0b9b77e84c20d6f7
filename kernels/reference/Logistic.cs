using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// LOGISTIC (sigmoid), int8 in -&gt; int8 out.
    ///
    /// Contract: out = clamp(round(sigmoid(input_scale * (x - input_zero_point)) * 256) - 128), i.e. the result on
    /// the fixed output grid scale 1/256, zero point -128, bit-exact with TFLite Micro:
    /// tflite::reference_integer_ops::Logistic(int32_t input_zero_point, int32_t input_range_radius,
    /// int32_t input_multiplier, int32_t input_left_shift, int32_t input_size, const int8_t*, int8_t*) in
    /// tensorflow/lite/kernels/internal/reference/integer_ops/logistic.h (ported from it: input rescaled to Q4.27,
    /// gemmlowp logistic, result rounded from Q0.31 to Q0.7 + 8 bits). Constants come from
    /// Edge.Converter.Quantization.NonlinearParams.Logistic (TFLM logistic_common.cc).
    ///
    /// Data: size int8 values at (input, inputOffset) -&gt; (output, outputOffset); in place is safe.
    /// Allocates nothing, throws nothing.
    /// </summary>
    public static class Logistic
    {
        private const int InputIntegerBits = 4;
        private const int OutputIntegerBits = 8;

        public static void Eval(byte[] input, int inputOffset, byte[] output, int outputOffset, int size,
                                int inputZeroPoint, int inputRangeRadius, int inputMultiplier, int inputLeftShift)
        {
            for (int i = 0; i < size; i++)
            {
                int x = (sbyte)input[inputOffset + i] - inputZeroPoint;
                int result;
                if (x <= -inputRangeRadius)
                {
                    result = -128;
                }
                else if (x >= inputRangeRadius)
                {
                    result = 127;
                }
                else
                {
                    int inputInQ4 = FixedPoint.MultiplyByQuantizedMultiplier(x, inputMultiplier, inputLeftShift);
                    int outputInQ0 = FixedPointExtra.Logistic(inputInQ4, InputIntegerBits);
                    result = FixedPoint.RoundingDivideByPOT(outputInQ0, 31 - OutputIntegerBits) - 128;
                    if (result < -128) result = -128;
                    if (result > 127) result = 127;
                }
                output[outputOffset + i] = (byte)result;
            }
        }
    }
}
