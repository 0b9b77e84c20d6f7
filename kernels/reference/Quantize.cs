using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// QUANTIZE, two forms.
    ///  - <see cref="Requantize"/> int8 → int8: out = clamp(MultiplyByQuantizedMultiplier(x − inputZeroPoint, m, s)
    ///    + outputZeroPoint, −128, 127). Matches tflite::reference_ops::Requantize&lt;int8_t, int8_t&gt; (its
    ///    int8↔uint8 xor fast path does not apply to int8 → int8), ported from
    ///    tensorflow/lite/kernels/internal/reference/requantize.h; constants from QuantMath.RequantizeParams
    ///    (TFLM PrepareQuantizeReference: QuantizeMultiplier(double(in_scale) / double(out_scale))).
    ///  - <see cref="AffineQuantize"/> float32 → int8: out = clamp((int32)TfLiteRound(x / scale) + zeroPoint, −128, 127),
    ///    the division in float. Matches tflite::reference_ops::AffineQuantize&lt;float, int8_t&gt; from
    ///    tensorflow/lite/kernels/internal/reference/quantize.h. The float → int32 conversion of NaN / out-of-range
    ///    values (undefined in C++) saturates, NaN → 0 (ARM behaviour).
    /// Ported from TFLM 90b983c2. Float input is little-endian IEEE-754 binary32 bytes.
    /// </summary>
    public static class Quantize
    {
        public static void Requantize(
            byte[] input, int inputOffset, int count,
            int inputZeroPoint, int outputZeroPoint, int multiplier, int shift,
            byte[] output, int outputOffset)
        {
            for (int i = 0; i < count; i++)
            {
                int x = unchecked((sbyte)input[inputOffset + i] - inputZeroPoint);
                int v = unchecked(FixedPoint.MultiplyByQuantizedMultiplier(x, multiplier, shift) + outputZeroPoint);
                if (v > 127) v = 127;
                if (v < -128) v = -128;
                output[outputOffset + i] = (byte)v;
            }
        }

        public static void AffineQuantize(
            byte[] input, int inputOffset, int count, float scale, int zeroPoint,
            byte[] output, int outputOffset)
        {
            for (int i = 0; i < count; i++)
            {
                float x = QuantRounding.ReadFloat(input, inputOffset + 4 * i);
                float q = (float)(x / scale);
                int v = QuantRounding.AddAndClampInt8(QuantRounding.RoundToInt32(q), zeroPoint);
                output[outputOffset + i] = (byte)v;
            }
        }
    }
}
