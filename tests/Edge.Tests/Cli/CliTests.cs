using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edge.Converter.Cli;
using Edge.Converter.FlatBuffers;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Cli
{
    /// <summary>
    /// The `edge` CLI (tools/converter/Cli): verbs, exit codes (0 ok, 1 usage, 2 invalid or unsupported input,
    /// 3 internal error), output files and messages. In-process through <see cref="Program.Run"/>, plus one
    /// out-of-process run of edge.dll for the real exit codes.
    /// </summary>
    public sealed class CliTests : IDisposable
    {
        private readonly ITestOutputHelper _out;
        private readonly string _dir;

        public CliTests(ITestOutputHelper output)
        {
            _out = output;
            _dir = Path.Combine(Path.GetTempPath(), "edge-cli-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dir);
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private sealed record Result(int Code, string Stdout, string Stderr);

        private Result Cli(params string[] args)
        {
            var so = new StringWriter(CultureInfo.InvariantCulture);
            var se = new StringWriter(CultureInfo.InvariantCulture);
            int code = Program.Run(args, so, se);
            var r = new Result(code, so.ToString(), se.ToString());
            _out.WriteLine($"$ edge {string.Join(" ", args)}  -> exit {code}");
            if (r.Stdout.Length > 0) _out.WriteLine(Indent(r.Stdout));
            if (r.Stderr.Length > 0) _out.WriteLine(Indent("[stderr] " + r.Stderr));
            Assert.True(code != Program.ExitInternal, $"internal error (exit 3): {r.Stderr}");
            return r;
        }

        private static string Indent(string s) => "    " + s.TrimEnd().Replace("\n", "\n    ");

        private string TempPath(string name) => Path.Combine(_dir, name);

        private string[] FilesIn(string dir) =>
            Directory.GetFiles(dir).Select(Path.GetFileName).OrderBy(s => s, StringComparer.Ordinal).ToArray();

        /// <summary>Writes the IR-built model (needs no shared data) and returns its path.</summary>
        private string WriteSmallModel(string name = "small.edge")
        {
            string p = TempPath(name);
            File.WriteAllBytes(p, TestModels.SmallModelBytes());
            return p;
        }

        private string WriteModel(string model)
        {
            string p = TempPath(model + ".edge");
            File.WriteAllBytes(p, TestModels.EdgeBytes(model));
            return p;
        }

        // =====================================================================================================
        // convert
        // =====================================================================================================

        [SharedDataTheory]
        [InlineData("hello_world_int8")]
        [InlineData("kws_ref_model")]
        public void Convert_RealModel_PrintsSummaryAndWritesLoadableFile(string model)
        {
            string outDir = Path.Combine(_dir, "out");
            Directory.CreateDirectory(outDir);
            string output = Path.Combine(outDir, model + ".edge");
            var r = Cli("convert", TestModels.TflitePath(model), "-o", output);

            Assert.Equal(Program.ExitOk, r.Code);
            Assert.Equal(new[] { model + ".edge" }, FilesIn(outDir));   // no temp file left behind
            byte[] file = File.ReadAllBytes(output);
            var m = EdgeModel.Load(file);

            Assert.Equal(m.Ops.Length, SummaryNumber(r.Stdout, "ops"));
            Assert.Equal(m.Tensors.Length, SummaryNumber(r.Stdout, "tensors"));
            Assert.Equal(m.ArenaBytes, SummaryNumber(r.Stdout, "arena bytes"));
            Assert.Equal(m.Tensors.Where(t => t.IsConstant).Sum(t => (long)t.SizeBytes), SummaryNumber(r.Stdout, "weight bytes"));
            Assert.Equal(file.Length, SummaryNumber(r.Stdout, "file bytes"));
            // The per-op table names every op.
            foreach (var op in m.Ops) Assert.Contains(OpNames.Name(op.Type), r.Stdout);
            // Same bytes as the in-process conversion.
            Assert.Equal(TestModels.EdgeBytes(model), file);
        }

        /// <summary>The number on the summary line "LABEL   1,234 ..." of `convert`.</summary>
        private static long SummaryNumber(string stdout, string label)
        {
            var m = Regex.Match(stdout, "^" + Regex.Escape(label) + @"\s+([0-9,]+)", RegexOptions.Multiline);
            Assert.True(m.Success, $"no '{label}' line in:\n{stdout}");
            return long.Parse(m.Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture);
        }

        [Fact]
        public void Convert_MissingInput_Exit2()
        {
            string output = TempPath("out.edge");
            var r = Cli("convert", TempPath("does-not-exist.tflite"), "-o", output);
            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.Contains("does-not-exist.tflite", r.Stderr);
            Assert.Empty(FilesIn(_dir));
        }

        [Fact]
        public void Convert_NotATfliteFile_Exit2_NoOutputNoTempFile()
        {
            string input = TempPath("random.tflite");
            var bytes = new byte[4096];
            new Random(7).NextBytes(bytes);
            File.WriteAllBytes(input, bytes);
            string output = TempPath("out.edge");

            var r = Cli("convert", input, "-o", output);
            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.Contains("TFLite", r.Stderr);   // "neither a TFLite flatbuffer … nor an ONNX protobuf"
            Assert.False(File.Exists(output));
            Assert.Equal(new[] { "random.tflite" }, FilesIn(_dir));
        }

        [Fact]
        public void Convert_TruncatedTflite_Exit2_NoOutput()
        {
            // "TFL3" identifier but nothing behind it: the reader must fail cleanly.
            string input = TempPath("stub.tflite");
            File.WriteAllBytes(input, new byte[] { 0x40, 0, 0, 0, (byte)'T', (byte)'F', (byte)'L', (byte)'3', 0, 0, 0, 0 });
            string output = TempPath("out.edge");
            var r = Cli("convert", input, "-o", output);
            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.False(File.Exists(output));
            Assert.Equal(new[] { "stub.tflite" }, FilesIn(_dir));
        }

        [SharedDataFact]
        public void Convert_UnsupportedOp_Exit2_NamesOpIndexAndSupportedOps()
        {
            // hello_world_int8 has one operator code (FULLY_CONNECTED), used by ops 0..2. Make it EXP (47)
            // (DIV, the earlier choice, is supported on int32 since format 1.2).
            byte[] tflite = File.ReadAllBytes(TestModels.TflitePath("hello_world_int8"));
            var root = new FlatBufferReader(tflite).Root();
            var codes = root.GetVector(1, 4);                     // Model.operator_codes
            Assert.True(codes.Length >= 1);
            var code = codes.GetTable(0);
            int deprecated = code.FieldPosition(0, 1, 1);         // OperatorCode.deprecated_builtin_code: byte
            int builtin = code.FieldPosition(3, 4, 4);            // OperatorCode.builtin_code: int
            Assert.True(deprecated != 0 || builtin != 0, "operator code has neither builtin code field");
            if (deprecated != 0) tflite[deprecated] = 47;
            if (builtin != 0) BinaryPrimitives.WriteInt32LittleEndian(tflite.AsSpan(builtin), 47);

            string input = TempPath("div.tflite");
            File.WriteAllBytes(input, tflite);
            string output = TempPath("div.edge");
            var r = Cli("convert", input, "-o", output);

            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.Contains("EXP", r.Stderr);
            Assert.Contains("op #0", r.Stderr);
            Assert.Contains("Supported ops", r.Stderr);
            foreach (string op in new[] { "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX" }) Assert.Contains(op, r.Stderr);
            Assert.False(File.Exists(output));
            Assert.Equal(new[] { "div.tflite" }, FilesIn(_dir));
        }

        /// <summary>
        /// The audio front end with one custom op renamed (a copy in the temp dir): exit 2, the message names the
        /// op, its index and the supported custom ops, and nothing is written. Then the real model converts.
        /// </summary>
        [SharedDataFact]
        public void Convert_UnknownCustomOp_Exit2_AndTheFrontEndConverts()
        {
            string src = Path.Combine(SharedData.Root!, "frontend", "audio_preprocessor_int8", "model.tflite");
            byte[] tflite = File.ReadAllBytes(src);
            byte[] name = System.Text.Encoding.ASCII.GetBytes("SignalPCAN");
            int at = -1;
            for (int i = 0; i + name.Length <= tflite.Length && at < 0; i++)
                if (tflite.AsSpan(i, name.Length).SequenceEqual(name)) at = i;
            Assert.True(at >= 0, "custom code SignalPCAN not found in the model bytes");
            tflite[at + name.Length - 1] = (byte)'X';                                  // "SignalPCAX"
            string input = TempPath("fe_bad.tflite");
            File.WriteAllBytes(input, tflite);
            string output = TempPath("fe_bad.edge");
            var r = Cli("convert", input, "-o", output);
            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.Contains("SignalPCAX", r.Stderr);
            Assert.Contains("op #12", r.Stderr);
            Assert.Contains("SignalFilterBankLog", r.Stderr);                          // the supported custom ops are listed
            Assert.False(File.Exists(output));

            string good = TempPath("fe.edge");
            var ok = Cli("convert", src, "-o", good);
            Assert.Equal(0, ok.Code);
            Assert.Contains("SignalRfft", ok.Stdout);
            Assert.True(File.Exists(good));
        }

        [Fact]
        public void UsageErrors_Exit1()
        {
            string model = WriteSmallModel();
            string input = TempPath("x.tflite");
            File.WriteAllBytes(input, new byte[16]);

            var none = Cli();
            Assert.Equal(Program.ExitUsage, none.Code);
            Assert.Contains("usage", none.Stderr);

            var verb = Cli("frobnicate", model);
            Assert.Equal(Program.ExitUsage, verb.Code);
            Assert.Contains("frobnicate", verb.Stderr);

            var opt = Cli("convert", input, "-o", TempPath("o.edge"), "--bogus");
            Assert.Equal(Program.ExitUsage, opt.Code);
            Assert.Contains("bogus", opt.Stderr);

            var missingO = Cli("convert", input);
            Assert.Equal(Program.ExitUsage, missingO.Code);
            Assert.Contains("-o", missingO.Stderr);

            var noModel = Cli("inspect");
            Assert.Equal(Program.ExitUsage, noModel.Code);

            var extra = Cli("verify", model, "another.edge");
            Assert.Equal(Program.ExitUsage, extra.Code);

            var badIter = Cli("bench", model, "--iterations", "zero");
            Assert.Equal(Program.ExitUsage, badIter.Code);
            Assert.Contains("iterations", badIter.Stderr);

            Assert.Equal(new[] { "small.edge", "x.tflite" }, FilesIn(_dir));
        }

        // =====================================================================================================
        // Out of process: the real exit codes of edge.dll
        // =====================================================================================================

        [Fact]
        public void OutOfProcess_ExitCodes()
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "edge.dll");
            Assert.True(File.Exists(dll), $"{dll} not found (the test project references the converter)");
            string model = WriteSmallModel();
            string bad = TempPath("bad.edge");
            File.WriteAllBytes(bad, TestModels.SmallModelBytes().AsSpan(0, 100).ToArray());

            var ok = RunProcess(dll, "verify", model);
            Assert.Equal(0, ok.Code);
            Assert.Contains("valid", ok.Stdout);

            var usage = RunProcess(dll);
            Assert.Equal(1, usage.Code);
            Assert.Contains("usage", usage.Stderr);

            var invalid = RunProcess(dll, "verify", bad);
            Assert.Equal(2, invalid.Code);
            Assert.Contains("invalid .edge file", invalid.Stderr);

            var missing = RunProcess(dll, "convert", TempPath("missing.tflite"), "-o", TempPath("m.edge"));
            Assert.Equal(2, missing.Code);
        }

        private Result RunProcess(string dll, params string[] args)
        {
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet)) dotnet = "dotnet";
            var psi = new ProcessStartInfo(dotnet)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = _dir,
            };
            psi.ArgumentList.Add(dll);
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000))
            {
                try { p.Kill(); } catch (InvalidOperationException) { }
                Assert.Fail($"edge {string.Join(" ", args)} did not exit within 60 s");
            }
            var r = new Result(p.ExitCode, stdout.Result, stderr.Result);
            _out.WriteLine($"$ dotnet edge.dll {string.Join(" ", args)}  -> exit {r.Code}");
            if (r.Stderr.Length > 0) _out.WriteLine(Indent("[stderr] " + r.Stderr));
            return r;
        }

        // =====================================================================================================
        // inspect
        // =====================================================================================================

        [Fact]
        public void Inspect_Json_IrModel() => CheckInspectJson(WriteSmallModel());

        [SharedDataTheory]
        [InlineData("hello_world_int8")]
        [InlineData("person_detect")]
        public void Inspect_Json_RealModel(string model) => CheckInspectJson(WriteModel(model));

        private void CheckInspectJson(string path)
        {
            var r = Cli("inspect", path, "--json");
            Assert.Equal(Program.ExitOk, r.Code);
            byte[] file = File.ReadAllBytes(path);
            var m = EdgeModel.Load(file);
            using var doc = JsonDocument.Parse(r.Stdout);
            var j = doc.RootElement;

            Assert.Equal(file.Length, j.GetProperty("fileBytes").GetInt64());
            Assert.Equal(m.ArenaBytes, j.GetProperty("arenaBytes").GetInt64());
            Assert.Equal(m.ConstantBytes, j.GetProperty("weightsBytes").GetInt64());
            Assert.Equal(m.Macs, j.GetProperty("macs").GetInt64());

            var ops = j.GetProperty("ops");
            Assert.Equal(JsonValueKind.Array, ops.ValueKind);
            Assert.Equal(m.Ops.Length, ops.GetArrayLength());
            for (int i = 0; i < m.Ops.Length; i++)
            {
                Assert.Equal(i, ops[i].GetProperty("index").GetInt32());
                Assert.Equal(OpNames.Name(m.Ops[i].Type), ops[i].GetProperty("type").GetString());
            }
            CheckIo(j.GetProperty("inputs"), m, m.Inputs);
            CheckIo(j.GetProperty("outputs"), m, m.Outputs);
        }

        private static void CheckIo(JsonElement arr, EdgeModel m, int[] indices)
        {
            Assert.Equal(JsonValueKind.Array, arr.ValueKind);
            Assert.Equal(indices.Length, arr.GetArrayLength());
            for (int i = 0; i < indices.Length; i++)
            {
                var t = m.Tensors[indices[i]];
                var e = arr[i];
                Assert.Equal(t.Name, e.GetProperty("name").GetString());
                Assert.Equal(t.Shape, e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray());
                Assert.Equal(TensorInfo.DTypeName(t.Type), e.GetProperty("dtype").GetString());
                Assert.NotNull(t.Scales);   // model inputs/outputs of int8 models are quantized
                Assert.Equal(t.Scale, (float)e.GetProperty("scale").GetDouble());
                Assert.Equal(t.ZeroPoint, e.GetProperty("zeroPoint").GetInt32());
            }
        }

        [Fact]
        public void Inspect_Plain_PrintsTables()
        {
            string path = WriteSmallModel();
            var m = EdgeModel.Load(File.ReadAllBytes(path));
            var r = Cli("inspect", path);
            Assert.Equal(Program.ExitOk, r.Code);
            Assert.Contains("arena bytes", r.Stdout);
            Assert.Contains(m.ArenaBytes.ToString(CultureInfo.InvariantCulture), r.Stdout);
            Assert.Contains("input", r.Stdout);
            Assert.Contains("output", r.Stdout);
            Assert.Contains(m.Input(0).ShapeText(), r.Stdout);
            foreach (var op in m.Ops) Assert.Contains(OpNames.Name(op.Type), r.Stdout);
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(r.Stdout));
        }

        // =====================================================================================================
        // run
        // =====================================================================================================

        [SharedDataTheory]
        [InlineData("hello_world_int8")]
        [InlineData("kws_ref_model")]
        [InlineData("person_detect")]
        public void Run_ConformanceInputs_OutputEqualsExpected(string model)
        {
            string path = WriteModel(model);
            var m = EdgeModel.Load(File.ReadAllBytes(path));
            string caseDir = TestModels.CaseDir(model);
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(caseDir, "manifest.json")));
            int sets = 0;
            foreach (var set in manifest.RootElement.GetProperty("inputs").EnumerateArray())
            {
                string name = set.GetProperty("name").GetString();
                var files = set.GetProperty("files").EnumerateArray().Select(f => Path.Combine(caseDir, f.GetString())).ToList();
                var expected = set.GetProperty("expected").EnumerateArray().Select(f => Path.Combine(caseDir, f.GetString())).ToList();
                string outDir = Path.Combine(_dir, "out-" + name);
                var args = new List<string> { "run", path };
                foreach (var f in files) { args.Add("--input"); args.Add(f); }
                args.Add("--output-dir"); args.Add(outDir);
                var r = Cli(args.ToArray());
                Assert.Equal(Program.ExitOk, r.Code);
                Assert.Equal(m.OutputCount, expected.Count);
                for (int i = 0; i < m.OutputCount; i++)
                {
                    string produced = Path.Combine(outDir, $"output_{i}.npy");
                    Assert.True(File.Exists(produced), $"{produced} missing");
                    var got = Npy.Read(produced);
                    var want = Npy.Read(expected[i]);
                    Assert.Equal(m.Output(i).Type, got.DType);
                    Assert.Equal(m.Output(i).Shape, got.Shape);
                    Assert.Equal(want.DType, got.DType);
                    Assert.Equal(want.Shape, got.Shape);
                    Assert.True(want.Data.AsSpan().SequenceEqual(got.Data), $"{model}/{name} output {i} differs from {expected[i]}");
                }
                sets++;
            }
            Assert.True(sets > 0);
        }

        [Fact]
        public void Run_IrModel_WritesOutputWithModelDtypeAndShape()
        {
            string path = WriteSmallModel();
            var m = EdgeModel.Load(File.ReadAllBytes(path));
            var inT = m.Input(0);
            var data = new byte[inT.SizeBytes];
            new Random(3).NextBytes(data);
            string input = TempPath("in0.npy");
            Npy.Write(input, inT.Type, inT.Shape, data);
            string outDir = Path.Combine(_dir, "out");

            var r = Cli("run", path, "--input", input, "--output-dir", outDir);
            Assert.Equal(Program.ExitOk, r.Code);
            var got = Npy.Parse(File.ReadAllBytes(Path.Combine(outDir, "output_0.npy")));
            Assert.Equal(m.Output(0).Type, got.DType);
            Assert.Equal(m.Output(0).Shape, got.Shape);

            // Same bytes as running the runtime directly.
            var interp = new Interpreter(m, new byte[m.ArenaBytes]);
            interp.SetInput(0, data, 0);
            interp.Invoke();
            var want = new byte[m.Output(0).SizeBytes];
            interp.GetOutput(0, want, 0);
            Assert.Equal(want, got.Data);
        }

        [Fact]
        public void Run_BadInputs_Exit2WithClearMessage_NoOutput()
        {
            string path = WriteSmallModel();
            var m = EdgeModel.Load(File.ReadAllBytes(path));
            var inT = m.Input(0);
            Assert.Equal(DType.Int8, inT.Type);
            int n = inT.ElementCount;
            string outDir = Path.Combine(_dir, "out");

            Result RunWith(string file) => Cli("run", path, "--input", file, "--output-dir", outDir);

            string int32 = TempPath("int32.npy");
            Npy.Write(int32, DType.Int32, inT.Shape, new byte[4 * n]);
            var r = RunWith(int32);
            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.Contains("int8", r.Stderr);
            Assert.Contains("<i4", r.Stderr);

            string f32 = TempPath("float32.npy");
            Npy.Write(f32, DType.Float32, inT.Shape, new byte[4 * n]);
            r = RunWith(f32);
            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.Contains("int8", r.Stderr);
            Assert.Contains("<f4", r.Stderr);

            string shape = TempPath("shape.npy");
            Npy.Write(shape, DType.Int8, new[] { 1, n }, new byte[n]);
            r = RunWith(shape);
            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.Contains("shape", r.Stderr);
            Assert.Contains(inT.ShapeText(), r.Stderr);

            string truncated = TempPath("truncated.npy");
            byte[] full = Npy.Serialize(DType.Int8, inT.Shape, new byte[n]);
            File.WriteAllBytes(truncated, full.AsSpan(0, full.Length - 5).ToArray());
            r = RunWith(truncated);
            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.Contains("truncated", r.Stderr);

            string headerCut = TempPath("header-cut.npy");
            File.WriteAllBytes(headerCut, full.AsSpan(0, 20).ToArray());
            r = RunWith(headerCut);
            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.Contains("truncated", r.Stderr);

            string notNpy = TempPath("not.npy");
            var junk = new byte[200];
            new Random(5).NextBytes(junk);
            File.WriteAllBytes(notNpy, junk);
            r = RunWith(notNpy);
            Assert.Equal(Program.ExitInvalid, r.Code);
            Assert.Contains("not a .npy", r.Stderr);

            r = RunWith(TempPath("missing.npy"));
            Assert.Equal(Program.ExitInvalid, r.Code);

            Assert.False(Directory.Exists(outDir), "a failed run must not write outputs");
        }

        [Fact]
        public void Run_WrongNumberOfInputs_IsUsageError()
        {
            // The usage text documents one --input per model input ("--input IN0.npy [--input IN1.npy ...]");
            // a count that does not match is a usage error (exit 1).
            Assert.Contains("--input IN0.npy [--input IN1.npy ...]", Program.Usage);
            string path = WriteSmallModel();
            var inT = EdgeModel.Load(File.ReadAllBytes(path)).Input(0);
            string input = TempPath("in0.npy");
            Npy.Write(input, inT.Type, inT.Shape, new byte[inT.SizeBytes]);
            string outDir = Path.Combine(_dir, "out");

            var none = Cli("run", path, "--output-dir", outDir);
            Assert.Equal(Program.ExitUsage, none.Code);
            Assert.Contains("input", none.Stderr);

            var two = Cli("run", path, "--input", input, "--input", input, "--output-dir", outDir);
            Assert.Equal(Program.ExitUsage, two.Code);
            Assert.Contains("1 input", two.Stderr);

            var noDir = Cli("run", path, "--input", input);
            Assert.Equal(Program.ExitUsage, noDir.Code);
            Assert.Contains("--output-dir", noDir.Stderr);
            Assert.False(Directory.Exists(outDir));
        }

        // =====================================================================================================
        // bench
        // =====================================================================================================

        [Fact]
        public void Bench_Json_IrModel() => CheckBenchJson(WriteSmallModel());

        [SharedDataFact]
        public void Bench_Json_RealModel() => CheckBenchJson(WriteModel("kws_ref_model"));

        private void CheckBenchJson(string path)
        {
            var m = EdgeModel.Load(File.ReadAllBytes(path));
            var r = Cli("bench", path, "--iterations", "5", "--warmup", "1", "--json");
            Assert.Equal(Program.ExitOk, r.Code);
            using var doc = JsonDocument.Parse(r.Stdout);
            var j = doc.RootElement;
            double p50 = j.GetProperty("p50Ms").GetDouble();
            double p90 = j.GetProperty("p90Ms").GetDouble();
            double p99 = j.GetProperty("p99Ms").GetDouble();
            Assert.True(p50 >= 0 && p50 <= p90 && p90 <= p99, $"p50 {p50}, p90 {p90}, p99 {p99}");
            Assert.Equal(0, j.GetProperty("allocatedBytesPerInvoke").GetInt64());
            Assert.Equal(m.ArenaBytes, j.GetProperty("arenaBytes").GetInt64());
            Assert.Equal(m.Macs, j.GetProperty("macs").GetInt64());
            Assert.Equal(5, j.GetProperty("iterations").GetInt32());
            Assert.Equal(1, j.GetProperty("warmup").GetInt32());
        }

        // =====================================================================================================
        // verify
        // =====================================================================================================

        [Fact]
        public void Verify_GoodFile_Exit0()
        {
            string path = WriteSmallModel();
            var m = EdgeModel.Load(File.ReadAllBytes(path));
            var r = Cli("verify", path);
            Assert.Equal(Program.ExitOk, r.Code);
            Assert.Contains("valid", r.Stdout);
            Assert.Contains($"{m.Ops.Length} ops", r.Stdout);
        }

        [Fact]
        public void Verify_CorruptedFiles_Exit2WithVerifierMessage()
        {
            byte[] good = TestModels.SmallModelBytes();
            var cases = new List<(string Name, byte[] Bytes)>
            {
                ("truncated", good.AsSpan(0, good.Length / 2).ToArray()),
                ("empty", Array.Empty<byte>()),
            };
            var wrongId = (byte[])good.Clone();
            wrongId[4] = (byte)'X';
            cases.Add(("identifier", wrongId));
            var hugeRoot = (byte[])good.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(hugeRoot, 0x7FFFFFF0u);
            cases.Add(("root", hugeRoot));

            foreach (var (name, bytes) in cases)
            {
                string path = TempPath(name + ".edge");
                File.WriteAllBytes(path, bytes);
                var e = Assert.Throws<EdgeFormatException>(() => EdgeModel.Load(bytes));
                var r = Cli("verify", path);
                Assert.Equal(Program.ExitInvalid, r.Code);
                Assert.Contains(e.Message, r.Stderr);
                Assert.Equal("", r.Stdout);
            }

            var missing = Cli("verify", TempPath("missing.edge"));
            Assert.Equal(Program.ExitInvalid, missing.Code);

            // inspect, run and bench report a corrupted model the same way.
            string trunc = TempPath("truncated.edge");
            Assert.Equal(Program.ExitInvalid, Cli("inspect", trunc, "--json").Code);
            Assert.Equal(Program.ExitInvalid, Cli("bench", trunc, "--iterations", "1").Code);
            Assert.Equal(Program.ExitInvalid, Cli("run", trunc, "--input", TempPath("x.npy"), "--output-dir", TempPath("o")).Code);
        }
    }
}
