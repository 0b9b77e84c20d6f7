namespace Edge.Kernels.Reference
{
    /// <summary>
    /// QLINEAR_MATMUL: ONNX QLinearMatMul / MatMulInteger / Gemm. For each of `batches` products (aBatch[i],
    /// bBatch[i] are the byte offsets of its A [M, K] and B [K, N] matrices, precomputed from numpy
    /// broadcasting):
    ///   acc[m, n] = bias[n] + Σ_k (A[m, k] − aZp) · (B[k, n] − bZp[n])      (int32)
    /// outKind 0 writes acc (int32); 1/2 write uint8/int8 by <see cref="OrtRequant.Requantize"/> with scale[n]
    /// (ONNX Runtime's MlasRequantizeOutput, per column). bZp and scale have N entries.
    /// </summary>
    public static class QLinearMatMul
    {
        public static void Eval(
            byte[] a, int aOffset, bool aSigned, int[] aBatch,
            byte[] b, int bOffset, bool bSigned, int[] bBatch,
            int batches, int m, int k, int n,
            byte[] bias, int biasOffset,
            int aZp, int[] bZp,
            byte[] output, int outOffset, int outKind,
            float[] scale, int outZp, int actMin, int actMax)
        {
            Eval(a, aOffset, aSigned, aBatch, b, bOffset, bSigned, bBatch, batches, m, k, n, bias, biasOffset, aZp, bZp,
                output, outOffset, outKind, scale, outZp, actMin, actMax, false);
        }

        /// <summary>
        /// As above; with <paramref name="pairSaturation"/> (int8 B with zero point 0 only) the accumulator is ONNX
        /// Runtime's x86 u8s8 GEMM (VPMADDUBSW): A taken as uint8 (int8 + 128, zero point + 128), products summed in
        /// adjacent pairs along K (2j, 2j+1; an odd K pairs the last with 0) saturated to int16, then added in int32:
        /// acc = bias[n] + Σ_j sat16(u_{2j}·b_{2j} + u_{2j+1}·b_{2j+1}) − zp_u·Σ_k b_k.
        /// </summary>
        public static void Eval(
            byte[] a, int aOffset, bool aSigned, int[] aBatch,
            byte[] b, int bOffset, bool bSigned, int[] bBatch,
            int batches, int m, int k, int n,
            byte[] bias, int biasOffset,
            int aZp, int[] bZp,
            byte[] output, int outOffset, int outKind,
            float[] scale, int outZp, int actMin, int actMax, bool pairSaturation)
        {
            int shift = aSigned ? 128 : 0;
            int idx = 0;
            if (pairSaturation)
            {
                int zpU = aZp + shift;
                for (int bi = 0; bi < batches; bi++)
                {
                    int ab = aOffset + aBatch[bi];
                    int bb = bOffset + bBatch[bi];
                    for (int r = 0; r < m; r++)
                        for (int c = 0; c < n; c++, idx++)
                        {
                            int acc = bias == null ? 0 : OrtRequant.ReadInt32(bias, biasOffset + 4 * c);
                            int ap = ab + r * k;
                            int sumB = 0, pair = 0;
                            for (int t = 0; t < k; t++)
                            {
                                int u = (aSigned ? (int)(sbyte)a[ap + t] : (int)a[ap + t]) + shift;
                                int bv = (sbyte)b[bb + t * n + c];
                                sumB += bv;
                                pair += u * bv;
                                if ((t & 1) == 1 || t == k - 1)
                                {
                                    if (pair > 32767) pair = 32767;
                                    if (pair < -32768) pair = -32768;
                                    acc = unchecked(acc + pair);
                                    pair = 0;
                                }
                            }
                            acc = unchecked(acc - zpU * sumB);
                            if (outKind == 0) OrtRequant.WriteInt32(output, outOffset + 4 * idx, acc);
                            else output[outOffset + idx] = (byte)OrtRequant.Requantize(acc, scale[c], outZp, actMin, actMax);
                        }
                }
                return;
            }
            for (int bi = 0; bi < batches; bi++)
            {
                int ab = aOffset + aBatch[bi];
                int bb = bOffset + bBatch[bi];
                for (int r = 0; r < m; r++)
                    for (int c = 0; c < n; c++, idx++)
                    {
                        int acc = bias == null ? 0 : OrtRequant.ReadInt32(bias, biasOffset + 4 * c);
                        int bz = bZp[c];
                        int ap = ab + r * k;
                        for (int t = 0; t < k; t++)
                        {
                            int av = (aSigned ? (int)(sbyte)a[ap + t] : (int)a[ap + t]) - aZp;
                            int bp = bb + t * n + c;
                            int bv = (bSigned ? (int)(sbyte)b[bp] : (int)b[bp]) - bz;
                            acc = unchecked(acc + av * bv);
                        }
                        if (outKind == 0) OrtRequant.WriteInt32(output, outOffset + 4 * idx, acc);
                        else output[outOffset + idx] = (byte)OrtRequant.Requantize(acc, scale[c], outZp, actMin, actMax);
                    }
            }
        }
    }
}
