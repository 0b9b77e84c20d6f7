using System;
using System.Collections.Generic;
using System.IO;
using Edge.Converter.Conversion;
using Edge.Converter.Tflite;
using Edge.Runtime;

namespace Edge.Converter.Cli
{
    /// <summary>
    /// The `edge` command line. Exit codes: 0 ok, 1 usage, 2 invalid or unsupported input, 3 internal error.
    /// </summary>
    public static class Program
    {
        public const int ExitOk = 0, ExitUsage = 1, ExitInvalid = 2, ExitInternal = 3;

        public const string Usage = @"edge — convert and run INT8 models on .NET

usage:
  edge convert IN.tflite|IN.onnx -o OUT.edge [--plan] [--embed-test IN0.npy ...] [--ort-avx2]
                                                 convert a full-integer INT8 TFLite model or a quantized ONNX model
                                                 (--embed-test stores an input and its output for selftest;
                                                 --ort-avx2: reproduce ONNX Runtime's AVX2 int16 pair saturation)
  edge convert MODEL.onnx --calibration DIR -o OUT.edge [--calibration-method minmax|percentile|entropy]
         [--percentile P] [--report FILE(.json|.csv|.txt)] [--emit-qdq QDQ.onnx] [--reduce-range] [--pixel-scale unit|raw]
         [--mean M[,M,M]] [--std S[,S,S]]
                                                 post-training int8 quantization of a float ONNX model: DIR holds
                                                 .npy float32 samples or PNG/PGM/PPM images (x = pixel/255, then
                                                 (x - mean)/std); --report: per-layer SQNR/max error, worst first
  edge convert MODEL.onnx --dynamic -o OUT.edge [--embed-test IN0.npy ...]
                                                 dynamic quantization of a float ONNX model: int8 weights, each
                                                 Conv/Gemm/MatMul quantizes its float input per inference
  edge inspect M.edge [--json] [--target esp32]  show ops, tensors, arena and sizes (--target: does it fit the board's heap)
  edge run M.edge --input IN0.npy [--input IN1.npy ...] --output-dir DIR [--profile] [--kernels K] [--threads N]
                                                 run one inference, write DIR/output_0.npy, ...
  edge bench M.edge [--iterations N] [--warmup N] [--json] [--kernels K] [--threads N]
                                                 latency percentiles and allocations per inference
     K = auto (default: the best for this CPU) | reference | portable | x86 | neon-model | neon
  edge bench-kernels [--op OP] [--include-model] [--iterations N] [--json]
                                                 every catalog kernel vs the reference on a one-op workload
  edge verify M.edge                             check a .edge file (exit 0 valid, 2 invalid)
  edge selftest M.edge [--kernels K] [--threads N]  run the embedded self-test (exit 0 pass, 2 fail)
  edge demo [--calibration-method M] [--kernels K] [--iterations N] [--json]
                                                 the main job on the repo's Fashion-MNIST CNN: quantize the float
                                                 ONNX (PTQ), convert it and PyTorch's INT8 model, accuracy, sizes, speed
  edge demo sine [--model PATH] [--json]         convert and run the repo's own sine sample (samples/sine)
  edge --version

exit codes: 0 ok, 1 usage, 2 invalid or unsupported input, 3 internal error";

        public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

        public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                (args.Length == 0 ? stderr : stdout).WriteLine(Usage);
                return args.Length == 0 ? ExitUsage : ExitOk;
            }
            if (args[0] is "--version" or "version")
            {
                stdout.WriteLine($"edge {ConverterInfo.Version} (.edge format {EdgeModel.FormatVersionMajor}.{EdgeModel.FormatVersionMinor})");
                return ExitOk;
            }
            try
            {
                var rest = args[1..];
                return args[0] switch
                {
                    "convert" => Commands.Convert(new ArgReader(rest), stdout, stderr),
                    "inspect" => Commands.Inspect(new ArgReader(rest), stdout),
                    "run" => Commands.RunModel(new ArgReader(rest), stdout),
                    "bench" => Commands.Bench(new ArgReader(rest), stdout, stderr),
                    "verify" => Commands.Verify(new ArgReader(rest), stdout),
                    "demo" => rest.Length > 0 && rest[0] == "sine" ? DemoCommand.Run(new ArgReader(rest[1..]), stdout, stderr)
                        : FashionMnistDemo.Run(new ArgReader(rest), stdout, stderr),
                    "selftest" => Commands.SelfTest(new ArgReader(rest), stdout),
                    "bench-kernels" => KernelBenchCommand.Run(new ArgReader(rest), stdout, stderr),
                    _ => throw new UsageException($"unknown command '{args[0]}'"),
                };
            }
            catch (UsageException e)
            {
                stderr.WriteLine($"edge: {e.Message}");
                stderr.WriteLine("run 'edge --help' for usage");
                return ExitUsage;
            }
            catch (Exception e) when (IsInputError(e))
            {
                stderr.WriteLine($"edge: error: {e.Message}");
                return ExitInvalid;
            }
            catch (Exception e)
            {
                stderr.WriteLine($"edge: internal error: {e}");
                return ExitInternal;
            }
        }

