using System.Runtime.Intrinsics;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// The narrow ISA seam the generic SIMD kernels are written against: the handful of 128-bit AArch64
    /// AdvSimd instructions an INT8 kernel needs, with their exact ARM semantics. Implementations:
    /// <c>NeonIsa</c> (kernels/arm-neon: each member one line calling the AdvSimd intrinsic), <c>NeonModelIsa</c>
    /// (kernels/arm-neon: an exact software model, so every NEON code path runs in CI on x86), and
    /// <c>PortableIsa</c> (Vector128 + scalar where needed, for any CPU). Kernels are generic methods
    /// <c>Kernel&lt;TIsa&gt;(…) where TIsa : IInt8Isa</c>; the JIT specialises them per implementation.
    /// </summary>
    public interface IInt8Isa
    {
        /// <summary>True when this implementation can run on the current CPU.</summary>
        static abstract bool IsSupported { get; }

        /// <summary>True when <see cref="DotProduct"/> is a native instruction (SDOT, ARMv8.2 DotProd).</summary>
        static abstract bool HasDotProduct { get; }

        /// <summary>SDOT (vector): acc[i] + Σ_{k&lt;4} a[4i+k]·b[4i+k], i = 0..3, wrapping int32.</summary>
        static abstract Vector128<int> DotProduct(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b);

        /// <summary>SXTL: sign-extend lanes 0..7 to int16.</summary>
        static abstract Vector128<short> SignExtendLower(Vector128<sbyte> a);

        /// <summary>SXTL2: sign-extend lanes 8..15 to int16.</summary>
        static abstract Vector128<short> SignExtendUpper(Vector128<sbyte> a);

        /// <summary>SMLAL (16-bit): acc[i] + a[i]·b[i] for lanes 0..3, widened to int32, wrapping.</summary>
        static abstract Vector128<int> MultiplyWideningLowerAndAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b);

        /// <summary>SMLAL2 (16-bit): acc[i] + a[4+i]·b[4+i] for lanes 4..7, widened to int32, wrapping.</summary>
        static abstract Vector128<int> MultiplyWideningUpperAndAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b);

        /// <summary>SQRDMULH (32-bit): saturate((2·a·b + 2^31) &gt;&gt; 32); only a = b = int.MinValue saturates.</summary>
        static abstract Vector128<int> SaturatingRoundingDoublingMultiplyHigh(Vector128<int> a, Vector128<int> b);

        /// <summary>
        /// SRSHL (32-bit): per lane, for s = (sbyte)shift[i]: s ≥ 0 shifts left (wrapping), s &lt; 0 is a rounding
        /// arithmetic right shift by −s: (a + 2^(−s−1)) &gt;&gt; −s computed without overflow (rounds half up).
        /// </summary>
        static abstract Vector128<int> RoundingShiftLeft(Vector128<int> a, Vector128<int> shift);

        /// <summary>SSHL (32-bit) with non-negative shifts: a &lt;&lt; s, wrapping (no saturation).</summary>
        static abstract Vector128<int> ShiftLeft(Vector128<int> a, Vector128<int> shift);

        /// <summary>SQADD (32-bit).</summary>
        static abstract Vector128<int> SaturatingAdd(Vector128<int> a, Vector128<int> b);

        /// <summary>SQADD (16-bit).</summary>
        static abstract Vector128<short> SaturatingAdd(Vector128<short> a, Vector128<short> b);

        /// <summary>SQXTN + SQXTN2: two int32x4 → int16x8 (lower first), saturating.</summary>
        static abstract Vector128<short> SaturatingNarrow(Vector128<int> lower, Vector128<int> upper);

        /// <summary>SQXTN + SQXTN2: two int16x8 → int8x16 (lower first), saturating.</summary>
        static abstract Vector128<sbyte> SaturatingNarrow(Vector128<short> lower, Vector128<short> upper);
    }
}
