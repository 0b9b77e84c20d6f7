namespace Edge.Kernels.Reference.Signal
{
    /// <summary>
    /// SignalPCAN (per-channel amplitude normalisation, fixed point). Contract, per channel i:
    ///   gain = (uint32)(int32)WideDynamicFunction(noise[i], lut) (the int16 sign-extended);
    ///   snr = (uint32)(((uint64)in[i]·gain) ≫ snrShift);
    ///   out[i] = snr &lt; 2^13 ? (snr·snr) ≫ 20 : (snr ≫ 6) − 64  (PcanShrink, kPcanSnrBits 12, kPcanOutputBits 6).
    /// WideDynamicFunction(x): x ≤ 2 → lut[x]; else with v = MostSignificantBit32(x), l = lut + 4v − 6,
    /// frac = (v &lt; 11 ? x ≪ (11 − v) : x ≫ (v − 11)) &amp; 0x3FF, r = ((l[2]·frac) ≫ 5 + l[1]·32)·frac,
    /// r = (r + 2^14) ≫ 15, result (int16)(r + l[0]). Ported from signal/src/pcan_argc_fixed.cc and
    /// signal/micro/kernels/pcan.cc, TFLM 90b983c2.
    /// </summary>
    public static class Pcan
    {
        public const int SnrBits = 12, OutputBits = 6;

        public static int WideDynamicFunction(uint x, byte[] lut, int lutOffset)
        {
            if (x <= 2) return SignalMath.ReadInt16(lut, lutOffset + 2 * (int)x);
            int interval = SignalMath.MostSignificantBit32(x);
            int l = lutOffset + 2 * (4 * interval - 6);
            int frac = (int)((interval < 11 ? (x << (11 - interval)) : (x >> (interval - 11))) & 0x3FF);
            int result = (SignalMath.ReadInt16(lut, l + 4) * frac) >> 5;
            result += (int)((uint)SignalMath.ReadInt16(lut, l + 2) << 5);
            result *= frac;
            result = (result + (1 << 14)) >> 15;
            result += SignalMath.ReadInt16(lut, l);
            return (short)result;
        }

        public static uint Shrink(uint x)
        {
            if (x < (2u << SnrBits)) return (x * x) >> (2 + 2 * SnrBits - OutputBits);
            return (x >> (SnrBits - OutputBits)) - (1u << OutputBits);
        }

        public static void Eval(byte[] input, int inputOffset, byte[] noise, int noiseOffset, byte[] lut, int lutOffset,
            int numChannels, int snrShift, byte[] output, int outputOffset)
        {
            for (int i = 0; i < numChannels; i++)
            {
                uint gain = (uint)WideDynamicFunction(SignalMath.ReadUInt32(noise, noiseOffset + 4 * i), lut, lutOffset);
                uint snr = (uint)(((ulong)SignalMath.ReadUInt32(input, inputOffset + 4 * i) * gain) >> snrShift);
                SignalMath.WriteUInt32(output, outputOffset + 4 * i, Shrink(snr));
            }
        }
    }
}
