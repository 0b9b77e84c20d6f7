using System;
using System.Collections.Generic;
using System.IO;
using Edge.Runtime;
using Xunit;

namespace Edge.Esp32.HostTests
{
    /// <summary>The boot path: embedded self-test through the linked runtime, and the lines the app prints.</summary>
    public class SelfTestAndFormattingTests
    {
        private static byte[] SineWithSelfTest()
        {
            byte[] input = Npy.Read(Path.Combine(Models.SineInputs, "x_1p20_in0.npy")).Data;
            return Models.Convert(File.ReadAllBytes(Models.SineTflite), "sine_int8.tflite", new List<byte[]> { input });
        }

        [Fact]
        public void Embedded_self_test_passes_on_the_linked_runtime()
        {
            EdgeModel model = EdgeModel.Load(SineWithSelfTest());
            Assert.True(model.HasSelfTest);
            SelfTestResult r = new Interpreter(model, new byte[model.ArenaBytes]).SelfTest();
            Assert.True(r.Present);
            Assert.True(r.Passed, r.ToString());
            Assert.Equal(model.Output(0).SizeBytes, r.BytesCompared);
            Assert.StartsWith("self-test: PASS", ResultFormatter.SelfTestLine(r));
        }

        [Fact]
        public void Corrupted_expected_output_is_reported_with_its_byte()
        {
            byte[] file = SineWithSelfTest();
            EdgeModel probe = EdgeModel.Load(file);
            int at = probe.SelfTestOutputOffsets[0];
            sbyte stored = (sbyte)file[at];
            file[at] = (byte)(stored + 1);
            EdgeModel model = EdgeModel.Load(file);
            SelfTestResult r = new Interpreter(model, new byte[model.ArenaBytes]).SelfTest();
            Assert.True(r.Present);
            Assert.False(r.Passed);
            Assert.Equal(0, r.Output);
            Assert.Equal(0, r.ByteIndex);
            Assert.Equal(stored + 1, r.Expected);
            Assert.Equal(stored, r.Actual);
            Assert.Equal("self-test: FAIL - self-test FAILED: output 0 byte 0 is " + stored + ", expected " + (stored + 1), ResultFormatter.SelfTestLine(r));
        }

        [SharedDataFact]
        public void Self_test_embedded_from_TFLM_inputs_reproduces_TFLM_outputs()
        {
            // kws_ref_model: convert with the first conformance input embedded; the converter stores the output the
            // reference kernels give, which must be TFLM's expected output, and the linked runtime must reproduce it.
            var set = CaseInputs.Load("kws_ref_model")[0];
            byte[] input = Npy.Read(set.Inputs[0]).Data;
            byte[] file = Models.Convert(File.ReadAllBytes(Path.Combine(Repo.CaseDir("kws_ref_model"), "model.tflite")), "model.tflite", new List<byte[]> { input });
            EdgeModel model = EdgeModel.Load(file);
            byte[] expected = Npy.Read(set.Expected[0]).Data;
            byte[] stored = new byte[expected.Length];
            Array.Copy(file, model.SelfTestOutputOffsets[0], stored, 0, stored.Length);
            Assert.Equal(expected, stored);
            SelfTestResult r = new Interpreter(model, new byte[model.ArenaBytes]).SelfTest();
            Assert.True(r.Passed, r.ToString());
            Assert.Equal(expected.Length, r.BytesCompared);
        }

        [Fact]
        public void A_model_without_self_test_says_so()
        {
            EdgeModel model = EdgeModel.Load(Models.Convert(File.ReadAllBytes(Models.SineTflite), "sine_int8.tflite", null));
            SelfTestResult r = new Interpreter(model, new byte[model.ArenaBytes]).SelfTest();
            Assert.False(r.Present);
            Assert.Equal("self-test: none embedded (convert with edge convert --embed-test IN.npy)", ResultFormatter.SelfTestLine(r));
        }

