namespace Edge.Kernels.Reference
{
    /// <summary>
    /// STRIDED_SLICE, int8 (any 1-byte element; int32 with elementSize 4), rank ≤ 5, with per-dimension start/stop/stride already resolved
    /// by the host (masks applied, negative indices normalised, shrink_axis folded into the output shape).
    ///
    /// Contract: for each dimension d, the visited indices are start[d], start[d] + stride[d], … while
    /// (stride[d] &gt; 0 ? index &lt; stop[d] : index &gt; stop[d]) (stop is exclusive; stride ≠ 0, may be negative);
    /// the selected input elements are written densely to the output in row-major order of the visit.
    ///
    /// Matches the loop nest of tflite::reference_ops::StridedSlice (5-D, after StridedSlicePadIndices and
    /// StridedSliceStartForAxis / EndForAxis have produced start_d / stop_d), ported from
    /// tensorflow/lite/kernels/internal/reference/strided_slice.h (TFLM 90b983c2). Leading dimensions added to
    /// reach 5-D use start 0, stop 1, stride 1.
    /// </summary>
    public static class StridedSlice
    {
        public const int MaxRank = 5;

        public static void Eval(
            byte[] input, int inputOffset, int[] inShape, int[] begin, int[] end, int[] strides,
            byte[] output, int outputOffset)
        {
            Eval(input, inputOffset, inShape, begin, end, strides, output, outputOffset, 1);
        }

        /// <summary>The same visit for elements of <paramref name="elementSize"/> bytes (int32: 4; TFLM's int32 path).</summary>
        public static void Eval(
            byte[] input, int inputOffset, int[] inShape, int[] begin, int[] end, int[] strides,
            byte[] output, int outputOffset, int elementSize)
        {
            int lead = MaxRank - inShape.Length;
            int n1 = Dim(inShape, 1, lead), n2 = Dim(inShape, 2, lead), n3 = Dim(inShape, 3, lead), n4 = Dim(inShape, 4, lead);
            int st0 = Start(begin, 0, lead), st1 = Start(begin, 1, lead), st2 = Start(begin, 2, lead);
            int st3 = Start(begin, 3, lead), st4 = Start(begin, 4, lead);
            int sp0 = Stop(end, 0, lead), sp1 = Stop(end, 1, lead), sp2 = Stop(end, 2, lead);
            int sp3 = Stop(end, 3, lead), sp4 = Stop(end, 4, lead);
            int k0 = Step(strides, 0, lead), k1 = Step(strides, 1, lead), k2 = Step(strides, 2, lead);
            int k3 = Step(strides, 3, lead), k4 = Step(strides, 4, lead);
            int o = outputOffset;
            for (int i0 = st0; k0 > 0 ? i0 < sp0 : i0 > sp0; i0 += k0)
            {
                for (int i1 = st1; k1 > 0 ? i1 < sp1 : i1 > sp1; i1 += k1)
                {
                    for (int i2 = st2; k2 > 0 ? i2 < sp2 : i2 > sp2; i2 += k2)
                    {
                        for (int i3 = st3; k3 > 0 ? i3 < sp3 : i3 > sp3; i3 += k3)
                        {
                            int rowBase = (((i0 * n1 + i1) * n2 + i2) * n3 + i3) * n4;
                            for (int i4 = st4; k4 > 0 ? i4 < sp4 : i4 > sp4; i4 += k4)
                            {
                                int src = inputOffset + (rowBase + i4) * elementSize;
                                for (int b = 0; b < elementSize; b++) output[o++] = input[src + b];
                            }
                        }
                    }
                }
            }
        }

        private static int Dim(int[] shape, int axis5, int lead) { return axis5 < lead ? 1 : shape[axis5 - lead]; }
        private static int Start(int[] begin, int axis5, int lead) { return axis5 < lead ? 0 : begin[axis5 - lead]; }
        private static int Stop(int[] end, int axis5, int lead) { return axis5 < lead ? 1 : end[axis5 - lead]; }
        private static int Step(int[] strides, int axis5, int lead) { return axis5 < lead ? 1 : strides[axis5 - lead]; }
    }
}
