namespace Edge.Kernels.Reference
{
    /// <summary>
    /// PAD / PADV2, int8, rank ≤ 5.
    ///
    /// Contract: <paramref name="paddings"/> holds 2·rank non-negative ints (before0, after0, before1, after1, …),
    /// rank = inShape.Length ≤ 5; the output shape is inShape[d] + before_d + after_d. Every output element inside
    /// the copied block takes the next input element in row-major order, every other one takes
    /// <paramref name="padValue"/> (an int8 value: PAD passes the output zero point, PADV2 the constant input).
    ///
    /// Matches tflite::reference_ops::PadImpl (shapes and paddings right-aligned into 5 dimensions), ported from
    /// tensorflow/lite/kernels/internal/reference/pad.h (TFLM 90b983c2).
    /// </summary>
    public static class Pad
    {
        public const int MaxRank = 5;

        public static void Eval(
            byte[] input, int inputOffset, int[] inShape, int[] paddings, int padValue,
            byte[] output, int outputOffset)
        {
            int lead = MaxRank - inShape.Length;
            int l0 = Before(paddings, 0, lead), l1 = Before(paddings, 1, lead), l2 = Before(paddings, 2, lead);
            int l3 = Before(paddings, 3, lead), l4 = Before(paddings, 4, lead);
            int r0 = After(paddings, 0, lead), r1 = After(paddings, 1, lead), r2 = After(paddings, 2, lead);
            int r3 = After(paddings, 3, lead), r4 = After(paddings, 4, lead);
            int d0 = InDim(inShape, 0, lead) + l0 + r0, d1 = InDim(inShape, 1, lead) + l1 + r1;
            int d2 = InDim(inShape, 2, lead) + l2 + r2, d3 = InDim(inShape, 3, lead) + l3 + r3;
            int d4 = InDim(inShape, 4, lead) + l4 + r4;
            byte pad = (byte)padValue;
            int inP = inputOffset;
            int o = outputOffset;
            for (int i0 = 0; i0 < d0; i0++)
            {
                bool in0 = i0 >= l0 && i0 < d0 - r0;
                for (int i1 = 0; i1 < d1; i1++)
                {
                    bool in1 = in0 && i1 >= l1 && i1 < d1 - r1;
                    for (int i2 = 0; i2 < d2; i2++)
                    {
                        bool in2 = in1 && i2 >= l2 && i2 < d2 - r2;
                        for (int i3 = 0; i3 < d3; i3++)
                        {
                            bool in3 = in2 && i3 >= l3 && i3 < d3 - r3;
                            for (int i4 = 0; i4 < d4; i4++)
                            {
                                if (in3 && i4 >= l4 && i4 < d4 - r4)
                                    output[o++] = input[inP++];
                                else
                                    output[o++] = pad;
                            }
                        }
                    }
                }
            }
        }

        private static int InDim(int[] shape, int axis5, int lead)
        {
            return axis5 < lead ? 1 : shape[axis5 - lead];
        }

        private static int Before(int[] paddings, int axis5, int lead)
        {
            return axis5 < lead ? 0 : paddings[2 * (axis5 - lead)];
        }

        private static int After(int[] paddings, int axis5, int lead)
        {
            return axis5 < lead ? 0 : paddings[2 * (axis5 - lead) + 1];
        }
    }
}
