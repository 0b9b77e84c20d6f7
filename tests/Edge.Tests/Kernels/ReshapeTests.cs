using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>RESHAPE reference kernel: a byte copy (TFLM reshape.cc: memcpy unless input and output alias).</summary>
    public class ReshapeTests
    {
        [Fact]
        public void CopiesBytesBetweenArrays()
        {
            byte[] input = Embed(Bytes(1, -2, 3, -128, 127, 0), 2);
            var output = new byte[10];
            Reshape.Eval(input, 2, output, 3, 6);
            Assert.Equal(new sbyte[] { 0, 0, 0, 1, -2, 3, -128, 127, 0, 0 }, SBytes(output));
        }

        [Fact]
        public void OverlappingRangesBehaveLikeMemmove()
        {
            byte[] a = Bytes(1, 2, 3, 4, 5, 6, 7, 8);
            Reshape.Eval(a, 0, a, 2, 5);
            Assert.Equal(new sbyte[] { 1, 2, 1, 2, 3, 4, 5, 8 }, SBytes(a));
            byte[] b = Bytes(1, 2, 3, 4, 5, 6, 7, 8);
            Reshape.Eval(b, 2, b, 0, 5);
            Assert.Equal(new sbyte[] { 3, 4, 5, 6, 7, 6, 7, 8 }, SBytes(b));
        }

        [Fact]
        public void SameBufferIsANoOp()
        {
            byte[] a = Bytes(9, 8, 7);
            Reshape.Eval(a, 0, a, 0, 3);
            Assert.Equal(new sbyte[] { 9, 8, 7 }, SBytes(a));
        }
    }
}
