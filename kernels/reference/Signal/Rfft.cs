namespace Edge.Kernels.Reference.Signal
{
    /// <summary>
    /// SignalRfft, int16: kiss_fft's fixed-point (FIXED_POINT = 16) real FFT, as TFLite Micro runs it
    /// (signal/src/rfft_int16.cc → kiss_fftr of kiss_fft_fixed16; signal/micro/kernels/rfft.cc).
    ///
    /// Contract, with n = fft_length (even) and c = n / 2:
    ///  - the input's first <c>inputLength</c> samples, zero-padded to n, are read as c complex values
    ///    z[k] = (x[2k], x[2k+1]);
    ///  - Z = kiss_fft(z) (forward, decimation in time over the radix plan <c>factors</c> = p0, m0, p1, m1, …;
    ///    radix 2 and 4 butterflies; every butterfly first divides its inputs by the radix,
    ///    x ← (x · ⌊32767 / p⌋ + 2^14) ≫ 15, and twiddle products round the same way:
    ///    sround(a·b − c·d) = (int16)((a·b − c·d + 2^14) ≫ 15) with int32 products; sums wrap to int16);
    ///  - the real spectrum X[0..c] (c + 1 complex int16, interleaved re, im) is kiss_fftr's split:
    ///    dc = Z[0] / 2, X[0] = (dc.re + dc.im, 0), X[c] = (dc.re − dc.im, 0), and for k = 1 … c/2 with
    ///    a = Z[k] / 2, b = conj(Z[c−k]) / 2, f1 = a + b, f2 = a − b, t = f2 · super_twiddles[k−1]:
    ///    X[k] = ((f1.re + t.re) ≫ 1, (f1.im + t.im) ≫ 1), X[c−k] = ((f1.re − t.re) ≫ 1, (t.im − f1.im) ≫ 1).
    /// Twiddles (c of them, e^(−2πik/c)) and super twiddles (c/2, e^(−iπ((k+1)/c + 1/2))) are
    /// ⌊0.5 + 32767·cos / sin⌋, computed on the host. Ported from kissfft's kiss_fft.c, kiss_fftr.c and
    /// _kiss_fft_guts.h. Scratch arrays are the caller's (allocated once); nothing is allocated here.
    /// </summary>
    public static class Rfft
    {
        public static void Eval(byte[] input, int inputOffset, int inputLength, int fftLength,
            int[] factors, short[] twRe, short[] twIm, short[] superRe, short[] superIm,
            short[] inRe, short[] inIm, short[] zRe, short[] zIm,
            byte[] output, int outputOffset)
        {
            int c = fftLength / 2;
            for (int k = 0; k < c; k++)
            {
                int i0 = 2 * k, i1 = 2 * k + 1;
                inRe[k] = i0 < inputLength ? (short)SignalMath.ReadInt16(input, inputOffset + 2 * i0) : (short)0;
                inIm[k] = i1 < inputLength ? (short)SignalMath.ReadInt16(input, inputOffset + 2 * i1) : (short)0;
            }
            Work(zRe, zIm, 0, inRe, inIm, 0, 1, factors, 0, twRe, twIm);

            int dcRe = DivScalar(zRe[0], 2), dcIm = DivScalar(zIm[0], 2);
            SignalMath.WriteInt16(output, outputOffset, (short)(dcRe + dcIm));
            SignalMath.WriteInt16(output, outputOffset + 2, 0);
            SignalMath.WriteInt16(output, outputOffset + 4 * c, (short)(dcRe - dcIm));
            SignalMath.WriteInt16(output, outputOffset + 4 * c + 2, 0);
            for (int k = 1; k <= c / 2; k++)
            {
                short fpkRe = DivScalar(zRe[k], 2), fpkIm = DivScalar(zIm[k], 2);
                short fpnkRe = DivScalar(zRe[c - k], 2), fpnkIm = DivScalar((short)(-zIm[c - k]), 2);
                short f1Re = (short)(fpkRe + fpnkRe), f1Im = (short)(fpkIm + fpnkIm);
                short f2Re = (short)(fpkRe - fpnkRe), f2Im = (short)(fpkIm - fpnkIm);
                short tRe = SRound(f2Re * superRe[k - 1] - f2Im * superIm[k - 1]);
                short tIm = SRound(f2Re * superIm[k - 1] + f2Im * superRe[k - 1]);
                int pk = outputOffset + 4 * k, pnk = outputOffset + 4 * (c - k);
                SignalMath.WriteInt16(output, pk, (f1Re + tRe) >> 1);
                SignalMath.WriteInt16(output, pk + 2, (f1Im + tIm) >> 1);
                SignalMath.WriteInt16(output, pnk, (f1Re - tRe) >> 1);
                SignalMath.WriteInt16(output, pnk + 2, (tIm - f1Im) >> 1);
            }
        }

        /// <summary>sround: (int16)((x + 2^14) ≫ 15).</summary>
        public static short SRound(int x) { return (short)((x + (1 << 14)) >> 15); }

        /// <summary>DIVSCALAR: sround(x · ⌊32767 / k⌋).</summary>
        public static short DivScalar(short x, int k) { return SRound(x * (32767 / k)); }

        // kf_work: out[fout .. fout + p·m) = DFT of the input at f, f + fstride, …
        private static void Work(short[] oRe, short[] oIm, int fout, short[] iRe, short[] iIm, int f, int fstride,
            int[] factors, int fi, short[] twRe, short[] twIm)
        {
            int p = factors[fi];
            int m = factors[fi + 1];
            int end = fout + p * m;
            if (m == 1)
            {
                for (int o = fout; o < end; o++)
                {
                    oRe[o] = iRe[f];
                    oIm[o] = iIm[f];
                    f += fstride;
                }
            }
            else
            {
                for (int o = fout; o < end; o += m)
                {
                    Work(oRe, oIm, o, iRe, iIm, f, fstride * p, factors, fi + 2, twRe, twIm);
                    f += fstride;
                }
            }
            if (p == 4) Butterfly4(oRe, oIm, fout, fstride, m, twRe, twIm);
            else Butterfly2(oRe, oIm, fout, fstride, m, twRe, twIm);
        }

        private static void Butterfly2(short[] re, short[] im, int fout, int fstride, int m, short[] twRe, short[] twIm)
        {
            int tw = 0;
            for (int k = 0; k < m; k++)
            {
                int a = fout + k, b = a + m;
                re[a] = DivScalar(re[a], 2); im[a] = DivScalar(im[a], 2);
                re[b] = DivScalar(re[b], 2); im[b] = DivScalar(im[b], 2);
                short tRe = SRound(re[b] * twRe[tw] - im[b] * twIm[tw]);
                short tIm = SRound(re[b] * twIm[tw] + im[b] * twRe[tw]);
                tw += fstride;
                re[b] = (short)(re[a] - tRe); im[b] = (short)(im[a] - tIm);
                re[a] = (short)(re[a] + tRe); im[a] = (short)(im[a] + tIm);
            }
        }

        private static void Butterfly4(short[] re, short[] im, int fout, int fstride, int m, short[] twRe, short[] twIm)
        {
            int tw1 = 0, tw2 = 0, tw3 = 0;
            for (int k = 0; k < m; k++)
            {
                int a0 = fout + k, a1 = a0 + m, a2 = a0 + 2 * m, a3 = a0 + 3 * m;
                re[a0] = DivScalar(re[a0], 4); im[a0] = DivScalar(im[a0], 4);
                re[a1] = DivScalar(re[a1], 4); im[a1] = DivScalar(im[a1], 4);
                re[a2] = DivScalar(re[a2], 4); im[a2] = DivScalar(im[a2], 4);
                re[a3] = DivScalar(re[a3], 4); im[a3] = DivScalar(im[a3], 4);

                short s0Re = SRound(re[a1] * twRe[tw1] - im[a1] * twIm[tw1]);
                short s0Im = SRound(re[a1] * twIm[tw1] + im[a1] * twRe[tw1]);
                short s1Re = SRound(re[a2] * twRe[tw2] - im[a2] * twIm[tw2]);
                short s1Im = SRound(re[a2] * twIm[tw2] + im[a2] * twRe[tw2]);
                short s2Re = SRound(re[a3] * twRe[tw3] - im[a3] * twIm[tw3]);
                short s2Im = SRound(re[a3] * twIm[tw3] + im[a3] * twRe[tw3]);

                short s5Re = (short)(re[a0] - s1Re), s5Im = (short)(im[a0] - s1Im);
                re[a0] = (short)(re[a0] + s1Re); im[a0] = (short)(im[a0] + s1Im);
                short s3Re = (short)(s0Re + s2Re), s3Im = (short)(s0Im + s2Im);
                short s4Re = (short)(s0Re - s2Re), s4Im = (short)(s0Im - s2Im);
                re[a2] = (short)(re[a0] - s3Re); im[a2] = (short)(im[a0] - s3Im);
                tw1 += fstride; tw2 += 2 * fstride; tw3 += 3 * fstride;
                re[a0] = (short)(re[a0] + s3Re); im[a0] = (short)(im[a0] + s3Im);

                re[a1] = (short)(s5Re + s4Im); im[a1] = (short)(s5Im - s4Re);
                re[a3] = (short)(s5Re - s4Im); im[a3] = (short)(s5Im + s4Re);
            }
        }
    }
}
