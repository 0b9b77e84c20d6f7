using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// TFLite's requantization on the ISA seam, bit-exact with <c>FixedPoint.MultiplyByQuantizedMultiplier</c>
    /// (double rounding): SSHL by the left shift (wrapping, like the C++ <c>x * (1 &lt;&lt; left)</c>), SQRDMULH
    /// (equal to gemmlowp's SaturatingRoundingDoublingHighMul: both round half up and saturate only MIN·MIN),
    /// then the sign fix-up — subtract 1 (SQADD) from negative values when a right shift follows — so that
    /// SRSHL's round-half-up becomes RoundingDivideByPOT's round-half-away-from-zero.
    /// Per-channel constants are prepared once: <c>mult</c>, <c>left</c> = max(shift, 0), <c>right</c> = min(shift, 0).
    /// </summary>
    public static class Requant
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> Apply<TIsa>(Vector128<int> acc, Vector128<int> mult, Vector128<int> left, Vector128<int> right)
            where TIsa : IInt8Isa
        {
            var x = TIsa.ShiftLeft(acc, left);
            x = TIsa.SaturatingRoundingDoublingMultiplyHigh(x, mult);
            var fixup = Vector128.ShiftRightArithmetic(x & right, 31);   // −1 where x < 0 and a right shift follows
            x = TIsa.SaturatingAdd(x, fixup);
            return TIsa.RoundingShiftLeft(x, right);
        }

        /// <summary>
        /// Four requantized int32x4 (16 outputs) → int8x16: + output zero point with WRAPPING int32 addition (as the
        /// reference kernels' <c>unchecked(r + zp)</c>), saturating narrow to int16 and to int8, clamp to
        /// [min, max]. Equal to clamp(unchecked(r + zp), min, max) for every int32 r: the saturations only move
        /// values outside int8, which the clamp moves to the same bound. <paramref name="zeroPoint"/> holds the
        /// zero point in every lane.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<sbyte> Pack<TIsa>(Vector128<int> r0, Vector128<int> r1, Vector128<int> r2, Vector128<int> r3,
            Vector128<short> zeroPoint, Vector128<sbyte> min, Vector128<sbyte> max) where TIsa : IInt8Isa =>
            Pack<TIsa>(r0, r1, r2, r3, Vector128.WidenLower(zeroPoint), min, max);

        /// <summary>As <see cref="Pack{TIsa}(Vector128{int}, Vector128{int}, Vector128{int}, Vector128{int}, Vector128{short}, Vector128{sbyte}, Vector128{sbyte})"/> with the zero point as int32 lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<sbyte> Pack<TIsa>(Vector128<int> r0, Vector128<int> r1, Vector128<int> r2, Vector128<int> r3,
            Vector128<int> zp, Vector128<sbyte> min, Vector128<sbyte> max) where TIsa : IInt8Isa
        {
            var lo = TIsa.SaturatingNarrow(r0 + zp, r1 + zp);
            var hi = TIsa.SaturatingNarrow(r2 + zp, r3 + zp);
            var b = TIsa.SaturatingNarrow(lo, hi);
            return Vector128.Min(Vector128.Max(b, min), max);
        }

        /// <summary>Per-channel vectors for <see cref="Apply{TIsa}"/>: left = max(shift, 0), right = min(shift, 0).</summary>
        public static void SplitShifts(int[] shift, out int[] left, out int[] right)
        {
            left = new int[shift.Length];
            right = new int[shift.Length];
            for (int i = 0; i < shift.Length; i++)
            {
                left[i] = shift[i] > 0 ? shift[i] : 0;
                right[i] = shift[i] > 0 ? 0 : shift[i];
            }
        }
    }
}
