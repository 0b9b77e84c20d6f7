using System;
using System.Linq;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Audio
{
    /// <summary>
    /// The micro_speech audio front end (TFLM signal-library custom ops + int16/int32 builtins) converted and run
    /// with the streaming protocol of its manifest: byte for byte TFLite Micro's features on all four recordings;
    /// then front end + micro_speech_quantized give TFLM's scores and class.
    /// </summary>
    public class AudioFrontendTests
    {
        private readonly ITestOutputHelper _log;
        public AudioFrontendTests(ITestOutputHelper log) { _log = log; }

        public static TheoryData<string> Recordings() { var d = new TheoryData<string>(); foreach (var r in AudioCases.Recordings) d.Add(r); return d; }

        [SharedDataTheory]
        [MemberData(nameof(Recordings))]
        public void Streamed_front_end_matches_TFLite_Micro_byte_for_byte(string recording)
        {
            var p = AudioCases.ReadProtocol();
            var model = EdgeModel.Load(AudioCases.FrontendEdge);
            Assert.Equal(new[] { 1, p.WindowSamples }, model.Input(0).Shape);
            Assert.Equal(DType.Int16, model.Input(0).Type);
            var fe = new Interpreter(model, new byte[model.ArenaBytes]);
            var features = AudioCases.StreamFeatures(fe, AudioCases.Samples(recording), p);
            var expected = AudioCases.ExpectedFeatures(recording);
            Assert.Equal(new[] { p.Windows, 40 }, expected.Shape);
            int at = AudioCases.FirstDifference(features, expected.Data);
            Assert.True(at < 0, $"{recording}: window {at / 40}, feature {at % 40} differs: got {(sbyte)features[Math.Max(at, 0)]}, expected {(sbyte)expected.Data[Math.Max(at, 0)]}");
            _log.WriteLine($"{recording}: {features.Length} feature bytes identical to TFLite Micro");
        }

        [SharedDataTheory]
        [MemberData(nameof(Recordings))]
        public void Front_end_and_micro_speech_classify_as_TFLite_Micro(string recording)
        {
            var p = AudioCases.ReadProtocol();
            var feModel = EdgeModel.Load(AudioCases.FrontendEdge);
            var fe = new Interpreter(feModel, new byte[feModel.ArenaBytes]);
            var features = AudioCases.StreamFeatures(fe, AudioCases.Samples(recording), p);
            var clsModel = EdgeModel.Load(AudioCases.ClassifierEdge);
            var cls = new Interpreter(clsModel, new byte[clsModel.ArenaBytes]);
            Assert.Equal(features.Length, clsModel.Input(0).SizeBytes);
            cls.SetInput(0, features, 0);
            cls.Invoke();
            var scores = new byte[clsModel.Output(0).SizeBytes];
            cls.GetOutput(0, scores, 0);
            Assert.Equal(AudioCases.ExpectedScores(recording).Data, scores);
            var (argmax, label) = AudioCases.ExpectedLabel(recording);
            int best = 0;
            for (int i = 1; i < scores.Length; i++) if ((sbyte)scores[i] > (sbyte)scores[best]) best = i;
            Assert.Equal(argmax, best);
            _log.WriteLine($"{recording}: scores [{string.Join(", ", scores.Select(b => (sbyte)b))}] -> {label}");
        }

        [SharedDataFact]
        public void Fresh_interpreter_and_ResetState_start_from_the_initial_state()
        {
            var p = AudioCases.ReadProtocol();
            var model = EdgeModel.Load(AudioCases.FrontendEdge);
            Assert.Single(model.StateTensors);
            var arena = new byte[model.ArenaBytes];
            for (int i = 0; i < arena.Length; i++) arena[i] = 0xA5;   // garbage: the interpreter must zero the state itself
            var fe = new Interpreter(model, arena);
            var yes = AudioCases.StreamFeatures(fe, AudioCases.Samples("yes"), p);
            Assert.Equal(AudioCases.ExpectedFeatures("yes").Data, yes);
            // Without a reset the noise estimate carries over, and the next recording's features differ.
            var noReset = AudioCases.StreamFeatures(fe, AudioCases.Samples("no"), p);
            Assert.NotEqual(AudioCases.ExpectedFeatures("no").Data, noReset);
            fe.ResetState();
            Assert.Equal(AudioCases.ExpectedFeatures("no").Data, AudioCases.StreamFeatures(fe, AudioCases.Samples("no"), p));
        }

        [SharedDataFact]
        public void Embedded_self_test_of_the_stateful_front_end_starts_from_the_initial_state()
        {
            var p = AudioCases.ReadProtocol();
            var samples = AudioCases.Samples("yes");
            var first = new byte[2 * p.WindowSamples];
            Buffer.BlockCopy(samples, 2 * 3200, first, 0, first.Length);   // a window with speech in it
            var r = Edge.Converter.Conversion.ModelConverter.Convert(
                System.IO.File.ReadAllBytes(System.IO.Path.Combine(AudioCases.FrontendDir, "model.tflite")), "fe.tflite", new[] { first });
            var model = EdgeModel.Load(r.FileBytesData);
            var fe = new Interpreter(model, new byte[model.ArenaBytes]);
            AudioCases.StreamFeatures(fe, samples, p);                      // the noise estimate is far from zero now
            var st = fe.SelfTest();
            Assert.True(st.Present && st.Passed, $"self-test failed at output {st.Output} byte {st.ByteIndex}");
            // …and the state is back at zero: the next stream gives TFLM's features.
            Assert.Equal(AudioCases.ExpectedFeatures("no").Data, AudioCases.StreamFeatures(fe, AudioCases.Samples("no"), p));
        }

        [SharedDataFact]
        public void Invoke_allocates_nothing()
        {
            var p = AudioCases.ReadProtocol();
            var model = EdgeModel.Load(AudioCases.FrontendEdge);
            var fe = new Interpreter(model, new byte[model.ArenaBytes]);
            var samples = AudioCases.Samples("yes");
            var window = new byte[2 * p.WindowSamples];
            var output = new byte[fe.Output(0).SizeBytes];
            void Step(int k)
            {
                Buffer.BlockCopy(samples, 2 * p.StrideSamples * (k % p.Windows), window, 0, window.Length);
                fe.SetInput(0, window, 0);
                fe.Invoke();
                fe.GetOutput(0, output, 0);
            }
            for (int k = 0; k < 20; k++) Step(k);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 200; k++) Step(k);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}

namespace Edge.Tests.Audio
{
    using System.Linq;
    using Edge.Kernels.Simd;
    using Edge.Tests.Conformance;

    /// <summary>The front end with every kernel set (they keep the reference signal kernels): the same bytes, no allocation.</summary>
    public class AudioFrontendKernelSetTests
    {
        private readonly ITestOutputHelper _log;
        public AudioFrontendKernelSetTests(ITestOutputHelper log) { _log = log; }

        public static TheoryData<int> Configs() { var d = new TheoryData<int>(); for (int i = 0; i < KernelSetConformanceTests.Configs.Length; i++) d.Add(i); return d; }

        [SharedDataTheory]
        [MemberData(nameof(Configs))]
        public void Every_kernel_set_gives_the_same_features(int config)
        {
            var (set, suffix, threads) = KernelSetConformanceTests.Configs[config];
            var kind = KernelCatalog.Parse(set);
            if (!KernelCatalog.IsSupported(kind)) { _log.WriteLine($"{set} does not run on this CPU: compared nothing"); return; }
            var provider = new SimdKernelProvider(kind, threads) { IsaSuffix = suffix.Length == 0 ? null : suffix };
            var p = AudioCases.ReadProtocol();
            var model = EdgeModel.Load(AudioCases.FrontendEdge, provider);
            var fe = new Interpreter(model, new byte[model.ArenaBytes]);
            foreach (var rec in AudioCases.Recordings)
            {
                fe.ResetState();
                Assert.Equal(AudioCases.ExpectedFeatures(rec).Data, AudioCases.StreamFeatures(fe, AudioCases.Samples(rec), p));
            }
            var window = new byte[2 * p.WindowSamples];
            // Steady state: a window of 50 invokes allocates nothing. Up to four windows, as the other kernel-set tests
            // do, so that one-time runtime work on a loaded machine (tiering, type loads) cannot fail the check alone.
            long allocated = -1;
            for (int w = 0; w < 4 && allocated != 0; w++)
            {
                for (int i = 0; i < 5; i++) { fe.SetInput(0, window, 0); fe.Invoke(); }
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 50; i++) { fe.SetInput(0, window, 0); fe.Invoke(); }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            Assert.Equal(0, allocated);
            _log.WriteLine($"{set}{suffix} x{threads}: 4 recordings identical, 0 bytes per invoke");
        }
    }
}
