using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Edge.Converter.Conversion;
using Edge.Converter.Format;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Audio
{
    /// <summary>
    /// Format 1.2 as written for the audio front end: flatc (an independent FlatBuffers implementation) reads the
    /// new types, ops, options tables and state_tensors with our schema; the host constants match kiss_fft's
    /// definitions; malformed 1.2 content fails verification with a clear message.
    /// </summary>
    public class AudioFormatTests
    {
        private sealed class SharedDataFlatcFactAttribute : FactAttribute
        {
            public SharedDataFlatcFactAttribute()
            {
                if (SharedData.Root == null) Skip = SharedData.MissingMessage;
                else if (Conformance.FlatcDecodeTests.Flatc() == null) Skip = "flatc not installed (apt-get install flatbuffers-compiler): flatc decode test skipped";
            }
        }

        [SharedDataFlatcFact]
        public void Flatc_reads_the_front_end_with_our_schema()
        {
            byte[] edge = AudioCases.FrontendEdge;
            var model = EdgeModel.Load(edge);
            string tmp = Directory.CreateTempSubdirectory("edge-flatc-audio").FullName;
            try
            {
                string file = Path.Combine(tmp, "fe.edge");
                File.WriteAllBytes(file, edge);
                string schema = Path.Combine(SharedData.RepoRoot, "runtime", "Format", "edge.fbs");
                var psi = new ProcessStartInfo(Conformance.FlatcDecodeTests.Flatc()!, new[] { "--json", "--strict-json", "--defaults-json", "--raw-binary", "-o", tmp, schema, "--", file })
                { RedirectStandardError = true, RedirectStandardOutput = true };
                using (var p = Process.Start(psi)!)
                {
                    string err = p.StandardError.ReadToEnd();
                    p.WaitForExit();
                    Assert.True(p.ExitCode == 0, "flatc failed: " + err);
                }
                using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(tmp, "fe.json")));
                var root = doc.RootElement;
                Assert.Equal(65538, root.GetProperty("format_version").GetInt32());
                Assert.Equal(model.StateTensors, root.GetProperty("state_tensors").EnumerateArray().Select(x => x.GetInt32()).ToArray());
                var tensors = root.GetProperty("tensors").EnumerateArray().ToArray();
                for (int i = 0; i < tensors.Length; i++) Assert.Equal(model.Tensors[i].Type.ToString(), tensors[i].GetProperty("dtype").GetString());
                Assert.Contains(tensors, t => t.GetProperty("dtype").GetString() == "UInt64");
                var ops = root.GetProperty("operators").EnumerateArray().ToArray();
                Assert.Equal(model.Ops.Select(o => o.Type.ToString()), ops.Select(o => o.GetProperty("type").GetString()));
                var ss = ops.Single(o => o.GetProperty("type").GetString() == "SignalFilterBankSpectralSubtraction");
                Assert.Equal("SignalSpectralSubtractionOptions", ss.GetProperty("options_type").GetString());
                var so = ss.GetProperty("options");
                Assert.Equal(40, so.GetProperty("num_channels").GetInt32());
                Assert.Equal(model.StateTensors[0], ss.GetProperty("inputs")[1].GetInt32());
                var rfft = ops.Single(o => o.GetProperty("type").GetString() == "SignalRfft").GetProperty("options");
                Assert.Equal(512, rfft.GetProperty("fft_length").GetInt32());
                Assert.Equal(new[] { 4, 64, 4, 16, 4, 4, 4, 1 }, rfft.GetProperty("factors").EnumerateArray().Select(x => x.GetInt32()).ToArray());
                Assert.Equal(512, rfft.GetProperty("twiddles").GetArrayLength());
                Assert.Equal(256, rfft.GetProperty("super_twiddles").GetArrayLength());
                var div = ops.Single(o => o.GetProperty("type").GetString() == "Div");
                Assert.Equal("IntegerArithmeticOptions", div.GetProperty("options_type").GetString());
                Assert.Equal(int.MinValue, div.GetProperty("options").GetProperty("act_min").GetInt32());
            }
            finally { Directory.Delete(tmp, true); }
        }

        [Fact]
        public void Kiss_factors_and_twiddles_follow_kiss_fft()
        {
            Assert.Equal(new[] { 4, 64, 4, 16, 4, 4, 4, 1 }, TfliteImporter.KissFactors(256));
            Assert.Equal(new[] { 4, 32, 4, 8, 4, 2, 2, 1 }, TfliteImporter.KissFactors(128));
            Assert.Equal(new[] { 3, 5, 5, 1 }, TfliteImporter.KissFactors(15));
            var (tw, st) = TfliteImporter.KissFftrTwiddles(512);
            Assert.Equal(512, tw.Length);
            Assert.Equal(256, st.Length);
            // e^0 = (32767, 0); e^(-iπ/2) at k = c/4 = 64 is (0, -32767); super twiddle k: e^(-iπ((k+1)/256 + 1/2)).
            Assert.Equal(32767, tw[0]); Assert.Equal(0, tw[1]);
            Assert.Equal(0, tw[128]); Assert.Equal(-32767, tw[129]);
            for (int k = 0; k < 128; k++)
            {
                double ph = -Math.PI * ((k + 1) / 256.0 + 0.5);
                Assert.InRange(st[2 * k] - 32767 * Math.Cos(ph), -0.5, 0.5);
                Assert.InRange(st[2 * k + 1] - 32767 * Math.Sin(ph), -0.5, 0.5);
            }
        }

        [SharedDataFact]
        public void State_tensor_that_is_not_listed_is_rejected()
        {
            // Rebuild the front end graph without state_tensors: the verifier must refuse the spectral subtraction op.
            var r = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(AudioCases.FrontendDir, "model.tflite")), "fe.tflite");
            var g = r.Graph;
            int state = g.StateTensors[0];
            g.StateTensors.Clear();
            // Without the listing the tensor reads as an activation nobody writes.
            var e = Assert.Throws<EdgeFormatException>(() => EdgeModel.Load(EdgeWriter.Write(g)));
            Assert.Contains("SignalFilterBankSpectralSubtraction", e.Message);
            g.StateTensors.Add(state);
            Assert.NotNull(EdgeModel.Load(EdgeWriter.Write(g)));
        }

        [SharedDataFact]
        public void Malformed_state_tensor_lists_fail_verification()
        {
            EdgeFormatException Load(Action<Edge.Converter.Ir.EdgeGraph> mutate)
            {
                var g = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(AudioCases.FrontendDir, "model.tflite")), "fe.tflite").Graph;
                mutate(g);
                return Assert.Throws<EdgeFormatException>(() => EdgeModel.Load(EdgeWriter.Write(g)));
            }
            Assert.Contains("listed twice", Load(g => g.StateTensors.Add(g.StateTensors[0])).Message);
            Assert.Contains("is a model input", Load(g => g.StateTensors.Add(g.Inputs[0])).Message);
            // A state tensor planned on bytes another activation uses while it lives: the plan check refuses it.
            var e = Load(g => g.Tensors[g.StateTensors[0]].ArenaOffset = g.Tensors[g.Inputs[0]].ArenaOffset);
            Assert.Contains("overlaps", e.Message);
            // A state tensor that an operator writes: written twice.
            Assert.Contains("written twice", Load(g => g.StateTensors.Add(g.Ops[0].Outputs[0])).Message);
            // The writer refuses a constant as state.
            var g2 = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(AudioCases.FrontendDir, "model.tflite")), "fe.tflite").Graph;
            g2.StateTensors.Add(g2.Tensors.FindIndex(t => t.IsConstant));
            Assert.Throws<ArgumentException>(() => EdgeWriter.Write(g2));
        }

        [SharedDataFact]
        public void Unknown_dtype_is_rejected()
        {
            var g = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(AudioCases.FrontendDir, "model.tflite")), "fe.tflite").Graph;
            byte[] f = EdgeWriter.Write(g);
            int t = Array.FindIndex(EdgeModel.Load(f).Tensors, x => x.Type == DType.UInt64);
            Assert.True(t >= 0);
            // The writer refuses unknown dtypes, so patch the written byte: locate the UInt64 tensor's dtype byte (6)
            // by comparing with the same graph where that tensor is UInt32 (5) of the same byte size.
            int patched = 0;
            var g3 = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(AudioCases.FrontendDir, "model.tflite")), "fe.tflite").Graph;
            g3.Tensors[t].DType = DType.UInt32;
            g3.Tensors[t].Shape = new[] { g3.Tensors[t].Shape[0] * 2 };   // same byte size, so the layout is identical
            byte[] f3 = EdgeWriter.Write(g3);
            Assert.Equal(f.Length, f3.Length);
            for (int i = 0; i < f.Length; i++)
                if (f[i] == 6 && f3[i] == 5) { f[i] = 7; patched++; }
            Assert.Equal(1, patched);
            var e = Assert.Throws<EdgeFormatException>(() => EdgeModel.Load(f));
            Assert.Contains("unknown dtype 7", e.Message);
        }

        [Fact]
        public void Npy_reads_and_writes_the_new_unsigned_types()
        {
            var data = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
            foreach (var (t, shape) in new[] { (DType.UInt32, new[] { 2, 2 }), (DType.UInt64, new[] { 2 }) })
            {
                var a = Edge.Converter.Cli.Npy.Parse(Edge.Converter.Cli.Npy.Serialize(t, shape, data));
                Assert.Equal(t, a.DType);
                Assert.Equal(shape, a.Shape);
                Assert.Equal(data, a.Data);
            }
        }

        [SharedDataFact]
        public void Int32_fused_activations_follow_TFLM()
        {
            // The front end's MUL (op 15), ADD (op 16) and DIV (op 17) with fused activations set in memory: TFLM
            // clamps int32 MUL/SUB/DIV to CalculateActivationRange and ignores the activation of int32 ADD.
            var m = Edge.Converter.Tflite.TfliteReader.Read(File.ReadAllBytes(Path.Combine(AudioCases.FrontendDir, "model.tflite")));
            m.Operators[15].BuiltinOptions = new Edge.Converter.Tflite.TfliteMulOptions { FusedActivation = Edge.Converter.Tflite.TfliteActivation.Relu6 };
            m.Operators[16].BuiltinOptions = new Edge.Converter.Tflite.TfliteAddOptions { FusedActivation = Edge.Converter.Tflite.TfliteActivation.Relu };
            m.Operators[17].BuiltinOptions = new Edge.Converter.Tflite.TfliteDivOptions { FusedActivation = Edge.Converter.Tflite.TfliteActivation.ReluN1To1 };
            var g = TfliteImporter.Import(m);
            var ops = g.Ops.Where(o => o.Options is Edge.Converter.Ir.IntegerArithmeticOptions).ToArray();
            var mul = (Edge.Converter.Ir.IntegerArithmeticOptions)ops.First(o => o.Type == OpType.Mul).Options;
            var add = (Edge.Converter.Ir.IntegerArithmeticOptions)ops.First(o => o.Type == OpType.Add).Options;
            var div = (Edge.Converter.Ir.IntegerArithmeticOptions)ops.First(o => o.Type == OpType.Div).Options;
            Assert.Equal((0, 6), (mul.ActMin, mul.ActMax));
            Assert.Equal((int.MinValue, int.MaxValue), (add.ActMin, add.ActMax));
            Assert.Equal((-1, 1), (div.ActMin, div.ActMax));
        }
    }
}
