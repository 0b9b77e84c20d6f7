namespace Edge.Kernels.Reference
{
    /// <summary>
    /// TRANSPOSE, int8 (any 1-byte element), rank ≤ 6.
    ///
    /// Contract: outShape[d] = inShape[perm[d]] and out[i_0, …, i_{r−1}] = in[j] with j_{perm[d]} = i_d; the output
    /// is written densely in row-major order. perm is a permutation of 0 .. rank−1 (rank = inShape.Length).
    ///
    /// Matches tflite::reference_ops::Transpose / TransposeImpl, ported from
    /// tensorflow/lite/kernels/internal/reference/transpose.h (TFLM 90b983c2); shapes are right-aligned into
    /// 6 dimensions with leading extents of 1.
    /// </summary>
    public static class Transpose
    {
        public const int MaxRank = 6;

        public static void Eval(byte[] input, int inputOffset, int[] inShape, int[] perm, byte[] output, int outputOffset)
        {
            int d0 = OutDim(inShape, perm, 0), d1 = OutDim(inShape, perm, 1), d2 = OutDim(inShape, perm, 2);
            int d3 = OutDim(inShape, perm, 3), d4 = OutDim(inShape, perm, 4), d5 = OutDim(inShape, perm, 5);
            int s0 = InStride(inShape, perm, 0), s1 = InStride(inShape, perm, 1), s2 = InStride(inShape, perm, 2);
            int s3 = InStride(inShape, perm, 3), s4 = InStride(inShape, perm, 4), s5 = InStride(inShape, perm, 5);
            int o = outputOffset;
            int p0 = inputOffset;
            for (int i0 = 0; i0 < d0; i0++, p0 += s0)
            {
                int p1 = p0;
                for (int i1 = 0; i1 < d1; i1++, p1 += s1)
                {
                    int p2 = p1;
                    for (int i2 = 0; i2 < d2; i2++, p2 += s2)
                    {
                        int p3 = p2;
                        for (int i3 = 0; i3 < d3; i3++, p3 += s3)
                        {
                            int p4 = p3;
                            for (int i4 = 0; i4 < d4; i4++, p4 += s4)
                            {
                                int p5 = p4;
                                for (int i5 = 0; i5 < d5; i5++, p5 += s5)
                                {
                                    output[o++] = input[p5];
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>Output extent along axis6 of the 6-D extension.</summary>
        private static int OutDim(int[] inShape, int[] perm, int axis6)
        {
            int k = axis6 - (MaxRank - inShape.Length);
            return k < 0 ? 1 : inShape[perm[k]];
        }

        /// <summary>Input element stride that advancing output axis6 moves by.</summary>
        private static int InStride(int[] inShape, int[] perm, int axis6)
        {
            int k = axis6 - (MaxRank - inShape.Length);
            if (k < 0) return 0;
            int s = 1;
            for (int j = perm[k] + 1; j < inShape.Length; j++) s *= inShape[j];
            return s;
        }
    }
}
