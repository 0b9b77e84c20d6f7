using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Edge.Pi.Audio;
using Edge.Pi.Linux;
using Edge.Pi.Pipelines;
using Edge.Runtime;
using Edge.Tests.Audio;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Pi
{
    /// <summary>
    /// edge-pi listen: the audio front end + micro_speech classifier over a sample stream. Driven by simulated
    /// microphones (reads of odd sizes) and by WAV files written to a temp dir from the conformance recordings:
    /// after each 1 s recording the classifier's bytes and class equal TFLite Micro's. WAV/raw parsing, clear
    /// errors for other formats, and zero allocations per window.
    /// </summary>
    public sealed class ListenTests : IDisposable
    {
        private readonly ITestOutputHelper _log;
        private readonly string _dir = Directory.CreateTempSubdirectory("edge-listen").FullName;
        public ListenTests(ITestOutputHelper log) { _log = log; }
        public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

        public static TheoryData<string> Recordings() { var d = new TheoryData<string>(); foreach (var r in AudioCases.Recordings) d.Add(r); return d; }

        private static ListenPipeline NewPipeline(int every = 10)
        {
            var fe = EdgeModel.Load(AudioCases.FrontendEdge);
            var m = EdgeModel.Load(AudioCases.ClassifierEdge);
            return new ListenPipeline(new Interpreter(fe, new byte[fe.ArenaBytes]), new Interpreter(m, new byte[m.ArenaBytes]), 320, every);
        }

        /// <summary>A 16-bit PCM WAV image (44-byte header; optional extra chunk before 'data').</summary>
        public static byte[] Wav(short[] samples, int rate = 16000, int channels = 1, int bits = 16, int format = 1, bool listChunk = false, uint? dataSize = null)
        {
            var ms = new MemoryStream();
            var w = new BinaryWriter(ms);
            int blockAlign = channels * bits / 8;
            byte[] extra = listChunk ? new byte[] { (byte)'L', (byte)'I', (byte)'S', (byte)'T', 5, 0, 0, 0, 1, 2, 3, 4, 5, 0 } : Array.Empty<byte>();
            w.Write("RIFF"u8.ToArray()); w.Write(36 + extra.Length + samples.Length * 2); w.Write("WAVE"u8.ToArray());
            w.Write("fmt "u8.ToArray()); w.Write(16); w.Write((short)format); w.Write((short)channels); w.Write(rate);
            w.Write(rate * blockAlign); w.Write((short)blockAlign); w.Write((short)bits);
            w.Write(extra);
            w.Write("data"u8.ToArray()); w.Write(dataSize ?? (uint)(samples.Length * 2));
            foreach (var s in samples) w.Write(s);
            return ms.ToArray();
        }

        private static int Argmax(byte[] int8) { int b = 0; for (int i = 1; i < int8.Length; i++) if ((sbyte)int8[i] > (sbyte)int8[b]) b = i; return b; }

        [SharedDataTheory]
        [MemberData(nameof(Recordings))]
        public void Pipeline_classifies_each_recording_as_TFLite_Micro(string recording)
        {
            var p = NewPipeline();
            var samples = AudioCases.Samples(recording);
            var src = new SimulatedSampleSource(samples, 16000, 1, 777, 320, 13, 4096, 481);
            var buf = new short[4096];
            int n;
            while ((n = src.Read(buf)) > 0) p.Push(buf.AsSpan(0, n));
            Assert.Equal(49, p.Windows);            // 16000 samples: windows at 0, 320, …, 15360
            Assert.Equal(1, p.Inferences);          // the ring fills at window 49 = the whole recording
            Assert.Equal(AudioCases.ExpectedScores(recording).Data, p.OutputBytes);
            Assert.Equal(AudioCases.ExpectedLabel(recording).argmax, p.TopClass);
            Assert.Equal(15840, p.EndSample);
        }

        [SharedDataTheory]
        [MemberData(nameof(Recordings))]
        public void Listen_verb_on_a_wav_file_prints_TFLite_Micros_class(string recording)
        {
            string fe = Path.Combine(_dir, "fe.edge"), model = Path.Combine(_dir, "ms.edge"), wav = Path.Combine(_dir, recording + ".wav");
            File.WriteAllBytes(fe, AudioCases.FrontendEdge);
            File.WriteAllBytes(model, AudioCases.ClassifierEdge);
            File.WriteAllBytes(wav, Wav(AudioCases.Samples(recording), listChunk: true));
            var (code, stdout, stderr) = Run(null, "listen", "--frontend", fe, "--model", model, "--wav", wav, "--json");
            Assert.True(code == 0, stderr);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            var inf = lines.Where(l => l.GetProperty("type").GetString() == "inference").ToArray();
            Assert.Single(inf);
            var (argmax, label) = AudioCases.ExpectedLabel(recording);
            Assert.Equal(label, inf[0].GetProperty("label").GetString());
            Assert.Equal(argmax, inf[0].GetProperty("index").GetInt32());
            var expected = AudioCases.ExpectedScores(recording).Data;
            var scores = inf[0].GetProperty("scores").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            // Scale 1/256, zero point −128; printed with 6 decimals.
            for (int i = 0; i < expected.Length; i++) Assert.InRange(scores[i] - ((sbyte)expected[i] + 128) / 256.0, -0.51e-6, 0.51e-6);
            var sum = lines.Last();
            Assert.Equal("summary", sum.GetProperty("type").GetString());
            Assert.Equal(49, sum.GetProperty("windows").GetInt32());
            Assert.Equal(16000, sum.GetProperty("samples").GetInt32());
            _log.WriteLine(stdout);
        }

        [SharedDataFact]
        public void Listen_verb_reads_standard_input_through_the_sample_source_and_prints_readable_lines()
        {
            string fe = Path.Combine(_dir, "fe.edge"), model = Path.Combine(_dir, "ms.edge");
            File.WriteAllBytes(fe, AudioCases.FrontendEdge);
            File.WriteAllBytes(model, AudioCases.ClassifierEdge);
            // 2 s of "yes" then "no" in one stream: inferences at windows 49, 59, …, 99 (every 10 rows).
            var samples = AudioCases.Samples("yes").Concat(AudioCases.Samples("no")).ToArray();
            var factory = new SimulatedDeviceFactory();
            SimulatedSampleSource mic = null;
            factory.Audio = spec => mic = new SimulatedSampleSource(samples, 16000, 100, 333);
            var (code, stdout, stderr) = Run(factory, "listen", "--frontend", fe, "--model", model, "-", "--every", "10");
            Assert.True(code == 0, stderr);
            Assert.Equal(new[] { "audio -" }, factory.Opened);
            Assert.True(mic!.Disposed);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var inf = lines.Where(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0]) && l.Contains(" s  ")).ToArray();
            Assert.Equal(6, inf.Length);                                     // rows 49, 59, 69, 79, 89, 99
            Assert.StartsWith("0.990 s  yes", inf[0].Trim());                // the first second is exactly TFLM's "yes" input
            Assert.Contains("99 windows, 6 inferences", lines.Last());
            Assert.Contains("p50 front end", lines.Last());
            _log.WriteLine(stdout);
        }

        [Fact]
        public void Raw_and_streamed_wav_input_give_the_samples()
        {
            var samples = Enumerable.Range(0, 5000).Select(i => (short)(i * 37 - 30000)).ToArray();
            var raw = new byte[samples.Length * 2];
            Buffer.BlockCopy(samples, 0, raw, 0, raw.Length);
            short[] ReadAll(PcmStreamSource s)
            {
                var all = new List<short>();
                var b = new short[777];
                int n;
                while ((n = s.Read(b)) > 0) all.AddRange(b.Take(n));
                return all.ToArray();
            }
            using (var s = PcmStreamSource.Open(new OneByteAtATimeStream(raw), true, "stdin"))
            {
                Assert.Equal("raw", s.Kind);
                Assert.Equal(samples, ReadAll(s));
            }
            // arecord writing WAV to a pipe: data size 0x7FFFFFFF-ish, read to the end.
            using (var s = PcmStreamSource.Open(new MemoryStream(Wav(samples, dataSize: 0xFFFFFFFF)), true, "stdin"))
            {
                Assert.Equal("wav", s.Kind);
                Assert.Equal(samples, ReadAll(s));
            }
            // A WAV file whose data chunk is followed by other bytes: only the data chunk is read.
            var w = Wav(samples).Concat(new byte[] { 1, 2, 3, 4 }).ToArray();
            using (var s = PcmStreamSource.Open(new MemoryStream(w), true, "x.wav"))
                Assert.Equal(samples, ReadAll(s));
        }

        public static TheoryData<string, byte[], string> BadWavs()
        {
            var s = new short[100];
            return new TheoryData<string, byte[], string>
            {
                { "44k", Wav(s, rate: 44100), "44100 Hz" },
                { "stereo", Wav(s, channels: 2), "2 channels" },
                { "8bit", Wav(s, bits: 8), "8-bit" },
                { "float", Wav(s, bits: 32, format: 3), "IEEE float" },
                { "notriff", new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, "not a WAV file" },
                { "truncated", Wav(s).Take(30).ToArray(), "truncated" },
            };
        }

        [SharedDataTheory]
        [MemberData(nameof(BadWavs))]
        public void Other_audio_formats_fail_with_a_clear_message(string name, byte[] file, string expected)
        {
            string fe = Path.Combine(_dir, "fe.edge"), model = Path.Combine(_dir, "ms.edge"), wav = Path.Combine(_dir, name + ".wav");
            File.WriteAllBytes(fe, AudioCases.FrontendEdge);
            File.WriteAllBytes(model, AudioCases.ClassifierEdge);
            File.WriteAllBytes(wav, file);
            var (code, stdout, stderr) = Run(null, "listen", "--frontend", fe, "--model", model, "--wav", wav);
            Assert.Equal(Edge.Pi.Cli.Program.ExitInvalid, code);
            Assert.Contains(expected, stderr);
            Assert.Contains(wav, stderr);
            Assert.DoesNotContain(" s  ", stdout);
        }

        [SharedDataFact]
        public void Usage_errors_exit_1()
        {
            Assert.Equal(1, Run(null, "listen", "--model", "m.edge", "--wav", "x.wav").code);          // no --frontend
            Assert.Equal(1, Run(null, "listen", "--frontend", "f.edge", "--model", "m.edge").code);     // no audio
            string fe = Path.Combine(_dir, "fe.edge"), model = Path.Combine(_dir, "ms.edge");
            File.WriteAllBytes(fe, AudioCases.FrontendEdge);
            File.WriteAllBytes(model, AudioCases.ClassifierEdge);
            var r = Run(null, "listen", "--frontend", fe, "--model", model, "-", "--labels", "a,b");
            Assert.Equal(1, r.code);
            Assert.Contains("--labels has 2 names", r.stderr);
            // Front end and model swapped: a clear message, exit 2.
            r = Run(null, "listen", "--frontend", model, "--model", fe, "--wav", "x.wav");
            Assert.Equal(2, r.code);
            Assert.Contains("int16", r.stderr);
        }

        [SharedDataFact]
        public void Steady_state_windows_and_inferences_allocate_nothing()
        {
            var p = NewPipeline(every: 1);   // an inference after every window once the ring is full
            var samples = AudioCases.Samples("yes");
            var chunk = new short[320];
            int at = 0;
            void Feed(int windows)
            {
                for (int w = 0; w < windows; w++)
                {
                    for (int i = 0; i < chunk.Length; i++) { chunk[i] = samples[at]; at = (at + 1) % samples.Length; }
                    p.Push(chunk);
                }
            }
            Feed(60);
            long before = GC.GetAllocatedBytesForCurrentThread();
            long w0 = p.Windows, i0 = p.Inferences;
            Feed(200);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(200, p.Windows - w0);
            Assert.Equal(200, p.Inferences - i0);
            _log.WriteLine($"front end p50 {p.FrontendP50Ms:F4} ms/window, model p50 {p.ModelP50Ms:F4} ms");
        }

        private static (int code, string stdout, string stderr) Run(DeviceFactory factory, params string[] args)
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int code;
            if (factory == null) code = Edge.Pi.Cli.Program.Run(args, o, e);
            else using (DeviceFactory.Override(factory)) code = Edge.Pi.Cli.Program.Run(args, o, e);
            return (code, o.ToString(), e.ToString());
        }

        /// <summary>A stream that returns one byte per Read (a slow pipe): exercises odd-byte carry-over.</summary>
        private sealed class OneByteAtATimeStream : MemoryStream
        {
            public OneByteAtATimeStream(byte[] b) : base(b) { }
            public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));
        }
    }
}
