namespace Edge.Kernels.Reference
{
    /// <summary>
    /// CAST between integer types. Contract: out[i] = C's static_cast&lt;To&gt;(in[i]) for every element — the value
    /// is read as its type (int8, uint8, int16 and int32 sign- or zero-extended as their signedness says, uint32
    /// zero-extended, uint64 as its 64 bits) and written modulo 2^(8·size) (two's complement truncation), which is
    /// what tflite::micro's cast.cc (copyCast, std::transform with static_cast) does for integer pairs
    /// (TFLM 90b983c2). Type codes are Edge.Runtime.DType values.
    /// </summary>
    public static class Cast
    {
        public const int Int8 = 0, UInt8 = 1, Int16 = 2, Int32 = 3, UInt32 = 5, UInt64 = 6;

        public static int Size(int type)
        {
            if (type == Int8 || type == UInt8) return 1;
            if (type == Int16) return 2;
            if (type == UInt64) return 8;
            return 4;
        }

        public static void Eval(byte[] input, int inputOffset, int inType, byte[] output, int outputOffset, int outType, int count)
        {
            int inSize = Size(inType), outSize = Size(outType);
            for (int i = 0; i < count; i++)
            {
                int p = inputOffset + i * inSize;
                long v;
                if (inType == Int8) v = (sbyte)input[p];
                else if (inType == UInt8) v = input[p];
                else if (inType == Int16) v = (short)(input[p] | (input[p + 1] << 8));
                else
                {
                    int lo = input[p] | (input[p + 1] << 8) | (input[p + 2] << 16) | (input[p + 3] << 24);
                    if (inType == Int32) v = lo;
                    else if (inType == UInt32) v = (long)(uint)lo;
                    else
                    {
                        int hi = input[p + 4] | (input[p + 5] << 8) | (input[p + 6] << 16) | (input[p + 7] << 24);
                        v = (long)(uint)lo | ((long)hi << 32);
                    }
                }
                int q = outputOffset + i * outSize;
                for (int b = 0; b < outSize; b++) output[q + b] = (byte)(v >> (8 * b));
            }
        }
    }
}
