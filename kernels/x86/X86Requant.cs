using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// Output zero point and activation clamp, broadcast once per Eval (256- and 512-bit); for the ONNX-rule
    /// kernels also the float clamp bounds [actMin − zp, actMax − zp].
    /// </summary>
    internal readonly struct Epilogue
    {
        public readonly Vector256<int> Zp, Min, Max;
        public readonly Vector512<int> Zp512, Min512, Max512;
        public readonly Vector256<float> LoF, HiF;

        public Epilogue(int zp, int min, int max)
        {
            Zp = Vector256.Create(zp); Min = Vector256.Create(min); Max = Vector256.Create(max);
            Zp512 = Vector512.Create(zp); Min512 = Vector512.Create(min); Max512 = Vector512.Create(max);
            LoF = Vector256.Create((float)(min - zp)); HiF = Vector256.Create((float)(max - zp));
        }
    }

    /// <summary>
    /// A GEMM tile's output stage: <paramref name="acc"/> holds rows × nb blocks of 8 int32 accumulators
    /// ([row][block][8]); <paramref name="q"/> the per-block constants (stride <see cref="X86Requant.BlockInts256"/>).
    /// </summary>
    internal unsafe interface ITileEpilogue
    {
        static abstract void Store(int* acc, int nb, int rows, int* q, sbyte* c, nint cStride, int ocValid, in Epilogue e);
    }

    /// <summary>TFLite's fixed-point requantization to int8 (<see cref="X86Requant.Epilogue256"/>).</summary>
    internal unsafe struct GemmlowpEpilogue : ITileEpilogue
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(int* acc, int nb, int rows, int* q, sbyte* c, nint cStride, int ocValid, in Epilogue e) =>
            X86Requant.Epilogue256(acc, nb, rows, q, c, cStride, ocValid, in e);
    }

    /// <summary>
    /// TFLite's requantization on AVX2 / AVX-512 lanes, bit-exact with
    /// <c>FixedPoint.MultiplyByQuantizedMultiplier(acc, m, shift)</c> (double rounding) for every int32 acc,
    /// multipliers m in [0, 2^31) and shifts in [−31, 30]:
    /// <list type="number">
    /// <item>x = acc &lt;&lt; max(shift, 0) (vpsllvd, wrapping like the C++ <c>x * (1 &lt;&lt; left)</c>);</item>
    /// <item>SaturatingRoundingDoublingHighMul(x, m) = (x·m + 2^30) &gt;&gt; 31 (round half up). m ≥ 0, so the one
    /// saturating case MIN·MIN never occurs; |x·m| &lt; 2^62, so the 64-bit sum is exact and its bits 31..62 are the
    /// int32 result. The 64-bit products come from vpmuldq on the even lanes and on the odd lanes moved down
    /// (the odd-lane multipliers are pre-shuffled at load); the even results are taken with a logical shift right by 31
    /// (low dword), the odd ones with a shift left by 1 (high dword), then blended;</item>
    /// <item>RoundingDivideByPOT(y, r) = (y &gt;&gt; r) + ((y &amp; mask) &gt; (mask &gt;&gt; 1) + (y &lt; 0 ? 1 : 0)),
    /// mask = 2^r − 1: gemmlowp's own formulation, computed with per-lane shifts and a compare (no overflow).</item>
    /// </list>
    /// Then + output zero point (wrapping int32 add, as the reference's <c>unchecked(v + zp)</c>), clamp to
    /// [actMin, actMax] in int32, and narrow (the clamped values fit int8, so the narrowing is exact).
    /// Per-channel constants are laid out by <see cref="PackConstants"/>.
    /// </summary>
    public static unsafe class X86Requant
    {
        /// <summary>Ints per block of per-channel constants (7 vectors of 8 lanes).</summary>
        public const int BlockInts256 = 56;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Apply256(Vector256<int> acc, Vector256<int> mult, Vector256<int> multOdd,
            Vector256<uint> left, Vector256<uint> right, Vector256<int> mask, Vector256<int> half)
        {
            var x = Avx2.ShiftLeftLogicalVariable(acc, left);
            var pe = Avx2.Multiply(x, mult);
            var po = Avx2.Multiply(Avx2.ShiftRightLogical(x.AsInt64(), 32).AsInt32(), multOdd);
            var rnd = Vector256.Create(1L << 30);
            pe = Avx2.ShiftRightLogical(Avx2.Add(pe, rnd), 31);
            po = Avx2.ShiftLeftLogical(Avx2.Add(po, rnd), 1);
            var y = Avx2.Blend(pe.AsInt32(), po.AsInt32(), 0b1010_1010);
            var q = Avx2.ShiftRightArithmeticVariable(y, right);
            var rem = Avx2.And(y, mask);
            var thr = Avx2.Subtract(half, Avx2.ShiftRightArithmetic(y, 31));
            return Avx2.Subtract(q, Avx2.CompareGreaterThan(rem, thr));
        }

        /// <summary>The same on 16 lanes (AVX-512F).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Apply512(Vector512<int> acc, Vector512<int> mult, Vector512<int> multOdd,
            Vector512<uint> left, Vector512<uint> right, Vector512<int> mask, Vector512<int> half)
        {
            var x = Avx512F.ShiftLeftLogicalVariable(acc, left);
            var pe = Avx512F.Multiply(x, mult);
            var po = Avx512F.Multiply(Avx512F.ShiftRightLogical(x.AsInt64(), 32).AsInt32(), multOdd);
            var rnd = Vector512.Create(1L << 30);
            pe = Avx512F.ShiftRightLogical(Avx512F.Add(pe, rnd), 31);
            po = Avx512F.ShiftLeftLogical(Avx512F.Add(po, rnd), 1);
            var y = Vector512.ConditionalSelect(Vector512.Create(unchecked((long)0xFFFF_FFFF_0000_0000UL)).AsInt32(), po.AsInt32(), pe.AsInt32());
            var q = Avx512F.ShiftRightArithmeticVariable(y, right);
            var rem = Avx512F.And(y, mask);
            var thr = Avx512F.Subtract(half, Avx512F.ShiftRightArithmetic(y, 31));
            // rem > thr  ⇔  thr − rem < 0 (both in [0, 2^31), no overflow): add 1 there.
            return Avx512F.Subtract(q, Avx512F.ShiftRightArithmetic(Avx512F.Subtract(thr, rem), 31));
        }

        /// <summary>+ zero point (wrapping), clamp to [min, max].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<int> Final256(Vector256<int> r, in Epilogue e) =>
            Avx2.Min(Avx2.Max(Avx2.Add(r, e.Zp), e.Min), e.Max);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<int> Final512(Vector512<int> r, in Epilogue e) =>
            Avx512F.Min(Avx512F.Max(Avx512F.Add(r, e.Zp512), e.Min512), e.Max512);

        /// <summary>Stores the first n (1..8) of 8 clamped int32 lanes as int8.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Store8(sbyte* dst, Vector256<int> v, int n)
        {
            var s16 = Sse2.PackSignedSaturate(v.GetLower(), v.GetUpper());
            long l = Sse2.PackSignedSaturate(s16, s16).AsInt64().ToScalar();
            if (n >= 8) { *(long*)dst = l; return; }
            StoreBytes(dst, l, n);
        }

        /// <summary>Stores the first n (1..16) of 16 clamped int32 lanes as int8.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Store16(sbyte* dst, Vector512<int> v, int n)
        {
            var b = Avx512F.ConvertToVector128SByte(v);
            if (n >= 16) { b.Store(dst); return; }
            long lo = b.AsInt64().ToScalar();
            if (n >= 8) { *(long*)dst = lo; StoreBytes(dst + 8, b.AsInt64().GetElement(1), n - 8); return; }
            StoreBytes(dst, lo, n);
        }

        /// <summary>
        /// Tile epilogue: requantizes the accumulators of <paramref name="rows"/> rows × <paramref name="nb"/> blocks
        /// (stored row-major as [row][block][8] in <paramref name="acc"/>) and stores the valid channels.
        /// </summary>
        internal static void Epilogue256(int* acc, int nb, int rows, int* q, sbyte* c, nint cStride, int ocValid, in Epilogue e)
        {
            for (int b = 0; b < nb; b++)
            {
                int* qb = q + b * BlockInts256;
                var m = Vector256.Load(qb + 8); var mo = Vector256.Load(qb + 16); var lf = Vector256.Load(qb + 24).AsUInt32();
                var rt = Vector256.Load(qb + 32).AsUInt32(); var mk = Vector256.Load(qb + 40); var hf = Vector256.Load(qb + 48);
                int n = ocValid - b * 8;
                for (int r = 0; r < rows; r++)
                    Store8(c + r * cStride + b * 8, Final256(Apply256(Vector256.Load(acc + (r * nb + b) * 8), m, mo, lf, rt, mk, hf), e), n);
            }
        }

        private static void StoreBytes(sbyte* dst, long l, int n)
        {
            for (int i = 0; i < n; i++) { dst[i] = (sbyte)l; l >>= 8; }
        }

        /// <summary>
        /// Per-channel constants for <c>blocks</c> blocks of <paramref name="lanes"/> (8 or 16) channels:
        /// per block 7 vectors — bias, multiplier, odd-lane multiplier (lane 2i holds lane 2i+1's multiplier),
        /// left shift max(s,0), right shift max(−s,0), mask 2^right − 1, mask &gt;&gt; 1. Channels past
        /// <paramref name="channels"/> get zeros. <paramref name="channelOf"/> maps (block, lane) to a source channel
        /// when not null (depthwise with a depth multiplier); −1 = padding lane.
        /// </summary>
        public static int[] PackConstants(int[] bias, int[] mult, int[] shift, int channels, int lanes, int blocks, System.Func<int, int> channelOf = null)
        {
            int per = 7 * lanes;
            var q = new int[blocks * per + 16];
            for (int b = 0; b < blocks; b++)
                for (int j = 0; j < lanes; j++)
                {
                    int idx = b * lanes + j;
                    int ch = channelOf != null ? channelOf(idx) : (idx < channels ? idx : -1);
                    if (ch < 0) continue;
                    int s = shift[ch];
                    int left = s > 0 ? s : 0, right = s > 0 ? 0 : -s;
                    int mask = (int)((1L << right) - 1);
                    int o = b * per;
                    q[o + j] = bias[ch];
                    q[o + lanes + j] = mult[ch];
                    if ((j & 1) == 1) q[o + 2 * lanes + j - 1] = mult[ch];
                    q[o + 3 * lanes + j] = left;
                    q[o + 4 * lanes + j] = right;
                    q[o + 5 * lanes + j] = mask;
                    q[o + 6 * lanes + j] = mask >> 1;
                }
            return q;
        }

        /// <summary>Scalar model entry for tests: requantizes 8 values with the 256-bit path.</summary>
        public static void Requantize8(int[] acc, int[] mult, int[] shift, int[] result)
        {
            var q = PackConstants(new int[8], mult, shift, 8, 8, 1);
            fixed (int* a = acc, qp = q, r = result)
            {
                var v = Apply256(Vector256.Load(a), Vector256.Load(qp + 8), Vector256.Load(qp + 16), Vector256.Load(qp + 24).AsUInt32(),
                    Vector256.Load(qp + 32).AsUInt32(), Vector256.Load(qp + 40), Vector256.Load(qp + 48));
                v.Store(r);
            }
        }

        /// <summary>Scalar model entry for tests: requantizes 16 values with the 512-bit path.</summary>
        public static void Requantize16(int[] acc, int[] mult, int[] shift, int[] result)
        {
            var q = PackConstants(new int[16], mult, shift, 16, 16, 1);
            fixed (int* a = acc, qp = q, r = result)
            {
                var v = Apply512(Vector512.Load(a), Vector512.Load(qp + 16), Vector512.Load(qp + 32), Vector512.Load(qp + 48).AsUInt32(),
                    Vector512.Load(qp + 64).AsUInt32(), Vector512.Load(qp + 80), Vector512.Load(qp + 96));
                v.Store(r);
            }
        }
    }
}
