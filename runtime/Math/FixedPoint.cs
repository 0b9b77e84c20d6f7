namespace Edge.Runtime
{
    /// <summary>
    /// gemmlowp / TFLite fixed-point primitives, bit-exact with
    /// tensorflow/lite/kernels/internal/common.h and gemmlowp/fixedpoint/fixedpoint.h
    /// (default build: double rounding, TFLITE_SINGLE_ROUNDING off).
    /// All arithmetic wraps like two's complement int32 (C# unchecked), which is what the C++ code does on
    /// every target TFLite Micro runs on.
    /// </summary>
    public static class FixedPoint
    {
        /// <summary>
        /// Contract: returns round_half_away_from_zero(a * b / 2^31) saturated to int32; the single overflow
        /// case a == b == int.MinValue returns int.MaxValue. (gemmlowp SaturatingRoundingDoublingHighMul.)
        /// </summary>
        public static int SaturatingRoundingDoublingHighMul(int a, int b)
        {
            if (a == b && a == int.MinValue) return int.MaxValue;
            long ab = (long)a * b;
            long nudge = ab >= 0 ? (1L << 30) : (1L - (1L << 30));
            // C++ integer division truncates toward zero; so does C#.
            return (int)((ab + nudge) / (1L << 31));
        }

        /// <summary>
        /// Contract: x / 2^exponent rounded to nearest, ties away from zero (gemmlowp RoundingDivideByPOT).
        /// 0 &lt;= exponent &lt;= 31.
        /// </summary>
        public static int RoundingDivideByPOT(int x, int exponent)
        {
            int mask = (int)((1L << exponent) - 1);
            int remainder = x & mask;
            int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
            return (x >> exponent) + (remainder > threshold ? 1 : 0);
        }

        /// <summary>
        /// TFLite MultiplyByQuantizedMultiplier (double rounding): x * multiplier * 2^shift, where multiplier is
        /// a Q31 value in [2^30, 2^31) (or 0) and shift may be positive (left) or negative (right).
        /// </summary>
        public static int MultiplyByQuantizedMultiplier(int x, int quantizedMultiplier, int shift)
        {
            int leftShift = shift > 0 ? shift : 0;
            int rightShift = shift > 0 ? 0 : -shift;
            return RoundingDivideByPOT(
                SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), quantizedMultiplier),
                rightShift);
        }

        /// <summary>TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp: leftShift &lt;= 0.</summary>
        public static int MultiplyByQuantizedMultiplierSmallerThanOneExp(int x, int quantizedMultiplier, int leftShift)
        {
            return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, quantizedMultiplier), -leftShift);
        }

        /// <summary>TFLite MultiplyByQuantizedMultiplierGreaterThanOne: leftShift &gt;= 0.</summary>
        public static int MultiplyByQuantizedMultiplierGreaterThanOne(int x, int quantizedMultiplier, int leftShift)
        {
            return SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), quantizedMultiplier);
        }
    }
}
