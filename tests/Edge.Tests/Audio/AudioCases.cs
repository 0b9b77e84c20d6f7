using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Edge.Converter.Cli;
using Edge.Converter.Conversion;
using Edge.Runtime;

namespace Edge.Tests.Audio
{
    /// <summary>
    /// The micro_speech audio front end case (../shared/conformance/frontend/audio_preprocessor_int8): the model,
    /// its streaming protocol from the manifest, the four recordings and TFLite Micro's expected features; plus
    /// the micro_speech_quantized classifier case they feed. Converted once per test run.
    /// </summary>
    public static class AudioCases
    {
        public static readonly string[] Recordings = { "yes", "no", "silence", "noise" };

        public static string FrontendDir => Path.Combine(SharedData.Root ?? throw new InvalidOperationException(SharedData.MissingMessage), "frontend", "audio_preprocessor_int8");
        public static string ClassifierDir => SharedData.Tflite("micro_speech_quantized");

        private static readonly Lazy<byte[]> _frontend = new(() =>
            ModelConverter.Convert(File.ReadAllBytes(Path.Combine(FrontendDir, "model.tflite")), "audio_preprocessor_int8.tflite").FileBytesData);
        private static readonly Lazy<byte[]> _classifier = new(() =>
            ModelConverter.Convert(File.ReadAllBytes(Path.Combine(ClassifierDir, "model.tflite")), "micro_speech_quantized.tflite").FileBytesData);

        /// <summary>The converted front end (.edge bytes).</summary>
        public static byte[] FrontendEdge => _frontend.Value;
        public static byte[] ClassifierEdge => _classifier.Value;

        /// <summary>Streaming protocol as the manifest states it.</summary>
        public sealed record Protocol(int WindowSamples, int StrideSamples, int Windows);

        public static Protocol ReadProtocol()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FrontendDir, "manifest.json")));
            var p = doc.RootElement.GetProperty("protocol");
            if (p.GetProperty("kind").GetString() != "stream") throw new InvalidDataException("front end protocol is not 'stream'");
            return new Protocol(p.GetProperty("window_samples").GetInt32(), p.GetProperty("stride_samples").GetInt32(), p.GetProperty("windows").GetInt32());
        }

        /// <summary>A recording's int16 samples.</summary>
        public static short[] Samples(string name)
        {
            var a = Npy.Read(Path.Combine(FrontendDir, "inputs", name + "_in0.npy"));
            if (a.DType != DType.Int16) throw new InvalidDataException($"{name}: samples are {a.DType}, expected int16");
            var s = new short[a.Data.Length / 2];
            Buffer.BlockCopy(a.Data, 0, s, 0, a.Data.Length);
            return s;
        }

        /// <summary>TFLite Micro's [windows, 40] int8 features for a recording.</summary>
        public static NpyArray ExpectedFeatures(string name) => Npy.Read(Path.Combine(FrontendDir, "expected", name + "_out0.npy"));

        /// <summary>TFLite Micro's classifier output ([1, 4] int8) for a recording.</summary>
        public static NpyArray ExpectedScores(string name) => Npy.Read(Path.Combine(ClassifierDir, "expected", name + "_out0.npy"));

        /// <summary>The label index the classifier manifest expects for a recording.</summary>
        public static (int argmax, string label) ExpectedLabel(string name)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ClassifierDir, "manifest.json")));
            foreach (var e in doc.RootElement.GetProperty("inputs").EnumerateArray())
                if (e.GetProperty("name").GetString() == name)
                    return (e.GetProperty("expected_argmax").GetInt32(), e.GetProperty("expected_label").GetString());
            throw new KeyNotFoundException(name);
        }

        /// <summary>
        /// Runs the manifest's protocol: one interpreter, for k = 0..windows-1 copy samples [stride·k, stride·k + window)
        /// into the int16 input, invoke, append the int8 output as row k.
        /// </summary>
        public static byte[] StreamFeatures(Interpreter fe, short[] samples, Protocol p)
        {
            int outBytes = fe.Output(0).SizeBytes;
            var features = new byte[p.Windows * outBytes];
            var window = new byte[2 * p.WindowSamples];
            for (int k = 0; k < p.Windows; k++)
            {
                Buffer.BlockCopy(samples, 2 * p.StrideSamples * k, window, 0, window.Length);
                fe.SetInput(0, window, 0);
                fe.Invoke();
                fe.GetOutput(0, features, k * outBytes);
            }
            return features;
        }

        public static int FirstDifference(byte[] a, byte[] b)
        {
            int n = Math.Min(a.Length, b.Length);
            for (int i = 0; i < n; i++) if (a[i] != b[i]) return i;
            return a.Length == b.Length ? -1 : n;
        }
    }
}
