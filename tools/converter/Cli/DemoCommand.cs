using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Converter.Conversion;
using Edge.Runtime;

namespace Edge.Converter.Cli
{
    /// <summary>
    /// `edge demo [--model PATH] [--json]`: Edge's main job end to end on the repository's own sample
    /// (samples/sine/sine_int8.tflite, made by tools/samplegen): convert the .tflite in memory, write
    /// out/demo/&lt;name&gt;.edge, load it, run every sample input (&lt;model folder&gt;/inputs/*_in0.npy), and show
    /// the answers next to sin(x), the sizes, and latency and allocations per inference.
    /// </summary>
    public static class DemoCommand
    {
        /// <summary>The default model, relative to the folder holding Edge.sln.</summary>
        public static readonly string SampleRelativePath = Path.Combine("samples", "sine", "sine_int8.tflite");
        public const int WarmupIterations = 1000;
        public const int BenchIterations = 10000;

        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>One sample input and the model's answer.</summary>
        public sealed class Row
        {
            public string File;
            public sbyte InputInt8;
            public double X;
            public double Sin;
            public sbyte OutputInt8;
            public double Y;
            public double Error => Y - Sin;
        }

        public static int Run(ArgReader a, TextWriter stdout, TextWriter stderr)
        {
            string modelOption = a.Option("model");
            bool json = a.Flag("json");
            a.Done(0);

            string root = FindRepoRoot();
            string modelPath;
            if (modelOption != null) modelPath = Path.GetFullPath(modelOption);
            else if (root != null) modelPath = Path.Combine(root, SampleRelativePath);
            else
            {
                stderr.WriteLine($"edge demo: cannot find the sample model: no folder holding Edge.sln above the current directory ({Directory.GetCurrentDirectory()}) or the edge binary ({AppContext.BaseDirectory}). Run it from inside the repository, or pass --model PATH.");
                return Program.ExitInvalid;
            }
            if (!File.Exists(modelPath))
            {
                stderr.WriteLine(modelOption != null
                    ? $"edge demo: {modelOption}: no such file"
                    : $"edge demo: the sample model {modelPath} is missing; regenerate it with `dotnet run --project tools/samplegen -- samples/sine` (from {root}), or pass --model PATH.");
                return Program.ExitInvalid;
            }
            string inputsDir = Path.Combine(Path.GetDirectoryName(modelPath) ?? ".", "inputs");
            string[] inputFiles = Directory.Exists(inputsDir)
                ? Directory.GetFiles(inputsDir, "*_in0.npy").OrderBy(f => f, StringComparer.Ordinal).ToArray()
                : Array.Empty<string>();
            if (inputFiles.Length == 0)
            {
                stderr.WriteLine($"edge demo: no sample inputs (*_in0.npy) in {inputsDir}; regenerate the sample with `dotnet run --project tools/samplegen -- samples/sine`.");
                return Program.ExitInvalid;
            }

            // 1. Convert in memory and write the .edge file.
            byte[] source = File.ReadAllBytes(modelPath);
            var sw = Stopwatch.StartNew();
            ConversionResult conv = ModelConverter.Convert(source, Path.GetFileName(modelPath));
            sw.Stop();
            double convertMs = sw.Elapsed.TotalMilliseconds;
            string outDir = Path.Combine(root ?? Directory.GetCurrentDirectory(), "out", "demo");
            Directory.CreateDirectory(outDir);
            string edgePath = Path.Combine(outDir, Path.GetFileNameWithoutExtension(modelPath) + ".edge");
            File.WriteAllBytes(edgePath, conv.FileBytesData);

            // 2. Load it back from disk (the runtime verifies it) and check it is a sine-style model.
            EdgeModel model = EdgeModel.Load(File.ReadAllBytes(edgePath));
            if (model.InputCount != 1 || model.OutputCount != 1 || !IsScalarInt8(model.Input(0)) || !IsScalarInt8(model.Output(0)))
            {
                stderr.WriteLine($"edge demo: {modelPath}: the demo runs single-value models (one quantized int8 input and one int8 output of one element each, like samples/sine); use `edge convert` and `edge run` for other models.");
                return Program.ExitInvalid;
            }
            TensorInfo inT = model.Input(0), outT = model.Output(0);

            // 3. Run every sample input.
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            var rows = new List<Row>();
            var outBuf = new byte[1];
            foreach (string file in inputFiles)
            {
                NpyArray arr = Npy.Read(file);
                Commands.CheckInput(inT, arr, file, 0);
                interp.SetInput(0, arr.Data, 0);
                interp.Invoke();
                interp.GetOutput(0, outBuf, 0);
                sbyte qin = unchecked((sbyte)arr.Data[0]), qout = unchecked((sbyte)outBuf[0]);
                double x = Dequantize(inT, qin);
                double y = Dequantize(outT, qout);
                rows.Add(new Row { File = Path.GetFileName(file), InputInt8 = qin, X = x, Sin = Math.Sin(x), OutputInt8 = qout, Y = y });
            }
            double maxErr = rows.Max(r => Math.Abs(r.Error));

            // 4. Latency and allocations per inference (the last sample input stays in place).
            BenchResult bench = Benchmark.Measure(interp, WarmupIterations, BenchIterations);

            string Show(string p) => root != null ? Path.GetRelativePath(root, p) : p;
            if (json)
            {
                var results = new JsonArray();
                foreach (var r in rows)
                    results.Add(new JsonObject
                    {
                        ["file"] = r.File,
                        ["inputInt8"] = (int)r.InputInt8,
                        ["x"] = r.X,
                        ["sinX"] = r.Sin,
                        ["outputInt8"] = (int)r.OutputInt8,
                        ["y"] = r.Y,
                        ["error"] = r.Error,
                    });
                var o = new JsonObject
                {
                    ["model"] = Show(modelPath),
                    ["edgeFile"] = Show(edgePath),
                    ["convertMs"] = convertMs,
                    ["input"] = new JsonObject { ["name"] = inT.Name, ["scale"] = (double)inT.Scale, ["zeroPoint"] = inT.ZeroPoint },
                    ["output"] = new JsonObject { ["name"] = outT.Name, ["scale"] = (double)outT.Scale, ["zeroPoint"] = outT.ZeroPoint },
                    ["results"] = results,
                    ["maxAbsError"] = maxErr,
                    ["tfliteBytes"] = conv.SourceBytes,
                    ["edgeBytes"] = conv.FileBytes,
                    ["arenaBytes"] = model.ArenaBytes,
                    ["weightsBytes"] = conv.WeightBytes,
                    ["macs"] = conv.Graph.Metadata.Macs,
                    ["benchmark"] = new JsonObject
                    {
                        ["warmup"] = WarmupIterations,
                        ["iterations"] = BenchIterations,
                        ["p50Ms"] = bench.P50Ms,
                        ["p99Ms"] = bench.P99Ms,
                        ["meanMs"] = bench.MeanMs,
                        ["allocatedBytesPerInvoke"] = bench.AllocatedBytesPerInvoke,
                        ["kernels"] = "reference",
                        ["threads"] = 1,
                    },
                };
                stdout.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return Program.ExitOk;
            }

            stdout.WriteLine("edge demo: convert a full-integer INT8 TFLite model to .edge and run it on .NET");
            stdout.WriteLine();
            stdout.WriteLine($"model   {Show(modelPath)} ({Commands.Num(conv.SourceBytes)} bytes)");
            stdout.WriteLine($"edge    {Show(edgePath)} ({Commands.Num(conv.FileBytes)} bytes, converted in {convertMs.ToString("F0", Inv)} ms)");
            stdout.WriteLine($"input   \"{inT.Name}\" int8 {inT.ShapeText()}, scale {inT.Scale.ToString("G6", Inv)}, zero point {inT.ZeroPoint}");
            stdout.WriteLine($"output  \"{outT.Name}\" int8 {outT.ShapeText()}, scale {outT.Scale.ToString("G6", Inv)}, zero point {outT.ZeroPoint}");
            stdout.WriteLine();
            var t = new TextTable("input file", "int8 in", "x", "sin(x)", "int8 out", "y (dequantized)", "error");
            foreach (var r in rows)
                t.Add(r.File, r.InputInt8.ToString(Inv), r.X.ToString("F4", Inv), r.Sin.ToString("F4", Inv),
                    r.OutputInt8.ToString(Inv), r.Y.ToString("F4", Inv), r.Error.ToString("+0.0000;-0.0000;0.0000", Inv));
            t.Write(stdout);
            stdout.WriteLine();
            stdout.WriteLine($"x = input scale × (int8 in − zero point), y = output scale × (int8 out − zero point); max |error| {maxErr.ToString("F4", Inv)} (one output step is {outT.Scale.ToString("F4", Inv)})");
            stdout.WriteLine();
            var s = new TextTable("", "value");
            s.Add(".tflite bytes", Commands.Num(conv.SourceBytes));
            s.Add(".edge bytes", Commands.Num(conv.FileBytes));
            s.Add("arena bytes", Commands.Num(model.ArenaBytes));
            s.Add("weights bytes", Commands.Num(conv.WeightBytes));
            s.Add("MACs per inference", Commands.Num(conv.Graph.Metadata.Macs));
            s.Add("latency p50 (µs)", (bench.P50Ms * 1000).ToString("F2", Inv));
            s.Add("latency p99 (µs)", (bench.P99Ms * 1000).ToString("F2", Inv));
            s.Add("allocated bytes per inference", bench.AllocatedBytesPerInvoke.ToString(Inv));
            s.Write(stdout);
            stdout.WriteLine();
            stdout.WriteLine($"latency: {Commands.Num(BenchIterations)} inferences after {Commands.Num(WarmupIterations)} warm-up, reference kernels, 1 thread");
            return Program.ExitOk;
        }

        private static bool IsScalarInt8(TensorInfo t) =>
            t.Type == DType.Int8 && t.ElementCount == 1 && t.Scales != null && t.Scales.Length == 1;

        private static double Dequantize(TensorInfo t, sbyte q) => (double)t.Scale * (q - t.ZeroPoint);

        /// <summary>
        /// The folder holding Edge.sln: searched upwards from the current directory, then from the folder of the
        /// running binaries (AppContext.BaseDirectory); null when neither lies inside the repository.
        /// </summary>
        public static string FindRepoRoot()
        {
            foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                if (string.IsNullOrEmpty(start)) continue;
                for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                    if (File.Exists(Path.Combine(d.FullName, "Edge.sln"))) return d.FullName;
            }
            return null;
        }
    }
}
