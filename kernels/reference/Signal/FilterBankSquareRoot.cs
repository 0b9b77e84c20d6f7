namespace Edge.Kernels.Reference.Signal
{
    /// <summary>
    /// SignalFilterBankSquareRoot. Contract: out[i] = Sqrt64(in[i]) ≫ scaleDownBits (uint32; in uint64), see
    /// <see cref="SignalMath.Sqrt64"/>. Ported from signal/src/filter_bank_square_root.cc (FilterbankSqrt),
    /// TFLM 90b983c2. A shift outside [0, 31] (undefined in C) leaves the value unshifted (0) or gives 0 (≥ 32).
    /// </summary>
    public static class FilterBankSquareRoot
    {
        public static void Eval(byte[] input, int inputOffset, int count, int scaleDownBits, byte[] output, int outputOffset)
        {
            for (int i = 0; i < count; i++)
            {
                uint r = SignalMath.Sqrt64(SignalMath.ReadUInt64(input, inputOffset + 8 * i));
                if (scaleDownBits >= 32) r = 0;
                else if (scaleDownBits > 0) r >>= scaleDownBits;
                SignalMath.WriteUInt32(output, outputOffset + 4 * i, r);
            }
        }
    }
}
