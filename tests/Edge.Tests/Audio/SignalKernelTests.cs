using System;
using System.Linq;
using Edge.Converter.Tflite;
using Edge.Kernels.Reference;
using Edge.Kernels.Reference.Signal;
using Xunit;

namespace Edge.Tests.Audio
{
    /// <summary>
    /// The signal kernels and the FlexBuffers reader against independent facts: TFLite Micro's own kernel unit
    /// tests (their FlexBuffers parameter blobs and golden outputs, quoted from
    /// signal/micro/kernels/*_test.cc and *_flexbuffers_generated_data.cc at tensorflow/tflite-micro), a
    /// double-precision DFT within a worked-out fixed-point error bound, and closed-form integer definitions.
    /// </summary>
    public class SignalKernelTests
    {
        // filter_bank_spectral_subtraction_flexbuffers_generated_data.cc: g_gen_data_filter_bank_spectral_subtraction_32_channel.
        private static readonly byte[] SpectralSubtraction32 =
        {
            0x6e, 0x75, 0x6d, 0x5f, 0x63, 0x68, 0x61, 0x6e, 0x6e, 0x65, 0x6c, 0x73, 0x00, 0x73, 0x6d, 0x6f, 0x6f, 0x74, 0x68, 0x69,
            0x6e, 0x67, 0x00, 0x6f, 0x6e, 0x65, 0x5f, 0x6d, 0x69, 0x6e, 0x75, 0x73, 0x5f, 0x73, 0x6d, 0x6f, 0x6f, 0x74, 0x68, 0x69,
            0x6e, 0x67, 0x00, 0x61, 0x6c, 0x74, 0x65, 0x72, 0x6e, 0x61, 0x74, 0x65, 0x5f, 0x73, 0x6d, 0x6f, 0x6f, 0x74, 0x68, 0x69,
            0x6e, 0x67, 0x00, 0x61, 0x6c, 0x74, 0x65, 0x72, 0x6e, 0x61, 0x74, 0x65, 0x5f, 0x6f, 0x6e, 0x65, 0x5f, 0x6d, 0x69, 0x6e,
            0x75, 0x73, 0x5f, 0x73, 0x6d, 0x6f, 0x6f, 0x74, 0x68, 0x69, 0x6e, 0x67, 0x00, 0x73, 0x6d, 0x6f, 0x6f, 0x74, 0x68, 0x69,
            0x6e, 0x67, 0x5f, 0x62, 0x69, 0x74, 0x73, 0x00, 0x6d, 0x69, 0x6e, 0x5f, 0x73, 0x69, 0x67, 0x6e, 0x61, 0x6c, 0x5f, 0x72,
            0x65, 0x6d, 0x61, 0x69, 0x6e, 0x69, 0x6e, 0x67, 0x00, 0x63, 0x6c, 0x61, 0x6d, 0x70, 0x69, 0x6e, 0x67, 0x00, 0x73, 0x70,
            0x65, 0x63, 0x74, 0x72, 0x61, 0x6c, 0x5f, 0x73, 0x75, 0x62, 0x74, 0x72, 0x61, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x5f, 0x62,
            0x69, 0x74, 0x73, 0x00, 0x09, 0x66, 0x7b, 0x26, 0x3c, 0xa9, 0x93, 0x9e, 0x4f, 0x23, 0x09, 0x00, 0x01, 0x00, 0x09, 0x00,
            0x71, 0x3d, 0x8f, 0x02, 0x00, 0x00, 0x33, 0x03, 0x20, 0x00, 0x71, 0x3d, 0x8f, 0x02, 0x00, 0x00, 0x0e, 0x00, 0x05, 0x05,
            0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x05, 0x1b, 0x25, 0x01,
        };

        // filter_bank_log_flexbuffers_generated_data.cc: scale 1600, correction bits 3 (8-bit map) and
        // scale 32768, correction bits 5 (32-bit map elements).
        private static readonly byte[] Log1600 =
        {
            0x6f, 0x75, 0x74, 0x70, 0x75, 0x74, 0x5f, 0x73, 0x63, 0x61, 0x6c, 0x65, 0x00, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x63,
            0x6f, 0x72, 0x72, 0x65, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x5f, 0x62, 0x69, 0x74, 0x73, 0x00, 0x02, 0x17, 0x25, 0x02, 0x00,
            0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x40, 0x06, 0x05, 0x05, 0x06, 0x25, 0x01,
        };

