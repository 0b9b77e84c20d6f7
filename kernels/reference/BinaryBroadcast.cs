namespace Edge.Kernels.Reference
{
    /// <summary>
    /// The broadcasting loop shared by ADD, SUB and MUL: visits every output element in row-major order with
    /// the matching element of each input (shapes right-aligned into 6 dimensions, extent-1 dimensions
    /// broadcast with stride 0, as TFLite's NdArrayDescsForElementwiseBroadcast) and stores the op's
    /// per-element function (<see cref="Add.Func"/>, <see cref="Sub.Func"/>, <see cref="Mul.Func"/>).
    /// Same-shape inputs take the flat loop TFLite's elementwise kernels use. Allocates nothing.
    /// </summary>
    public static class BinaryBroadcast
    {
        public const int OpAdd = 0, OpSub = 1, OpMul = 2;

        /// <summary>
        /// Parameters follow the ops' Func: ADD/SUB use all of them; MUL uses input1Offset, input2Offset,
        /// outputOffset, outputMultiplier, outputShift and the clamp.
        /// </summary>
        public static void Eval(int op,
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
                    output[outputDataOffset + i] = (byte)Apply(op, (sbyte)input1[input1DataOffset + i], (sbyte)input2[input2DataOffset + i],
                        leftShift, input1Offset, input1Multiplier, input1Shift, input2Offset, input2Multiplier, input2Shift,
                        outputOffset, outputMultiplier, outputShift, actMin, actMax);
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
                                    output[o++] = (byte)Apply(op, (sbyte)input1[p5], (sbyte)input2[q5],
                                        leftShift, input1Offset, input1Multiplier, input1Shift, input2Offset, input2Multiplier, input2Shift,
                                        outputOffset, outputMultiplier, outputShift, actMin, actMax);
                            }
                        }
                    }
                }
            }
        }

        private static int Apply(int op, int x1, int x2, int leftShift,
            int input1Offset, int input1Multiplier, int input1Shift,
            int input2Offset, int input2Multiplier, int input2Shift,
            int outputOffset, int outputMultiplier, int outputShift, int actMin, int actMax)
        {
            if (op == OpMul)
                return Mul.Func(x1, x2, input1Offset, input2Offset, outputOffset, outputMultiplier, outputShift, actMin, actMax);
            if (op == OpSub)
                return Sub.Func(x1, x2, leftShift, input1Offset, input1Multiplier, input1Shift, input2Offset, input2Multiplier, input2Shift,
                    outputOffset, outputMultiplier, outputShift, actMin, actMax);
            return Add.Func(x1, x2, leftShift, input1Offset, input1Multiplier, input1Shift, input2Offset, input2Multiplier, input2Shift,
                outputOffset, outputMultiplier, outputShift, actMin, actMax);
        }
    }
}
