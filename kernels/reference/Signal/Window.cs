namespace Edge.Kernels.Reference.Signal
{
    /// <summary>
    /// SignalWindow, int16. Contract: for every block of <c>weightCount</c> samples (the input's element count is
    /// a multiple of it) out[i] = saturate_int16((int32(in[i]) · weights[i mod weightCount]) ≫ shift), the shift
    /// arithmetic. Ported from signal/src/window.cc (ApplyWindow) and signal/micro/kernels/window.cc
    /// (TFLM 90b983c2). In place is allowed.
    /// </summary>
    public static class Window
    {
        public static void Eval(byte[] input, int inputOffset, int count, byte[] weights, int weightsOffset, int weightCount,
            int shift, byte[] output, int outputOffset)
        {
            for (int block = 0; block < count; block += weightCount)
            {
                for (int j = 0; j < weightCount; j++)
                {
                    int x = SignalMath.ReadInt16(input, inputOffset + 2 * (block + j));
                    int w = SignalMath.ReadInt16(weights, weightsOffset + 2 * j);
                    int raw = (x * w) >> shift;
                    if (raw < -32768) raw = -32768;
                    else if (raw > 32767) raw = 32767;
                    SignalMath.WriteInt16(output, outputOffset + 2 * (block + j), raw);
                }
            }
        }
    }
}
