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
            int idx = 0;
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
