using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Cli;
using Edge.Converter.Conversion;
using Edge.Converter.Format;
using Edge.Converter.Ir;
using Edge.Converter.Planner;
using Edge.Kernels.Simd;
using Edge.Pi.Cli;
using Edge.Pi.Devices;
using Edge.Pi.Linux;
using Edge.Pi.Pipelines;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Pi
{
    /// <summary>
    /// A straightforward implementation of the documented preprocessing, written pixel by pixel from the
    /// definitions (no precomputed maps, doubles where the runtime uses integer tricks) — the oracle for
    /// <see cref="Preprocessor"/>.
    /// </summary>
    internal static class ReferencePreprocess
    {
        public static (int X, int Y, int W, int H) Crop(int w, int h, int outW, int outH)
        {
            // The largest window of aspect outW:outH that fits, centred (odd margin pixel right/bottom).
            int cw = (int)Math.Min(w, (long)h * outW / outH);
            int ch = (int)Math.Min(h, (long)w * outH / outW);
            cw = Math.Max(cw, 1); ch = Math.Max(ch, 1);
            return ((w - cw) / 2, (h - ch) / 2, cw, ch);
        }

        public static int Clamp(double v) => v < 0 ? 0 : v > 255 ? 255 : (int)v;

        /// <summary>BT.601 limited range, 8.8 fixed-point coefficients, floor of (x + 128) / 256.</summary>
        public static (int R, int G, int B) Rgb(int y, int u, int v)
        {
            double c = 298.0 * (y - 16), d = u - 128, e = v - 128;
            return (Clamp(Math.Floor((c + 409 * e + 128) / 256)),
                    Clamp(Math.Floor((c - 100 * d - 208 * e + 128) / 256)),
                    Clamp(Math.Floor((c + 516 * d + 128) / 256)));
        }

        /// <summary>Channel values (1 or 3) of source pixel (x, y).</summary>
        public static int[] Pixel(byte[] f, int stride, PixelFormat fmt, int channels, int x, int y)
        {
            if (fmt == PixelFormat.Grey)
            {
                int g = f[y * stride + x];
                return channels == 1 ? new[] { g } : new[] { g, g, g };
            }
            int pair = y * stride + (x / 2) * 4;       // Y0 U Y1 V
            int luma = f[pair + (x % 2 == 0 ? 0 : 2)], u = f[pair + 1], v = f[pair + 3];
            if (channels == 1) return new[] { luma };
            var (r, gg, b) = Rgb(luma, u, v);
            return new[] { r, gg, b };
        }

        public static int RoundHalfAway(double x) => (int)(Math.Sign(x) * Math.Floor(Math.Abs(x) + 0.5));

        public static int Quantize(int v, double lo, double hi, float scale, int zp, int qmin = -128, int qmax = 127)
        {
            double real = lo + (hi - lo) * v / 255.0;
            int q = RoundHalfAway(real / scale) + zp;
            return Math.Clamp(q, qmin, qmax);
        }

        public static byte[] Run(byte[] frame, int w, int h, int stride, PixelFormat fmt, int outW, int outH, int channels,
            ResizeMode mode, Func<int, int> quantize)
        {
            var (x0, y0, cw, ch) = Crop(w, h, outW, outH);
            var output = new byte[outW * outH * channels];
            for (int dy = 0; dy < outH; dy++)
                for (int dx = 0; dx < outW; dx++)
                {
                    int[] value;
                    if (mode == ResizeMode.Nearest)
                    {
                        int sx = x0 + (int)Math.Floor((dx + 0.5) * cw / outW);
                        int sy = y0 + (int)Math.Floor((dy + 0.5) * ch / outH);
                        value = Pixel(frame, stride, fmt, channels, sx, sy);
                    }
                    else
                    {
                        int bx0 = x0 + dx * cw / outW, bx1 = Math.Max(x0 + (dx + 1) * cw / outW, bx0 + 1);
                        int by0 = y0 + dy * ch / outH, by1 = Math.Max(y0 + (dy + 1) * ch / outH, by0 + 1);
                        var sums = new long[channels];
                        for (int sy = by0; sy < by1; sy++)
                            for (int sx = bx0; sx < bx1; sx++)
                            {
                                var p = Pixel(frame, stride, fmt, channels, sx, sy);
                                for (int c = 0; c < channels; c++) sums[c] += p[c];
                            }
                        int n = (bx1 - bx0) * (by1 - by0);
                        value = sums.Select(s => (int)Math.Floor(s / (double)n + 0.5)).ToArray();
                    }
                    for (int c = 0; c < channels; c++) output[(dy * outW + dx) * channels + c] = (byte)quantize(value[c]);
                }
            return output;
        }
    }

    /// <summary>Small image classifiers built through the converter IR, so the pipeline tests run without shared data.</summary>
    internal static class CameraTestModels
    {
        /// <summary>
        /// input [1,H,W,C] int8 (scale 1/255, zp −128: the default [0, 1] range maps pixel v to q = v − 128) →
        /// CONV_2D with an H×W×C filter, VALID → [1,1,1,2] → RESHAPE [1,2]. Channel 1 sums the pixels, channel 0
        /// their negation: a bright frame scores class 1, a black frame ties at 0 and argmax picks class 0.
        /// </summary>
        public static EdgeGraph Graph(int h, int w, int c)
        {
            int n = h * w * c;
            var g = new EdgeGraph();
            int input = g.AddTensor(new EdgeTensor { Name = "image", DType = DType.Int8, Shape = new[] { 1, h, w, c }, Scales = new[] { 1f / 255f }, ZeroPoints = new[] { -128 } });
            var weights = new byte[2 * n];
            for (int i = 0; i < n; i++) { weights[i] = unchecked((byte)(sbyte)-1); weights[n + i] = 1; }
            int filter = g.AddTensor(new EdgeTensor { Name = "filter", DType = DType.Int8, Shape = new[] { 2, h, w, c }, Scales = new[] { 0.01f, 0.01f }, ZeroPoints = new[] { 0, 0 }, QuantizedDimension = 0, Data = weights });
            // folded bias = bias − input_zp·Σw = 128·Σw
            int bias = g.AddTensor(new EdgeTensor { Name = "bias_folded", DType = DType.Int32, Shape = new[] { 2 }, Data = Ints(-128 * n, 128 * n) });
            int conv = g.AddTensor(new EdgeTensor { Name = "conv", DType = DType.Int8, Shape = new[] { 1, 1, 1, 2 }, Scales = new[] { 0.05f }, ZeroPoints = new[] { 0 } });
            int output = g.AddTensor(new EdgeTensor { Name = "scores", DType = DType.Int8, Shape = new[] { 1, 2 }, Scales = new[] { 0.05f }, ZeroPoints = new[] { 0 } });
            g.Inputs.Add(input);
            g.Outputs.Add(output);
            int shift = -(int)Math.Ceiling(Math.Log2(n * 255.0 / 127)) ;   // keeps |acc · 2^(shift−1)| within int8
            g.Ops.Add(new EdgeOp
            {
                Type = OpType.Conv2D, Inputs = new[] { input, filter, bias }, Outputs = new[] { conv },
                Options = new Conv2DOptions
                {
                    InputZeroPoint = -128, OutputZeroPoint = 0, ActMin = -128, ActMax = 127,
                    OutputMultiplier = new[] { 1 << 30, 1 << 30 }, OutputShift = new[] { shift + 1, shift + 1 },
                },
                Macs = 2L * n,
            });
            g.Ops.Add(new EdgeOp { Type = OpType.Reshape, Inputs = new[] { conv }, Outputs = new[] { output } });
            g.Metadata = new EdgeMetadata { SourceFormat = "tflite", SourceFile = "camera test model", SourceSha256 = new string('0', 64), ConverterVersion = "test", Macs = 2L * n };
            g.Metadata.OpCounts.Add(new KeyValuePair<OpType, int>(OpType.Conv2D, 1));
            g.Metadata.OpCounts.Add(new KeyValuePair<OpType, int>(OpType.Reshape, 1));
            MemoryPlanner.Plan(g);
            return g;
        }

        public static byte[] Bytes(int h, int w, int c) => EdgeWriter.Write(Graph(h, w, c));

        /// <summary>The same model with an embedded self-test over <paramref name="input"/>; <paramref name="corrupt"/> flips one stored output byte.</summary>
        public static byte[] WithSelfTest(int h, int w, int c, byte[] input, bool corrupt)
        {
            var m = EdgeModel.Load(Bytes(h, w, c));
            var it = new Interpreter(m, new byte[m.ArenaBytes]);
            it.SetInput(0, input, 0);
            it.Invoke();
            var outBytes = new byte[m.Output(0).SizeBytes];
            it.GetOutput(0, outBytes, 0);
            if (corrupt) outBytes[1] ^= 0x10;
            var g = Graph(h, w, c);
            g.SelfTest = new EdgeSelfTest();
            g.SelfTest.Inputs.Add(input);
            g.SelfTest.Outputs.Add(outBytes);
            return EdgeWriter.Write(g);
        }

        private static byte[] Ints(params int[] v)
        {
            var b = new byte[v.Length * 4];
            for (int i = 0; i < v.Length; i++) BitConverter.GetBytes(v[i]).CopyTo(b, 4 * i);
            return b;
        }

        public static string TempFile(byte[] bytes, string name)
        {
            string dir = Path.Combine(Path.GetTempPath(), "edge-pi-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            string p = Path.Combine(dir, name);
            File.WriteAllBytes(p, bytes);
            return p;
        }

        /// <summary>A frame of one value everywhere (YUYV: Y = value, U = V = 128).</summary>
        public static byte[] Flat(int w, int h, PixelFormat fmt, byte luma)
        {
            if (fmt == PixelFormat.Grey) return Enumerable.Repeat(luma, w * h).ToArray();
            var f = new byte[w * h * 2];
            for (int i = 0; i < f.Length; i += 2) { f[i] = luma; f[i + 1] = 128; }
            return f;
        }
    }

    public class PreprocessTests
    {
        public static IEnumerable<object[]> Cases()
        {
            var frames = new (int W, int H)[] { (320, 240), (64, 48), (50, 37), (322, 241), (18, 91), (96, 96), (10, 6), (2, 1) };
            var outs = new (int W, int H, int C)[] { (96, 96, 1), (96, 96, 3), (40, 30, 3), (7, 13, 1), (33, 17, 3) };
            int i = 0;
            foreach (var f in frames)
                foreach (var o in outs)
                    foreach (var fmt in new[] { PixelFormat.Grey, PixelFormat.Yuyv })
                    {
                        if (fmt == PixelFormat.Yuyv && (f.W & 1) != 0) continue;
                        if (f.W * f.H > 20000 && o.W * o.H > 5000 && fmt == PixelFormat.Grey && o.C == 3) continue; // keep the run short
                        int pad = (i++ % 3) * 7;        // tight rows, and rows padded with 7 or 14 bytes
                        foreach (var mode in new[] { ResizeMode.Nearest, ResizeMode.Area })
                            yield return new object[] { f.W, f.H, fmt, pad, o.W, o.H, o.C, mode };
                    }
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void PreprocessingMatchesTheIndependentImplementation(int w, int h, PixelFormat fmt, int pad, int outW, int outH, int channels, ResizeMode mode)
        {
            int stride = w * (fmt == PixelFormat.Yuyv ? 2 : 1) + pad;
            uint seed = (uint)(w * 7919 + h * 31 + outW * 17 + outH + channels + pad);
            byte[] frame = SimulatedFrameSource.RandomFrame(w, h, fmt, seed, stride);
            var q = new InputQuantizer(0.0123f, 5, InputRange.Symmetric);
            var pre = new Preprocessor(w, h, stride, fmt, outW, outH, channels, mode, q);
            var got = new byte[outW * outH * channels];
            pre.Run(frame, got);

            byte[] want = ReferencePreprocess.Run(frame, w, h, stride, fmt, outW, outH, channels, mode,
                v => ReferencePreprocess.Quantize(v, -1, 1, 0.0123f, 5));
            var crop = ReferencePreprocess.Crop(w, h, outW, outH);
            Assert.Equal(crop, (pre.CropX, pre.CropY, pre.CropWidth, pre.CropHeight));
            Assert.Equal(want, got);

            // The last row needs no padding: the frame cut to its minimal size gives the same bytes.
            var cut = frame.AsSpan(0, pre.MinFrameBytes);
            var again = new byte[got.Length];
            pre.Run(cut, again);
            Assert.Equal(got, again);
        }

        [Fact]
        public void TheCropIsTheLargestCentredWindowOfTheModelsAspect()
        {
            Assert.Equal((40, 0, 240, 240), Preprocessor.CenterCrop(320, 240, 96, 96));
            Assert.Equal((0, 30, 320, 180), Preprocessor.CenterCrop(320, 240, 16, 9));
            Assert.Equal((0, 0, 640, 480), Preprocessor.CenterCrop(640, 480, 4, 3));
            Assert.Equal((0, 45, 91, 91), Preprocessor.CenterCrop(91, 181, 5, 5));   // margin 90 → 45 / 45
            Assert.Equal((0, 45, 91, 92), Preprocessor.CenterCrop(91, 182, 91, 92));
        }

        [Fact]
        public void TheIntegerYuvConversionIsBt601LimitedRangeWithinOneStep()
        {
            // Against the floating-point BT.601 studio-swing matrix (Y 16..235, Cb/Cr 16..240).
            int worst = 0;
            for (int y = 16; y <= 235; y += 3)
                for (int u = 16; u <= 240; u += 4)
                    for (int v = 16; v <= 240; v += 4)
                    {
                        Preprocessor.YuvToRgb(y, u, v, out int r, out int g, out int b);
                        var (rr, gg, bb) = ReferencePreprocess.Rgb(y, u, v);
                        Assert.Equal((rr, gg, bb), (r, g, b));
                        double fy = 1.164383 * (y - 16);
                        int fr = ReferencePreprocess.Clamp(Math.Round(fy + 1.596027 * (v - 128)));
                        int fg = ReferencePreprocess.Clamp(Math.Round(fy - 0.391762 * (u - 128) - 0.812968 * (v - 128)));
                        int fb = ReferencePreprocess.Clamp(Math.Round(fy + 2.017232 * (u - 128)));
                        worst = Math.Max(worst, Math.Max(Math.Abs(fr - r), Math.Max(Math.Abs(fg - g), Math.Abs(fb - b))));
                    }
            Assert.InRange(worst, 0, 1);
            Preprocessor.YuvToRgb(16, 128, 128, out int r0, out int g0, out int b0);
            Assert.Equal((0, 0, 0), (r0, g0, b0));
            Preprocessor.YuvToRgb(235, 128, 128, out int r1, out int g1, out int b1);
            Assert.Equal((255, 255, 255), (r1, g1, b1));
        }

        public static IEnumerable<object[]> QuantizerCases() => new[]
        {
            new object[] { 1f / 255f, -128, 0.0, 1.0, DType.Int8 },
            new object[] { 0.007843137718737125f, -1, -1.0, 1.0, DType.Int8 },   // person_detect's input
            new object[] { 0.007843137718737125f, -1, 0.0, 1.0, DType.Int8 },
            new object[] { 0.02f, 3, 0.0, 1.0, DType.Int8 },                     // clamps at 127
            new object[] { 2f, 0, 0.0, 255.0, DType.Int8 },                      // real/scale = v/2 exactly: .5 ties
            new object[] { 2f, 0, -255.0, 255.0, DType.Int8 },                   // real/scale = v − 127.5 exactly: negative ties
            new object[] { 0.5f, -128, 0.0, 255.0, DType.Int8 },                 // clamps at 127 from v = 128
            new object[] { 1f / 255f, 0, 0.0, 1.0, DType.UInt8 },
            new object[] { 0.1f, 100, -3.0, 5.0, DType.UInt8 },
        };

        [Theory]
        [MemberData(nameof(QuantizerCases))]
        public void TheTableEqualsTheScalarFormulaForAll256Values(float scale, int zp, double lo, double hi, DType type)
        {
            var q = new InputQuantizer(scale, zp, new InputRange(lo, hi), type);
            int qmin = type == DType.Int8 ? -128 : 0, qmax = type == DType.Int8 ? 127 : 255;
            for (int v = 0; v < 256; v++)
            {
                int want = ReferencePreprocess.Quantize(v, lo, hi, scale, zp, qmin, qmax);
                int got = type == DType.Int8 ? (sbyte)q.Table[v] : q.Table[v];
                Assert.True(want == got, $"v={v}: table {got}, formula {want}");
                Assert.Equal(want, q.Quantize(v));
                // and the defining property: the nearest integer to real/scale + zp, unless clamped
                double x = (lo + (hi - lo) * v / 255.0) / scale + zp;
                if (got > qmin && got < qmax) Assert.InRange(x - got, -0.5, 0.5);
                else if (got == qmin) Assert.True(x <= qmin + 0.5);
                else Assert.True(x >= qmax - 0.5);
            }
        }

        [Fact]
        public void HalfWayValuesRoundAwayFromZero()
        {
            // Ranges and a scale chosen so that real/scale is an exact binary fraction.
            var q = new InputQuantizer(2f, 0, new InputRange(0, 255));            // real = v, real/scale = v/2
            Assert.Equal(1, (sbyte)q.Table[1]);   // 0.5 → 1
            Assert.Equal(2, (sbyte)q.Table[3]);   // 1.5 → 2
            var s = new InputQuantizer(2f, 0, new InputRange(-255, 255));         // real/scale = v − 127.5
            Assert.Equal(-1, (sbyte)s.Table[127]); // −0.5 → −1
            Assert.Equal(1, (sbyte)s.Table[128]);  // 0.5 → 1
        }

        [Theory]
        [InlineData(0.007843137718737125f, -1, DType.Int8)]
        [InlineData(1f / 255f, -128, DType.Int8)]
        [InlineData(0.0371f, 17, DType.Int8)]
        [InlineData(0.0371f, 17, DType.UInt8)]
        public void TheTensorRangeMapsPixelsOntoTheWholeQuantizedRange(float scale, int zp, DType type)
        {
            var q = new InputQuantizer(scale, zp, InputRange.TensorRange, type);
            for (int v = 0; v < 256; v++)
                Assert.Equal(type == DType.Int8 ? v - 128 : v, type == DType.Int8 ? (sbyte)q.Table[v] : q.Table[v]);
        }

        [Fact]
        public void InputRangesParse()
        {
            Assert.Equal((0.0, 1.0), (InputRange.Parse("0,1").Lo, InputRange.Parse("0,1").Hi));
            Assert.Equal((-1.0, 1.0), (InputRange.Parse("-1,1").Lo, InputRange.Parse("-1,1").Hi));
            Assert.True(InputRange.Parse("tensor").IsTensorRange);
            Assert.Throws<FormatException>(() => InputRange.Parse("1,0"));
            Assert.Throws<FormatException>(() => InputRange.Parse("abc"));
        }
    }

    public class CameraPipelineTests
    {
        private static Interpreter NewInterpreter(byte[] model, string kernels = "reference")
        {
            var m = CameraModel.Load(model, kernels, out _);
            return new Interpreter(m, new byte[m.ArenaBytes]);
        }

        [Theory]
        [InlineData(PixelFormat.Yuyv, 3, ResizeMode.Area, "reference")]
        [InlineData(PixelFormat.Yuyv, 1, ResizeMode.Nearest, "auto")]
        [InlineData(PixelFormat.Grey, 1, ResizeMode.Area, "auto")]
        [InlineData(PixelFormat.Grey, 3, ResizeMode.Nearest, "reference")]
        public void EachFrameBecomesTheIndependentlyPreprocessedInputAndTheModelsOutput(PixelFormat fmt, int channels, ResizeMode mode, string kernels)
        {
            byte[] model = CameraTestModels.Bytes(12, 16, channels);
            var it = NewInterpreter(model, kernels);
            var source = new SimulatedFrameSource(62, 40, fmt, seed: 77, stride: (fmt == PixelFormat.Yuyv ? 124 : 62) + 6);
            var oracleSource = new SimulatedFrameSource(62, 40, fmt, seed: 77, stride: source.Stride);
            var pipeline = new CameraPipeline(it, source, mode, InputRange.Unit);
            var reference = NewInterpreter(model);
            var outBytes = new byte[2];
            for (int f = 1; f <= 5; f++)
            {
                pipeline.Prepare();
                byte[] inputSeen = pipeline.InputBytes.ToArray();
                CameraResult r = pipeline.Infer();
                byte[] frame = oracleSource.Capture().ToArray();
                byte[] input = ReferencePreprocess.Run(frame, 62, 40, source.Stride, fmt, 16, 12, channels, mode,
                    v => ReferencePreprocess.Quantize(v, 0, 1, 1f / 255f, -128));
                Assert.Equal(input, inputSeen);
                reference.SetInput(0, input, 0);
                reference.Invoke();
                reference.GetOutput(0, outBytes, 0);
                Assert.Equal(outBytes, pipeline.OutputBytes.ToArray());
                float s0 = (sbyte)outBytes[0] * 0.05f, s1 = (sbyte)outBytes[1] * 0.05f;
                Assert.Equal(s1 > s0 ? 1 : 0, r.Label);
                Assert.Equal(Math.Max(s0, s1), r.Score);
                Assert.Equal(f, r.Frame);
                Assert.Equal(r.Label == 1 ? "class 1" : "class 0", r.LabelName);
            }
        }

        [Fact]
        public void TheLedFollowsTheChosenLabelAndIsWrittenOnlyWhenItChanges()
        {
            byte[] model = CameraTestModels.Bytes(6, 8, 1);
            var frames = new[] { 0, 200, 0, 200, 200, 0, 0, 255 }
                .Select(v => CameraTestModels.Flat(32, 24, PixelFormat.Yuyv, (byte)v)).ToArray();
            var source = new SimulatedFrameSource(32, 24, PixelFormat.Yuyv, 0, frames);
            var led = new SimulatedGpioOutput();
            var pipeline = new CameraPipeline(NewInterpreter(model), source, ResizeMode.Area, InputRange.Unit, new[] { "no_person", "person" }, led);
            Assert.Equal(new[] { false }, led.Writes);   // off at start
            var labels = new List<string>();
            var ledStates = new List<bool>();
            for (int i = 0; i < frames.Length; i++)
            {
                var r = pipeline.Step();
                labels.Add(r.LabelName);
                ledStates.Add(r.LedOn);
                Assert.Equal(r.LabelName == "person", led.Value);
            }
            Assert.Equal(new[] { "no_person", "person", "no_person", "person", "person", "no_person", "no_person", "person" }, labels);
            Assert.Equal(labels.Select(l => l == "person"), ledStates);
            Assert.Equal(new[] { false, true, false, true, false, true }, led.Writes);
        }

        [Fact]
        public void AnLedLabelThatIsNotALabelIsRejected()
        {
            var source = new SimulatedFrameSource(32, 24, PixelFormat.Grey);
            var e = Assert.Throws<ArgumentException>(() => new CameraPipeline(NewInterpreter(CameraTestModels.Bytes(6, 8, 1)), source,
                ResizeMode.Area, InputRange.Unit, new[] { "a", "b" }, new SimulatedGpioOutput(), "person"));
            Assert.Contains("'person'", e.Message);
        }

        [Theory]
        [InlineData("reference", PixelFormat.Yuyv, 3, ResizeMode.Area)]
        [InlineData("auto", PixelFormat.Yuyv, 3, ResizeMode.Nearest)]
        [InlineData("auto", PixelFormat.Grey, 1, ResizeMode.Area)]
        [InlineData("portable", PixelFormat.Grey, 3, ResizeMode.Nearest)]
        public void NothingIsAllocatedPerFrameInTheSteadyState(string kernels, PixelFormat fmt, int channels, ResizeMode mode)
        {
            var source = new SimulatedFrameSource(320, 240, fmt, seed: 5);
            var led = new SimulatedGpioOutput();
            var pipeline = new CameraPipeline(NewInterpreter(CameraTestModels.Bytes(24, 32, channels), kernels), source, mode, InputRange.Unit,
                new[] { "no_person", "person" }, led);
            for (int i = 0; i < 20; i++) pipeline.Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++) pipeline.Step();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(70, source.Captures);
            Assert.True(allocated == 0, $"{allocated} bytes allocated over 50 frames");
        }

        // ---- the real person_detect model (../shared/conformance): the pipeline reproduces TFLite Micro's bytes ----

        private static NpyArray Case(string file) => Npy.Read(Path.Combine(TestModels.CaseDir("person_detect"), file));

        /// <summary>
        /// A 96×96 image stored as int8 tensor bytes becomes camera pixels v = q + 128; with the "tensor" input
        /// range (q = v − 128, TFLM's person_detection feeding) the pipeline must hand the model exactly the
        /// conformance input, so the output must be exactly TFLite Micro's expected output.
        /// </summary>
        private static byte[] Pixels(byte[] tensor) => tensor.Select(b => (byte)((sbyte)b + 128)).ToArray();

        /// <summary>The image scaled up 2× (pixel doubling) into the centre of a W×H frame with random borders.</summary>
        private static byte[] Embed(byte[] pixels96, int w, int h, PixelFormat fmt, uint seed)
        {
            int bpp = fmt == PixelFormat.Yuyv ? 2 : 1, stride = w * bpp;
            byte[] frame = SimulatedFrameSource.RandomFrame(w, h, fmt, seed);
            int x0 = (w - 192) / 2, y0 = (h - 192) / 2;
            for (int y = 0; y < 192; y++)
                for (int x = 0; x < 192; x++)
                    frame[(y0 + y) * stride + (x0 + x) * bpp] = pixels96[(y / 2) * 96 + x / 2];
            return frame;
        }

        [SharedDataFact]
        public void PersonDetectThroughTheCameraPipelineGivesTfliteMicrosExactOutputs()
        {
            byte[] model = TestModels.EdgeBytes("person_detect");
            var person = Case("inputs/person_in0.npy").Data;
            var noPerson = Case("inputs/no_person_in0.npy").Data;
            var personOut = Case("expected/person_out0.npy").Data;
            var noPersonOut = Case("expected/no_person_out0.npy").Data;
            var labels = new[] { "no_person", "person" };

            foreach (var kernels in new[] { "reference", "auto" })
                foreach (var mode in new[] { ResizeMode.Nearest, ResizeMode.Area })
                {
                    // 1) a 96×96 GREY camera: crop and resize are the identity
                    var grey = new SimulatedFrameSource(96, 96, PixelFormat.Grey, 0, Pixels(person), Pixels(noPerson), Pixels(person));
                    var led = new SimulatedGpioOutput();
                    var p = new CameraPipeline(NewInterpreter(model, kernels), grey, mode, InputRange.TensorRange, labels, led);
                    p.Prepare();
                    Assert.Equal(person, p.InputBytes.ToArray());
                    var r = p.Infer();
                    Assert.Equal(personOut, p.OutputBytes.ToArray());
                    Assert.Equal("person", r.LabelName);
                    Assert.Equal(((sbyte)personOut[1] + 128) * 0.00390625f, r.Score);
                    r = p.Step();
                    Assert.Equal(noPersonOut, p.OutputBytes.ToArray());
                    Assert.Equal("no_person", r.LabelName);
                    r = p.Step();
                    Assert.Equal("person", r.LabelName);
                    Assert.Equal(new[] { false, true, false, true }, led.Writes);

                    // 2) a 256×192 YUYV camera: centre crop 192×192, 2× down (both modes pick/average duplicated pixels)
                    var yuyv = new SimulatedFrameSource(256, 192, PixelFormat.Yuyv, 0,
                        Embed(Pixels(noPerson), 256, 192, PixelFormat.Yuyv, 3), Embed(Pixels(person), 256, 192, PixelFormat.Yuyv, 4));
                    p = new CameraPipeline(NewInterpreter(model, kernels), yuyv, mode, InputRange.TensorRange, labels);
                    Assert.Equal((32, 0, 192, 192), (p.Preprocessor.CropX, p.Preprocessor.CropY, p.Preprocessor.CropWidth, p.Preprocessor.CropHeight));
                    p.Prepare();
                    Assert.Equal(noPerson, p.InputBytes.ToArray());
                    Assert.Equal("no_person", p.Infer().LabelName);
                    Assert.Equal(noPersonOut, p.OutputBytes.ToArray());
                    Assert.Equal("person", p.Step().LabelName);
                    Assert.Equal(personOut, p.OutputBytes.ToArray());
                }
        }

        [SharedDataFact]
        public void PersonDetectAllocatesNothingPerFrame()
        {
            var source = new SimulatedFrameSource(320, 240, PixelFormat.Yuyv, seed: 9);
            var pipeline = new CameraPipeline(NewInterpreter(TestModels.EdgeBytes("person_detect"), "auto"), source, ResizeMode.Area,
                InputRange.TensorRange, new[] { "no_person", "person" }, new SimulatedGpioOutput());
            for (int i = 0; i < 10; i++) pipeline.Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++) pipeline.Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    public class PiVerbTests : IDisposable
    {
        private readonly List<string> _temp = new();

        /// <summary>Writes a model to a fresh temporary folder, removed after the test.</summary>
        private string Temp(byte[] bytes, string name)
        {
            string p = CameraTestModels.TempFile(bytes, name);
            _temp.Add(Path.GetDirectoryName(p));
            return p;
        }

        public void Dispose()
        {
            foreach (var d in _temp) try { Directory.Delete(d, true); } catch (IOException) { }
        }

        private static (int Code, string Out, string Err) Run(DeviceFactory factory, params string[] args)
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int code;
            if (factory == null) code = Edge.Pi.Cli.Program.Run(args, o, e);
            else using (DeviceFactory.Override(factory)) code = Edge.Pi.Cli.Program.Run(args, o, e);
            return (code, o.ToString(), e.ToString());
        }

        [Fact]
        public void CameraRunsFramesFromTheInjectedDevicesAndDrivesTheLed()
        {
            string model = Temp(CameraTestModels.Bytes(6, 8, 3), "bright.edge");
            var frames = new[] { 0, 180, 180, 0, 255 }.Select(v => CameraTestModels.Flat(64, 48, PixelFormat.Yuyv, (byte)v)).ToArray();
            SimulatedFrameSource camera = null;
            var led = new SimulatedGpioOutput();
            var factory = new SimulatedDeviceFactory
            {
                Camera = (path, w, h, fmt) => camera = new SimulatedFrameSource(w, h, fmt, 0, frames),
                Gpio = spec => led,
            };
            var (code, stdout, stderr) = Run(factory, "camera", "--model", model, "--width", "64", "--height", "48", "--frames", "5",
                "--gpio-led", "gpiochip0:17", "--labels", "dark,bright", "--led-label", "bright", "--kernels", "reference");
            Assert.True(code == 0, stderr);
            Assert.Equal(new[] { "camera /dev/video0 64x48 Yuyv", "gpio gpiochip0:17" }, factory.Opened.OrderBy(s => s));
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("camera /dev/video0: 64x48 YUYV, crop 64x48 at (0,0), area resize → input [1, 6, 8, 3] int8", lines[0]);
            var frameLines = lines.Where(l => l.StartsWith("frame ", StringComparison.Ordinal)).ToArray();
            Assert.Equal(5, frameLines.Length);
            string[] expected = { "dark", "bright", "bright", "dark", "bright" };
            for (int i = 0; i < 5; i++)
            {
                Assert.StartsWith($"frame {i + 1}: {expected[i]} ", frameLines[i]);
                Assert.Contains(" ms, inference ", frameLines[i]);
                Assert.EndsWith(expected[i] == "bright" ? "led on" : "led off", frameLines[i].TrimEnd());
            }
            Assert.Matches(@"^5 frames in [0-9.]+ s: [0-9.]+ fps; p50 preprocess [0-9.]+ ms, p50 inference [0-9.]+ ms, p50 latency [0-9.]+ ms \(kernels: reference\)", lines[^1]);
            Assert.Equal(new[] { false, true, false, true, false }, led.Writes);   // off, on, off, on, off at exit
            Assert.True(led.Disposed);
            Assert.True(camera.Disposed);
            Assert.Equal(5, camera.Captures);
        }

        [Fact]
        public void CameraOnGreyWithoutAnLed()
        {
            string model = Temp(CameraTestModels.Bytes(12, 12, 1), "grey.edge");
            var factory = new SimulatedDeviceFactory { Camera = (path, w, h, fmt) => new SimulatedFrameSource(w, h, fmt, seed: 3) };
            var (code, stdout, stderr) = Run(factory, "camera", "--model", model, "--device", "/dev/video2", "--format", "grey",
                "--resize", "nearest", "--frames", "3", "--input-range", "tensor");
            Assert.True(code == 0, stderr);
            Assert.Equal(new[] { "camera /dev/video2 320x240 Grey" }, factory.Opened);
            Assert.Contains("crop 240x240 at (40,0), nearest resize", stdout);
            Assert.Contains("pixels 0..255 → [0, 1]", stdout);   // (−128 − zp)·scale … (127 − zp)·scale with scale 1/255, zp −128
            Assert.Equal(3, stdout.Split('\n').Count(l => l.StartsWith("frame ", StringComparison.Ordinal)));
        }

        [Theory]
        [InlineData(new[] { "camera" }, "--model is required")]
        [InlineData(new[] { "camera", "--model", "M.edge", "--frames", "-1" }, "--frames -1")]
        [InlineData(new[] { "camera", "--model", "M.edge", "--format", "rgb" }, "--format rgb")]
        [InlineData(new[] { "camera", "--model", "M.edge", "--bogus", "1" }, "unknown option --bogus")]
        [InlineData(new[] { "camera", "--model", "M.edge", "--input-range", "1,0" }, "input range '1,0'")]
        [InlineData(new[] { "selftest" }, "--model is required")]
        public void UsageErrorsExitOne(string[] args, string message)
        {
            var (code, _, stderr) = Run(new SimulatedDeviceFactory(), args);
            Assert.Equal(1, code);
            Assert.Contains(message, stderr);
        }

        [Fact]
        public void BadKernelsAndBadGpioSpecsAreUsageErrors()
        {
            string model = Temp(CameraTestModels.Bytes(6, 8, 1), "m.edge");
            var f = new SimulatedDeviceFactory { Camera = (p, w, h, fmt) => new SimulatedFrameSource(w, h, fmt), Gpio = s => new SimulatedGpioOutput() };
            var (code, _, stderr) = Run(f, "camera", "--model", model, "--kernels", "sse9");
            Assert.Equal(1, code);
            Assert.Contains("unknown kernel set 'sse9'", stderr);
            (code, _, stderr) = Run(f, "camera", "--model", model, "--gpio-led", "17", "--frames", "1");
            Assert.Equal(1, code);
            Assert.Contains("expected CHIP:LINE", stderr);
        }

        [Fact]
        public void DeviceErrorsExitTwo()
        {
            string model = Temp(CameraTestModels.Bytes(6, 8, 1), "m.edge");
            var (code, _, stderr) = Run(new SimulatedDeviceFactory(), "camera", "--model", model, "--frames", "1");
            Assert.Equal(2, code);
            Assert.Contains("no simulated camera", stderr);
            (code, _, stderr) = Run(new SimulatedDeviceFactory(), "camera", "--model", model + ".missing", "--frames", "1");
            Assert.Equal(2, code);
            Assert.Contains("no such file", stderr);
        }

        [Linux64Fact]
        public void TheDefaultFactoryOpensTheRealV4l2Device()
        {
            // No override: the Linux V4L2 source is used; /dev/null is not a camera.
            string model = Temp(CameraTestModels.Bytes(6, 8, 1), "m.edge");
            var (code, _, stderr) = Run(null, "camera", "--model", model, "--device", "/dev/null", "--frames", "1");
            Assert.Equal(2, code);
            Assert.Contains("/dev/null: VIDIOC_QUERYCAP", stderr);
            Assert.Contains("Inappropriate ioctl for device", stderr);
        }

        [Fact]
        public void SelfTestPassesFailsOrReportsItsAbsence()
        {
            var input = Enumerable.Range(0, 6 * 8).Select(i => (byte)(i * 37)).ToArray();
            string pass = Temp(CameraTestModels.WithSelfTest(6, 8, 1, input, corrupt: false), "pass.edge");
            string fail = Temp(CameraTestModels.WithSelfTest(6, 8, 1, input, corrupt: true), "fail.edge");
            string none = Temp(CameraTestModels.Bytes(6, 8, 1), "none.edge");

            foreach (var k in new[] { "reference", "auto", "neon-model" })
            {
                var (code, stdout, _) = Run(null, "selftest", "--model", pass, "--kernels", k);
                Assert.Equal(0, code);
                Assert.Contains("self-test passed (2 output bytes equal)", stdout);
            }

            var m = EdgeModel.Load(File.ReadAllBytes(fail));
            var it = new Interpreter(m, new byte[m.ArenaBytes]);
            it.SetInput(0, input, 0);
            it.Invoke();
            var actual = new byte[2];
            it.GetOutput(0, actual, 0);
            var r = Run(null, "selftest", "--model", fail);
            Assert.Equal(2, r.Code);
            Assert.Contains($"self-test FAILED: output 0 byte 1 is {(sbyte)actual[1]}, expected {(sbyte)(actual[1] ^ 0x10)}", r.Out);

            r = Run(null, "selftest", "--model", none);
            Assert.Equal(2, r.Code);
            Assert.Contains("no self-test embedded", r.Err);
        }

        [SharedDataFact]
        public void SelfTestOnPersonDetectWithAnEmbeddedConformanceInput()
        {
            byte[] tflite = File.ReadAllBytes(TestModels.TflitePath("person_detect"));
            var input = Npy.Read(Path.Combine(TestModels.CaseDir("person_detect"), "inputs/person_in0.npy")).Data;
            string path = Temp(ModelConverter.Convert(tflite, "model.tflite", new[] { input }).FileBytesData, "pd.edge");
            foreach (var k in new[] { "reference", "auto" })
            {
                var (code, stdout, stderr) = Run(null, "selftest", "--model", path, "--kernels", k);
                Assert.True(code == 0, stdout + stderr);
                Assert.Contains("self-test passed (2 output bytes equal)", stdout);
            }
        }

        [Fact]
        public void TheVerbsAreListedInHelp()
        {
            var (code, stdout, _) = Run(null, "--help");
            Assert.Equal(0, code);
            Assert.Contains("edge-pi camera --model M.edge", stdout);
            Assert.Contains("edge-pi selftest --model M.edge", stdout);
        }
    }

    public class SimulatedI2cDeviceTests
    {
        [Fact]
        public void RegisterReadsAndWritesAutoIncrementAndAreLogged()
        {
            var d = new SimulatedI2cDevice(0x68);
            d.Registers[0x75] = 0x68;
            d.Registers[0x3B] = 0x12; d.Registers[0x3C] = 0x34; d.Registers[0x3D] = 0x56;
            var buf = new byte[3];
            d.WriteRead(new byte[] { 0x3B }, buf);
            Assert.Equal(new byte[] { 0x12, 0x34, 0x56 }, buf);
            Assert.Equal(0x3E, d.Pointer);
            d.Write(new byte[] { 0x6B, 0x00, 0x07 });   // two registers from 0x6B
            Assert.Equal(0x00, d.Registers[0x6B]);
            Assert.Equal(0x07, d.Registers[0x6C]);
            var one = new byte[1];
            d.Write(new byte[] { 0x75 });
            d.Read(one);
            Assert.Equal(0x68, one[0]);
            d.Write(new byte[] { 0xFF, 1, 2 });          // wraps at 256
            Assert.Equal(1, d.Registers[0xFF]);
            Assert.Equal(2, d.Registers[0x00]);
            Assert.Equal(new[] { "WriteRead [3B] -> [123456] @0x00", "Write [6B0007] -> [] @0x3E", "Write [75] -> [] @0x6D", "Read [] -> [68] @0x75", "Write [FF0102] -> [] @0x76" },
                d.Log.Select(t => t.ToString()));
        }

        private sealed class Counter : SimulatedI2cDevice
        {
            public Counter() : base(0x40) { AutoIncrement = false; }
            private int _reads;
            protected override byte ReadRegister(int register) => register == 0x01 ? (byte)++_reads : base.ReadRegister(register);
        }

        [Fact]
        public void DerivedDevicesComputeRegistersAndFailuresLookLikeNacks()
        {
            var d = new Counter();
            var buf = new byte[3];
            d.WriteRead(new byte[] { 0x01 }, buf);
            Assert.Equal(new byte[] { 1, 2, 3 }, buf);   // no auto-increment: the same register three times
            d.FailNext = "0x40: Remote I/O error";
            Assert.Throws<DeviceException>(() => d.Read(buf));
            d.Read(buf);                                  // only the next transaction fails
            Assert.Equal(new byte[] { 4, 5, 6 }, buf);
        }
    }
}
