using System.Runtime.Intrinsics;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// An exact software model of the AdvSimd instructions behind <see cref="IInt8Isa"/>, lane by lane, written
    /// from the Arm Architecture Reference Manual's pseudocode (SDOT, SXTL, SMLAL, SQRDMULH, SRSHL, SSHL, SQADD,
    /// SQXTN): wrapping where the instruction wraps, saturating where it saturates, the same rounding, and SRSHL/
    /// SSHL reading the signed shift from the low byte of each lane. With it every NEON code path (packing,
    /// tiling, tails) runs in CI on x86. <see cref="NeonModelIsa"/> models a core with the dot-product
    /// extension (Cortex-A76, Raspberry Pi 5); <see cref="NeonModelNoDotIsa"/> one without (Cortex-A72, Pi 4),
    /// so kernels take their SMLAL path.
    /// </summary>
    public readonly struct NeonModelIsa : IInt8Isa
    {
        public static bool IsSupported => true;
        public static bool HasDotProduct => true;
        public static Vector128<int> DotProduct(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b) => NeonModel.Sdot(acc, a, b);
        public static Vector128<short> SignExtendLower(Vector128<sbyte> a) => NeonModel.Sxtl(a, 0);
        public static Vector128<short> SignExtendUpper(Vector128<sbyte> a) => NeonModel.Sxtl(a, 8);
        public static Vector128<int> MultiplyWideningLowerAndAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b) => NeonModel.Smlal(acc, a, b, 0);
        public static Vector128<int> MultiplyWideningUpperAndAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b) => NeonModel.Smlal(acc, a, b, 4);
        public static Vector128<int> SaturatingRoundingDoublingMultiplyHigh(Vector128<int> a, Vector128<int> b) => NeonModel.Sqrdmulh(a, b);
        public static Vector128<int> RoundingShiftLeft(Vector128<int> a, Vector128<int> shift) => NeonModel.Srshl(a, shift);
        public static Vector128<int> ShiftLeft(Vector128<int> a, Vector128<int> shift) => NeonModel.Sshl(a, shift);
        public static Vector128<int> SaturatingAdd(Vector128<int> a, Vector128<int> b) => NeonModel.Sqadd(a, b);
        public static Vector128<short> SaturatingAdd(Vector128<short> a, Vector128<short> b) => NeonModel.Sqadd(a, b);
        public static Vector128<short> SaturatingNarrow(Vector128<int> lower, Vector128<int> upper) => NeonModel.Sqxtn(lower, upper);
        public static Vector128<sbyte> SaturatingNarrow(Vector128<short> lower, Vector128<short> upper) => NeonModel.Sqxtn(lower, upper);
    }

    /// <summary>The software model of a NEON core without the dot-product extension (kernels use SMLAL).</summary>
    public readonly struct NeonModelNoDotIsa : IInt8Isa
    {
        public static bool IsSupported => true;
        public static bool HasDotProduct => false;
        public static Vector128<int> DotProduct(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b) =>
            throw new System.PlatformNotSupportedException("SDOT is not available on this modelled core (no dot-product extension)");
        public static Vector128<short> SignExtendLower(Vector128<sbyte> a) => NeonModel.Sxtl(a, 0);
        public static Vector128<short> SignExtendUpper(Vector128<sbyte> a) => NeonModel.Sxtl(a, 8);
        public static Vector128<int> MultiplyWideningLowerAndAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b) => NeonModel.Smlal(acc, a, b, 0);
        public static Vector128<int> MultiplyWideningUpperAndAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b) => NeonModel.Smlal(acc, a, b, 4);
        public static Vector128<int> SaturatingRoundingDoublingMultiplyHigh(Vector128<int> a, Vector128<int> b) => NeonModel.Sqrdmulh(a, b);
        public static Vector128<int> RoundingShiftLeft(Vector128<int> a, Vector128<int> shift) => NeonModel.Srshl(a, shift);
        public static Vector128<int> ShiftLeft(Vector128<int> a, Vector128<int> shift) => NeonModel.Sshl(a, shift);
        public static Vector128<int> SaturatingAdd(Vector128<int> a, Vector128<int> b) => NeonModel.Sqadd(a, b);
        public static Vector128<short> SaturatingAdd(Vector128<short> a, Vector128<short> b) => NeonModel.Sqadd(a, b);
        public static Vector128<short> SaturatingNarrow(Vector128<int> lower, Vector128<int> upper) => NeonModel.Sqxtn(lower, upper);
        public static Vector128<sbyte> SaturatingNarrow(Vector128<short> lower, Vector128<short> upper) => NeonModel.Sqxtn(lower, upper);
    }

    /// <summary>Lane-by-lane models of the instructions (Arm ARM pseudocode).</summary>
    public static class NeonModel
    {
        /// <summary>SDOT Vd.4S, Vn.16B, Vm.16B: per 32-bit lane, the sum of four signed byte products, wrapping.</summary>
        public static Vector128<int> Sdot(Vector128<int> acc, Vector128<sbyte> a, Vector128<sbyte> b)
        {
            var r = acc;
            for (int i = 0; i < 4; i++)
            {
                int sum = acc.GetElement(i);
                for (int k = 0; k < 4; k++) sum = unchecked(sum + a.GetElement(4 * i + k) * b.GetElement(4 * i + k));
                r = r.WithElement(i, sum);
            }
            return r;
        }

        /// <summary>SXTL/SXTL2: sign-extend 8 bytes starting at lane <paramref name="first"/>.</summary>
        public static Vector128<short> Sxtl(Vector128<sbyte> a, int first)
        {
            var r = Vector128<short>.Zero;
            for (int i = 0; i < 8; i++) r = r.WithElement(i, (short)a.GetElement(first + i));
            return r;
        }

        /// <summary>SMLAL/SMLAL2 (.4S, .4H): acc[i] + a[first+i]·b[first+i], products exact in 32 bits, sum wrapping.</summary>
        public static Vector128<int> Smlal(Vector128<int> acc, Vector128<short> a, Vector128<short> b, int first)
        {
            var r = acc;
            for (int i = 0; i < 4; i++)
                r = r.WithElement(i, unchecked(acc.GetElement(i) + a.GetElement(first + i) * b.GetElement(first + i)));
            return r;
        }

        /// <summary>SQRDMULH (.4S): SignedSatQ((2·a·b + 2^31) &gt;&gt; 32), computed in 64 bits.</summary>
        public static int Sqrdmulh(int a, int b)
        {
            // 2ab + 2^31 needs 65 bits only for a = b = int.MinValue, the single saturating case.
            if (a == int.MinValue && b == int.MinValue) return int.MaxValue;
            long product = (long)a * b;
            return (int)((2 * product + (1L << 31)) >> 32);
        }

        public static Vector128<int> Sqrdmulh(Vector128<int> a, Vector128<int> b)
        {
            var r = Vector128<int>.Zero;
            for (int i = 0; i < 4; i++) r = r.WithElement(i, Sqrdmulh(a.GetElement(i), b.GetElement(i)));
            return r;
        }

        /// <summary>SRSHL (.4S): shift = SInt(low byte of the lane); left shifts wrap (bits past 31 are lost), right shifts round half up.</summary>
        public static int Srshl(int a, int shiftLane)
        {
            int s = (sbyte)(shiftLane & 0xFF);
            if (s >= 0) return s >= 32 ? 0 : a << s;
            int n = -s;                               // 1 .. 128
            if (n > 64) return 0;                     // (a + 2^(n-1)) >> n with |a| < 2^31 is 0 for n >= 33, also for the rounding term
            long round = 1L << (n - 1);
            return n >= 33 ? 0 : (int)(((long)a + round) >> n);
        }

        public static Vector128<int> Srshl(Vector128<int> a, Vector128<int> shift)
        {
            var r = Vector128<int>.Zero;
            for (int i = 0; i < 4; i++) r = r.WithElement(i, Srshl(a.GetElement(i), shift.GetElement(i)));
            return r;
        }

        /// <summary>SSHL (.4S): shift = SInt(low byte); left shifts wrap, right shifts truncate (arithmetic).</summary>
        public static int Sshl(int a, int shiftLane)
        {
            int s = (sbyte)(shiftLane & 0xFF);
            if (s >= 0) return s >= 32 ? 0 : a << s;
            int n = -s;
            return n >= 32 ? (a >> 31) : (a >> n);
        }

        public static Vector128<int> Sshl(Vector128<int> a, Vector128<int> shift)
        {
            var r = Vector128<int>.Zero;
            for (int i = 0; i < 4; i++) r = r.WithElement(i, Sshl(a.GetElement(i), shift.GetElement(i)));
            return r;
        }

        public static Vector128<int> Sqadd(Vector128<int> a, Vector128<int> b)
        {
            var r = Vector128<int>.Zero;
            for (int i = 0; i < 4; i++)
            {
                long s = (long)a.GetElement(i) + b.GetElement(i);
                r = r.WithElement(i, (int)System.Math.Clamp(s, int.MinValue, int.MaxValue));
            }
            return r;
        }

        public static Vector128<short> Sqadd(Vector128<short> a, Vector128<short> b)
        {
            var r = Vector128<short>.Zero;
            for (int i = 0; i < 8; i++) r = r.WithElement(i, (short)System.Math.Clamp(a.GetElement(i) + b.GetElement(i), short.MinValue, short.MaxValue));
            return r;
        }

        public static Vector128<short> Sqxtn(Vector128<int> lower, Vector128<int> upper)
        {
            var r = Vector128<short>.Zero;
            for (int i = 0; i < 4; i++)
            {
                r = r.WithElement(i, (short)System.Math.Clamp(lower.GetElement(i), short.MinValue, short.MaxValue));
                r = r.WithElement(4 + i, (short)System.Math.Clamp(upper.GetElement(i), short.MinValue, short.MaxValue));
            }
            return r;
        }

        public static Vector128<sbyte> Sqxtn(Vector128<short> lower, Vector128<short> upper)
        {
            var r = Vector128<sbyte>.Zero;
            for (int i = 0; i < 8; i++)
            {
                r = r.WithElement(i, (sbyte)System.Math.Clamp((int)lower.GetElement(i), sbyte.MinValue, sbyte.MaxValue));
                r = r.WithElement(8 + i, (sbyte)System.Math.Clamp((int)upper.GetElement(i), sbyte.MinValue, sbyte.MaxValue));
            }
            return r;
        }
    }
}