        private static readonly byte[] Log32768 =
        {
            0x6f, 0x75, 0x74, 0x70, 0x75, 0x74, 0x5f, 0x73, 0x63, 0x61, 0x6c, 0x65, 0x00, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x63,
            0x6f, 0x72, 0x72, 0x65, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x5f, 0x62, 0x69, 0x74, 0x73, 0x00, 0x02, 0x17, 0x25, 0x00, 0x00,
            0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00,
            0x06, 0x06, 0x0a, 0x26, 0x01,
        };

        private static byte[] U32(uint[] v) { var b = new byte[4 * v.Length]; for (int i = 0; i < v.Length; i++) SignalMath.WriteUInt32(b, 4 * i, v[i]); return b; }
        private static uint[] ToU32(byte[] b) => Enumerable.Range(0, b.Length / 4).Select(i => SignalMath.ReadUInt32(b, 4 * i)).ToArray();

        [Fact]
        public void FlexBuffers_reads_TFLM_parameter_maps_of_every_width()
        {
            var m = FlexBuffers.GetRoot(SpectralSubtraction32).AsMap();
            Assert.Equal(new[] { "alternate_one_minus_smoothing", "alternate_smoothing", "clamping", "min_signal_remaining", "num_channels",
                "one_minus_smoothing", "smoothing", "smoothing_bits", "spectral_subtraction_bits" }, FlexBuffers.GetRoot(SpectralSubtraction32).Keys);
            Assert.Equal(32, m["num_channels"].AsInt32());
            Assert.False(m["clamping"].AsBool());                    // stored as an 8-bit INT 0 (TFLM reads it with ElementAsBool)
            Assert.Equal(FlexBuffers.Type.Int, m["clamping"].ValueType);
            // The 32-bit map of the second log blob and the 8-bit one of the first.
            var a = FlexBuffers.GetRoot(Log1600).AsMap();
            Assert.Equal(1600, a["output_scale"].AsInt32());
            Assert.Equal(3, a["input_correction_bits"].AsInt32());
            var b = FlexBuffers.GetRoot(Log32768).AsMap();
            Assert.Equal(32768, b["output_scale"].AsInt32());
            Assert.Equal(5, b["input_correction_bits"].AsInt32());
        }

        [Fact]
        public void FlexBuffers_rejects_truncated_and_out_of_range_buffers()
        {
            Assert.Throws<TfliteFormatException>(() => FlexBuffers.GetRoot(new byte[] { 1 }));
            Assert.Throws<TfliteFormatException>(() => FlexBuffers.GetRoot(new byte[] { 0, 0x24, 3 }));   // width 3
            var cut = Log1600.Skip(20).ToArray();                                                      // keys cut off
            Assert.ThrowsAny<TfliteFormatException>(() => FlexBuffers.GetRoot(cut).AsMap());
            var bad = (byte[])Log1600.Clone();
            bad[^3] = 0xF0;                                                                             // root offset past the start
            Assert.ThrowsAny<TfliteFormatException>(() => FlexBuffers.GetRoot(bad).AsMap());
            Assert.Throws<TfliteFormatException>(() => FlexBuffers.GetRoot(Log1600).AsString());
        }

