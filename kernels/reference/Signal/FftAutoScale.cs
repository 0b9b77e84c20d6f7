namespace Edge.Kernels.Reference.Signal
{
    /// <summary>
    /// SignalFftAutoScale, int16. Contract: m = MaxAbs16(in) (int16 arithmetic: |−32768| wraps to −32768, as
    /// signal/src/max_abs.cc); s = 16 − MostSignificantBit32((uint32)(int32)m) − 1, clamped below at 0;
    /// out[i] = (int16)(in[i] · 2^s); returns s. Ported from signal/src/fft_auto_scale.cc (TFLM 90b983c2).
    /// </summary>
    public static class FftAutoScale
    {
        public static int Eval(byte[] input, int inputOffset, int count, byte[] output, int outputOffset)
        {
            short max = 0;
            for (int i = 0; i < count; i++)
            {
                short v = (short)SignalMath.ReadInt16(input, inputOffset + 2 * i);
                if (v > max) max = v;
                else if (-v > max) max = (short)(-v);
            }
            int scaleBits = 16 - SignalMath.MostSignificantBit32((uint)(int)max) - 1;
            if (scaleBits <= 0) scaleBits = 0;
            int mul = 1 << scaleBits;
            for (int i = 0; i < count; i++)
                SignalMath.WriteInt16(output, outputOffset + 2 * i, SignalMath.ReadInt16(input, inputOffset + 2 * i) * mul);
            return scaleBits;
        }
    }
}
