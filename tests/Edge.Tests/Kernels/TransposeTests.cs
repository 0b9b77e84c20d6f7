using System;
using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// TRANSPOSE reference kernel. Golden cases from TFLM's tensorflow/lite/micro/kernels/transpose_test.cc
    /// (TestTranspose fills the input with 0, 1, 2, …; int8 and the float cases' integer data as int8);
    /// rank 1..6 differential against a naive coordinate permutation.
    /// </summary>
    public class TransposeTests
    {
        [Theory]
        [InlineData("1D", new[] { 3 }, new[] { 0 }, new[] { 0, 1, 2 })]
        [InlineData("2DPerm1", new[] { 3, 2 }, new[] { 1, 0 }, new[] { 0, 2, 4, 1, 3, 5 })]
        [InlineData("2D4x4KernelLeftOverRightSide", new[] { 4, 6 }, new[] { 1, 0 }, new[] { 0, 6, 12, 18, 1, 7, 13, 19, 2, 8, 14, 20, 3, 9, 15, 21, 4, 10, 16, 22, 5, 11, 17, 23 })]
        [InlineData("2D4x4KernelLeftOverBottomSide", new[] { 6, 4 }, new[] { 1, 0 }, new[] { 0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23 })]
        [InlineData("3D", new[] { 2, 3, 4 }, new[] { 2, 0, 1 }, new[] { 0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23 })]
        [InlineData("3DShrinkedOneTime", new[] { 2, 1, 3 }, new[] { 0, 2, 1 }, new[] { 0, 1, 2, 3, 4, 5 })]
        [InlineData("3DShrinkedTwoTimes", new[] { 1, 1, 3 }, new[] { 1, 2, 0 }, new[] { 0, 1, 2 })]
        [InlineData("4DShrinkedOneTimes", new[] { 2, 2, 3, 1 }, new[] { 3, 0, 1, 2 }, new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 })]
        [InlineData("4DShrinkedTwoTimes", new[] { 2, 1, 3, 1 }, new[] { 0, 3, 1, 2 }, new[] { 0, 1, 2, 3, 4, 5 })]
        [InlineData("4DShrinkedThreeTimes", new[] { 2, 1, 1, 1 }, new[] { 3, 2, 1, 0 }, new[] { 0, 1 })]
        [InlineData("3DFlatten", new[] { 2, 2, 3 }, new[] { 0, 2, 1 }, new[] { 0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11 })]
        [InlineData("4DFlatten", new[] { 2, 2, 2, 2 }, new[] { 0, 1, 3, 2 }, new[] { 0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15 })]
        [InlineData("4DFlattenTwo", new[] { 2, 2, 2, 2 }, new[] { 0, 2, 3, 1 }, new[] { 0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15 })]
        [InlineData("SimpleTestNoReorder", new[] { 1, 2, 3, 1 }, new[] { 0, 1, 2, 3 }, new[] { 0, 1, 2, 3, 4, 5 })]
        [InlineData("SimpleTestWithReorder", new[] { 1, 2, 3, 1 }, new[] { 2, 1, 3, 0 }, new[] { 0, 3, 1, 4, 2, 5 })]
        public void TflmGolden(string name, int[] inShape, int[] perm, int[] golden)
        {
            int n = Product(inShape);
            var input = new byte[n];
            for (int i = 0; i < n; i++) input[i] = (byte)i;
            var outBuf = new byte[n];
            Transpose.Eval(input, 0, inShape, perm, outBuf, 0);
            Assert.True(golden.Length == n, name);
            Assert.Equal(Array.ConvertAll(golden, v => (sbyte)v), SBytes(outBuf));
        }

        [Fact]
        public void DifferentialRank1To6()
        {
            for (int seed = 0; seed < 300; seed++)
            {
                var rng = new Random(seed);
                int rank = rng.Next(1, 7);
                var shape = new int[rank];
                for (int i = 0; i < rank; i++) shape[i] = rng.Next(1, 5);
                var perm = new int[rank];
                for (int i = 0; i < rank; i++) perm[i] = i;
                for (int i = rank - 1; i > 0; i--) { int j = rng.Next(0, i + 1); (perm[i], perm[j]) = (perm[j], perm[i]); }
                var outShape = new int[rank];
                for (int i = 0; i < rank; i++) outShape[i] = shape[perm[i]];
                int n = Product(shape);
                byte[] input = RandomInt8(rng, n);
                const int inOff = 1, outOff = 4;
                var outBuf = new byte[outOff + n + 1];
                Transpose.Eval(Embed(input, inOff), inOff, shape, perm, outBuf, outOff);
                var inStrides = new int[rank];
                inStrides[rank - 1] = 1;
                for (int d = rank - 2; d >= 0; d--) inStrides[d] = inStrides[d + 1] * shape[d + 1];
                for (int o = 0; o < n; o++)
                {
                    int rem = o, src = 0;
                    for (int d = rank - 1; d >= 0; d--)
                    {
                        int c = rem % outShape[d];
                        rem /= outShape[d];
                        src += c * inStrides[perm[d]];
                    }
                    Assert.Equal(input[src], outBuf[outOff + o]);
                }
                Assert.Equal(0, outBuf[outOff - 1]);
                Assert.Equal(0, outBuf[outOff + n]);
            }
        }
    }
}
