using System;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// RESHAPE (and SQUEEZE): the bytes are unchanged, only the shape differs.
    ///
    /// Contract: copies <paramref name="byteCount"/> bytes from input to output (overlap-safe, Array.Copy has
    /// memmove semantics); nothing happens when both ranges are the same bytes of the same array.
    /// Matches TFLM's reshape Eval (tensorflow/lite/micro/kernels/reshape.cc: memcpy unless the buffers alias).
    /// </summary>
    public static class Reshape
    {
        public static void Eval(byte[] input, int inputOffset, byte[] output, int outputOffset, int byteCount)
        {
            if (input == output && inputOffset == outputOffset) return;
            Array.Copy(input, inputOffset, output, outputOffset, byteCount);
        }
    }
}
