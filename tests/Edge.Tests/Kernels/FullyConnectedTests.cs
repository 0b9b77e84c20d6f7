using System;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// FULLY_CONNECTED reference kernel. Golden cases from TFLM's tensorflow/lite/micro/kernels/
    /// fully_connected_test.cc (TestFullyConnectedQuantized: per-tensor weights via Quantize, bias via
    /// CreateQuantizedBiasTensor, tolerance 0); batches / per-channel / odd sizes differential against a literal
    /// port of reference_integer_ops::FullyConnectedPerChannel.
    /// </summary>
    public class FullyConnectedTests
    {
        static readonly float[] SimpleInput = { 1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10 };
        static readonly float[] SimpleWeights = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        static readonly float[] ReluWeights = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

        /// <summary>
        /// fully_connected_test.cc SimpleTestQuantizedInt8 / SimpleTest4DInputQuantizedInt8 (same data, 4-D input
        /// [1,1,2,10] flattened to 2 batches) / SimpleTestQuantizedInt8Relu.
        /// </summary>
        [Theory]
        [InlineData("SimpleTestQuantizedInt8", false)]
        [InlineData("SimpleTest4DInputQuantizedInt8", false)]
        [InlineData("SimpleTestQuantizedInt8Relu", true)]
        public void TflmGolden(string name, bool relu)
        {
            const float inputScale = 1.0f, weightsScale = 1.0f, outputScale = 0.5f;
            const int inputZp = -1;
            int outputZp = relu ? -128 : -1;
            float[] weights = relu ? ReluWeights : SimpleWeights;
            float[] biasF = relu ? new float[] { 1, -2, 3 } : new float[] { 1, 2, 3 };
            float[] goldenF = relu ? new float[] { 24, 0, 26, 58, 0, 60 } : new float[] { 24, 25, 26, 58, 59, 60 };
            FusedActivation act = relu ? FusedActivation.Relu : FusedActivation.None;

            sbyte[] input = Quantize(SimpleInput, inputScale, inputZp);
            sbyte[] filter = Quantize(weights, weightsScale, 0);
            int[] bias = QuantizeBias(biasF, new[] { (float)(inputScale * weightsScale) });
            sbyte[] golden = Quantize(goldenF, outputScale, outputZp);

            sbyte[] actual = Run(input, 2, 10, filter, 3, bias, new[] { weightsScale }, inputScale, inputZp, outputScale, outputZp, act, out sbyte[] naive);
            Assert.True(golden.Length == actual.Length, name);
            Assert.Equal(golden, actual);     // TFLM tolerance 0.0
            Assert.Equal(naive, actual);
        }

        /// <summary>Null bias: the folded bias is −zp·Σw alone (SimpleTestNullBias data, quantized as SimpleTestQuantizedInt8).</summary>
        [Fact]
        public void NullBiasMatchesTfliteForm()
        {
            sbyte[] input = Quantize(SimpleInput, 1.0f, -1);
            sbyte[] filter = Quantize(SimpleWeights, 1.0f, 0);
            sbyte[] golden = Quantize(new float[] { 23, 23, 23, 57, 57, 57 }, 0.5f, -1);
            sbyte[] actual = Run(input, 2, 10, filter, 3, null, new[] { 1.0f }, 1.0f, -1, 0.5f, -1, FusedActivation.None, out sbyte[] naive);
            Assert.Equal(golden, actual);
            Assert.Equal(naive, actual);
        }

        [Theory]
        [InlineData(1, 1, 1, true)]
        [InlineData(1, 7, 3, false)]
        [InlineData(3, 33, 17, true)]
        [InlineData(5, 64, 10, true)]
        [InlineData(2, 250, 5, false)]
        public void DifferentialAgainstTfliteForm(int batches, int inDepth, int outDepth, bool perChannel)
        {
            for (int seed = 0; seed < 40; seed++)
            {
                var rng = new Random(seed * 31 + inDepth);
                sbyte[] input = SBytes(RandomInt8(rng, batches * inDepth));
                sbyte[] filter = SBytes(RandomInt8(rng, outDepth * inDepth));
                for (int i = 0; i < filter.Length; i++) if (filter[i] == -128) filter[i] = -127;
                int inZp = seed % 5 == 0 ? -128 : seed % 5 == 1 ? 127 : rng.Next(-128, 128);
                int outZp = rng.Next(-128, 128);
                float inScale = (float)(0.001 + rng.NextDouble() * 0.1);
                float outScale = (float)(0.01 + rng.NextDouble() * 2);
                float[] filterScales;
                if (perChannel)
                {
                    filterScales = new float[outDepth];
                    for (int i = 0; i < outDepth; i++) filterScales[i] = (float)(0.0001 + rng.NextDouble() * 0.02);
                }
                else filterScales = new[] { (float)(0.0001 + rng.NextDouble() * 0.02) };
                int[] bias = seed % 3 == 0 ? null : new int[outDepth];
                if (bias != null) for (int i = 0; i < outDepth; i++) bias[i] = rng.Next(-500000, 500000);
                var act = (FusedActivation)(seed % 4);
                Run(input, batches, inDepth, filter, outDepth, bias, filterScales, inScale, inZp, outScale, outZp, act, out sbyte[] naive, out sbyte[] actual);
                Assert.Equal(naive, actual);
            }
        }

        private static sbyte[] Run(sbyte[] input, int batches, int inDepth, sbyte[] filter, int outDepth, int[] bias,
            float[] filterScales, float inScale, int inZp, float outScale, int outZp, FusedActivation act, out sbyte[] naive)
        {
            Run(input, batches, inDepth, filter, outDepth, bias, filterScales, inScale, inZp, outScale, outZp, act, out naive, out sbyte[] actual);
            return actual;
        }

        private static void Run(sbyte[] input, int batches, int inDepth, sbyte[] filter, int outDepth, int[] bias,
            float[] filterScales, float inScale, int inZp, float outScale, int outZp, FusedActivation act,
            out sbyte[] naive, out sbyte[] actual)
        {
            ChannelMultipliers cm = QuantMath.FullyConnectedMultipliers(inScale, filterScales, outScale, outDepth);
            ActivationRange r = QuantMath.CalculateActivationRangeQuantized(act, outScale, outZp);
            int[] folded = QuantMath.FoldBiasOutputChannelOuter(Bytes(filter), outDepth, bias, inZp);
            const int inOff = 4, fOff = 1, outOff = 6;
            byte[] outBuf = new byte[outOff + batches * outDepth + 3];
            FullyConnected.Eval(Embed(Bytes(input), inOff), inOff, batches, inDepth, Embed(Bytes(filter), fOff), fOff, outDepth,
                folded, cm.Multipliers, cm.Shifts, outBuf, outOff, inZp, outZp, r.Min, r.Max);
            actual = SBytes(outBuf, outOff, batches * outDepth);
            Assert.Equal(0, outBuf[outOff - 1]);
            Assert.Equal(0, outBuf[outOff + batches * outDepth]);
            naive = NaiveFullyConnected(input, batches, inDepth, filter, outDepth, bias, cm.Multipliers, cm.Shifts, -inZp, outZp, r.Min, r.Max);
        }
    }
}
