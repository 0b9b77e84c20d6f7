using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// MUL, int8, with broadcasting (each input of rank ≤ 6; an extent-1 dimension broadcasts).
    ///
    /// Contract, per output element with broadcast inputs x1, x2:
    ///   out = clamp(outputOffset + MultiplyByQuantizedMultiplier((x1 + input1Offset) · (x2 + input2Offset),
    ///                                                             outputMultiplier, outputShift), actMin, actMax)
    /// Offsets follow TFLite: inputNOffset = −zero_point, outputOffset = +zero_point (QuantMath.MulParams).
    /// The output shape is the broadcast of the two input shapes; output is written densely in row-major order.
    ///
    /// Matches tflite::reference_integer_ops::MulElementwise (via Mul, same shapes) and BroadcastMul4DSlow, as
    /// TFLM's EvalMulQuantizedReference calls them for int8, ported from
    /// tensorflow/lite/kernels/internal/reference/integer_ops/mul.h (TFLM 90b983c2). TFLM's broadcast path is
    /// limited to 4-D; this kernel accepts up to 6-D with the same per-element arithmetic.
    /// </summary>
    public static class Mul
    {
        /// <summary>TFLite MulElementwise body for one pair of int8 values.</summary>
        public static int Func(int x1, int x2, int input1Offset, int input2Offset,
            int outputOffset, int outputMultiplier, int outputShift, int actMin, int actMax)
        {
            int v1 = unchecked(input1Offset + x1);
            int v2 = unchecked(input2Offset + x2);
            int raw = unchecked(outputOffset + FixedPoint.MultiplyByQuantizedMultiplier(unchecked(v1 * v2), outputMultiplier, outputShift));
            if (raw < actMin) raw = actMin;
            if (raw > actMax) raw = actMax;
            return raw;
        }

        public static void Eval(
            byte[] input1, int input1DataOffset, int[] shape1,
            byte[] input2, int input2DataOffset, int[] shape2,
            byte[] output, int outputDataOffset,
            int input1Offset, int input2Offset,
            int outputOffset, int outputMultiplier, int outputShift, int actMin, int actMax)
        {
            BinaryBroadcast.Eval(BinaryBroadcast.OpMul, input1, input1DataOffset, shape1, input2, input2DataOffset, shape2,
                output, outputDataOffset, 0, input1Offset, 0, 0, input2Offset, 0, 0, outputOffset, outputMultiplier, outputShift, actMin, actMax);
        }
    }
}