        [Fact]
        public void Spectral_subtraction_reproduces_TFLM_unit_test_with_its_parameters()
        {
            var m = FlexBuffers.GetRoot(SpectralSubtraction32).AsMap();
            uint[] input = { 322, 308, 210, 212, 181, 251, 403, 259, 65, 48, 76, 48, 50, 46, 53, 52, 112, 191, 136, 59, 70, 51,
                             39, 64, 33, 44, 41, 49, 74, 107, 262, 479 };
            uint[] golden1 = { 310, 296, 202, 204, 174, 241, 387, 249, 63, 47, 73, 47, 49, 45, 51, 50, 108, 184, 131, 57, 68, 49, 38, 62,
                               32, 43, 40, 48, 72, 103, 252, 460 };
            uint[] golden2 = { 12, 12, 8, 8, 7, 10, 16, 10, 2, 1, 3, 1, 1, 1, 2, 2, 4, 7, 5, 2, 2, 2, 1, 2, 1, 1, 1, 1, 2, 4, 10, 19 };
            var noise = new byte[4 * 32];
            var out1 = new byte[4 * 32];
            var out2 = new byte[4 * 32];
            SpectralSubtraction.Eval(U32(input), 0, m["num_channels"].AsInt32(),
                (uint)m["smoothing"].AsInt32(), (uint)m["one_minus_smoothing"].AsInt32(),
                (uint)m["alternate_smoothing"].AsInt32(), (uint)m["alternate_one_minus_smoothing"].AsInt32(),
                m["smoothing_bits"].AsInt32(), m["spectral_subtraction_bits"].AsInt32(), (uint)m["min_signal_remaining"].AsInt32(),
                m["clamping"].AsBool(), noise, 0, out1, 0, out2, 0);
            Assert.Equal(golden1, ToU32(out1));
            Assert.Equal(golden2, ToU32(out2));
            Assert.Equal(golden2, ToU32(noise));   // the state holds what was copied out
        }

        [Fact]
        public void Pcan_reproduces_TFLM_unit_test()
        {
            // pcan_test.cc Mix1Ref1Case with pcan_flexbuffers_generated_data.cc g_gen_data_snr_shift_6_test.
            byte[] blob = { 0x73, 0x6e, 0x72, 0x5f, 0x73, 0x68, 0x69, 0x66, 0x74, 0x00, 0x01, 0x0b, 0x01, 0x01, 0x01, 0x06, 0x04, 0x02, 0x24, 0x01 };
            uint[] input = { 286, 298, 305, 291, 290, 279, 273, 257, 250, 240, 240, 233, 234, 230, 221, 205, 183, 159, 156, 188, 239, 298, 345, 374,
                             380, 369, 359, 364, 372, 354, 302, 243, 194, 135, 64, 72, 171, 245, 277, 304 };
            uint[] noise = { 7310, 18308, 7796, 17878, 7413, 17141, 6978, 15789, 6390, 14745, 6135, 14314, 5981, 14130, 5649, 12594, 4677, 9768,
                             3987, 11550, 6109, 18308, 8819, 22977, 9713, 22670, 9176, 22363, 9509, 21748, 7719, 14929, 4959, 8294, 1636, 4423,
                             4371, 15052, 7080, 18677 };
            short[] lut = { 32636, 32633, 32630, -6, 0, -21589, 32624, -12, 0, -21589, 32612, -23, -2, -21589, 32587, -48, 0, -21589, 32539, -96,
                            0, -21589, 32443, -190, 0, -21589, 32253, -378, 4, -21589, 31879, -739, 18, -21589, 31158, -1409, 62, -21589, 29811,
                            -2567, 202, -21589, 27446, -4301, 562, -21589, 23707, -6265, 1230, -21589, 18672, -7458, 1952, -21589, 13166, -7030,
                            2212, -21589, 8348, -5342, 1868, -21589, 4874, -3459, 1282, -21589, 2697, -2025, 774, -21589, 1446, -1120, 436,
                            -21589, 762, -596, 232, -21589, 398, -313, 122, -21589, 207, -164, 64, -21589, 107, -85, 34, -21589, 56, -45, 18,
                            -21589, 29, -22, 8, -21589, 15, -13, 6, -21589, 8, -8, 4, -21589, 4, -2, 0, -21589, 2, -3, 2, -21589, 1, 0, 0,
                            -21589, 1, -3, 2, -21589, 0, 0, 0 };
            uint[] golden = { 1301, 836, 1354, 827, 1312, 811, 1263, 779, 1192, 753, 1160, 743, 1140, 738, 1096, 698, 956, 607, 845, 667, 1157, 836,
                              1461, 912, 1546, 908, 1496, 904, 1527, 895, 1346, 758, 999, 548, 378, 344, 908, 761, 1274, 843 };
            var lutBytes = new byte[2 * lut.Length];
            Buffer.BlockCopy(lut, 0, lutBytes, 0, lutBytes.Length);
            int shift = FlexBuffers.GetRoot(blob).AsMap()["snr_shift"].AsInt32();
            Assert.Equal(6, shift);
            var output = new byte[4 * 40];
            Pcan.Eval(U32(input), 0, U32(noise), 0, lutBytes, 0, 40, shift, output, 0);
            Assert.Equal(golden, ToU32(output));
        }

