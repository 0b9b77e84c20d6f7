namespace Edge.Kernels.Reference
{
    /// <summary>LOOKUP: out[i] = table[in[i]] (the input byte, int8 or uint8, is the index; 256 entries).</summary>
    public static class Lookup
    {
        public static void Eval(byte[] input, int inputOffset, int count, byte[] table, byte[] output, int outputOffset)
        {
            for (int i = 0; i < count; i++) output[outputOffset + i] = table[input[inputOffset + i]];
        }
    }
}
