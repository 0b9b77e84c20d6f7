using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Conformance
{
    /// <summary>
    /// Converts real models and decodes the .edge files with Debian's flatc and our schema
    /// (runtime/Format/edge.fbs): an independent FlatBuffers implementation must read every field the same way
    /// our runtime does.
    /// </summary>
    public class FlatcDecodeTests
    {
        private readonly ITestOutputHelper _log;
        public FlatcDecodeTests(ITestOutputHelper log) { _log = log; }

        public static string Flatc()
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, "flatc"))) return Path.Combine(dir, "flatc");
            return null;
        }

        [SharedDataFlatcTheory]
        [InlineData("hello_world_int8")]
        [InlineData("kws_ref_model")]
        [InlineData("pretrainedResnet_quant")]
        public void FlatcReadsConvertedModel(string caseName)
        {
            string flatc = Flatc();
            var c = ConformanceCase.Load(caseName);
            byte[] edge = c.EdgeBytes();
            var model = EdgeModel.Load(edge);
            string tmp = Directory.CreateTempSubdirectory("edge-flatc").FullName;
            try
            {
                string file = Path.Combine(tmp, caseName + ".edge");
                File.WriteAllBytes(file, edge);
                string schema = Path.Combine(SharedData.RepoRoot, "runtime", "Format", "edge.fbs");
                var psi = new ProcessStartInfo(flatc, new[] { "--json", "--strict-json", "--defaults-json", "--raw-binary", "-o", tmp, schema, "--", file })
                { RedirectStandardError = true, RedirectStandardOutput = true };
                using (var p = Process.Start(psi)!)
                {
                    string err = p.StandardError.ReadToEnd();
                    p.WaitForExit();
                    Assert.True(p.ExitCode == 0, "flatc failed: " + err);
                }
                using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(tmp, caseName + ".json")));
                var root = doc.RootElement;
                Assert.Equal(65538, root.GetProperty("format_version").GetInt32());   // 1.2
                Assert.Equal(model.ArenaBytes, root.GetProperty("arena_bytes").GetInt32());
                var tensors = root.GetProperty("tensors").EnumerateArray().ToArray();
                Assert.Equal(model.Tensors.Length, tensors.Length);
                for (int i = 0; i < tensors.Length; i++)
                {
                    var t = model.Tensors[i];
                    var j = tensors[i];
                    Assert.Equal(t.Name, j.GetProperty("name").GetString());
                    Assert.Equal(t.Type.ToString(), j.GetProperty("dtype").GetString());
                    Assert.Equal(t.Shape, j.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray());
                    Assert.Equal(t.SizeBytes, j.GetProperty("size_bytes").GetInt32());
                    if (t.IsConstant) Assert.True(j.GetProperty("buffer").GetInt32() >= 0);
                    else Assert.Equal(t.DataOffset, j.GetProperty("arena_offset").GetInt32());
                    if (t.Scales != null)
                    {
                        var q = j.GetProperty("quantization");
                        // flatc 2.0 prints floats with 6 digits after the decimal point, so scales agree to 0.5e-6.
                        var scales = q.GetProperty("scale").EnumerateArray().Select(x => x.GetDouble()).ToArray();
                        Assert.Equal(t.Scales.Length, scales.Length);
                        for (int k = 0; k < scales.Length; k++) Assert.InRange(scales[k], t.Scales[k] - 5.01e-7, t.Scales[k] + 5.01e-7);
                        Assert.Equal(t.ZeroPoints, q.GetProperty("zero_point").EnumerateArray().Select(x => x.GetInt32()).ToArray());
                    }
                }
                var ops = root.GetProperty("operators").EnumerateArray().ToArray();
                Assert.Equal(model.Ops.Length, ops.Length);
                for (int i = 0; i < ops.Length; i++)
                {
                    Assert.Equal(model.Ops[i].Type.ToString(), ops[i].GetProperty("type").GetString());
                    Assert.Equal(model.Ops[i].Inputs, ops[i].GetProperty("inputs").EnumerateArray().Select(x => x.GetInt32()).ToArray());
                    Assert.Equal(model.Ops[i].Macs, ops[i].GetProperty("macs").GetInt64());
                }
                Assert.Equal(model.Inputs, root.GetProperty("inputs").EnumerateArray().Select(x => x.GetInt32()).ToArray());
                Assert.Equal(model.Outputs, root.GetProperty("outputs").EnumerateArray().Select(x => x.GetInt32()).ToArray());
                var meta = root.GetProperty("metadata");
                string sha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(c.Dir, "model.tflite")))).ToLowerInvariant();
                Assert.Equal(sha, meta.GetProperty("source_sha256").GetString());
                Assert.Equal("tflite", meta.GetProperty("source_format").GetString());
                Assert.Equal(model.Macs, meta.GetProperty("macs").GetInt64());
                Assert.Equal(model.Ops.Length, meta.GetProperty("op_counts").EnumerateArray().Sum(x => x.GetProperty("count").GetInt32()));
                // Constant buffers: flatc's offsets/lengths and our 16-byte alignment.
                foreach (var b in root.GetProperty("buffers").EnumerateArray())
                    Assert.Equal(0, b.GetProperty("offset").GetInt64() % 16);
                _log.WriteLine($"{caseName}: flatc decoded {tensors.Length} tensors, {ops.Length} operators, arena {model.ArenaBytes} bytes");
            }
            finally { Directory.Delete(tmp, true); }
        }
    }
}
