namespace Edge.Kernels.Reference.Signal
{
    /// <summary>
    /// SignalEnergy. Contract: for i in [start, end): out[i] = (uint32)(int32(re[i])² + int32(im[i])²) (int32
    /// arithmetic, wrapping), where the input holds interleaved int16 (re, im) pairs; output elements outside
    /// [start, end) are not written. Ported from signal/src/energy.cc (SpectrumToEnergy), TFLM 90b983c2.
    /// </summary>
    public static class Energy
    {
        public static void Eval(byte[] input, int inputOffset, int start, int end, byte[] output, int outputOffset)
        {
            for (int i = start; i < end; i++)
            {
                int re = SignalMath.ReadInt16(input, inputOffset + 4 * i);
                int im = SignalMath.ReadInt16(input, inputOffset + 4 * i + 2);
                SignalMath.WriteInt32(output, outputOffset + 4 * i, re * re + im * im);
            }
        }
    }
}
