using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Cli;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Quantization
{
    /// <summary>Calibration samples: .npy layouts, and PNG/PGM/PPM decoding against what Pillow decodes (Data/make_images.py).</summary>
    public class CalibrationDataTests : IDisposable
    {
        private static readonly string DataDir = Path.Combine(AppContext.BaseDirectory, "Quantization", "Data");
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "edge-caldata-" + Guid.NewGuid().ToString("N"));
        public CalibrationDataTests() { Directory.CreateDirectory(_dir); }
        public void Dispose() { Directory.Delete(_dir, true); }

        private static OnnxModel ModelWithInput(params long[] shape)
        {
            var b = new FloatModels.Builder(1);
            var x = b.Input("x", shape);
            b.Output(b.Node("Relu", new[] { x }));
            return b.Model;
        }

        private void WriteNpy(string name, int[] shape, Func<int, float> value)
        {
            int n = shape.Aggregate(1, (a, d) => a * d);
            var v = Enumerable.Range(0, n).Select(value).ToArray();
            var bytes = new byte[n * 4];
            Buffer.BlockCopy(v, 0, bytes, 0, bytes.Length);
            Npy.Write(Path.Combine(_dir, name), DType.Float32, shape, bytes);
        }

        [Fact]
        public void NpyWithOrWithoutBatchAndStacksAreSplitIntoSamples()
        {
            var m = ModelWithInput(1, 2, 3);
            WriteNpy("a.npy", new[] { 1, 2, 3 }, i => i);
            WriteNpy("b.npy", new[] { 2, 3 }, i => 100 + i);
            WriteNpy("c.npy", new[] { 3, 2, 3 }, i => 200 + i);
            File.WriteAllText(Path.Combine(_dir, "notes.txt"), "ignored");
            var d = new CalibrationData(m, _dir);
            Assert.Equal(5, d.Count);
            var s = d.Samples().ToList();
            Assert.Equal(5, s.Count);
            Assert.All(s, t => Assert.Equal(new[] { 1, 2, 3 }, t.Shape));
            Assert.Equal(Enumerable.Range(0, 6).Select(i => (float)i), s[0].F);
            Assert.Equal(Enumerable.Range(100, 6).Select(i => (float)i), s[1].F);
            Assert.Equal(Enumerable.Range(212, 6).Select(i => (float)i), s[4].F);
        }

        [Fact]
        public void SymbolicBatchBecomesOne()
        {
            var m = ModelWithInput(-1, 4);
            WriteNpy("a.npy", new[] { 4 }, i => i);
            var d = new CalibrationData(m, _dir);
            Assert.Equal(new[] { 1, 4 }, d.InputShape);
        }

        [Fact]
        public void WrongShapeOrDtypeOrEmptyDirectoryIsAnInputError()
        {
            var m = ModelWithInput(1, 2, 3);
            Assert.Throws<ConversionException>(() => new CalibrationData(m, _dir));   // no samples
            WriteNpy("a.npy", new[] { 3, 2 }, i => i);
            var e = Assert.Throws<NpyFormatException>(() => new CalibrationData(m, _dir));
            Assert.Contains("does not fit input 'x'", e.Message);
            File.Delete(Path.Combine(_dir, "a.npy"));
            Npy.Write(Path.Combine(_dir, "i.npy"), DType.Int32, new[] { 1, 2, 3 }, new byte[24]);
            Assert.Contains("float32", Assert.Throws<NpyFormatException>(() => new CalibrationData(m, _dir)).Message);
            Assert.Throws<DirectoryNotFoundException>(() => new CalibrationData(m, Path.Combine(_dir, "missing")));
        }

        [Theory]
        [InlineData("gray8.png", "gray8.npy")]
        [InlineData("rgb8.png", "rgb8.npy")]
        [InlineData("rgba8.png", "rgba8.npy")]
        [InlineData("palette.png", "palette.npy")]
        [InlineData("gray16.png", "gray16.npy")]
        [InlineData("gray8.pgm", "gray8_pgm.npy")]
        [InlineData("rgb8.ppm", "rgb8_ppm.npy")]
        public void ImagesDecodeToThePixelsPillowDecodes(string image, string expected)
        {
            var img = Images.Read(Path.Combine(DataDir, image));
            var e = Npy.Read(Path.Combine(DataDir, expected));
            Assert.Equal(DType.UInt8, e.DType);
            Assert.Equal(e.Shape[0], img.Height);
            Assert.Equal(e.Shape[1], img.Width);
            Assert.Equal(e.Shape.Length == 3 ? e.Shape[2] : 1, img.Channels);
            Assert.Equal(e.Data, img.Pixels);
        }

        [Fact]
        public void ImagePreprocessingScalesNormalisesAndLaysOutNchw()
        {
            // RGB 7x6 image into a [1,3,6,7] input: x = (p/255 − mean[c]) / std[c], channel-planar
            File.Copy(Path.Combine(DataDir, "rgb8.png"), Path.Combine(_dir, "a.png"));
            var pixels = Npy.Read(Path.Combine(DataDir, "rgb8.npy")).Data;
            var pre = new ImagePreprocessing { Mean = new[] { 0.5f, 0.25f, 0f }, Std = new[] { 0.5f, 0.25f, 2f } };
            var d = new CalibrationData(ModelWithInput(1, 3, 6, 7), _dir, pre);
            var x = d.Samples().Single();
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 42; i++)
                    Assert.Equal((pixels[i * 3 + c] / 255f - pre.Mean[c]) / pre.Std[c], x.F[c * 42 + i]);
            // the same image into a 1-channel input: luma
            var g = new CalibrationData(ModelWithInput(1, 1, 6, 7), _dir).Samples().Single();
            Assert.Equal((0.299f * pixels[0] + 0.587f * pixels[1] + 0.114f * pixels[2]) / 255f, g.F[0], 6);
            // wrong size is an error, not a silent resize
            var e = Assert.Throws<ConversionException>(() => new CalibrationData(ModelWithInput(1, 1, 8, 8), _dir).Samples().ToList());
            Assert.Contains("not resized", e.Message);
        }
    }
}
