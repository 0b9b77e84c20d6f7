using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Diagnostics;
using Edge.Pi.Devices;
using Edge.Pi.Linux;
using Edge.Pi.Pipelines;
using Edge.Runtime;

namespace Edge.Pi.Cli
{
    /// <summary>
    /// edge-pi camera: frames from a V4L2 camera through the <see cref="CameraPipeline"/>; one line per frame and a
    /// latency summary. Devices come from <see cref="DeviceFactory.Current"/> (tests substitute simulated ones).
    /// </summary>
    public sealed class CameraVerb : IPiVerb
    {
        public string Name => "camera";

        public string Usage =>
            "camera --model M.edge [--device /dev/video0] [--width 320 --height 240] [--format yuyv|grey] [--resize area|nearest] " +
            "[--input-range 0,1|-1,1|tensor|LO,HI] [--labels no_person,person] [--gpio-led CHIP:LINE] [--led-label person] [--frames N] [--kernels auto|reference|portable|x86|neon|neon-model]";

        public int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            string model, device, format, resize, rangeText, labelsText, led, ledLabel, kernels;
            int width, height, frames;
            try
            {
                var a = new Args(args, "model", "device", "width", "height", "format", "resize", "input-range", "labels", "gpio-led", "led-label", "frames", "kernels");
                model = a.Required("model");
                device = a.Get("device", "/dev/video0");
                width = a.Int("width", 320, 1);
                height = a.Int("height", 240, 1);
                format = a.Get("format", "yuyv");
                resize = a.Get("resize", "area");
                rangeText = a.Get("input-range", "0,1");
                labelsText = a.Get("labels", null);
                led = a.Get("gpio-led", null);
                ledLabel = a.Get("led-label", "person");
                frames = a.Int("frames", 0, 0);
                kernels = a.Get("kernels", "auto");
                if (format != "yuyv" && format != "grey") throw new Args.UsageError($"--format {format}: yuyv or grey");
                if (resize != "area" && resize != "nearest") throw new Args.UsageError($"--resize {resize}: area or nearest");
            }
            catch (Args.UsageError e) { return Usage_(stderr, e.Message); }

            InputRange range;
            try { range = InputRange.Parse(rangeText); }
            catch (FormatException e) { return Usage_(stderr, e.Message); }
            string[] labels = labelsText?.Split(',');

            EdgeModel m;
            string kernelName;
            try { m = CameraModel.Load(model, kernels, out kernelName); }
            catch (ArgumentException e) { return Usage_(stderr, e.Message); }
            var interpreter = new Interpreter(m, new byte[m.ArenaBytes]);

            var factory = DeviceFactory.Current;
            FrameSource source = null;
            GpioOutput ledOut = null;
            bool stop = false;
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop = true; };
            try
            {
                if (led != null)
                {
                    try { ledOut = factory.OpenGpioOutput(led); }
                    catch (FormatException e) { return Usage_(stderr, e.Message); }
                }
                source = factory.OpenCamera(device, width, height, format == "yuyv" ? PixelFormat.Yuyv : PixelFormat.Grey);
                CameraPipeline pipeline;
                try { pipeline = new CameraPipeline(interpreter, source, resize == "area" ? ResizeMode.Area : ResizeMode.Nearest, range, labels, ledOut, ledLabel); }
                catch (ArgumentException e) { stderr.WriteLine($"edge-pi camera: {e.Message}"); return Program.ExitInvalid; }

                var inp = m.Input(0);
                var p = pipeline.Preprocessor;
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"camera {device}: {source.Width}x{source.Height} {source.Format.ToString().ToUpperInvariant()}, crop {p.CropWidth}x{p.CropHeight} at ({p.CropX},{p.CropY}), {resize} resize → input {inp.ShapeText()} {TensorInfo.DTypeName(inp.Type)} scale {inp.Scale:G6} zero point {inp.ZeroPoint}, pixels 0..255 → {pipeline.Quantizer.Range} (kernels: {kernelName})"));

                Console.CancelKeyPress += onCancel;
                var pre = new List<double>(frames > 0 ? frames : 1024);
                var inf = new List<double>(pre.Capacity);
                var total = new List<double>(pre.Capacity);
                long start = Stopwatch.GetTimestamp();
                for (int f = 0; (frames == 0 || f < frames) && !stop; f++)
                {
                    CameraResult r = pipeline.Step();
                    pre.Add(r.PreprocessMs); inf.Add(r.InferenceMs); total.Add(r.PreprocessMs + r.InferenceMs);
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"frame {r.Frame}: {r.LabelName} {r.Score:F3} (preprocess {r.PreprocessMs:F3} ms, inference {r.InferenceMs:F3} ms){(ledOut != null ? (r.LedOn ? " led on" : " led off") : "")}"));
                }
                double seconds = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
                int n = total.Count;
                if (n > 0)
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{n} frames in {seconds:F2} s: {n / seconds:F1} fps; p50 preprocess {Median(pre):F3} ms, p50 inference {Median(inf):F3} ms, p50 latency {Median(total):F3} ms (kernels: {kernelName})"));
                return Program.ExitOk;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                if (ledOut != null) { try { ledOut.Write(false); } catch (DeviceException) { } ledOut.Dispose(); }
                source?.Dispose();
            }
        }

        private int Usage_(TextWriter stderr, string message)
        {
            stderr.WriteLine($"edge-pi camera: {message}");
            stderr.WriteLine("usage: edge-pi " + Usage);
            return Program.ExitUsage;
        }

        internal static double Median(List<double> v)
        {
            var s = v.ToArray();
            Array.Sort(s);
            int n = s.Length;
            return n == 0 ? 0 : (n & 1) == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        /// <summary>--name value options (also --name=value); shared by the camera and selftest verbs.</summary>
        internal sealed class Args
        {
            public sealed class UsageError : Exception { public UsageError(string m) : base(m) { } }

            private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

            public Args(string[] args, params string[] known)
            {
                for (int i = 0; i < args.Length; i++)
                {
                    string a = args[i];
                    if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2) throw new UsageError($"unexpected argument '{a}'");
                    string name = a.Substring(2), value;
                    int eq = name.IndexOf('=');
                    if (eq >= 0) { value = name.Substring(eq + 1); name = name.Substring(0, eq); }
                    else
                    {
                        if (i + 1 >= args.Length) throw new UsageError($"--{name} needs a value");
                        value = args[++i];
                    }
                    if (!known.Contains(name)) throw new UsageError($"unknown option --{name}");
                    if (_values.ContainsKey(name)) throw new UsageError($"--{name} given twice");
                    _values[name] = value;
                }
            }

            public string Get(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

            public string Required(string name) => _values.TryGetValue(name, out var v) ? v : throw new UsageError($"--{name} is required");

            public int Int(string name, int fallback, int min)
            {
                if (!_values.TryGetValue(name, out var v)) return fallback;
                if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min)
                    throw new UsageError($"--{name} {v}: expected an integer ≥ {min}");
                return n;
            }
        }
    }
}
