using System;
using Edge.Converter.Quantization;
using Edge.Kernels.Reference;
using Edge.Runtime;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// RELU and RELU6 reference kernels. Golden cases from TFLM's tensorflow/lite/micro/kernels/activations_test.cc
    /// SimpleReluTestInt8 / SimpleRelu6TestInt8 (inputs and goldens via tflite::Quantize, exact); differential
    /// against literal ports of ReluQuantized and Relu6Quantized over all 256 inputs.
    /// </summary>
    public class ActivationsTests
    {
        [Fact]
        public void TflmSimpleReluTestInt8()
        {
            float[] input = { 1, 2, 3, 4, 5, -1, -2, -3, -4, -5 };
            float[] golden = { 1, 2, 3, 4, 5, 0, 0, 0, 0, 0 };
            RequantizeParams p = QuantMath.ReluParams(0.5f, 0, 0.5f, 0);
            var outBuf = new byte[10];
            Relu.Eval(Bytes(Quantize(input, 0.5f, 0)), 0, 10, p.InputOffset, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActMin, p.ActMax, outBuf, 0);
            Assert.Equal(Quantize(golden, 0.5f, 0), SBytes(outBuf));
        }

        [Fact]
        public void TflmSimpleRelu6TestInt8()
        {
            float[] input = { 4, 5, 6, 7, 8, -1, -2, -3, -4, -5 };
            float[] golden = { 4, 5, 6, 6, 6, 0, 0, 0, 0, 0 };
            sbyte[] q = Quantize(input, 0.5f, 127);
            sbyte[] expected = Quantize(golden, 0.5f, 127);
            ActivationRange b = QuantMath.Relu6Bounds(0.5f, 127);
            var direct = new byte[10];
            Relu6.Eval(Bytes(q), 0, 10, b.Min, b.Max, direct, 0);
            Assert.Equal(expected, SBytes(direct));
            RequantizeParams p = QuantMath.Relu6Params(0.5f, 127);
            var viaRelu = new byte[10];
            Relu.Eval(Bytes(q), 0, 10, p.InputOffset, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActMin, p.ActMax, viaRelu, 0);
            Assert.Equal(expected, SBytes(viaRelu));
        }

        [Fact]
        public void DifferentialAllInputs()
        {
            var rng = new Random(21);
            var input = new byte[256];
            for (int i = 0; i < 256; i++) input[i] = (byte)i;
            for (int round = 0; round < 300; round++)
            {
                float inScale = (float)Math.Pow(10, rng.NextDouble() * 3 - 3);
                float outScale = round % 5 == 0 ? inScale : (float)Math.Pow(10, rng.NextDouble() * 3 - 3);
                int inZp = rng.Next(-128, 128), outZp = rng.Next(-128, 128);

                // RELU: literal ReluQuantized with TFLM's ReluOpData (input_offset = +zp, subtracted).
                RequantizeParams p = QuantMath.ReluParams(inScale, inZp, outScale, outZp);
                var relu = new byte[256];
                Relu.Eval(input, 0, 256, p.InputOffset, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActMin, p.ActMax, relu, 0);
                for (int i = 0; i < 256; i++)
                {
                    int val = (sbyte)input[i];
                    int clamped = outZp + FixedPoint.MultiplyByQuantizedMultiplier(val - inZp, p.OutputMultiplier, p.OutputShift);
                    clamped = Math.Max(p.ActMin, clamped);
                    clamped = Math.Min(p.ActMax, clamped);
                    Assert.Equal(clamped, (sbyte)relu[i]);
                }

                // RELU6: literal Relu6Quantized(zero, six) vs both encodings.
                int zero = inZp;
                int six = Math.Min(127, Math.Max(-128, (int)(Math.Round((double)(6.0f / inScale), MidpointRounding.AwayFromZero) + inZp)));
                ActivationRange b = QuantMath.Relu6Bounds(inScale, inZp);
                Assert.Equal(zero, b.Min);
                Assert.Equal(six, b.Max);
                RequantizeParams p6 = QuantMath.Relu6Params(inScale, inZp);
                var r6a = new byte[256];
                var r6b = new byte[256];
                Relu6.Eval(input, 0, 256, b.Min, b.Max, r6a, 0);
                Relu.Eval(input, 0, 256, p6.InputOffset, p6.OutputOffset, p6.OutputMultiplier, p6.OutputShift, p6.ActMin, p6.ActMax, r6b, 0);
                for (int i = 0; i < 256; i++)
                {
                    int val = (sbyte)input[i];
                    int expected = val > six ? six : val < zero ? zero : val;
                    Assert.Equal(expected, (sbyte)r6a[i]);
                    Assert.Equal(expected, (sbyte)r6b[i]);
                }
            }
        }
    }
}
