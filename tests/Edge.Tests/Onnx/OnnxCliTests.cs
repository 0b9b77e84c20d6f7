using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Edge.Converter.Cli;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Onnx
{
    /// <summary>The `edge` CLI on ONNX models: convert, inspect, run (float and uint8/int8 .npy), bench, and the errors.</summary>
    public sealed class OnnxCliTests : IDisposable
    {
        private readonly ITestOutputHelper _out;
        private readonly string _dir;

        public OnnxCliTests(ITestOutputHelper output)
        {
            _out = output;
            _dir = Path.Combine(Path.GetTempPath(), "edge-onnx-cli-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dir);
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private (int Code, string Stdout, string Stderr) Cli(params string[] args)
        {
            var so = new StringWriter(CultureInfo.InvariantCulture);
            var se = new StringWriter(CultureInfo.InvariantCulture);
            int code = Program.Run(args, so, se);
            _out.WriteLine($"$ edge {string.Join(" ", args)} -> exit {code}\n{so}{se}");
            Assert.True(code != Program.ExitInternal, se.ToString());
            return (code, so.ToString(), se.ToString());
        }

        private static string Model(string name) => Path.Combine(QdqOrtTests.Dir, name + ".onnx");

        /// <summary>Writes a model input (raw bytes from the test data) as .npy with the manifest's dtype and shape.</summary>
        private string InputNpy(string model, int k)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(QdqOrtTests.Dir, "manifest.json")));
            var m = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == model);
            var i = m.GetProperty("inputs")[k];
            var dtype = i.GetProperty("dtype").GetString() switch { "uint8" => DType.UInt8, "int8" => DType.Int8, _ => DType.Float32 };
            var shape = i.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            string path = Path.Combine(_dir, $"{model}.in{k}.npy");
            Npy.Write(path, dtype, shape, File.ReadAllBytes(Path.Combine(QdqOrtTests.Dir, i.GetProperty("file").GetString())));
            return path;
        }

        [Fact]
        public void ConvertInspectRunBench_QdqModel_MatchesOnnxRuntime()
        {
            string edge = Path.Combine(_dir, "conv.edge");
            // The expected outputs are ONNX Runtime's defaults on an AVX2 CPU: --ort-avx2 reproduces its int16 pair saturation.
            var c = Cli("convert", Model("conv_relu_s8_pc"), "-o", edge, "--ort-avx2");
            Assert.Equal(0, c.Code);
            Assert.Contains("QLINEAR_CONV", c.Stdout);
            Assert.Contains("arena bytes", c.Stdout);
            var i = Cli("inspect", edge, "--json");
            Assert.Equal(0, i.Code);
            using (var j = JsonDocument.Parse(i.Stdout))
            {
                var input = j.RootElement.GetProperty("inputs")[0];
                Assert.Equal(new[] { 1, 3, 8, 8 }, input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());   // ONNX's NCHW
            }
            Assert.Equal("onnx", EdgeModel.Load(File.ReadAllBytes(edge)).SourceFormat);
            string outDir = Path.Combine(_dir, "out");
            var r = Cli("run", edge, "--input", InputNpy("conv_relu_s8_pc", 0), "--output-dir", outDir);
            Assert.Equal(0, r.Code);
            var got = Npy.Read(Path.Combine(outDir, "output_0.npy"));
            Assert.Equal(DType.Float32, got.DType);
            Assert.Equal(new[] { 1, 5, 4, 4 }, got.Shape);
            Assert.Equal(File.ReadAllBytes(Path.Combine(QdqOrtTests.Dir, "conv_relu_s8_pc.output_0.bin")), got.Data);
            var b = Cli("bench", edge, "--iterations", "5", "--warmup", "1", "--json");
            Assert.Equal(0, b.Code);
            using var bj = JsonDocument.Parse(b.Stdout);
            Assert.Equal(0, bj.RootElement.GetProperty("allocatedBytesPerInvoke").GetInt64());
        }

        [Theory]
        [InlineData("qop_conv_pool_matmul_u8", DType.UInt8)]
        [InlineData("qop_conv_pool_matmul_s8", DType.Int8)]
        public void Run_EightBitInputsAndOutputs_EveryKernelSetMatchesOnnxRuntime(string model, DType dtype)
        {
            string edge = Path.Combine(_dir, model + ".edge");
            Assert.Equal(0, Cli("convert", Model(model), "-o", edge).Code);
            var m = EdgeModel.Load(File.ReadAllBytes(edge));
            Assert.Equal(dtype, m.Input(0).Type);
            Assert.Equal(dtype, m.Output(0).Type);
            Assert.Equal(new[] { 1, 2, 6, 6 }, m.Input(0).Shape);
            string input = InputNpy(model, 0);
            var want = File.ReadAllBytes(Path.Combine(QdqOrtTests.Dir, model + ".output_0.bin"));
            foreach (var k in new[] { "reference", "portable", "neon-model", "auto" })
            {
                string outDir = Path.Combine(_dir, "out_" + k);
                Assert.Equal(0, Cli("run", edge, "--input", input, "--output-dir", outDir, "--kernels", k).Code);
                var got = Npy.Read(Path.Combine(outDir, "output_0.npy"));
                Assert.Equal(dtype, got.DType);
                Assert.Equal(want, got.Data);
            }
            // A float .npy where the model takes uint8/int8 is an input error.
            string wrong = Path.Combine(_dir, "wrong.npy");
            Npy.Write(wrong, DType.Float32, new[] { 1, 2, 6, 6 }, new byte[4 * 72]);
            Assert.Equal(2, Cli("run", edge, "--input", wrong, "--output-dir", Path.Combine(_dir, "o2")).Code);
        }

        [Theory]
        [InlineData("leakyrelu_u8", "LeakyRelu", "LeakyRelu_")]
        [InlineData("bad_float_model", "float model", "--calibration")]
        [InlineData("bad_opset22", "opset 22", "10–21")]
        public void Convert_Unsupported_Exit2_NoOutputFile(string model, string what, string detail)
        {
            string edge = Path.Combine(_dir, model + ".edge");
            var r = Cli("convert", Model(model), "-o", edge);
            Assert.Equal(2, r.Code);
            Assert.Contains(what, r.Stderr);
            Assert.Contains(detail, r.Stderr);
            Assert.False(File.Exists(edge));
            Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        }

        [Fact]
        public void Int8TensorWithSeveralConsumers_NotesWhereOnnxRuntimeRunsFloat()
        {
            string edge = Path.Combine(_dir, "cnn.edge");
            var r = Cli("convert", Model("mini_cnn_s8"), "-o", edge);
            Assert.Equal(0, r.Code);
            // ONNX Runtime's optimized graph for this model runs exactly these in float (checked with its
            // optimizedModelFilePath): MaxPool_32, Conv_47, Add_77, GlobalAveragePool_87.
            foreach (var op in new[] { "MaxPool 'MaxPool_32'", "Conv 'Conv_47'", "Add 'Add_77'", "GlobalAveragePool 'GlobalAveragePool_87'" })
                Assert.Contains(op, r.Stderr);
            Assert.Equal(2, ModelConverter.Convert(File.ReadAllBytes(Model("mini_cnn_s8")), "m").Notes.Count);
            Assert.Empty(ModelConverter.Convert(File.ReadAllBytes(Model("mini_cnn_u8")), "m").Notes);
            Assert.Empty(ModelConverter.Convert(File.ReadAllBytes(Model("conv_relu_s8_pc")), "m").Notes);
        }

        [Fact]
        public void InMemoryModel_ConvertsLikeTheFile_AndErrorsNameNodeAndOpset()
        {
            byte[] bytes = File.ReadAllBytes(Model("gemm_u8_pc"));
            var fromFile = ModelConverter.Convert(bytes, "gemm_u8_pc.onnx");
            var fromModel = ModelConverter.Convert(OnnxReader.ReadModel(bytes), "gemm_u8_pc.onnx", sourceBytes: bytes);
            Assert.Equal(fromFile.FileBytesData, fromModel.FileBytesData);
            string written = Path.Combine(_dir, "inmem.edge");
            ModelConverter.ConvertFile(OnnxReader.ReadModel(bytes), "gemm_u8_pc.onnx", written, sourceBytes: bytes);
            Assert.Equal(fromFile.FileBytesData, File.ReadAllBytes(written));
            var g = OnnxImporter.Import(OnnxReader.ReadModel(bytes));
            Assert.Contains(g.Ops, o => o.Type == OpType.QLinearMatMul);
            var m = OnnxReader.ReadModel(bytes);
            m.Opsets[""] = 9;
            var ex = Assert.Throws<ConversionException>(() => OnnxImporter.Import(m));
            Assert.Contains("opset 9", ex.Message);
        }
    }
}
