using System;
using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// PAD / PADV2 reference kernel. Golden cases from TFLM's tensorflow/lite/micro/kernels/pad_test.cc
    /// (Test2DInt8: pad value = output zero point 0; Test2DInt8V2: pad value 42); rank 1..5 differential against a
    /// naive coordinate-based pad.
    /// </summary>
    public class PadTests
    {
        [Theory]
        [InlineData("Test2DInt8", 0)]
        [InlineData("Test2DInt8V2", 42)]
        public void TflmTest2DInt8(string name, int padValue)
        {
            // input 1x2x2x1 {1,2,3,4}; paddings {{1,1},{0,0},{1,1},{0,0}} → output 3x2x4x1.
            int p = padValue;
            sbyte[] golden = Array.ConvertAll(new[] { p, p, p, p, p, p, p, p, p, 1, 2, p, p, 3, 4, p, p, p, p, p, p, p, p, p }, v => (sbyte)v);
            var outBuf = new byte[24];
            Pad.Eval(Bytes(1, 2, 3, 4), 0, new[] { 1, 2, 2, 1 }, new[] { 1, 1, 0, 0, 1, 1, 0, 0 }, padValue, outBuf, 0);
            Assert.True(golden.Length == 24, name);
            Assert.Equal(golden, SBytes(outBuf));
        }

        /// <summary>pad_test.cc Test4DFloat's layout (1×1×1×1 padded by 1 everywhere → 81 elements, value at 40), as int8.</summary>
        [Fact]
        public void TflmTest4DLayout()
        {
            var outBuf = new byte[81];
            Pad.Eval(Bytes(42), 0, new[] { 1, 1, 1, 1 }, new[] { 1, 1, 1, 1, 1, 1, 1, 1 }, -3, outBuf, 0);
            for (int i = 0; i < 81; i++) Assert.Equal(i == 40 ? 42 : -3, (sbyte)outBuf[i]);
        }

        [Fact]
        public void DifferentialRank1To5()
        {
            for (int seed = 0; seed < 200; seed++)
            {
                var rng = new Random(seed);
                int rank = rng.Next(1, 6);
                var shape = new int[rank];
                var pads = new int[2 * rank];
                for (int i = 0; i < rank; i++)
                {
                    shape[i] = rng.Next(1, 5);
                    pads[2 * i] = rng.Next(0, 3);
                    pads[2 * i + 1] = rng.Next(0, 3);
                }
                var outShape = new int[rank];
                for (int i = 0; i < rank; i++) outShape[i] = shape[i] + pads[2 * i] + pads[2 * i + 1];
                byte[] input = RandomInt8(rng, Product(shape));
                int padValue = rng.Next(-128, 128);
                int n = Product(outShape);
                const int inOff = 3, outOff = 5;
                var outBuf = new byte[outOff + n + 2];
                Pad.Eval(Embed(input, inOff), inOff, shape, pads, padValue, outBuf, outOff);
                for (int o = 0; o < n; o++)
                {
                    // Decode the output coordinate; inside the copied block read the input at coordinate − before.
                    int rem = o, inIndex = 0, inStride = 1;
                    bool inside = true;
                    for (int d = rank - 1; d >= 0; d--)
                    {
                        int c = rem % outShape[d];
                        rem /= outShape[d];
                        int ic = c - pads[2 * d];
                        if (ic < 0 || ic >= shape[d]) inside = false;
                        inIndex += ic * inStride;
                        inStride *= shape[d];
                    }
                    int expected = inside ? (sbyte)input[inIndex] : padValue;
                    Assert.Equal(expected, (sbyte)outBuf[outOff + o]);
                }
                Assert.Equal(0, outBuf[outOff - 1]);
                Assert.Equal(0, outBuf[outOff + n]);
            }
        }
    }
}
