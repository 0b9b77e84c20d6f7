using System;
using Edge.Kernels.Reference;
using Xunit;
using static Edge.Tests.Kernels.LinearKernelTestUtil;

namespace Edge.Tests.Kernels
{
    /// <summary>
    /// DEQUANTIZE int8 → float32 and the arithmetic float32 byte codec it relies on. Golden case: TFLM
    /// tensorflow/lite/micro/kernels/dequantize_test.cc DequantizeOpTestInt8 (tolerance 0.001 there; the kernel is
    /// checked bit-exactly against the literal double-precision form here too).
    /// </summary>
    public class DequantizeTests
    {
        private static float ReadLe(byte[] b, int off) => BitConverter.ToSingle(b, off);

        [Fact]
        public void TflmDequantizeOpTestInt8()
        {
            float[] values = { -63.5f, -63, -62.5f, -62, -61.5f, 62, 62.5f, 63, 63.5f, 64 };
            const float scale = 0.5f;
            const int zp = -1;
            sbyte[] q = Quantize(values, scale, zp);
            var outBuf = new byte[4 * values.Length + 2];
            Dequantize.Eval(Embed(Bytes(q), 2), 2, values.Length, scale, zp, outBuf, 1);
            for (int i = 0; i < values.Length; i++)
            {
                float v = ReadLe(outBuf, 1 + 4 * i);
                Assert.InRange(v, values[i] - 0.001f, values[i] + 0.001f);
                Assert.Equal((float)((double)scale * (q[i] - zp)), v);
            }
            Assert.Equal(0, outBuf[0]);
            Assert.Equal(0, outBuf[outBuf.Length - 1]);
        }

        /// <summary>All 256 inputs × random scales and zero points: bit-identical to reference_ops::Dequantize's
        /// static_cast&lt;float&gt;(double(scale) · (val − zero_point)) and to the float-only form.</summary>
        [Fact]
        public void DifferentialAllInputs()
        {
            var rng = new Random(3);
            var input = new byte[256];
            for (int i = 0; i < 256; i++) input[i] = (byte)i;
            for (int round = 0; round < 300; round++)
            {
                float scale = (float)Math.Pow(2, rng.NextDouble() * 60 - 40) * (float)(0.5 + rng.NextDouble());
                int zp = rng.Next(-128, 128);
                var outBuf = new byte[1024];
                Dequantize.Eval(input, 0, 256, scale, zp, outBuf, 0);
                for (int i = 0; i < 256; i++)
                {
                    int x = (sbyte)input[i] - zp;
                    float expected = (float)((double)scale * x);
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.ToInt32(outBuf, 4 * i));
                    Assert.Equal(BitConverter.SingleToInt32Bits(scale * (float)x), BitConverter.ToInt32(outBuf, 4 * i));
                }
            }
        }

        /// <summary>
        /// QuantRounding.ReadFloat / WriteFloat (arithmetic, no BitConverter) round-trip every kind of value exactly:
        /// normals, subnormals, ±0, ±infinity, and NaN (canonicalised on write), against BitConverter.
        /// </summary>
        [Fact]
        public void FloatCodecMatchesBitConverter()
        {
            var rng = new Random(17);
            var buf = new byte[8];
            for (int i = 0; i < 200000; i++)
            {
                int bits;
                switch (i % 4)
                {
                    case 0: bits = rng.Next(int.MinValue, int.MaxValue); break;          // any pattern
                    case 1: bits = rng.Next(0, 0x00800000) | (rng.Next(0, 2) << 31); break; // subnormals
                    case 2: bits = (rng.Next(1, 255) << 23) | rng.Next(0, 0x00800000); break; // positive normals
                    default: bits = i < 64 ? Special(i / 4) : rng.Next(); break;
                }
                float f = BitConverter.Int32BitsToSingle(bits);
                BitConverter.GetBytes(bits).CopyTo(buf, 2);
                float read = QuantRounding.ReadFloat(buf, 2);
                if (float.IsNaN(f))
                {
                    Assert.True(float.IsNaN(read));
                    continue;
                }
                Assert.Equal(bits, BitConverter.SingleToInt32Bits(read));
                var w = new byte[6];
                QuantRounding.WriteFloat(w, 1, f);
                Assert.Equal(bits, BitConverter.ToInt32(w, 1));
                Assert.Equal(0, w[0]);
                Assert.Equal(0, w[5]);
            }
            var nanBuf = new byte[4];
            QuantRounding.WriteFloat(nanBuf, 0, float.NaN);
            Assert.True(float.IsNaN(BitConverter.ToSingle(nanBuf, 0)));
        }

        private static int Special(int k)
        {
            int[] s = { 0, unchecked((int)0x80000000), 0x7F800000, unchecked((int)0xFF800000), 1, unchecked((int)0x80000001),
                        0x007FFFFF, 0x00800000, 0x7F7FFFFF, unchecked((int)0xFF7FFFFF), 0x3F800000, 0x3EFFFFFF,
                        0x34000000, 0x4B000000, 0x4AFFFFFF, 0x3F000001 };
            return s[k % s.Length];
        }
    }
}