        [Fact]
        public void Output_line_shows_values_dequantized_and_argmax()
        {
            EdgeModel model = EdgeModel.Load(Models.Convert(File.ReadAllBytes(Models.SineTflite), "sine_int8.tflite", null));
            var interpreter = new Interpreter(model, new byte[model.ArenaBytes]);
            byte[] input = Npy.Read(Path.Combine(Models.SineInputs, "x_1p20_in0.npy")).Data;
            interpreter.SetInput(0, input, 0);
            interpreter.Invoke();
            TensorInfo o = model.Output(0);
            sbyte q = (sbyte)interpreter.Arena[o.DataOffset];
            float real = (q - o.ZeroPoint) * o.Scale;
            string line = ResultFormatter.FormatOutput(interpreter, 0, new[] { "sin" });
            Assert.Equal($"out0 {o.ShapeText()} argmax 0 sin ({real.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}) q=[{q}] real=[{real.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}]", line);
            Assert.InRange(real, 0.85f, 1.0f);   // sin(1.2) = 0.932
            Assert.StartsWith("model: 3 ops, ", ResultFormatter.ModelLine(model));
        }

        [SharedDataFact]
        public void Long_outputs_are_elided_and_argmax_is_the_first_maximum()
        {
            EdgeModel model = EdgeModel.Load(Models.Conformance("micro_speech_quantized"));
            var interpreter = new Interpreter(model, new byte[model.ArenaBytes]);
            var yes = CaseInputs.Load("micro_speech_quantized").Find(c => c.Name == "yes");
            interpreter.SetInput(0, Npy.Read(yes.Inputs[0]).Data, 0);
            interpreter.Invoke();
            byte[] expected = Npy.Read(yes.Expected[0]).Data;
            int arg = 0;
            for (int i = 1; i < expected.Length; i++) if ((sbyte)expected[i] > (sbyte)expected[arg]) arg = i;
            Assert.Equal(arg, ResultFormatter.ArgMax(interpreter, 0));
            Assert.Contains($"argmax {arg} yes", ResultFormatter.FormatOutput(interpreter, 0, new[] { "silence", "unknown", "yes", "no" }));

            EdgeModel ad = EdgeModel.Load(Models.Conformance("ad01_int8"));
            var adi = new Interpreter(ad, new byte[ad.ArenaBytes]);
            adi.Invoke();
            string line = ResultFormatter.FormatOutput(adi, 0, null);
            Assert.Contains(", ... (640 values)]", line);
            Assert.Equal(ResultFormatter.MaxValuesShown + 1, line.Split("q=[")[1].Split(']')[0].Split(", ").Length);
        }

        [Theory]
        [InlineData(0L, "0.000")]
        [InlineData(1234L, "1.234")]
        [InlineData(-5L, "-0.005")]
        [InlineData(1000L, "1.000")]
        [InlineData(-120034L, "-120.034")]
        [InlineData(long.MinValue, "-9223372036854775.808")]
        public void Milli_formats_thousandths(long v, string text) => Assert.Equal(text, Text.Milli(v));

        [Theory]
        [InlineData(0.8755f, "0.876")]
        [InlineData(-0.0005f, "-0.001")]
        [InlineData(0.0004f, "0.000")]
        [InlineData(3.14159f, "3.142")]
        public void Float3_rounds_half_away_from_zero(float v, string text) => Assert.Equal(text, Text.Float3(v));

        [Fact]
        public void Timing_statistics()
        {
            var t = new TimingStats();
            Assert.Equal("ticks/inference: no inference yet", t.Summary(10_000));
            foreach (long v in new long[] { 120_000, 100_000, 140_000, 100_001 }) t.Add(v);
            Assert.Equal(4, t.Count);
            Assert.Equal(100_000, t.Min);
            Assert.Equal(140_000, t.Max);
            Assert.Equal(100_001, t.Last);
            Assert.Equal(115_000, t.Mean);   // 460 001 / 4 = 115 000.25
            Assert.Equal("ticks/inference last 100001 mean 115000 min 100000 max 140000 over 4 (mean 11.500 ms)", t.Summary(10_000));
            Assert.Throws<ArgumentOutOfRangeException>(() => t.Add(-1));
            t.Reset();
            Assert.Equal(0, t.Count);
        }
    }
}
