using System;
using System.Collections.Generic;
using Edge.Runtime;
using Xunit;

namespace Edge.Esp32.HostTests
{
    /// <summary>SlidingWindow and Quantizer against independent, straightforward implementations.</summary>
    public class WindowQuantizationTests
    {
        /// <summary>Reference: TFLite's input quantization written with .NET's own rounding.</summary>
        private static int ReferenceQuantize(float x, float scale, int zp)
        {
            float q = x / scale;
            if (float.IsNaN(q)) return Math.Clamp(zp, -128, 127);
            double r = Math.Round((double)q, MidpointRounding.AwayFromZero) + zp;
            return (int)Math.Clamp(r, -128, 127);
        }

        [Theory]
        [InlineData(0.5f, 1f, 0, 1)]            // half away from zero
        [InlineData(-0.5f, 1f, 0, -1)]
        [InlineData(1.5f, 1f, 0, 2)]
        [InlineData(2.5f, 1f, 0, 3)]            // not banker's rounding
        [InlineData(-2.5f, 1f, 0, -3)]
        [InlineData(0.49999997f, 1f, 0, 0)]     // float32 0.49999997 + 0.5 would round up to 1
        [InlineData(1000f, 0.1f, 5, 127)]       // saturates
        [InlineData(-1000f, 0.1f, 5, -128)]
        [InlineData(0f, 0.0244801156f, -128, -128)]
        [InlineData(1.57f, 0.0244801156f, -128, -64)]
        [InlineData(float.NaN, 0.5f, 3, 3)]
        public void Quantizes_like_TFLite(float x, float scale, int zp, int expected)
        {
            Assert.Equal(expected, Quantizer.QuantizeInt8(x, scale, zp));
            Assert.Equal(expected, ReferenceQuantize(x, scale, zp));
        }

        [Fact]
        public void Quantizer_matches_the_reference_on_random_values()
        {
            var rng = new Random(1234);
            for (int i = 0; i < 200_000; i++)
            {
                float scale = (float)Math.Exp(rng.NextDouble() * 10 - 7);   // ~1e-3 .. 20
                int zp = rng.Next(-128, 128);
                float x = (float)((rng.NextDouble() * 2 - 1) * scale * 200);
                if (i % 7 == 0) x = (float)((Math.Floor(x / scale) + 0.5) * scale); // near ties
                Assert.True(ReferenceQuantize(x, scale, zp) == Quantizer.QuantizeInt8(x, scale, zp), $"x={x:R} scale={scale:R} zp={zp}");
            }
        }

        [SharedDataFact]
        public void Hello_world_inputs_in_the_shared_data_are_reproduced()
        {
            // ../shared/conformance: x in {0, 0.5, 1.57, 3.14, 6.0} quantized with the input's scale/zero point;
            // Quantizer must give the manifest's x_quantized and the input .npy byte.
            using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(System.IO.Path.Combine(Repo.CaseDir("hello_world_int8"), "manifest.json")));
            var input = doc.RootElement.GetProperty("input_tensors")[0];
            float scale = (float)input.GetProperty("scale").GetDouble();
            int zp = input.GetProperty("zero_point").GetInt32();
            int checkedCount = 0;
            foreach (var set in doc.RootElement.GetProperty("inputs").EnumerateArray())
            {
                if (!set.TryGetProperty("x", out var x) || !set.TryGetProperty("x_quantized", out var xq)) continue;
                int q = Quantizer.QuantizeInt8((float)x.GetDouble(), scale, zp);
                Assert.Equal(xq.GetInt32(), q);
                string file = System.IO.Path.Combine(Repo.CaseDir("hello_world_int8"), set.GetProperty("files")[0].GetString());
                Assert.Equal((sbyte)Npy.Read(file).Data[0], q);
                checkedCount++;
            }
            Assert.True(checkedCount > 0, "hello_world manifest has no x / x_quantized fields");
        }

        [Fact]
        public void Window_keeps_the_last_frames_oldest_first()
        {
            var rng = new Random(7);
            foreach (int channels in new[] { 1, 3, 6 })
                foreach (int frames in new[] { 1, 2, 5, 50 })
                {
                    var w = new SlidingWindow(frames, channels);
                    var reference = new List<float[]>();
                    var dst = new float[frames * channels];
                    for (int step = 0; step < frames * 3 + 1; step++)
                    {
                        var frame = new float[channels];
                        for (int c = 0; c < channels; c++) frame[c] = (float)rng.NextDouble();
                        w.Push(frame, 0);
                        reference.Add(frame);
                        if (reference.Count > frames) reference.RemoveAt(0);
                        Assert.Equal(reference.Count, w.Count);
                        Assert.Equal(reference.Count == frames, w.IsFull);
                        int n = w.CopyTo(dst, 0);
                        Assert.Equal(reference.Count * channels, n);
                        for (int f = 0; f < reference.Count; f++)
                            for (int c = 0; c < channels; c++)
                                Assert.Equal(reference[f][c], dst[f * channels + c]);
                    }
                    w.Clear();
                    Assert.Equal(0, w.Count);
                }
        }

        [Fact]
        public void Window_push_and_copy_allocate_nothing()
        {
            var w = new SlidingWindow(50, 3);
            var frame = new float[] { 1, 2, 3 };
            var dst = new float[150];
            w.Push(frame, 0);
            w.CopyTo(dst, 0);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 500; i++) { w.Push(frame, 0); w.CopyTo(dst, 0); }
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        }

        [Fact]
        public void QuantizeInto_writes_int8_with_the_tensor_parameters()
        {
            var t = new TensorInfo { Type = DType.Int8, Shape = new[] { 1, 4 }, ElementCount = 4, SizeBytes = 4, Scales = new[] { 0.25f }, ZeroPoints = new[] { -3 } };
            var dst = new byte[6];
            Quantizer.QuantizeInto(new[] { 0f, 1f, -0.125f, 100f }, 4, t, dst, 2);
            Assert.Equal(new sbyte[] { 0, 0, -3, 1, -4, 127 }, Array.ConvertAll(dst, b => (sbyte)b));
            var u8 = new TensorInfo { Type = DType.UInt8, Shape = new[] { 1 }, ElementCount = 1, SizeBytes = 1, Scales = new[] { 1f }, ZeroPoints = new[] { 0 } };
            Assert.Throws<ArgumentException>(() => Quantizer.QuantizeInto(new[] { 0f }, 1, u8, dst, 0));
        }

        [Fact]
        public void Dequantize_is_the_inverse_affine_map()
        {
            Assert.Equal(0f, Quantizer.Dequantize(5, 0.1f, 5));
            Assert.Equal(1.25f, Quantizer.Dequantize(2, 0.25f, -3));
        }
    }
}
