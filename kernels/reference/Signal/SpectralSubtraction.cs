namespace Edge.Kernels.Reference.Signal
{
    /// <summary>
    /// SignalFilterBankSpectralSubtraction, uint32, with a persistent noise estimate. Contract, per channel i
    /// (even channels use smoothing / oneMinusSmoothing, odd ones the alternates):
    ///   s = in[i] ≪ smoothingBits (uint32);
    ///   noise[i] = (uint32)(((uint64)s·smoothing + (uint64)noise[i]·oneMinus) ≫ subtractionBits);
    ///   e = min(noise[i], s), and with clamping noise[i] = e when noise[i] &gt; s;
    ///   floor = (uint32)(((uint64)in[i]·minSignalRemaining) ≫ subtractionBits);
    ///   out[i] = max((s − e) ≫ smoothingBits, floor).
    /// <c>noise</c> (the state) is read and updated in place; afterwards it is copied to <c>noiseOut</c>.
    /// Ported from signal/src/filter_bank_spectral_subtraction.cc and the kernel in signal/micro/kernels
    /// (TFLM 90b983c2).
    /// </summary>
    public static class SpectralSubtraction
    {
        public static void Eval(byte[] input, int inputOffset, int numChannels,
            uint smoothing, uint oneMinusSmoothing, uint alternateSmoothing, uint alternateOneMinusSmoothing,
            int smoothingBits, int subtractionBits, uint minSignalRemaining, bool clamping,
            byte[] noise, int noiseOffset, byte[] output, int outputOffset, byte[] noiseOut, int noiseOutOffset)
        {
            for (int i = 0; i < numChannels; i++)
            {
                uint sm, oneMinus;
                if ((i & 1) == 0) { sm = smoothing; oneMinus = oneMinusSmoothing; }
                else { sm = alternateSmoothing; oneMinus = alternateOneMinusSmoothing; }
                uint x = SignalMath.ReadUInt32(input, inputOffset + 4 * i);
                uint scaled = x << smoothingBits;
                uint n = SignalMath.ReadUInt32(noise, noiseOffset + 4 * i);
                n = (uint)(((ulong)scaled * sm + (ulong)n * oneMinus) >> subtractionBits);
                uint estimate = n;
                if (estimate > scaled)
                {
                    estimate = scaled;
                    if (clamping) n = estimate;
                }
                SignalMath.WriteUInt32(noise, noiseOffset + 4 * i, n);
                uint floor = (uint)(((ulong)x * minSignalRemaining) >> subtractionBits);
                uint subtracted = (scaled - estimate) >> smoothingBits;
                SignalMath.WriteUInt32(output, outputOffset + 4 * i, subtracted > floor ? subtracted : floor);
            }
            for (int i = 0; i < numChannels; i++)
                SignalMath.WriteUInt32(noiseOut, noiseOutOffset + 4 * i, SignalMath.ReadUInt32(noise, noiseOffset + 4 * i));
        }
    }
}
