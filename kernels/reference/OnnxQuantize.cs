namespace Edge.Kernels.Reference
{
    /// <summary>
    /// ONNX QuantizeLinear / DequantizeLinear (RequantRule.OnnxRuntimeFloat), per tensor or per axis.
    /// Element i belongs to channel (i / inner) % channels (inner = product of the dimensions after the axis;
    /// per tensor: channels = 1). Quantize: q = <see cref="OrtRequant.QuantizeLinear"/>(x, scale[c], zp[c]) into
    /// [qmin, qmax]; Dequantize: float32(q − zp[c]) · scale[c]. Float values are little-endian binary32.
    /// </summary>
    public static class OnnxQuantize
    {
        public static void QuantizeLinear(
            byte[] input, int inputOffset, int count, int inner, int channels, float[] scale, int[] zeroPoint,
            int qmin, int qmax, byte[] output, int outputOffset)
        {
            for (int i = 0; i < count; i++)
            {
                int c = channels == 1 ? 0 : (i / inner) % channels;
                float x = QuantRounding.ReadFloat(input, inputOffset + 4 * i);
                output[outputOffset + i] = (byte)OrtRequant.QuantizeLinear(x, scale[c], zeroPoint[c], qmin, qmax);
            }
        }

        public static void DequantizeLinear(
            byte[] input, int inputOffset, bool signed, int count, int inner, int channels, float[] scale, int[] zeroPoint,
            byte[] output, int outputOffset)
        {
            for (int i = 0; i < count; i++)
            {
                int c = channels == 1 ? 0 : (i / inner) % channels;
                int q = signed ? (int)(sbyte)input[inputOffset + i] : (int)input[inputOffset + i];
                QuantRounding.WriteFloat(output, outputOffset + 4 * i, OrtRequant.DequantizeLinear(q, scale[c], zeroPoint[c]));
            }
        }
    }
}
