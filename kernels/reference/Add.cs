using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// ADD, int8, with 4-D/6-D broadcasting (each input of rank ≤ 6; an extent-1 dimension broadcasts).
    ///
    /// Contract, per output element with broadcast inputs x1, x2:
    ///   s1 = MBQMSmallerThanOneExp((x1 + input1Offset) · 2^leftShift, input1Multiplier, input1Shift)
    ///   s2 = MBQMSmallerThanOneExp((x2 + input2Offset) · 2^leftShift, input2Multiplier, input2Shift)
    ///   out = clamp(MBQMSmallerThanOneExp(s1 + s2, outputMultiplier, outputShift) + outputOffset, actMin, actMax)
    /// Offsets follow TFLite: inputNOffset = −zero_point, outputOffset = +zero_point (QuantMath.AddParams).
    /// The output shape is the broadcast of the two input shapes; output is written densely in row-major order.
    ///
    /// Matches tflite::reference_integer_ops::AddFunc via Add (same shapes) and BroadcastAdd6DSlow / 4DSlow,
    /// ported from tensorflow/lite/kernels/internal/reference/integer_ops/add.h (TFLM 90b983c2).
    /// </summary>
    public static class Add
    {
        /// <summary>TFLite AddFunc for one pair of int8 values.</summary>
        public static int Func(int x1, int x2, int leftShift,
            int input1Offset, int input1Multiplier, int input1Shift,
            int input2Offset, int input2Multiplier, int input2Shift,
            int outputOffset, int outputMultiplier, int outputShift, int actMin, int actMax)
        {
            int shifted1 = unchecked((input1Offset + x1) * (1 << leftShift));
            int shifted2 = unchecked((input2Offset + x2) * (1 << leftShift));
            int scaled1 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted1, input1Multiplier, input1Shift);
            int scaled2 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted2, input2Multiplier, input2Shift);
            int rawSum = unchecked(scaled1 + scaled2);
            int raw = unchecked(FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(rawSum, outputMultiplier, outputShift) + outputOffset);
            if (raw < actMin) raw = actMin;
            if (raw > actMax) raw = actMax;
            return raw;
        }

        public static void Eval(
            byte[] input1, int input1DataOffset, int[] shape1,
            byte[] input2, int input2DataOffset, int[] shape2,
            byte[] output, int outputDataOffset,
            int leftShift,
            int input1Offset, int input1Multiplier, int input1Shift,
            int input2Offset, int input2Multiplier, int input2Shift,
            int outputOffset, int outputMultiplier, int outputShift, int actMin, int actMax)
        {
            BinaryBroadcast.Eval(BinaryBroadcast.OpAdd, input1, input1DataOffset, shape1, input2, input2DataOffset, shape2,
                output, outputDataOffset, leftShift, input1Offset, input1Multiplier, input1Shift, input2Offset, input2Multiplier, input2Shift,
                outputOffset, outputMultiplier, outputShift, actMin, actMax);
        }
    }
}
