namespace Edge.Kernels.Reference.Signal
{
    /// <summary>
    /// SignalFilterBank: triangular (mel) filter bank accumulation. Contract, with numChannels + 1 bands (band 0
    /// is scratch, discarded): for band i, for j in [0, widths[i]): with f = freqStarts[i] + j and
    /// w = weightStarts[i] + j, acc_w += weights[w]·in[f] and acc_u += unweights[w]·in[f] (uint64 arithmetic, the
    /// int16 weights sign-extended); work[i] = acc_w, then acc_w = acc_u, acc_u = 0. out[c] = work[c + 1] (uint64)
    /// for c in [0, numChannels). Ported from signal/src/filter_bank.cc (FilterbankAccumulateChannels) and
    /// signal/micro/kernels/filter_bank.cc, TFLM 90b983c2. <c>work</c> is the caller's (numChannels + 1 entries).
    /// </summary>
    public static class FilterBank
    {
        public static void Eval(byte[] input, int inputOffset,
            byte[] weights, int weightsOffset, byte[] unweights, int unweightsOffset,
            byte[] freqStarts, int freqStartsOffset, byte[] weightStarts, int weightStartsOffset,
            byte[] widths, int widthsOffset, int numChannels, ulong[] work, byte[] output, int outputOffset)
        {
            ulong weightAcc = 0, unweightAcc = 0;
            for (int i = 0; i < numChannels + 1; i++)
            {
                int freqStart = SignalMath.ReadInt16(freqStarts, freqStartsOffset + 2 * i);
                int weightStart = SignalMath.ReadInt16(weightStarts, weightStartsOffset + 2 * i);
                int width = SignalMath.ReadInt16(widths, widthsOffset + 2 * i);
                for (int j = 0; j < width; j++)
                {
                    ulong x = SignalMath.ReadUInt32(input, inputOffset + 4 * (freqStart + j));
                    long w = SignalMath.ReadInt16(weights, weightsOffset + 2 * (weightStart + j));
                    long u = SignalMath.ReadInt16(unweights, unweightsOffset + 2 * (weightStart + j));
                    weightAcc += (ulong)w * x;
                    unweightAcc += (ulong)u * x;
                }
                work[i] = weightAcc;
                weightAcc = unweightAcc;
                unweightAcc = 0;
            }
            for (int c = 0; c < numChannels; c++) SignalMath.WriteUInt64(output, outputOffset + 8 * c, work[c + 1]);
        }
    }
}
