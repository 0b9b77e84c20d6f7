namespace Edge.Kernels.Reference
{
    /// <summary>
    /// RELU6 exactly as TFLM runs it for int8: a clamp in the input's quantized domain, ignoring the output
    /// quantization: out = x &gt; upper ? upper : x &lt; lower ? lower : x, with lower = input zero point and
    /// upper = FloatToQuantizedType&lt;int8&gt;(6, in_scale, in_zp) (QuantMath.Relu6Bounds).
    ///
    /// Matches TFLM's Relu6Quantized (tensorflow/lite/micro/kernels/activations_common.cc, TFLM 90b983c2).
    /// The same result is obtained from Relu.Eval with QuantMath.Relu6Params (identity requantization), which is
    /// how the .edge RequantizeOptions table encodes RELU6.
    /// </summary>
    public static class Relu6
    {
        public static void Eval(
            byte[] input, int inputOffset, int count, int lower, int upper,
            byte[] output, int outputOffset)
        {
            for (int i = 0; i < count; i++)
            {
                int x = (sbyte)input[inputOffset + i];
                int v = x > upper ? upper : x < lower ? lower : x;
                output[outputOffset + i] = (byte)v;
            }
        }
    }
}
