using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// LEAKY_RELU, int8.
    ///
    /// Contract: v = x + inputOffset (inputOffset = −input zero point);
    ///   out = clamp(outputOffset + (v &gt;= 0 ? MBQM(v, multiplierIdentity, shiftIdentity)
    ///                                        : MBQM(v, multiplierAlpha, shiftAlpha)), −128, 127)
    /// where MBQM is MultiplyByQuantizedMultiplier (the double-rounding build's MultiplyByQuantizedMultiplier_v2)
    /// and outputOffset = +output zero point. Constants from QuantMath.LeakyReluParams.
    ///
    /// Matches tflite::reference_ops::QuantizeLeakyRelu&lt;int8_t&gt;, ported from
    /// tensorflow/lite/kernels/internal/reference/leaky_relu.h (TFLM 90b983c2).
    /// </summary>
    public static class LeakyRelu
    {
        public static void Eval(
            byte[] input, int inputDataOffset, int count,
            int inputOffset, int outputOffset,
            int multiplierIdentity, int shiftIdentity, int multiplierAlpha, int shiftAlpha,
            byte[] output, int outputDataOffset)
        {
            for (int i = 0; i < count; i++)
            {
                int v = unchecked((sbyte)input[inputDataOffset + i] + inputOffset);
                int r;
                if (v >= 0)
                    r = unchecked(outputOffset + FixedPoint.MultiplyByQuantizedMultiplier(v, multiplierIdentity, shiftIdentity));
                else
                    r = unchecked(outputOffset + FixedPoint.MultiplyByQuantizedMultiplier(v, multiplierAlpha, shiftAlpha));
                if (r < -128) r = -128;
                if (r > 127) r = 127;
                output[outputDataOffset + i] = (byte)r;
            }
        }
    }
}
