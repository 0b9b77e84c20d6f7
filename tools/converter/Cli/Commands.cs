using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Kernels.Simd;
using Edge.Runtime;

namespace Edge.Converter.Cli
{
    public static class ConverterInfo
    {
        public static string Version =>
            typeof(ConverterInfo).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";
    }

    /// <summary>The verbs of the `edge` CLI.</summary>
    public static class Commands
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static int Convert(ArgReader a, TextWriter stdout, TextWriter stderr)
        {
            string input = a.Positional(0, "input model (IN.tflite or IN.onnx)");
            string output = a.Option("o", "output") ?? throw new UsageException("missing -o OUT.edge");
            bool plan = a.Flag("plan");
            var embed = a.Options("embed-test");
            bool dynamic = a.Flag("dynamic");
            var onnxOptions = new OnnxImportOptions { OrtX86PairSaturation = a.Flag("ort-avx2"), Dynamic = dynamic };
            var ptq = PtqOptions.Read(a);
            a.Done(1);
            if (dynamic && ptq.Given) throw new UsageException("--dynamic and --calibration exclude each other (dynamic quantization needs no calibration set)");
            if (dynamic && onnxOptions.OrtX86PairSaturation) throw new UsageException("--ort-avx2 does not apply to --dynamic (exact int32 accumulation)");
            if (!File.Exists(input)) throw new FileNotFoundException($"{input}: no such file");
            List<byte[]> selfTest = null;
            var sw = Stopwatch.StartNew();
            ConversionResult r;
            var source = File.ReadAllBytes(input);
            OnnxModel onnx = null;
            if (Edge.Converter.Onnx.OnnxImporter.LooksLikeOnnx(source))
            {
                try { onnx = OnnxReader.ReadModel(source); }
                catch (OnnxFormatException) { onnx = null; }   // the converter reports it
            }
            if (dynamic)
            {
                if (onnx == null || !QuantizeCommand.IsFloatModel(onnx))
                    throw new ConversionException($"--dynamic: {input} is not a float ONNX model (dynamic quantization takes a float .onnx)");
                r = QuantizeCommand.ConvertDynamic(input, onnx, source, output, embed.Count == 0 ? null : m =>
                {
                    var arrays = embed.Select(Npy.Read).ToList();
                    if (arrays.Count != m.InputCount)
                        throw new InputMismatchException($"--embed-test: the model has {m.InputCount} input(s), {arrays.Count} given");
                    for (int i = 0; i < arrays.Count; i++) CheckInput(m.Input(i), arrays[i], embed[i], i);
                    return arrays.Select(x => x.Data).ToList();
                }, stdout);
                selfTest = embed.Count > 0 ? new List<byte[]>() : null;
            }
            else if (onnx != null && QuantizeCommand.IsFloatModel(onnx))
            {
                if (!ptq.Given)
                    throw new ConversionException($"{input}: float model (no quantization operators): Edge runs int8 models. Quantize it with post-training quantization: " +
                                                  "edge convert MODEL.onnx --calibration DIR -o OUT.edge (DIR: .npy samples or PNG/PGM images), " +
                                                  "or dynamically: edge convert MODEL.onnx --dynamic -o OUT.edge (int8 weights, activations quantized per inference)");
                r = QuantizeCommand.Convert(input, onnx, source, output, ptq, embed.Count == 0 ? null : m =>
                {
                    var arrays = embed.Select(Npy.Read).ToList();
                    if (arrays.Count != m.InputCount)
                        throw new InputMismatchException($"--embed-test: the model has {m.InputCount} input(s), {arrays.Count} given");
                    for (int i = 0; i < arrays.Count; i++) CheckInput(m.Input(i), arrays[i], embed[i], i);
                    return arrays.Select(x => x.Data).ToList();
                }, stdout, stderr, onnxOptions);
                selfTest = embed.Count > 0 ? new List<byte[]>() : null;
            }
            else
            {
            if (ptq.Given) throw new ConversionException($"--calibration: {input} is not a float ONNX model (post-training quantization takes a float .onnx)");
            if (embed.Count > 0)
            {
                // Check the self-test inputs' dtype and shape against the converted model before anything is written.
                var arrays = embed.Select(Npy.Read).ToList();
                var probe = EdgeModel.Load(ModelConverter.Convert(File.ReadAllBytes(input), Path.GetFileName(input), null, onnxOptions).FileBytesData);
                if (arrays.Count != probe.InputCount)
                    throw new InputMismatchException($"--embed-test: the model has {probe.InputCount} input(s), {arrays.Count} given");
                for (int i = 0; i < arrays.Count; i++) CheckInput(probe.Input(i), arrays[i], embed[i], i);
                selfTest = arrays.Select(x => x.Data).ToList();
            }
            if (onnxOptions.OrtX86PairSaturation && onnx == null) throw new UsageException("--ort-avx2 applies to quantized ONNX models");
            r = ModelConverter.ConvertFile(input, output, selfTest, onnxOptions);
            }
            sw.Stop();
            var g = r.Graph;
            stdout.WriteLine($"converted {input} -> {output} in {sw.Elapsed.TotalMilliseconds:F0} ms");
            stdout.WriteLine();
            var t = new TextTable("#", "op", "inputs", "output", "MACs");
            for (int i = 0; i < g.Ops.Count; i++)
            {
                var op = g.Ops[i];
                var outT = g.Tensors[op.Outputs[0]];
                t.Add(i.ToString(Inv), OpNames.Name(op.Type),
                    string.Join(" ", op.Inputs.Where(x => x >= 0).Select(x => Shape(g.Tensors[x].Shape))),
                    Shape(outT.Shape), Num(op.Macs));
            }
            t.Write(stdout);
            stdout.WriteLine();
            int activations = g.Tensors.Count(x => !x.IsConstant);
            stdout.WriteLine($"ops          {g.Ops.Count}");
            stdout.WriteLine($"tensors      {g.Tensors.Count} ({activations} activations, {g.Tensors.Count - activations} constants)");
            stdout.WriteLine($"arena bytes  {Num(g.ArenaBytes)}");
            stdout.WriteLine($"weight bytes {Num(r.WeightBytes)}");
            stdout.WriteLine($"file bytes   {Num(r.FileBytes)} (source {Num(r.SourceBytes)})");
            stdout.WriteLine($"MACs         {Num(g.Metadata.Macs)}");
            foreach (var note in r.Notes) stderr.WriteLine("edge: note: " + note);
            if (selfTest != null) stdout.WriteLine($"self-test    embedded ({embed.Count} input(s) and the outputs the reference kernels give)");
            if (plan)
            {
                stdout.WriteLine();
                stdout.WriteLine("arena plan:");
                foreach (var line in r.PlanLines) stdout.WriteLine("  " + line);
            }
            return Program.ExitOk;
        }