        [Fact]
        public void Filter_bank_log_reproduces_TFLM_unit_tests()
        {
            void Check(byte[] blob, uint[] input, short[] golden)
            {
                var m = FlexBuffers.GetRoot(blob).AsMap();
                var output = new byte[2 * input.Length];
                FilterBankLog.Eval(U32(input), 0, input.Length, m["input_correction_bits"].AsInt32(), m["output_scale"].AsInt32(), output, 0);
                Assert.Equal(golden, Enumerable.Range(0, input.Length).Select(i => (short)SignalMath.ReadInt16(output, 2 * i)).ToArray());
            }
            Check(Log1600,
                new uint[] { 29, 21, 29, 40, 19, 11, 13, 23, 13, 11, 25, 17, 5, 4, 46, 14, 17, 14, 20, 14, 10, 10, 15, 11, 17, 12, 15, 16, 19, 18, 6, 2 },
                new short[] { 8715, 8198, 8715, 9229, 8038, 7164, 7431, 8344, 7431, 7164, 8477, 7860, 5902, 5545, 9453, 7550, 7860, 7550, 8120,
                              7550, 7011, 7011, 7660, 7164, 7860, 7303, 7660, 7763, 8038, 7952, 6194, 4436 });
            Check(Log32768,
                new uint[] { 48, 20, 19, 24, 35, 47, 23, 30, 31, 10, 48, 21, 46, 14, 18, 27 },
                new short[] { 32767, 15121, 13440, 21095, 32767, 32767, 19701, 28407, 29482, 32767, 32767, 16720, 32767, 3434, 11669, 24955 });
        }

        [Fact]
        public void Log32_is_exact_at_powers_of_two()
        {
            // At x = 2^k the fraction is 0, so log2 = k in Q16 exactly, ln = round(45426·k·2^16 / 2^16) (45426 =
            // round(ln 2 · 2^16)), and the output round(s·ln / 2^16) computed in uint32 as log.cc does (it wraps
            // for large s·ln — TFLM's behaviour, kept).
            for (int k = 1; k < 32; k++)
            {
                uint loge = (uint)(((ulong)45426 * ((uint)k << 16) + 32768) >> 16);
                foreach (uint s in new uint[] { 1000, 1600, 32768 })
                    Assert.Equal(unchecked(s * loge + 32768u) >> 16, SignalMath.Log32(1u << k, s));
            }
            // (Between powers of two the result is not monotonic: log.cc scales the in-segment interpolation by
            // 2^-16 instead of 2^-9, so the table value steps at segment edges — kept, TFLM's goldens above pin it.)
        }

        [Fact]
        public void Square_roots_round_to_nearest()
        {
            var rng = new Random(5);
            for (int t = 0; t < 20000; t++)
            {
                ulong n = t < 10000 ? (ulong)(uint)rng.Next() * (uint)rng.Next(1, 4) & 0xFFFFFFFF : ((ulong)(uint)rng.Next() << 31) ^ (uint)rng.Next();
                if (t < 100) n = (ulong)t;
                ulong r = (ulong)Math.Sqrt(n);
                while (r * r > n) r--;
                while ((r + 1) * (r + 1) <= n) r++;
                ulong nearest = n - r * r > r ? r + 1 : r;   // n > r² + r  ⇔  √n > r + ½
                if (n <= 0xFFFFFFFF)
                {
                    ulong want32 = Math.Min(nearest, r == 0xFFFF ? 0xFFFF : nearest);
                    Assert.Equal(want32, (ulong)SignalMath.Sqrt32((uint)n));
                }
                ulong want64 = n <= 0xFFFFFFFF ? SignalMath.Sqrt32((uint)n) : (r == 0xFFFFFFFF ? r : nearest);
                Assert.Equal(want64, (ulong)SignalMath.Sqrt64(n));
            }
            Assert.Equal(0u, SignalMath.Sqrt32(0));
            Assert.Equal(0xFFFFu, SignalMath.Sqrt32(0xFFFFFFFF));
            Assert.Equal(0xFFFFFFFFu, SignalMath.Sqrt64(ulong.MaxValue));
        }