        private static bool IsInputError(Exception e) =>
            e is EdgeFormatException or ConversionException or TfliteFormatException or NpyFormatException or Edge.Converter.Onnx.OnnxFormatException
              or InputMismatchException or FileNotFoundException or DirectoryNotFoundException;
    }

    public sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message) { }
    }

    /// <summary>An input file that does not fit the model (dtype, shape, count).</summary>
    public sealed class InputMismatchException : Exception
    {
        public InputMismatchException(string message) : base(message) { }
    }

    /// <summary>Minimal argument reader: positionals plus --name value / --flag options.</summary>
    public sealed class ArgReader
    {
        private readonly List<string> _positionals = new();
        private readonly Dictionary<string, List<string>> _options = new();
        private readonly HashSet<string> _used = new();

        public ArgReader(string[] args)
        {
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                if (a.StartsWith("-") && a.Length > 1)
                {
                    string name = a.TrimStart('-');
                    string value = null;
                    int eq = name.IndexOf('=');
                    if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
                    else if (i + 1 < args.Length && !args[i + 1].StartsWith("--") && !IsFlag(name)) value = args[++i];
                    if (!_options.TryGetValue(name, out var list)) _options[name] = list = new List<string>();
                    list.Add(value);
                }
                else _positionals.Add(a);
            }
        }

        private static bool IsFlag(string name) => name is "json" or "plan" or "profile" or "include-model" or "reduce-range" or "dynamic" or "ort-avx2";

        public string Positional(int i, string what)
        {
            if (i >= _positionals.Count) throw new UsageException($"missing {what}");
            return _positionals[i];
        }

        public bool Flag(string name)
        {
            _used.Add(name);
            return _options.ContainsKey(name);
        }

        public string Option(string name, string alias = null)
        {
            _used.Add(name); if (alias != null) _used.Add(alias);
            if (_options.TryGetValue(name, out var l) || (alias != null && _options.TryGetValue(alias, out l)))
            {
                if (l.Count > 1) throw new UsageException($"--{name} given more than once");
                if (l[0] == null) throw new UsageException($"--{name} needs a value");
                return l[0];
            }
            return null;
        }

        public List<string> Options(string name)
        {
            _used.Add(name);
            if (!_options.TryGetValue(name, out var l)) return new List<string>();
            foreach (var v in l) if (v == null) throw new UsageException($"--{name} needs a value");
            return l;
        }

        public int IntOption(string name, int defaultValue, int min)
        {
            string s = Option(name);
            if (s == null) return defaultValue;
            if (!int.TryParse(s, out int v) || v < min) throw new UsageException($"--{name} must be an integer >= {min}, got '{s}'");
            return v;
        }

        /// <summary>Fails on options the command did not ask for and on extra positionals.</summary>
        public void Done(int positionals)
        {
            foreach (var k in _options.Keys)
                if (!_used.Contains(k)) throw new UsageException($"unknown option '--{k}'");
            if (_positionals.Count > positionals) throw new UsageException($"unexpected argument '{_positionals[positionals]}'");
        }
    }
}