        /// <summary>edge selftest M.edge [--kernels K] [--threads N]: runs the embedded self-test.</summary>
        public static int SelfTest(ArgReader a, TextWriter stdout)
        {
            string path = a.Positional(0, "model (M.edge)");
            var lm = LoadModel(path, a);
            a.Done(1);
            try
            {
                var m = lm.Model;
                if (!m.HasSelfTest) throw new InputMismatchException($"{path}: no self-test embedded (convert with --embed-test IN.npy)");
                var result = new Interpreter(m, new byte[m.ArenaBytes]).SelfTest();
                stdout.WriteLine($"{path}: {result} (kernels: {lm.Kernels}, threads: {lm.Threads})");
                return result.Passed ? Program.ExitOk : Program.ExitInvalid;
            }
            finally { lm.Provider?.Context.Pool?.Dispose(); }
        }

        public static int Verify(ArgReader a, TextWriter stdout)
        {
            string path = a.Positional(0, "model (M.edge)");
            a.Done(1);
            var m = LoadModel(path);
            stdout.WriteLine($"{path}: valid .edge {m.FormatVersion >> 16}.{m.FormatVersion & 0xFFFF} file: {m.Ops.Length} ops, {m.Tensors.Length} tensors, arena {m.ArenaBytes} bytes");
            return Program.ExitOk;
        }

