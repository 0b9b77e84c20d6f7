namespace Edge.Kernels.Reference
{
    /// <summary>
    /// DEQUANTIZE int8 → float32.
    ///
    /// Contract: out = (float)(double(scale) · (x − zeroPoint)), written as little-endian IEEE-754 binary32.
    /// (x − zeroPoint) is an integer of at most 9 bits, so the double product is exact and the result is the
    /// correctly rounded float — identical to the float-only form float(scale) · float(x − zeroPoint).
    ///
    /// Matches tflite::reference_ops::Dequantize&lt;int8_t, float&gt;, ported from
    /// tensorflow/lite/kernels/internal/reference/dequantize.h (TFLM 90b983c2).
    /// </summary>
    public static class Dequantize
    {
        public static void Eval(
            byte[] input, int inputOffset, int count, float scale, int zeroPoint,
            byte[] output, int outputOffset)
        {
            double s = scale;
            for (int i = 0; i < count; i++)
            {
                int x = (sbyte)input[inputOffset + i] - zeroPoint;
                float r = (float)(s * x);
                QuantRounding.WriteFloat(output, outputOffset + 4 * i, r);
            }
        }
    }
}
