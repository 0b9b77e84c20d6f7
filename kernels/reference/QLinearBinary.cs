namespace Edge.Kernels.Reference
{
    /// <summary>
    /// QLINEAR_BINARY: ONNX Runtime's QLinearAdd (MLAS AVX2 kernel) and QLinearMul (MLAS SSE2 kernel) on x86-64.
    /// Element i of A (or A's single element when aCount = 1) and of B likewise; with u = stored value + shift:
    ///   add: r = fma(uA, ratioA, fma(uB, ratioB, fixed))
    ///   mul: r = float32(float32((uA − zpA)·(uB − zpB)) · ratioA) + fixed
    /// out = saturate(saturate16(cvtps(r)) − shift) into [qmin, qmax]. See QLinearBinaryOptions in edge.fbs.
    /// </summary>
    public static class QLinearBinary
    {
        public static void Eval(
            byte[] a, int aOffset, int aCount, byte[] b, int bOffset, int bCount, bool signed, int count,
            int kind, int shift, int zpA, int zpB, float ratioA, float ratioB, float fix,
            byte[] output, int outOffset)
        {
            int qmin = signed ? -128 : 0, qmax = signed ? 127 : 255;
            for (int i = 0; i < count; i++)
            {
                int ia = aOffset + (aCount == 1 ? 0 : i), ib = bOffset + (bCount == 1 ? 0 : i);
                int ua = (signed ? (int)(sbyte)a[ia] : (int)a[ia]) + shift;
                int ub = (signed ? (int)(sbyte)b[ib] : (int)b[ib]) + shift;
                float r;
                if (kind == 0) r = OrtRequant.Fma(ua, ratioA, OrtRequant.Fma(ub, ratioB, fix));
                else
                {
                    float p = (float)((ua - zpA) * (ub - zpB));
                    r = (float)((float)(p * ratioA) + fix);
                }
                int v = OrtRequant.CvtPs(r);
                if (v > 32767) v = 32767;
                if (v < -32768) v = -32768;
                v -= shift;
                if (v > qmax) v = qmax;
                if (v < qmin) v = qmin;
                output[outOffset + i] = (byte)v;
            }
        }
    }
}
