namespace Edge.Kernels.Reference
{
    /// <summary>
    /// ADD, SUB, MUL, DIV, MINIMUM, MAXIMUM on int32 tensors (no quantization), broadcasting as
    /// <see cref="BinaryBroadcast"/> (shapes right-aligned into 6-D, extent-1 dimensions broadcast).
    ///
    /// Contract: out = clamp(f(a, b), actMin, actMax) with f = a + b, a − b, a · b (two's complement wrap-around,
    /// as the C++ reference kernels compile), a / b truncated toward zero (C++ integer division), min, max.
    /// Where C++ is undefined, this kernel defines: a / 0 = 0 and int.MinValue / −1 = int.MinValue.
    /// Ported from tensorflow/lite/kernels/internal/reference/{add,mul,div,maximum_minimum}.h as TFLM's
    /// add.cc / mul.cc / div.cc / maximum_minimum.cc call them for int32 (TFLM 90b983c2).
    /// </summary>
    public static class Int32Arithmetic
    {
        public const int OpAdd = 0, OpSub = 1, OpMul = 2, OpDiv = 3, OpMin = 4, OpMax = 5;

        public static int Func(int op, int a, int b, int actMin, int actMax)
        {
            int r;
            if (op == OpAdd) r = a + b;
            else if (op == OpSub) r = a - b;
            else if (op == OpMul) r = a * b;
            else if (op == OpDiv) r = b == 0 ? 0 : (b == -1 ? -a : a / b);
            else if (op == OpMin) r = a < b ? a : b;
            else r = a > b ? a : b;
            if (r < actMin) r = actMin;
            if (r > actMax) r = actMax;
            return r;
        }

        private static int Read(byte[] b, int p) { return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24); }

        private static void Write(byte[] b, int p, int v)
        {
            b[p] = (byte)v; b[p + 1] = (byte)(v >> 8); b[p + 2] = (byte)(v >> 16); b[p + 3] = (byte)(v >> 24);
        }

        public static void Eval(int op,
            byte[] input1, int input1Offset, int[] shape1,
            byte[] input2, int input2Offset, int[] shape2,
            byte[] output, int outputOffset, int actMin, int actMax)
        {
            if (BroadcastShape.SameExtended(shape1, shape2))
            {
                int n = BroadcastShape.FlatSize(shape1);
                for (int i = 0; i < n; i++)
                    Write(output, outputOffset + 4 * i, Func(op, Read(input1, input1Offset + 4 * i), Read(input2, input2Offset + 4 * i), actMin, actMax));
                return;
            }
            int d0 = BroadcastShape.OutDim(shape1, shape2, 0), d1 = BroadcastShape.OutDim(shape1, shape2, 1);
            int d2 = BroadcastShape.OutDim(shape1, shape2, 2), d3 = BroadcastShape.OutDim(shape1, shape2, 3);
            int d4 = BroadcastShape.OutDim(shape1, shape2, 4), d5 = BroadcastShape.OutDim(shape1, shape2, 5);
            int a0 = BroadcastShape.Stride(shape1, 0), a1 = BroadcastShape.Stride(shape1, 1), a2 = BroadcastShape.Stride(shape1, 2);
            int a3 = BroadcastShape.Stride(shape1, 3), a4 = BroadcastShape.Stride(shape1, 4), a5 = BroadcastShape.Stride(shape1, 5);
            int b0 = BroadcastShape.Stride(shape2, 0), b1 = BroadcastShape.Stride(shape2, 1), b2 = BroadcastShape.Stride(shape2, 2);
            int b3 = BroadcastShape.Stride(shape2, 3), b4 = BroadcastShape.Stride(shape2, 4), b5 = BroadcastShape.Stride(shape2, 5);
            int o = outputOffset;
            int p0 = 0, q0 = 0;
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
                                    Write(output, o, Func(op, Read(input1, input1Offset + 4 * p5), Read(input2, input2Offset + 4 * q5), actMin, actMax));
                                    o += 4;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
