using System;
using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// STRIDED_SLICE reference kernel. Golden cases from TFLM's tensorflow/lite/micro/kernels/strided_slice_test.cc
    /// (float tests with small integer data, run as int8); begin/end/stride are resolved on the "host" with a
    /// literal port of strided_slice_logic.h StridedSliceStartForAxis / StridedSliceEndForAxis, as the converter
    /// does. Rank 1..5 with negative strides differential against a naive gather.
    /// </summary>
    public class StridedSliceTests
    {
        // name, input shape, begin, end, strides, begin_mask, end_mask, golden (input is 1..n)
        [Theory]
        [InlineData("In1D", new[] { 4 }, new[] { 1 }, new[] { 3 }, new[] { 1 }, 0, 0, new[] { 2, 3 })]
        [InlineData("In1D_EmptyOutput", new[] { 4 }, new[] { 10 }, new[] { 3 }, new[] { 1 }, 0, 0, new int[0])]
        [InlineData("In1D_NegativeBegin", new[] { 4 }, new[] { -3 }, new[] { 3 }, new[] { 1 }, 0, 0, new[] { 2, 3 })]
        [InlineData("In1D_OutOfRangeBegin", new[] { 4 }, new[] { -5 }, new[] { 3 }, new[] { 1 }, 0, 0, new[] { 1, 2, 3 })]
        [InlineData("In1D_NegativeEnd", new[] { 4 }, new[] { 1 }, new[] { -2 }, new[] { 1 }, 0, 0, new[] { 2 })]
        [InlineData("In1D_OutOfRangeEnd", new[] { 4 }, new[] { -3 }, new[] { 5 }, new[] { 1 }, 0, 0, new[] { 2, 3, 4 })]
        [InlineData("In1D_BeginMask", new[] { 4 }, new[] { 1 }, new[] { 3 }, new[] { 1 }, 1, 0, new[] { 1, 2, 3 })]
        [InlineData("In1D_NegativeBeginNegativeStride", new[] { 4 }, new[] { -2 }, new[] { -3 }, new[] { -1 }, 0, 0, new[] { 3 })]
        [InlineData("In1D_OutOfRangeBeginNegativeStride", new[] { 4 }, new[] { 5 }, new[] { 2 }, new[] { -1 }, 0, 0, new[] { 4 })]
        [InlineData("In1D_NegativeEndNegativeStride", new[] { 4 }, new[] { 2 }, new[] { -4 }, new[] { -1 }, 0, 0, new[] { 3, 2 })]
        [InlineData("In1D_OutOfRangeEndNegativeStride", new[] { 4 }, new[] { -3 }, new[] { -5 }, new[] { -1 }, 0, 0, new[] { 2, 1 })]
        [InlineData("In1D_EndMask", new[] { 4 }, new[] { 1 }, new[] { 3 }, new[] { 1 }, 0, 1, new[] { 2, 3, 4 })]
        [InlineData("In1D_NegStride", new[] { 3 }, new[] { -1 }, new[] { -4 }, new[] { -1 }, 0, 0, new[] { 3, 2, 1 })]
        [InlineData("In1D_EvenLenStride2", new[] { 2 }, new[] { 0 }, new[] { 4 }, new[] { 2 }, 0, 0, new[] { 1 })]
        [InlineData("In1D_OddLenStride2", new[] { 3 }, new[] { 0 }, new[] { 3 }, new[] { 2 }, 0, 0, new[] { 1, 3 })]
        [InlineData("In2D_Identity", new[] { 2, 3 }, new[] { 0, 0 }, new[] { 2, 3 }, new[] { 1, 1 }, 0, 0, new[] { 1, 2, 3, 4, 5, 6 })]
        [InlineData("In2D", new[] { 2, 3 }, new[] { 1, 0 }, new[] { 2, 2 }, new[] { 1, 1 }, 0, 0, new[] { 4, 5 })]
        [InlineData("In2D_Stride2", new[] { 2, 3 }, new[] { 0, 0 }, new[] { 2, 3 }, new[] { 2, 2 }, 0, 0, new[] { 1, 3 })]
        public void TflmGolden(string name, int[] shape, int[] begin, int[] end, int[] strides, int beginMask, int endMask, int[] golden)
        {
            int n = Product(shape);
            var input = new byte[n];
            for (int i = 0; i < n; i++) input[i] = (byte)(i + 1);
            Resolve(shape, begin, end, strides, beginMask, endMask, out int[] start, out int[] stop);
            var outBuf = new byte[golden.Length + 1];
            StridedSlice.Eval(input, 0, shape, start, stop, strides, outBuf, 0);
            Assert.True(outBuf[golden.Length] == 0, name + ": wrote past the expected output");
            Assert.Equal(Array.ConvertAll(golden, v => (sbyte)v), SBytes(outBuf, 0, golden.Length));
        }

        /// <summary>Literal port of strided_slice::StridedSliceStartForAxis / StridedSliceEndForAxis (no shrink, no offset).</summary>
        internal static void Resolve(int[] shape, int[] begin, int[] end, int[] strides, int beginMask, int endMask, out int[] start, out int[] stop)
        {
            int rank = shape.Length;
            start = new int[rank];
            stop = new int[rank];
            for (int axis = 0; axis < rank; axis++)
            {
                int axisSize = shape[axis];
                int s = begin[axis];
                int stride = strides[axis];
                if (s < 0) s += axisSize;
                s = stride > 0 ? Clamp(s, 0, axisSize) : Clamp(s, -1, axisSize - 1);
                if ((beginMask & (1 << axis)) != 0) s = stride > 0 ? 0 : axisSize - 1;
                int e = end[axis];
                if (e < 0) e += axisSize;
                e = stride > 0 ? Clamp(e, 0, axisSize) : Clamp(e, -1, axisSize - 1);
                if ((endMask & (1 << axis)) != 0) e = stride > 0 ? axisSize : -1;
                start[axis] = s;
                stop[axis] = e;
            }
        }

        private static int Clamp(int v, int lo, int hi) => hi < v ? hi : v < lo ? lo : v;

        [Fact]
        public void DifferentialRank1To5WithNegativeStrides()
        {
            for (int seed = 0; seed < 400; seed++)
            {
                var rng = new Random(seed);
                int rank = rng.Next(1, 6);
                var shape = new int[rank];
                var begin = new int[rank];
                var end = new int[rank];
                var strides = new int[rank];
                for (int i = 0; i < rank; i++)
                {
                    shape[i] = rng.Next(1, 6);
                    strides[i] = rng.Next(0, 2) == 0 ? -rng.Next(1, 3) : rng.Next(1, 3);
                    begin[i] = rng.Next(-7, 8);
                    end[i] = rng.Next(-7, 8);
                }
                Resolve(shape, begin, end, strides, rng.Next(0, 32), rng.Next(0, 32), out int[] start, out int[] stop);
                // Naive gather: the visited index lists per axis, then their cartesian product in row-major order.
                var lists = new int[rank][];
                int count = 1;
                for (int d = 0; d < rank; d++)
                {
                    int len = 0;
                    for (int i = start[d]; strides[d] > 0 ? i < stop[d] : i > stop[d]; i += strides[d]) len++;
                    lists[d] = new int[len];
                    int k = 0;
                    for (int i = start[d]; strides[d] > 0 ? i < stop[d] : i > stop[d]; i += strides[d]) lists[d][k++] = i;
                    count *= len;
                }
                byte[] input = RandomInt8(rng, Product(shape));
                const int inOff = 2, outOff = 3;
                var outBuf = new byte[outOff + count + 1];
                StridedSlice.Eval(Embed(input, inOff), inOff, shape, start, stop, strides, outBuf, outOff);
                for (int o = 0; o < count; o++)
                {
                    int rem = o, src = 0, stride = 1;
                    var coord = new int[rank];
                    for (int d = rank - 1; d >= 0; d--) { coord[d] = lists[d][rem % lists[d].Length]; rem /= lists[d].Length; }
                    for (int d = rank - 1; d >= 0; d--) { src += coord[d] * stride; stride *= shape[d]; }
                    Assert.Equal(input[src], outBuf[outOff + o]);
                }
                Assert.Equal(0, outBuf[outOff - 1]);
                Assert.Equal(0, outBuf[outOff + count]);
            }
        }
    }
}