        [Fact]
        public void Most_significant_bit_matches_the_gcc_definition()
        {
            Assert.Equal(32, SignalMath.MostSignificantBit32(0));
            Assert.Equal(1, SignalMath.MostSignificantBit32(1));
            Assert.Equal(32, SignalMath.MostSignificantBit32(0x80000000));
            Assert.Equal(11, SignalMath.MostSignificantBit32(1024));
            Assert.Equal(64, SignalMath.MostSignificantBit64(0));
            Assert.Equal(33, SignalMath.MostSignificantBit64(1UL << 32));
        }

        /// <summary>
        /// kiss_fftr fixed point against a double DFT. Scale: every radix-p stage multiplies by ⌊32767/p⌋/32768
        /// and the real split by ⌊32767/2⌋/32768 · ½, so X_fixed ≈ DFT(x)·(8191/32768)^s4·(16383/32768)^s2·(16383/32768)
        /// (s4, s2 = radix-4 / radix-2 stage counts; the final ½ of the split and its ×2 cancel). Error bound (complex magnitude, in output LSBs): a stage adds
        /// at most p·(½√2) for rounding its p divided inputs, (p−1)·(½√2) for rounding the twiddle products and
        /// (p−1)·|x|/p·(√2·½/32767) for twiddle quantization (|x| ≤ 32767), and passes earlier errors on unamplified
        /// (divide by p, sum p, rotate); the split adds 2·½√2 + ½√2 + √2 (HALF_OF floors). The bound is their sum.
        /// </summary>
        [Theory]
        [InlineData(512, 480)]
        [InlineData(256, 256)]
        [InlineData(64, 50)]
        public void Rfft_matches_a_double_DFT_within_the_fixed_point_bound(int n, int inputLength)
        {
            int c = n / 2;
            var factors = Edge.Converter.Conversion.TfliteImporter.KissFactors(c);
            var (tw, st) = Edge.Converter.Conversion.TfliteImporter.KissFftrTwiddles(n);
            short[] twRe = new short[c], twIm = new short[c], sRe = new short[c / 2], sIm = new short[c / 2];
            for (int i = 0; i < c; i++) { twRe[i] = (short)tw[2 * i]; twIm[i] = (short)tw[2 * i + 1]; }
            for (int i = 0; i < c / 2; i++) { sRe[i] = (short)st[2 * i]; sIm[i] = (short)st[2 * i + 1]; }
            double scale = 16383.0 / 32768, bound = 0.5 * Math.Sqrt(2) * 3 + Math.Sqrt(2);
            for (int i = 0; i < factors.Length; i += 2)
            {
                int p = factors[i];
                scale *= (32767 / p) / 32768.0;
                bound += p * 0.5 * Math.Sqrt(2) + (p - 1) * 0.5 * Math.Sqrt(2) + (p - 1) * (32767.0 / p) * Math.Sqrt(2) * 0.5 / 32767;
            }
            var rng = new Random(n + inputLength);
            for (int trial = 0; trial < 5; trial++)
            {
                var x = new short[inputLength];
                for (int i = 0; i < inputLength; i++)
                    x[i] = (short)(trial == 0 ? Math.Round(30000 * Math.Cos(2 * Math.PI * 37 * i / n)) : rng.Next(-16000, 16000));
                var input = new byte[2 * inputLength];
                Buffer.BlockCopy(x, 0, input, 0, input.Length);
                var output = new byte[4 * (c + 1)];
                Rfft.Eval(input, 0, inputLength, n, factors, twRe, twIm, sRe, sIm, new short[c], new short[c], new short[c], new short[c], output, 0);
                double worst = 0;
                for (int k = 0; k <= c; k++)
                {
                    double re = 0, im = 0;
                    for (int t = 0; t < inputLength; t++) { re += x[t] * Math.Cos(2 * Math.PI * k * t / n); im -= x[t] * Math.Sin(2 * Math.PI * k * t / n); }
                    double dr = SignalMath.ReadInt16(output, 4 * k) - re * scale, di = SignalMath.ReadInt16(output, 4 * k + 2) - im * scale;
                    worst = Math.Max(worst, Math.Sqrt(dr * dr + di * di));
                }
                Assert.True(worst <= bound, $"n={n} trial {trial}: error {worst:F2} LSB exceeds the bound {bound:F2}");
            }
        }

