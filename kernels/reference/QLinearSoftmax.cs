namespace Edge.Kernels.Reference
{
    /// <summary>
    /// QLINEAR_SOFTMAX: ONNX Runtime's QLinearSoftmax (contrib_ops/cpu/quantization/qlinear_softmax.cc) over rows of
    /// <paramref name="d"/> elements. See QLinearSoftmaxOptions in edge.fbs for the contract.
    /// </summary>
    public static class QLinearSoftmax
    {
        public static void Eval(byte[] input, int inputOffset, bool signed, int rows, int d, float[] table,
            float multiplier, int zeroPoint, byte[] output, int outputOffset)
        {
            for (int r = 0; r < rows; r++)
            {
                int row = inputOffset + r * d, orow = outputOffset + r * d;
                int max = signed ? -128 : 0;
                for (int i = 0; i < d; i++)
                {
                    int v = signed ? (int)(sbyte)input[row + i] : (int)input[row + i];
                    if (v > max) max = v;
                }
                float sum = 0f;
                for (int i = 0; i < d; i++) sum = (float)(sum + table[Index(input[row + i], signed, max)]);
                if (sum == 0f) return;   // ONNX Runtime stops there too
                for (int i = 0; i < d; i++)
                {
                    float e = table[Index(input[row + i], signed, max)];
                    int q = OrtRequant.CvtPs((float)((float)(e * multiplier) / sum)) + zeroPoint;
                    if (signed) output[orow + i] = q > 255 ? (byte)255 : (byte)q;
                    else output[orow + i] = (uint)q > 255u ? (byte)255 : (byte)q;
                }
            }
        }

        private static int Index(byte raw, bool signed, int max)
        {
            if (signed) return (127 - max + (sbyte)raw) & 0xFF;
            return 255 - max + raw;
        }
    }
}
