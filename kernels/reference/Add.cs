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
            if (BroadcastShape.SameExtended(shape1, shape2))
            {
                int n = BroadcastShape.FlatSize(shape1);
                for (int i = 0; i < n; i++)
                {
                    output[outputDataOffset + i] = (byte)Func((sbyte)input1[input1DataOffset + i], (sbyte)input2[input2DataOffset + i],
                        leftShift, input1Offset, input1Multiplier, input1Shift, input2Offset, input2Multiplier, input2Shift,
                        outputOffset, outputMultiplier, outputShift, actMin, actMax);
                }
                return;
            }
            int d0 = BroadcastShape.OutDim(shape1, shape2, 0), d1 = BroadcastShape.OutDim(shape1, shape2, 1);
            int d2 = BroadcastShape.OutDim(shape1, shape2, 2), d3 = BroadcastShape.OutDim(shape1, shape2, 3);
            int d4 = BroadcastShape.OutDim(shape1, shape2, 4), d5 = BroadcastShape.OutDim(shape1, shape2, 5);
            int a0 = BroadcastShape.Stride(shape1, 0), a1 = BroadcastShape.Stride(shape1, 1), a2 = BroadcastShape.Stride(shape1, 2);
            int a3 = BroadcastShape.Stride(shape1, 3), a4 = BroadcastShape.Stride(shape1, 4), a5 = BroadcastShape.Stride(shape1, 5);
            int b0 = BroadcastShape.Stride(shape2, 0), b1 = BroadcastShape.Stride(shape2, 1), b2 = BroadcastShape.Stride(shape2, 2);
            int b3 = BroadcastShape.Stride(shape2, 3), b4 = BroadcastShape.Stride(shape2, 4), b5 = BroadcastShape.Stride(shape2, 5);
            int o = outputDataOffset;
            int p0 = input1DataOffset, q0 = input2DataOffset;
            for (int i0 = 0; i0 < d0; i0++, p0 += a0, q0 += b0)
            {
                int p1 = p0, q1 = q0;
                for (int i1 = 0; i1 < d1; i1++, p1 += a1, q1 += b1)
                {
                    int p2 = p1, q2 = q1;
                    for (int i2 = 0; i2 < d2; i2++, p2 += a2, q2 += b2)
                    {
                        int p3 = p2, q3 = q2;
                        for (int i3 = 0; i3 < d3; i3++, p3 += a3, q3 += b3)
                        {
                            int p4 = p3, q4 = q3;
                            for (int i4 = 0; i4 < d4; i4++, p4 += a4, q4 += b4)
                            {
                                int p5 = p4, q5 = q4;
                                for (int i5 = 0; i5 < d5; i5++, p5 += a5, q5 += b5)
                                {
                                    output[o++] = (byte)Func((sbyte)input1[p5], (sbyte)input2[q5],
                                        leftShift, input1Offset, input1Multiplier, input1Shift, input2Offset, input2Multiplier, input2Shift,
                                        outputOffset, outputMultiplier, outputShift, actMin, actMax);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
