using System;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// Load-time packing of CONV_2D / FULLY_CONNECTED weights and per-channel constants for the GEMM kernels
    /// (<see cref="GemmConvKernel{TIsa}"/>). The source is the filter as stored, [N][K] row-major (CONV_2D
    /// [outC][kH][kW][inC] with one group, FULLY_CONNECTED [units][inDepth]); N is padded to a multiple of
    /// <see cref="GemmMicrokernels.NR"/> with zero weights (those channels are computed and never stored).
    /// </summary>
    internal static class PackGemmWeights
    {
        /// <summary>
        /// The SDOT layout: [N/8][Kp/4][8][4] — per 8-channel block and group of 4 K values, channel j's four
        /// weights are bytes 4j..4j+3, so one 32-byte step feeds two DotProducts (channels 0..3, 4..7) against a
        /// broadcast of 4 activation bytes. K is padded to <paramref name="kp"/> (a multiple of 4) with zeros.
        /// </summary>
        public static byte[] Dot(byte[] file, int offset, int n, int k, int kp)
        {
            const int NR = GemmMicrokernels.NR;
            int blocks = (n + NR - 1) / NR;
            var w = new byte[blocks * kp * NR];
            for (int nb = 0; nb < blocks; nb++)
                for (int j = 0; j < NR; j++)
                {
                    int oc = nb * NR + j;
                    if (oc >= n) continue;
                    int src = offset + oc * k;
                    for (int kk = 0; kk < k; kk++)
                        w[nb * kp * NR + (kk >> 2) * (NR * 4) + j * 4 + (kk & 3)] = file[src + kk];
                }
            return w;
        }

        /// <summary>
        /// The SMLAL layout: [N/8][K2][8] int8 (K2 = K rounded up to even, zero-filled) — 16 consecutive bytes hold
        /// K steps k and k+1 for 8 channels, sign-extended at run time by SXTL / SXTL2.
        /// </summary>
        public static byte[] Mlal(byte[] file, int offset, int n, int k, int k2)
        {
            const int NR = GemmMicrokernels.NR;
            int blocks = (n + NR - 1) / NR;
            var w = new byte[blocks * k2 * NR];
            for (int nb = 0; nb < blocks; nb++)
                for (int j = 0; j < NR; j++)
                {
                    int oc = nb * NR + j;
                    if (oc >= n) continue;
                    int src = offset + oc * k;
                    for (int kk = 0; kk < k; kk++)
                        w[nb * k2 * NR + kk * NR + j] = file[src + kk];
                }
            return w;
        }

        /// <summary>Per-channel folded bias, multiplier, left and right shift, padded with zeros to <paramref name="np"/>.</summary>
        public static void Constants(int[] bias, int[] multiplier, int[] shift, int n, int np,
            out int[] b, out int[] mult, out int[] left, out int[] right)
        {
            b = new int[np]; mult = new int[np]; left = new int[np]; right = new int[np];
            Array.Copy(bias, b, n);
            Array.Copy(multiplier, mult, n);
            for (int i = 0; i < n; i++)
            {
                left[i] = shift[i] > 0 ? shift[i] : 0;
                right[i] = shift[i] > 0 ? 0 : shift[i];
            }
        }
    }
}
