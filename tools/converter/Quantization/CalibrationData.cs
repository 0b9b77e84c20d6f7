using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Edge.Converter.Cli;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Runtime;

namespace Edge.Converter.Quantization
{
    /// <summary>
    /// How calibration images become model input: each 8-bit sample v is mapped to v / 255 (range [0, 1]) or kept
    /// as v (range [0, 255]), then to (x − mean[c]) / std[c] per channel. Images must have the model input's height
    /// and width (no resizing); a gray image feeding a 3-channel input is replicated, an RGB image feeding a
    /// 1-channel input becomes luma 0.299 R + 0.587 G + 0.114 B. Layout NCHW, or NHWC when the input's last
    /// dimension is 1 or 3 and its second is not.
    /// </summary>
    public sealed class ImagePreprocessing
    {
        /// <summary>Divide 8-bit samples by 255 first (default true).</summary>
        public bool ScaleToUnit { get; set; } = true;
        public float[] Mean { get; set; } = { 0f };
        public float[] Std { get; set; } = { 1f };

        public override string ToString() =>
            (ScaleToUnit ? "x = pixel/255" : "x = pixel") +
            (Mean.All(m => m == 0) && Std.All(s => s == 1) ? "" : $", (x - [{string.Join(",", Mean.Select(F))}]) / [{string.Join(",", Std.Select(F))}]");

        private static string F(float v) => v.ToString("G6", CultureInfo.InvariantCulture);

        public static float[] ParseList(string s, string what)
        {
            try { return s.Split(',').Select(x => float.Parse(x.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray(); }
            catch (FormatException) { throw new ArgumentException($"{what}: expected comma-separated numbers, got '{s}'"); }
        }
    }

    /// <summary>
    /// The calibration samples of a directory, for a model with one float input: <c>.npy</c> float32 arrays with the
    /// input's shape, or that shape without its leading batch dimension, or a stack [K, …shape without batch] of K
    /// samples; and PNG / PGM / PPM images (see <see cref="ImagePreprocessing"/>). Files are taken in ordinal name
    /// order; other files are ignored. Samples are loaded one at a time.
    /// </summary>
    public sealed class CalibrationData
    {
        private readonly List<string> _files;
        private readonly List<int> _perFile;
        public string InputName { get; }
        public int[] InputShape { get; }
        public ImagePreprocessing Preprocessing { get; }
        public int Count { get; }
        public IReadOnlyList<string> Files => _files;
        public bool HasImages => _files.Any(IsImage);

        private static bool IsImage(string f) => Path.GetExtension(f).ToLowerInvariant() is ".png" or ".pgm" or ".ppm";

        public CalibrationData(OnnxModel model, string dir, ImagePreprocessing pre = null)
        {
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--calibration {dir}: no such directory");
            var inputs = model.Graph.RealInputs.ToList();
            if (inputs.Count != 1) throw new ConversionException($"calibration supports models with one input; this one has {inputs.Count}");
            var vi = inputs[0];
            if (vi.ElementType != OnnxDataType.Float) throw new ConversionException($"input '{vi.Name}' is {vi.ElementType}; calibration needs a float32 input");
            if (vi.Shape == null) throw new ConversionException($"input '{vi.Name}' has no declared shape");
            InputName = vi.Name;
            // A symbolic batch dimension becomes 1; any other symbolic dimension cannot be calibrated statically.
            InputShape = vi.Shape.Select((d, i) => d >= 0 ? (int)d : i == 0 ? 1 : throw new ConversionException($"input '{vi.Name}' has a symbolic dimension {i} ({vi.DimParams?[i]}); only the batch may be symbolic")).ToArray();
            if (InputShape[0] != 1) throw new ConversionException($"input '{vi.Name}' has batch {InputShape[0]}; calibration runs batch 1");
            Preprocessing = pre ?? new ImagePreprocessing();
            _files = Directory.GetFiles(dir)
                .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".npy" || IsImage(f))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();
            if (_files.Count == 0) throw new ConversionException($"--calibration {dir}: no .npy, .png, .pgm or .ppm files");
            _perFile = new List<int>();
            foreach (var f in _files) _perFile.Add(IsImage(f) ? 1 : NpySamples(Npy.Read(f), f));
            Count = _perFile.Sum();
        }

        private int SampleSize => FloatTensor.Count(InputShape);

        private int NpySamples(NpyArray a, string f)
        {
            if (a.DType != DType.Float32) throw new NpyFormatException($"{f}: calibration samples must be float32, got {Npy.Descr(a.DType)}");
            var noBatch = InputShape.Skip(1).ToArray();
            if (a.Shape.SequenceEqual(InputShape) || a.Shape.SequenceEqual(noBatch)) return 1;
            if (a.Shape.Length == InputShape.Length && a.Shape.Skip(1).SequenceEqual(noBatch)) return a.Shape[0];
            throw new NpyFormatException($"{f}: shape ({string.Join(", ", a.Shape)}) does not fit input '{InputName}' [{string.Join(",", InputShape)}] (with or without the batch dimension, or a stack of samples)");
        }

        /// <summary>The samples, one model-input tensor each.</summary>
        public IEnumerable<FloatTensor> Samples()
        {
            for (int i = 0; i < _files.Count; i++)
            {
                string f = _files[i];
                if (IsImage(f)) { yield return FromImage(Images.Read(f), f); continue; }
                var a = Npy.Read(f);
                int n = NpySamples(a, f), size = SampleSize;
                for (int k = 0; k < n; k++)
                {
                    var v = new float[size];
                    Buffer.BlockCopy(a.Data, k * size * 4, v, 0, size * 4);
                    yield return new FloatTensor(InputShape, v);
                }
            }
        }

        private FloatTensor FromImage(Image8 img, string f)
        {
            int r = InputShape.Length;
            if (r != 4) throw new ConversionException($"{f}: images need a 4-D model input, '{InputName}' is [{string.Join(",", InputShape)}]");
            bool nhwc = InputShape[1] is not (1 or 3) && InputShape[3] is 1 or 3;
            int c = nhwc ? InputShape[3] : InputShape[1], h = nhwc ? InputShape[1] : InputShape[2], w = nhwc ? InputShape[2] : InputShape[3];
            if (c is not (1 or 3)) throw new ConversionException($"{f}: images need 1 or 3 input channels, '{InputName}' has {c}");
            if (img.Width != w || img.Height != h)
                throw new ConversionException($"{f}: image is {img.Width}x{img.Height}, the model input needs {w}x{h} (images are not resized)");
            var pre = Preprocessing;
            if ((pre.Mean.Length != 1 && pre.Mean.Length != c) || (pre.Std.Length != 1 && pre.Std.Length != c))
                throw new ConversionException($"--mean/--std: give 1 or {c} values");
            var v = new float[c * h * w];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int k = 0; k < c; k++)
                    {
                        int p = (y * w + x) * img.Channels;
                        float s = img.Channels == c ? img.Pixels[p + k]
                            : img.Channels == 1 ? img.Pixels[p]
                            : 0.299f * img.Pixels[p] + 0.587f * img.Pixels[p + 1] + 0.114f * img.Pixels[p + 2];
                        if (pre.ScaleToUnit) s /= 255f;
                        s = (s - pre.Mean[pre.Mean.Length == 1 ? 0 : k]) / pre.Std[pre.Std.Length == 1 ? 0 : k];
                        v[nhwc ? (y * w + x) * c + k : (k * h + y) * w + x] = s;
                    }
            return new FloatTensor(InputShape, v);
        }
    }
}
