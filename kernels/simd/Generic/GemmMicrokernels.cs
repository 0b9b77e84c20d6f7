using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// The int8 GEMM micro-kernels of CONV_2D / FULLY_CONNECTED over the ISA seam: MR = 4 (or 1) rows of
    /// activations (output pixels) × NR = 8 output channels, int32 accumulators started at the folded bias,
    /// requantized with <see cref="Requant.Apply{TIsa}"/> and packed/clamped with <see cref="Requant.Pack{TIsa}(Vector128{int}, Vector128{int}, Vector128{int}, Vector128{int}, Vector128{int}, Vector128{sbyte}, Vector128{sbyte})"/>.
    ///
    /// Two inner loops:
    /// <list type="bullet">
    /// <item><c>Dot*</c> (c4, SDOT): weights [Kp/4][8][4] (<see cref="PackGemmWeights.Dot"/>); each row's 4
    /// activation bytes are broadcast to all lanes, so lane i of DotProduct(acc, x, w) adds Σ_{k&lt;4} x_k·w[i][k].</item>
    /// <item><c>Mlal*</c> (SMLAL): weights [K2][8] int8 (<see cref="PackGemmWeights.Mlal"/>); 16 bytes = two K
    /// steps, sign-extended with SXTL/SXTL2, multiplied against the activation broadcast as int16 with
    /// SMLAL/SMLAL2 (lanes 0..3 and 4..7).</item>
    /// </list>
    /// Every product is an exact int8·int8 and every sum wraps in int32 like the reference kernel's
    /// <c>unchecked</c> accumulation (only reassociated); padded K steps carry zero weights, so whatever the
    /// activation bytes there hold contributes exactly 0. No saturating instruction touches the accumulators.
    /// Rows are given as refs to K (or Kp) activation bytes; outputs as refs to the first channel of each row,
    /// of which <c>nValid</c> ≤ 8 channels are stored.
    /// </summary>
    internal static class GemmMicrokernels
    {
        public const int NR = 8;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<sbyte> Broadcast4(ref byte row, int offset) =>
            Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref row, offset))).AsSByte();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<short> Broadcast1(ref byte row, int offset) =>
            Vector128.Create((short)(sbyte)Unsafe.Add(ref row, offset));

        /// <summary>4 rows × 8 channels, SDOT. <paramref name="groups"/> = Kp / 4.</summary>
        public static void Dot4<TIsa>(ref byte a0, ref byte a1, ref byte a2, ref byte a3, int groups, ref byte w,
            in GemmEpilogue e, int n0, ref byte o0, ref byte o1, ref byte o2, ref byte o3, int nValid) where TIsa : IInt8Isa
        {
            var b0 = Vector128.LoadUnsafe(ref e.Bias0, (nuint)n0);
            var b1 = Vector128.LoadUnsafe(ref e.Bias0, (nuint)(n0 + 4));
            Vector128<int> c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
            ref sbyte ws = ref Unsafe.As<byte, sbyte>(ref w);
            for (int g = 0, o = 0; g < groups; g++, o += 4)
            {
                var w0 = Vector128.LoadUnsafe(ref ws);
                var w1 = Vector128.LoadUnsafe(ref ws, 16);
                ws = ref Unsafe.Add(ref ws, 32);
                var x = Broadcast4(ref a0, o);
                c00 = TIsa.DotProduct(c00, x, w0);
                c01 = TIsa.DotProduct(c01, x, w1);
                x = Broadcast4(ref a1, o);
                c10 = TIsa.DotProduct(c10, x, w0);
                c11 = TIsa.DotProduct(c11, x, w1);
                x = Broadcast4(ref a2, o);
                c20 = TIsa.DotProduct(c20, x, w0);
                c21 = TIsa.DotProduct(c21, x, w1);
                x = Broadcast4(ref a3, o);
                c30 = TIsa.DotProduct(c30, x, w0);
                c31 = TIsa.DotProduct(c31, x, w1);
            }
            Finish4<TIsa>(in e, n0, c00, c01, c10, c11, c20, c21, c30, c31, ref o0, ref o1, ref o2, ref o3, nValid);
        }

        /// <summary>1 row × 8 channels, SDOT, two interleaved accumulator pairs (K steps unrolled by 2).</summary>
        public static void Dot1<TIsa>(ref byte a0, int groups, ref byte w, in GemmEpilogue e, int n0, ref byte o0, int nValid)
            where TIsa : IInt8Isa
        {
            Vector128<int> c0 = Vector128.LoadUnsafe(ref e.Bias0, (nuint)n0);
            Vector128<int> c1 = Vector128.LoadUnsafe(ref e.Bias0, (nuint)(n0 + 4));
            Vector128<int> d0 = Vector128<int>.Zero, d1 = Vector128<int>.Zero;
            ref sbyte ws = ref Unsafe.As<byte, sbyte>(ref w);
            int g = 0, o = 0;
            for (; g + 1 < groups; g += 2, o += 8)
            {
                var x = Broadcast4(ref a0, o);
                var y = Broadcast4(ref a0, o + 4);
                c0 = TIsa.DotProduct(c0, x, Vector128.LoadUnsafe(ref ws));
                c1 = TIsa.DotProduct(c1, x, Vector128.LoadUnsafe(ref ws, 16));
                d0 = TIsa.DotProduct(d0, y, Vector128.LoadUnsafe(ref ws, 32));
                d1 = TIsa.DotProduct(d1, y, Vector128.LoadUnsafe(ref ws, 48));
                ws = ref Unsafe.Add(ref ws, 64);
            }
            if (g < groups)
            {
                var x = Broadcast4(ref a0, o);
                c0 = TIsa.DotProduct(c0, x, Vector128.LoadUnsafe(ref ws));
                c1 = TIsa.DotProduct(c1, x, Vector128.LoadUnsafe(ref ws, 16));
            }
            Finish1<TIsa>(in e, n0, c0 + d0, c1 + d1, ref o0, nValid);
        }

        /// <summary>4 rows × 8 channels, SXTL + SMLAL. <paramref name="k"/> is the true K (weights padded to even).</summary>
        public static void Mlal4<TIsa>(ref byte a0, ref byte a1, ref byte a2, ref byte a3, int k, ref byte w,
            in GemmEpilogue e, int n0, ref byte o0, ref byte o1, ref byte o2, ref byte o3, int nValid) where TIsa : IInt8Isa
        {
            var b0 = Vector128.LoadUnsafe(ref e.Bias0, (nuint)n0);
            var b1 = Vector128.LoadUnsafe(ref e.Bias0, (nuint)(n0 + 4));
            Vector128<int> c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
            ref sbyte ws = ref Unsafe.As<byte, sbyte>(ref w);
            int kk = 0;
            for (; kk + 1 < k; kk += 2)
            {
                var wv = Vector128.LoadUnsafe(ref ws);
                ws = ref Unsafe.Add(ref ws, 16);
                var wl = TIsa.SignExtendLower(wv);   // K step kk, channels 0..7
                var wh = TIsa.SignExtendUpper(wv);   // K step kk + 1
                var x = Broadcast1(ref a0, kk);
                var y = Broadcast1(ref a0, kk + 1);
                c00 = TIsa.MultiplyWideningLowerAndAdd(c00, x, wl);
                c01 = TIsa.MultiplyWideningUpperAndAdd(c01, x, wl);
                c00 = TIsa.MultiplyWideningLowerAndAdd(c00, y, wh);
                c01 = TIsa.MultiplyWideningUpperAndAdd(c01, y, wh);
                x = Broadcast1(ref a1, kk);
                y = Broadcast1(ref a1, kk + 1);
                c10 = TIsa.MultiplyWideningLowerAndAdd(c10, x, wl);
                c11 = TIsa.MultiplyWideningUpperAndAdd(c11, x, wl);
                c10 = TIsa.MultiplyWideningLowerAndAdd(c10, y, wh);
                c11 = TIsa.MultiplyWideningUpperAndAdd(c11, y, wh);
                x = Broadcast1(ref a2, kk);
                y = Broadcast1(ref a2, kk + 1);
                c20 = TIsa.MultiplyWideningLowerAndAdd(c20, x, wl);
                c21 = TIsa.MultiplyWideningUpperAndAdd(c21, x, wl);
                c20 = TIsa.MultiplyWideningLowerAndAdd(c20, y, wh);
                c21 = TIsa.MultiplyWideningUpperAndAdd(c21, y, wh);
                x = Broadcast1(ref a3, kk);
                y = Broadcast1(ref a3, kk + 1);
                c30 = TIsa.MultiplyWideningLowerAndAdd(c30, x, wl);
                c31 = TIsa.MultiplyWideningUpperAndAdd(c31, x, wl);
                c30 = TIsa.MultiplyWideningLowerAndAdd(c30, y, wh);
                c31 = TIsa.MultiplyWideningUpperAndAdd(c31, y, wh);
            }
            if (kk < k)
            {
                // Odd K: the last step (the padded upper half of the 16 bytes is never used).
                var wl = TIsa.SignExtendLower(Vector128.LoadUnsafe(ref ws));
                var x = Broadcast1(ref a0, kk);
                c00 = TIsa.MultiplyWideningLowerAndAdd(c00, x, wl);
                c01 = TIsa.MultiplyWideningUpperAndAdd(c01, x, wl);
                x = Broadcast1(ref a1, kk);
                c10 = TIsa.MultiplyWideningLowerAndAdd(c10, x, wl);
                c11 = TIsa.MultiplyWideningUpperAndAdd(c11, x, wl);
                x = Broadcast1(ref a2, kk);
                c20 = TIsa.MultiplyWideningLowerAndAdd(c20, x, wl);
                c21 = TIsa.MultiplyWideningUpperAndAdd(c21, x, wl);
                x = Broadcast1(ref a3, kk);
                c30 = TIsa.MultiplyWideningLowerAndAdd(c30, x, wl);
                c31 = TIsa.MultiplyWideningUpperAndAdd(c31, x, wl);
            }
            Finish4<TIsa>(in e, n0, c00, c01, c10, c11, c20, c21, c30, c31, ref o0, ref o1, ref o2, ref o3, nValid);
        }

        /// <summary>1 row × 8 channels, SXTL + SMLAL.</summary>
        public static void Mlal1<TIsa>(ref byte a0, int k, ref byte w, in GemmEpilogue e, int n0, ref byte o0, int nValid)
            where TIsa : IInt8Isa
        {
            Vector128<int> c0 = Vector128.LoadUnsafe(ref e.Bias0, (nuint)n0);
            Vector128<int> c1 = Vector128.LoadUnsafe(ref e.Bias0, (nuint)(n0 + 4));
            Vector128<int> d0 = Vector128<int>.Zero, d1 = Vector128<int>.Zero;
            ref sbyte ws = ref Unsafe.As<byte, sbyte>(ref w);
            int kk = 0;
            for (; kk + 1 < k; kk += 2)
            {
                var wv = Vector128.LoadUnsafe(ref ws);
                ws = ref Unsafe.Add(ref ws, 16);
                var wl = TIsa.SignExtendLower(wv);
                var wh = TIsa.SignExtendUpper(wv);
                var x = Broadcast1(ref a0, kk);
                var y = Broadcast1(ref a0, kk + 1);
                c0 = TIsa.MultiplyWideningLowerAndAdd(c0, x, wl);
                c1 = TIsa.MultiplyWideningUpperAndAdd(c1, x, wl);
                d0 = TIsa.MultiplyWideningLowerAndAdd(d0, y, wh);
                d1 = TIsa.MultiplyWideningUpperAndAdd(d1, y, wh);
            }
            if (kk < k)
            {
                var wl = TIsa.SignExtendLower(Vector128.LoadUnsafe(ref ws));
                var x = Broadcast1(ref a0, kk);
                c0 = TIsa.MultiplyWideningLowerAndAdd(c0, x, wl);
                c1 = TIsa.MultiplyWideningUpperAndAdd(c1, x, wl);
            }
            Finish1<TIsa>(in e, n0, c0 + d0, c1 + d1, ref o0, nValid);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Finish4<TIsa>(in GemmEpilogue e, int n0,
            Vector128<int> c00, Vector128<int> c01, Vector128<int> c10, Vector128<int> c11,
            Vector128<int> c20, Vector128<int> c21, Vector128<int> c30, Vector128<int> c31,
            ref byte o0, ref byte o1, ref byte o2, ref byte o3, int nValid) where TIsa : IInt8Isa
        {
            var m0 = Vector128.LoadUnsafe(ref e.Mult0, (nuint)n0);
            var m1 = Vector128.LoadUnsafe(ref e.Mult0, (nuint)(n0 + 4));
            var l0 = Vector128.LoadUnsafe(ref e.Left0, (nuint)n0);
            var l1 = Vector128.LoadUnsafe(ref e.Left0, (nuint)(n0 + 4));
            var r0 = Vector128.LoadUnsafe(ref e.Right0, (nuint)n0);
            var r1 = Vector128.LoadUnsafe(ref e.Right0, (nuint)(n0 + 4));
            var y01 = Requant.Pack<TIsa>(
                Requant.Apply<TIsa>(c00, m0, l0, r0), Requant.Apply<TIsa>(c01, m1, l1, r1),
                Requant.Apply<TIsa>(c10, m0, l0, r0), Requant.Apply<TIsa>(c11, m1, l1, r1), e.Zp, e.Min, e.Max);
            var y23 = Requant.Pack<TIsa>(
                Requant.Apply<TIsa>(c20, m0, l0, r0), Requant.Apply<TIsa>(c21, m1, l1, r1),
                Requant.Apply<TIsa>(c30, m0, l0, r0), Requant.Apply<TIsa>(c31, m1, l1, r1), e.Zp, e.Min, e.Max);
            Store2(y01, ref o0, ref o1, nValid);
            Store2(y23, ref o2, ref o3, nValid);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Finish1<TIsa>(in GemmEpilogue e, int n0, Vector128<int> c0, Vector128<int> c1, ref byte o0, int nValid)
            where TIsa : IInt8Isa
        {
            var r0 = Requant.Apply<TIsa>(c0, Vector128.LoadUnsafe(ref e.Mult0, (nuint)n0),
                Vector128.LoadUnsafe(ref e.Left0, (nuint)n0), Vector128.LoadUnsafe(ref e.Right0, (nuint)n0));
            var r1 = Requant.Apply<TIsa>(c1, Vector128.LoadUnsafe(ref e.Mult0, (nuint)(n0 + 4)),
                Vector128.LoadUnsafe(ref e.Left0, (nuint)(n0 + 4)), Vector128.LoadUnsafe(ref e.Right0, (nuint)(n0 + 4)));
            var y = Requant.Pack<TIsa>(r0, r1, r0, r1, e.Zp, e.Min, e.Max);
            if (nValid == NR) Unsafe.WriteUnaligned(ref o0, y.AsInt64().ToScalar());
            else
                for (int j = 0; j < nValid; j++) Unsafe.Add(ref o0, j) = (byte)y.GetElement(j);
        }

        /// <summary>Bytes 0..7 of <paramref name="y"/> to row a, 8..15 to row b (the first <paramref name="nValid"/> of each).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store2(Vector128<sbyte> y, ref byte a, ref byte b, int nValid)
        {
            if (nValid == NR)
            {
                var q = y.AsInt64();
                Unsafe.WriteUnaligned(ref a, q.GetElement(0));
                Unsafe.WriteUnaligned(ref b, q.GetElement(1));
                return;
            }
            for (int j = 0; j < nValid; j++)
            {
                Unsafe.Add(ref a, j) = (byte)y.GetElement(j);
                Unsafe.Add(ref b, j) = (byte)y.GetElement(NR + j);
            }
        }
    }

    /// <summary>Requantization constants of one GEMM (refs to the padded per-channel arrays, and the scalars as vectors).</summary>
    internal ref struct GemmEpilogue
    {
        public ref int Bias0;
        public ref int Mult0;
        public ref int Left0;
        public ref int Right0;
        public Vector128<int> Zp;
        public Vector128<sbyte> Min, Max;
    }
}
