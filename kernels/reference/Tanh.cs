using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// TANH, int8 in -&gt; int8 out.
    ///
    /// Contract: out = clamp(round(tanh(input_scale * (x - input_zero_point)) * 128)), i.e. the result on the fixed
    /// output grid scale 1/128, zero point 0, bit-exact with TFLite Micro:
    /// tflite::reference_integer_ops::Tanh(int32_t input_zero_point, int32_t input_range_radius,
    /// int32_t input_multiplier, int32_t input_shift, const RuntimeShape&amp;, const int8_t*, const RuntimeShape&amp;,
    /// int8_t*) in tensorflow/lite/kernels/internal/reference/integer_ops/tanh.h (ported from it: input rescaled to
    /// Q4.27, gemmlowp tanh, result rounded from Q0.31 to Q0.7). Constants come from
    /// Edge.Converter.Quantization.NonlinearParams.Tanh (TFLM tanh.cc CalculateArithmeticOpData).
    ///
    /// Data: size int8 values at (input, inputOffset) -&gt; (output, outputOffset); in place is safe.
    /// Allocates nothing, throws nothing.
    /// </summary>
    public static class Tanh
    {
        private const int InputIntegerBits = 4;
        private const int OutputScale = 7;

        public static void Eval(byte[] input, int inputOffset, byte[] output, int outputOffset, int size,
                                int inputZeroPoint, int inputRangeRadius, int inputMultiplier, int inputShift)
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
                    int inputInQ4 = FixedPoint.MultiplyByQuantizedMultiplier(x, inputMultiplier, inputShift);
                    int outputInQ0 = FixedPointExtra.Tanh(inputInQ4, InputIntegerBits);
                    result = FixedPoint.RoundingDivideByPOT(outputInQ0, 31 - OutputScale);
                    if (result < -128) result = -128;
                    if (result > 127) result = 127;
                }
                output[outputOffset + i] = (byte)result;
            }
        }
    }
}