        public static EdgeModel LoadModel(string path)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
            return EdgeModel.Load(File.ReadAllBytes(path));
        }

        /// <summary>A loaded model with the kernel set and threads the command line asked for.</summary>
        public sealed class LoadedModel
        {
            public EdgeModel Model;
            public SimdKernelProvider Provider;   // null for the reference kernels
            public string Kernels = "reference";
            public int Threads = 1;
            public long PackedBytes => Provider?.Context.PackedBytes ?? 0;
        }

        /// <summary>--kernels reference|portable|x86|neon-model|neon|auto (default auto) and --threads N (default 1).</summary>
        public static LoadedModel LoadModel(string path, ArgReader a)
        {
            string kernels = a.Option("kernels") ?? "auto";
            int threads = a.IntOption("threads", 1, 1);
            KernelSetKind set;
            try { set = KernelCatalog.Parse(kernels); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            if (!KernelCatalog.IsSupported(set)) throw new UsageException($"--kernels {kernels}: not supported on this CPU");
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
            var bytes = File.ReadAllBytes(path);
            if (set == KernelSetKind.Reference)
            {
                if (threads > 1) throw new UsageException("--threads needs a SIMD kernel set (the reference kernels are single-threaded)");
                return new LoadedModel { Model = EdgeModel.Load(bytes) };
            }
            var provider = new SimdKernelProvider(set, threads);
            return new LoadedModel { Model = EdgeModel.Load(bytes, provider), Provider = provider, Kernels = provider.Name, Threads = threads };
        }

        public static int Inspect(ArgReader a, TextWriter stdout)
        {
            string path = a.Positional(0, "model (M.edge)");
            bool json = a.Flag("json");
            string target = a.Option("target");
            a.Done(1);
            var m = LoadModel(path);
            if (target != null)
            {
                if (target != "esp32") throw new UsageException($"--target {target}: unknown target (known: esp32)");
                Esp32Target.Report(m, m.Data.Length, stdout, json);
                return Program.ExitOk;
            }
            if (json)
            {
                stdout.WriteLine(InspectJson(m).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return Program.ExitOk;
            }
            stdout.WriteLine($"{path}");
            stdout.WriteLine($"  format       {m.FormatVersion >> 16}.{m.FormatVersion & 0xFFFF}");
            stdout.WriteLine($"  source       {m.SourceFormat} {m.SourceFile} (sha256 {m.SourceSha256})");
            stdout.WriteLine($"  converter    edge {m.ConverterVersion}");
            stdout.WriteLine($"  file bytes   {Num(m.Data.Length)}");
            stdout.WriteLine($"  weight bytes {Num(m.ConstantBytes)}");
            stdout.WriteLine($"  arena bytes  {Num(m.ArenaBytes)}");
            if (m.StateTensors.Length > 0)
                stdout.WriteLine($"  state        {string.Join(", ", m.StateTensors.Select(t => $"#{t} {m.Tensors[t].Name} {Edge.Runtime.TensorInfo.DTypeName(m.Tensors[t].Type)}{m.Tensors[t].ShapeText()}"))} (kept across invokes; Interpreter.ResetState() zeroes it)");
            stdout.WriteLine($"  MACs         {Num(m.Macs)}");
            stdout.WriteLine();
            var io = new TextTable("", "#", "name", "dtype", "shape", "scale", "zero point");
            for (int i = 0; i < m.InputCount; i++) AddIo(io, "input", i, m.Input(i));
            for (int i = 0; i < m.OutputCount; i++) AddIo(io, "output", i, m.Output(i));
            io.Write(stdout);
            stdout.WriteLine();
            var t = new TextTable("#", "op", "output", "MACs");
            foreach (var op in m.Ops)
            {
                var outs = OutputShapeOf(m, op.Index);
                t.Add(op.Index.ToString(Inv), OpNames.Name(op.Type), outs, Num(op.Macs));
            }
            t.Write(stdout);
            return Program.ExitOk;
        }

        private static void AddIo(TextTable t, string kind, int i, TensorInfo ti) =>
            t.Add(kind, i.ToString(Inv), Trim(ti.Name, 40), TensorInfo.DTypeName(ti.Type), ti.ShapeText(),
                ti.Scales == null ? "-" : ti.Scale.ToString("G9", Inv), ti.Scales == null ? "-" : ti.ZeroPoint.ToString(Inv));

        private static string Trim(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

        private static string OutputShapeOf(EdgeModel m, int opIndex) => ModelOpInfo.OutputShape(m, opIndex);

        public static JsonObject InspectJson(EdgeModel m)
        {
            var ops = new JsonArray();
            foreach (var op in m.Ops)
                ops.Add(new JsonObject
                {
                    ["index"] = op.Index,
                    ["type"] = OpNames.Name(op.Type),
                    ["macs"] = op.Macs,
                    ["output"] = ModelOpInfo.OutputShape(m, op.Index),
                });
            return new JsonObject
            {
                ["formatVersion"] = $"{m.FormatVersion >> 16}.{m.FormatVersion & 0xFFFF}",
                ["fileBytes"] = m.Data.Length,
                ["arenaBytes"] = m.ArenaBytes,
                ["stateTensors"] = new JsonArray(m.StateTensors.Select(t => (JsonNode)t).ToArray()),
                ["weightsBytes"] = m.ConstantBytes,
                ["macs"] = m.Macs,
                ["sourceFormat"] = m.SourceFormat,
                ["sourceFile"] = m.SourceFile,
                ["sourceSha256"] = m.SourceSha256,
                ["converterVersion"] = m.ConverterVersion,
                ["tensorCount"] = m.Tensors.Length,
                ["ops"] = ops,
                ["inputs"] = IoJson(m, m.Inputs),
                ["outputs"] = IoJson(m, m.Outputs),
            };
        }

        private static JsonArray IoJson(EdgeModel m, int[] idx)
        {
            var arr = new JsonArray();
            foreach (int i in idx)
            {
                var t = m.Tensors[i];
                arr.Add(new JsonObject
                {
                    ["name"] = t.Name,
                    ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                    ["dtype"] = TensorInfo.DTypeName(t.Type),
                    ["scale"] = t.Scales == null ? null : (double)t.Scale,
                    ["zeroPoint"] = t.Scales == null ? null : t.ZeroPoint,
                });
            }
            return arr;
        }

        public static int RunModel(ArgReader a, TextWriter stdout)
        {
            string path = a.Positional(0, "model (M.edge)");
            var inputs = a.Options("input");
            string outDir = a.Option("output-dir") ?? throw new UsageException("missing --output-dir DIR");
            bool profile = a.Flag("profile");
            var lm = LoadModel(path, a);
            a.Done(1);
            var m = lm.Model;
            if (inputs.Count != m.InputCount)
                throw new UsageException($"the model has {m.InputCount} input(s); give one --input file for each (got {inputs.Count})");
            var interp = new Interpreter(m, new byte[m.ArenaBytes]);
            for (int i = 0; i < inputs.Count; i++)
            {
                var arr = Npy.Read(inputs[i]);
                CheckInput(m.Input(i), arr, inputs[i], i);
                interp.SetInput(i, arr.Data, 0);
            }
            var sw = Stopwatch.StartNew();
            interp.Invoke();
            sw.Stop();
            StopwatchProfiler prof = null;
            if (profile)
            {
                // Per-op times: average of 20 profiled inferences after 5 warm-up ones (the first run includes JIT).
                for (int i = 0; i < 5; i++) interp.Invoke();
                prof = new StopwatchProfiler(m.Ops.Length);
                interp.Profiler = prof;
                for (int i = 0; i < 20; i++) interp.Invoke();
                interp.Profiler = null;
            }
            Directory.CreateDirectory(outDir);
            for (int i = 0; i < m.OutputCount; i++)
            {
                var t = m.Output(i);
                var data = new byte[t.SizeBytes];
                interp.GetOutput(i, data, 0);
                string file = Path.Combine(outDir, $"output_{i}.npy");
                Npy.Write(file, t.Type, t.Shape, data);
                stdout.WriteLine($"output {i} ({t.Name}) {TensorInfo.DTypeName(t.Type)} {t.ShapeText()} -> {file}");
            }
            stdout.WriteLine($"first inference {sw.Elapsed.TotalMilliseconds:F3} ms, including JIT (kernels: {lm.Kernels}, threads: {lm.Threads})");
            if (prof != null) prof.WriteTable(m, stdout, lm.Provider?.Chosen);
            lm.Provider?.Context.Pool?.Dispose();
            return Program.ExitOk;
        }

        public static void CheckInput(TensorInfo t, NpyArray arr, string file, int i)
        {
            if (arr.DType != t.Type)
                throw new InputMismatchException($"{file}: input {i} ({t.Name}) must be {TensorInfo.DTypeName(t.Type)}, the file holds {Npy.Descr(arr.DType)}");
            if (!arr.Shape.SequenceEqual(t.Shape))
                throw new InputMismatchException($"{file}: input {i} ({t.Name}) must have shape {t.ShapeText()}, the file has ({string.Join(", ", arr.Shape)})");
        }

        public static int Bench(ArgReader a, TextWriter stdout, TextWriter stderr)
        {
            string path = a.Positional(0, "model (M.edge)");
            int iterations = a.IntOption("iterations", 100, 1);
            int warmup = a.IntOption("warmup", 10, 0);
            bool json = a.Flag("json");
            var inputs = a.Options("input");
            var lm = LoadModel(path, a);
            a.Done(1);
            var m = lm.Model;
            var interp = new Interpreter(m, new byte[m.ArenaBytes]);
            if (inputs.Count > 0)
            {
                if (inputs.Count != m.InputCount) throw new UsageException($"the model has {m.InputCount} input(s); got {inputs.Count} --input files");
                for (int i = 0; i < inputs.Count; i++)
                {
                    var arr = Npy.Read(inputs[i]);
                    CheckInput(m.Input(i), arr, inputs[i], i);
                    interp.SetInput(i, arr.Data, 0);
                }
            }
            else
            {
                // Deterministic pseudo-random inputs (xorshift, seed fixed): timing does not depend on values.
                uint s = 0x9E3779B9;
                for (int i = 0; i < m.InputCount; i++)
                {
                    var t = m.Input(i);
                    var buf = new byte[t.SizeBytes];
                    if (t.Type == DType.Float32)
                        for (int k = 0; k < t.ElementCount; k++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; BitConverter.TryWriteBytes(buf.AsSpan(4 * k), (s % 2001) / 1000f - 1f); }
                    else
                        for (int k = 0; k < buf.Length; k++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; buf[k] = (byte)s; }
                    interp.SetInput(i, buf, 0);
                }
            }
            var result = Benchmark.Measure(interp, warmup, iterations, json ? null : stderr);
            if (json)
            {
                var o = new JsonObject
                {
                    ["model"] = path,
                    ["iterations"] = iterations,
                    ["warmup"] = warmup,
                    ["p50Ms"] = result.P50Ms,
                    ["p90Ms"] = result.P90Ms,
                    ["p99Ms"] = result.P99Ms,
                    ["meanMs"] = result.MeanMs,
                    ["minMs"] = result.MinMs,
                    ["maxMs"] = result.MaxMs,
                    ["allocatedBytesPerInvoke"] = result.AllocatedBytesPerInvoke,
                    ["arenaBytes"] = m.ArenaBytes,
                    ["macs"] = m.Macs,
                    ["gmacPerSecond"] = result.P50Ms > 0 ? m.Macs / (result.P50Ms * 1e6) : 0,
                    ["kernels"] = lm.Kernels,
                    ["threads"] = lm.Threads,
                    ["packedBytes"] = lm.PackedBytes,
                    ["opKernels"] = KernelsJson(m, lm),
                };
                stdout.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return Program.ExitOk;
            }
            stdout.WriteLine($"{path}: {iterations} iterations after {warmup} warm-up, kernels: {lm.Kernels}, threads: {lm.Threads}");
            var t2 = new TextTable("p50 ms", "p90 ms", "p99 ms", "mean ms", "min ms", "max ms", "GMAC/s", "arena bytes", "alloc B/invoke");
            t2.Add(F(result.P50Ms), F(result.P90Ms), F(result.P99Ms), F(result.MeanMs), F(result.MinMs), F(result.MaxMs),
                (result.P50Ms > 0 ? m.Macs / (result.P50Ms * 1e6) : 0).ToString("F3", Inv), Num(m.ArenaBytes), result.AllocatedBytesPerInvoke.ToString(Inv));
            t2.Write(stdout);
            if (lm.Provider != null)
            {
                int fast = lm.Provider.Chosen.Count(c => c != "reference");
                stdout.WriteLine($"{fast} of {m.Ops.Length} ops on SIMD kernels, {Num(lm.PackedBytes)} bytes of packed weights");
            }
            lm.Provider?.Context.Pool?.Dispose();
            return Program.ExitOk;
        }

        private static string F(double ms) => ms.ToString("F3", Inv);

        private static JsonArray KernelsJson(EdgeModel m, LoadedModel lm)
        {
            var arr = new JsonArray();
            for (int i = 0; i < m.Ops.Length; i++)
                arr.Add(new JsonObject
                {
                    ["index"] = i,
                    ["type"] = OpNames.Name(m.Ops[i].Type),
                    ["kernel"] = lm.Provider != null && i < lm.Provider.Chosen.Count ? lm.Provider.Chosen[i] : "reference",
                });
            return arr;
        }
        public static string Num(long n) => n.ToString("N0", Inv);
        private static string Shape(int[] s) => "[" + string.Join(",", s) + "]";
    }
}
