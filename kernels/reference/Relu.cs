using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// RELU (and RELU6 / QUANTIZE int8→int8 when given their constants): the requantize form
    ///   out = clamp(MultiplyByQuantizedMultiplier(x + inputOffset, multiplier, shift) + outputOffset, actMin, actMax)
    /// with inputOffset = −input zero point, outputOffset = +output zero point (the .edge RequantizeOptions table).
    ///
    /// Matches TFLM's ReluQuantized (tensorflow/lite/micro/kernels/activations_common.cc; there the stored
    /// input_offset is +zp and is subtracted), constants from QuantMath.ReluParams (TFLM CalculateReluOpData).
    /// With QuantMath.Relu6Params (identity multiplier, clamp [zp, six]) it is bit-identical to TFLM's RELU6
    /// (Relu6Quantized, see Relu6.cs); with QuantMath.RequantizeParams to TFLM's Requantize (see Quantize.cs).
    /// Ported from TFLM 90b983c2.
    /// </summary>
    public static class Relu
    {
        public static void Eval(
            byte[] input, int inputDataOffset, int count,
            int inputOffset, int outputOffset, int multiplier, int shift, int actMin, int actMax,
            byte[] output, int outputDataOffset)
        {
            for (int i = 0; i < count; i++)
            {
                int x = unchecked((sbyte)input[inputDataOffset + i] + inputOffset);
                int v = unchecked(outputOffset + FixedPoint.MultiplyByQuantizedMultiplier(x, multiplier, shift));
                if (v < actMin) v = actMin;
                if (v > actMax) v = actMax;
                output[outputDataOffset + i] = (byte)v;
            }
        }
    }
}
