namespace Edge.Kernels.Reference
{
    /// <summary>
    /// Shape helpers for the broadcasting element-wise kernels (ADD, SUB, MUL). Shapes of rank ≤ 6 are
    /// right-aligned into 6 dimensions, leading dimensions being 1 — TFLite's RuntimeShape::ExtendedShape(6, ·) —
    /// and an input dimension of extent 1 gets stride 0, as in NdArrayDescsForElementwiseBroadcast
    /// (tensorflow/lite/kernels/internal/common.h). Pure functions, no allocation.
    /// </summary>
    public static class BroadcastShape
    {
        public const int MaxRank = 6;

        /// <summary>Extent of <paramref name="shape"/> extended to 6-D along axis <paramref name="axis6"/> (0..5).</summary>
        public static int Dim(int[] shape, int axis6)
        {
            int k = axis6 - (MaxRank - shape.Length);
            return k < 0 ? 1 : shape[k];
        }

        /// <summary>Broadcast output extent along axis6: the larger extent (extents are equal or one is 1).</summary>
        public static int OutDim(int[] shape1, int[] shape2, int axis6)
        {
            int a = Dim(shape1, axis6);
            int b = Dim(shape2, axis6);
            return a > b ? a : b;
        }

        /// <summary>
        /// Element stride of <paramref name="shape"/> (row-major) along axis6 of the 6-D extension, or 0 when
        /// that extent is 1 (the input is broadcast along it).
        /// </summary>
        public static int Stride(int[] shape, int axis6)
        {
            if (Dim(shape, axis6) == 1) return 0;
            int s = 1;
            for (int j = axis6 + 1; j < MaxRank; j++) s *= Dim(shape, j);
            return s;
        }

        /// <summary>True when both shapes have the same 6-D extension (TFLite's non-broadcast case).</summary>
        public static bool SameExtended(int[] shape1, int[] shape2)
        {
            for (int i = 0; i < MaxRank; i++)
            {
                if (Dim(shape1, i) != Dim(shape2, i)) return false;
            }
            return true;
        }

        /// <summary>Product of all extents.</summary>
        public static int FlatSize(int[] shape)
        {
            int n = 1;
            for (int i = 0; i < shape.Length; i++) n *= shape[i];
            return n;
        }
    }
}
