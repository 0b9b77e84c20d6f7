using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// The ISA seam on AArch64: each member is one AdvSimd instruction. Compiles everywhere; runs only where
    /// <see cref="IsSupported"/> (ARM64). On x86 the same kernels run through <see cref="NeonModelIsa"/>.
    /// </summary>
    public readonly struct NeonIsa : IInt8Isa
    {
        public static bool IsSupported => AdvSimd.Arm64.IsSupported;
        public static bool HasDotProduct => Dp.IsSupported;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> DotProduct(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b) => Dp.DotProduct(acc, a, b);            // SDOT

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<short> SignExtendLower(Vector128<sbyte> a) => AdvSimd.SignExtendWideningLower(a.GetLower());                   // SXTL

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<short> SignExtendUpper(Vector128<sbyte> a) => AdvSimd.SignExtendWideningUpper(a);                              // SXTL2

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> MultiplyWideningLowerAndAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b) =>
            AdvSimd.MultiplyWideningLowerAndAdd(acc, a.GetLower(), b.GetLower());                                                               // SMLAL

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> MultiplyWideningUpperAndAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b) =>
            AdvSimd.MultiplyWideningUpperAndAdd(acc, a, b);                                                                                     // SMLAL2

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> SaturatingRoundingDoublingMultiplyHigh(Vector128<int> a, Vector128<int> b) =>
            AdvSimd.MultiplyRoundedDoublingSaturateHigh(a, b);                                                                                  // SQRDMULH

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> RoundingShiftLeft(Vector128<int> a, Vector128<int> shift) => AdvSimd.ShiftArithmeticRounded(a, shift);    // SRSHL

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> ShiftLeft(Vector128<int> a, Vector128<int> shift) => AdvSimd.ShiftArithmetic(a, shift);                  // SSHL

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> SaturatingAdd(Vector128<int> a, Vector128<int> b) => AdvSimd.AddSaturate(a, b);                          // SQADD

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<short> SaturatingAdd(Vector128<short> a, Vector128<short> b) => AdvSimd.AddSaturate(a, b);                    // SQADD

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<short> SaturatingNarrow(Vector128<int> lower, Vector128<int> upper) =>
            AdvSimd.ExtractNarrowingSaturateUpper(AdvSimd.ExtractNarrowingSaturateLower(lower), upper);                                        // SQXTN, SQXTN2

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<sbyte> SaturatingNarrow(Vector128<short> lower, Vector128<short> upper) =>
            AdvSimd.ExtractNarrowingSaturateUpper(AdvSimd.ExtractNarrowingSaturateLower(lower), upper);                                        // SQXTN, SQXTN2
    }
}
