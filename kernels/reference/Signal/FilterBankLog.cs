namespace Edge.Kernels.Reference.Signal
{
    /// <summary>
    /// SignalFilterBankLog. Contract: s = in[i] ≪ inputCorrectionBits (uint32); out[i] = s &gt; 1 ?
    /// min(Log32(s, outputScale), 32767) : 0 (int16), see <see cref="SignalMath.Log32"/>. Ported from
    /// signal/src/filter_bank_log.cc, TFLM 90b983c2.
    /// </summary>
    public static class FilterBankLog
    {
        public static void Eval(byte[] input, int inputOffset, int count, int inputCorrectionBits, int outputScale,
            byte[] output, int outputOffset)
        {
            for (int i = 0; i < count; i++)
            {
                uint scaled = SignalMath.ReadUInt32(input, inputOffset + 4 * i) << inputCorrectionBits;
                int v = 0;
                if (scaled > 1)
                {
                    uint l = SignalMath.Log32(scaled, (uint)outputScale);
                    v = l < 32767u ? (int)l : 32767;
                }
                SignalMath.WriteInt16(output, outputOffset + 2 * i, v);
            }
        }
    }
}
