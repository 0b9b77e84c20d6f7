using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// The ISA seam for any CPU: the same exact semantics as the AdvSimd instructions (see
    /// <see cref="NeonModel"/>), built from SSE/AVX2 where the CPU has them and from cross-platform Vector128
    /// operations or the scalar model otherwise. <see cref="HasDotProduct"/> is true: the 4-way dot product is
    /// synthesised exactly (pmaddwd on sign-extended bytes + horizontal add; no saturating instruction).
    /// </summary>
    public readonly struct PortableIsa : IInt8Isa
    {
        public static bool IsSupported => true;
        public static bool HasDotProduct => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> DotProduct(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b)
        {
            if (Ssse3.IsSupported)
            {
                // pmaddwd on int16 never saturates here (|x·y| ≤ 16384, pairs ≤ 32768 fit int32).
                var lo = Sse2.MultiplyAddAdjacent(Vector128.WidenLower(a), Vector128.WidenLower(b));
                var hi = Sse2.MultiplyAddAdjacent(Vector128.WidenUpper(a), Vector128.WidenUpper(b));
                return acc + Ssse3.HorizontalAdd(lo, hi);
            }
            return NeonModel.Sdot(acc, a, b);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<short> SignExtendLower(Vector128<sbyte> a) => Vector128.WidenLower(a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<short> SignExtendUpper(Vector128<sbyte> a) => Vector128.WidenUpper(a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> MultiplyWideningLowerAndAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b) =>
            acc + Vector128.WidenLower(a) * Vector128.WidenLower(b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> MultiplyWideningUpperAndAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b) =>
            acc + Vector128.WidenUpper(a) * Vector128.WidenUpper(b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> SaturatingRoundingDoublingMultiplyHigh(Vector128<int> a, Vector128<int> b)
        {
            if (Sse41.IsSupported)
            {
                // 64-bit products of the even and odd lanes; result = bits 31..62 of (a·b + 2^30).
                var round = Vector128.Create(1L << 30);
                var even = Sse41.Multiply(a, b) + round;
                var odd = Sse41.Multiply(Sse2.ShiftRightLogical128BitLane(a, 4), Sse2.ShiftRightLogical128BitLane(b, 4)) + round;
                var e = Sse2.ShiftRightLogical(even, 31).AsInt32();            // lanes 0, 2 hold the results
                var o = Sse2.ShiftLeftLogical(odd, 1).AsInt32();               // lanes 1, 3 hold the results
                var r = Sse41.Blend(e.AsSingle(), o.AsSingle(), 0b1010).AsInt32();
                // Only a = b = int.MinValue yields int.MinValue here (2^31 wrapped); SQRDMULH saturates it to MaxValue.
                return r ^ Vector128.Equals(r, Vector128.Create(int.MinValue));
            }
            return NeonModel.Sqrdmulh(a, b);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> RoundingShiftLeft(Vector128<int> a, Vector128<int> shift)
        {
            if (Avx2.IsSupported)
            {
                // Shift amounts are the signed low byte of each lane (as SRSHL reads them).
                var s = Sse2.ShiftRightArithmetic(Sse2.ShiftLeftLogical(shift, 24), 24);
                var n = Vector128<int>.Zero - s;
                var left = Avx2.ShiftLeftLogicalVariable(a, s.AsUInt32());                     // counts ≥ 32 give 0
                var nm1 = (n - Vector128<int>.One).AsUInt32();
                var right = Avx2.ShiftRightArithmeticVariable(a, n.AsUInt32())
                          + (Avx2.ShiftRightArithmeticVariable(a, nm1) & Vector128<int>.One); // (a >> n) + bit (n−1): round half up
                var bigRight = Vector128.GreaterThan(n, Vector128.Create(32));                 // n ≥ 33: result 0
                right = Vector128.AndNot(right, bigRight);
                return Vector128.ConditionalSelect(Vector128.LessThan(s, Vector128<int>.Zero), right, left);
            }
            return NeonModel.Srshl(a, shift);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> ShiftLeft(Vector128<int> a, Vector128<int> shift)
        {
            if (Avx2.IsSupported)
            {
                var s = Sse2.ShiftRightArithmetic(Sse2.ShiftLeftLogical(shift, 24), 24);
                var left = Avx2.ShiftLeftLogicalVariable(a, s.AsUInt32());
                var right = Avx2.ShiftRightArithmeticVariable(a, (Vector128<int>.Zero - s).AsUInt32());
                return Vector128.ConditionalSelect(Vector128.LessThan(s, Vector128<int>.Zero), right, left);
            }
            return NeonModel.Sshl(a, shift);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> SaturatingAdd(Vector128<int> a, Vector128<int> b)
        {
            var sum = a + b;
            var overflow = Vector128.ShiftRightArithmetic((a ^ sum) & (b ^ sum), 31);     // all ones where the sign flipped wrongly
            var saturated = Vector128.ShiftRightArithmetic(a, 31) ^ Vector128.Create(int.MaxValue); // MIN for a < 0, MAX for a ≥ 0
            return Vector128.ConditionalSelect(overflow, saturated, sum);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<short> SaturatingAdd(Vector128<short> a, Vector128<short> b) =>
            Sse2.IsSupported ? Sse2.AddSaturate(a, b) : NeonModel.Sqadd(a, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<short> SaturatingNarrow(Vector128<int> lower, Vector128<int> upper) =>
            Sse2.IsSupported ? Sse2.PackSignedSaturate(lower, upper) : NeonModel.Sqxtn(lower, upper);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<sbyte> SaturatingNarrow(Vector128<short> lower, Vector128<short> upper) =>
            Sse2.IsSupported ? Sse2.PackSignedSaturate(lower, upper) : NeonModel.Sqxtn(lower, upper);
    }
}