        [Fact]
        public void Cast_is_cs_static_cast()
        {
            var src = new byte[8];
            void Run(int inType, int outType, long value, long expected)
            {
                for (int b = 0; b < 8; b++) src[b] = (byte)(value >> (8 * b));
                var dst = new byte[8];
                Cast.Eval(src, 0, inType, dst, 0, outType, 1);
                long got = outType switch
                {
                    Cast.Int8 => (sbyte)dst[0],
                    Cast.UInt8 => dst[0],
                    Cast.Int16 => BitConverter.ToInt16(dst, 0),
                    Cast.Int32 => BitConverter.ToInt32(dst, 0),
                    Cast.UInt32 => BitConverter.ToUInt32(dst, 0),
                    _ => BitConverter.ToInt64(dst, 0),
                };
                Assert.Equal(expected, got);
            }
            Run(Cast.Int32, Cast.Int8, 300, unchecked((sbyte)300));
            Run(Cast.Int32, Cast.Int8, -129, unchecked((sbyte)-129));
            Run(Cast.Int16, Cast.Int32, -5, -5);
            Run(Cast.UInt32, Cast.Int32, 0xFFFFFFF0L, unchecked((int)0xFFFFFFF0u));
            Run(Cast.Int32, Cast.UInt32, -1, 0xFFFFFFFFL);
            Run(Cast.UInt32, Cast.UInt64, 0xFFFFFFFFL, 0xFFFFFFFFL);
            Run(Cast.Int8, Cast.UInt64, -1, -1);
            Run(Cast.UInt8, Cast.Int16, 200, 200);
        }

        [Fact]
        public void Int32_arithmetic_broadcasts_and_follows_cpp()
        {
            int[] a = { 7, -7, int.MaxValue, int.MinValue, 100 };
            var ab = new byte[20];
            Buffer.BlockCopy(a, 0, ab, 0, 20);
            byte[] Run(int op, int b, int lo = int.MinValue, int hi = int.MaxValue)
            {
                var o = new byte[20];
                Int32Arithmetic.Eval(op, ab, 0, new[] { 5 }, BitConverter.GetBytes(b), 0, new int[0], o, 0, lo, hi);
                return o;
            }
            int[] R(byte[] o) => Enumerable.Range(0, 5).Select(i => BitConverter.ToInt32(o, 4 * i)).ToArray();
            Assert.Equal(new[] { 3, -3, int.MaxValue / 2, int.MinValue / 2, 50 }, R(Run(Int32Arithmetic.OpDiv, 2)));   // truncation toward 0
            Assert.Equal(new[] { -7, 7, -int.MaxValue, int.MinValue, -100 }, R(Run(Int32Arithmetic.OpDiv, -1)));
            Assert.Equal(new[] { 0, 0, 0, 0, 0 }, R(Run(Int32Arithmetic.OpDiv, 0)));
            Assert.Equal(new[] { 14, -14, unchecked(int.MaxValue * 2), 0, 200 }, R(Run(Int32Arithmetic.OpMul, 2)));
            Assert.Equal(new[] { 10, -4, unchecked(int.MaxValue + 3), int.MinValue + 3, 103 }, R(Run(Int32Arithmetic.OpAdd, 3)));
            Assert.Equal(new[] { 7, -7, 127, int.MinValue, 100 }, R(Run(Int32Arithmetic.OpMin, 127)));
            Assert.Equal(new[] { 7, -7, int.MaxValue, -128, 100 }, R(Run(Int32Arithmetic.OpMax, -128)));
            Assert.Equal(new[] { 6, 0, 6, 6, 6 }, R(Run(Int32Arithmetic.OpAdd, -1, 0, 6)));   // MinValue − 1 wraps to MaxValue
        }
    }
}
