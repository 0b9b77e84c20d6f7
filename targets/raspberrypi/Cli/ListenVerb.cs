using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Edge.Pi.Devices;
using Edge.Pi.Pipelines;
using Edge.Runtime;

namespace Edge.Pi.Cli
{
    /// <summary>
    /// <c>edge-pi listen --frontend F.edge --model M.edge [--wav FILE | -] [--every N] [--stride S] [--labels L]
    /// [--json] [--kernels K]</c>: keyword spotting on 16 kHz mono int16 audio (a WAV file, or standard input as in
    /// <c>arecord -f S16_LE -r 16000 -c 1 | edge-pi listen … -</c>) through an audio front end model and a
    /// classifier (<see cref="ListenPipeline"/>); one line per inference and a summary.
    /// </summary>
    public sealed class ListenVerb : IPiVerb
    {
        public string Name => "listen";
        public string Usage => "listen --frontend F.edge --model M.edge [--wav FILE | -] [--every N] [--stride S] [--labels silence,unknown,yes,no] [--json] [--kernels K]";

        public const string DefaultLabels = "silence,unknown,yes,no";

        public int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            var inv = CultureInfo.InvariantCulture;
            string fePath, modelPath, source, kernels;
            int every, stride;
            bool json;
            string[] labels;
            EdgeModel feModel, model;
            try
            {
                bool stdin = args.Contains("-");
                var a = new SensorVerbArgs(args.Where(x => x != "-").ToArray(), flags: new[] { "json" });
                fePath = a.Required("frontend");
                modelPath = a.Required("model");
                string wav = a.Option("wav");
                if (stdin && wav != null && wav != "-") throw new UsageError("give either --wav FILE or - (standard input), not both");
                source = stdin ? "-" : wav ?? throw new UsageError("no audio: give --wav FILE or - (standard input)");
                every = a.Int("every", 10);
                if (every < 1) throw new UsageError("--every must be at least 1 (feature rows between inferences)");
                stride = a.Int("stride", 320);
                if (stride < 1) throw new UsageError("--stride must be at least 1 sample");
                labels = (a.Option("labels") ?? DefaultLabels).Split(',').Select(l => l.Trim()).ToArray();
                json = a.Flag("json");
                string k = a.Option("kernels") ?? "auto";
                a.CheckAllUsed();
                (feModel, kernels) = SensorVerbArgs.LoadModel(fePath, k);
                (model, _) = SensorVerbArgs.LoadModel(modelPath, k);
            }
            catch (UsageError e)
            {
                stderr.WriteLine($"edge-pi listen: {e.Message}");
                stderr.WriteLine("usage: edge-pi " + Usage);
                return Program.ExitUsage;
            }

            ListenPipeline pipeline;
            try
            {
                pipeline = new ListenPipeline(new Interpreter(feModel, new byte[feModel.ArenaBytes]), new Interpreter(model, new byte[model.ArenaBytes]), stride, every);
            }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"edge-pi listen: {fePath} + {modelPath}: {e.Message}");
                return Program.ExitInvalid;
            }
            if (labels.Length != pipeline.Scores.Length)
            {
                stderr.WriteLine($"edge-pi listen: --labels has {labels.Length} names, the model has {pipeline.Scores.Length} outputs");
                return Program.ExitUsage;
            }

            SampleSource audio;
            try { audio = Edge.Pi.Linux.DeviceFactory.Current.OpenAudio(source); }
            catch (InvalidDataException e) { stderr.WriteLine($"edge-pi listen: {e.Message}"); return Program.ExitInvalid; }
            using (audio)
            {
                if (audio.SampleRate != pipeline.SampleRate)
                {
                    stderr.WriteLine($"edge-pi listen: the audio is {audio.SampleRate} Hz; the front end needs {pipeline.SampleRate} Hz");
                    return Program.ExitInvalid;
                }
                string sourceName = source == "-" ? "standard input" : source;
                if (!json)
                    stdout.WriteLine($"{sourceName}: {pipeline.SampleRate} Hz, window {pipeline.WindowSamples} samples every {pipeline.StrideSamples}, {pipeline.Rows} × {pipeline.FeatureSize} features, inference every {every} rows; kernels: {kernels}");
                pipeline.OnInference = p =>
                {
                    double t = p.EndSample / (double)p.SampleRate;
                    if (json)
                    {
                        var sb = new StringBuilder();
                        sb.Append("{\"type\":\"inference\",\"timeS\":").Append(t.ToString("0.000", inv))
                          .Append(",\"label\":\"").Append(JsonEscape(labels[p.TopClass])).Append("\",\"index\":").Append(p.TopClass)
                          .Append(",\"score\":").Append(p.TopScore.ToString("0.######", inv)).Append(",\"scores\":[")
                          .Append(string.Join(",", p.Scores.Select(s => s.ToString("0.######", inv)))).Append("]}");
                        stdout.WriteLine(sb.ToString());
                    }
                    else
                    {
                        stdout.WriteLine($"{t.ToString("F3", inv),8} s  {labels[p.TopClass],-10} {p.TopScore.ToString("F3", inv)}");
                    }
                };

                bool stop = false;
                ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; Volatile.Write(ref stop, true); };
                Console.CancelKeyPress += onCancel;
                long samples = 0;
                try
                {
                    var buf = new short[4096];
                    int n;
                    while (!Volatile.Read(ref stop) && (n = audio.Read(buf)) > 0)
                    {
                        pipeline.Push(buf.AsSpan(0, n));
                        samples += n;
                    }
                }
                catch (InvalidDataException e) { stderr.WriteLine($"edge-pi listen: {e.Message}"); return Program.ExitInvalid; }
                finally { Console.CancelKeyPress -= onCancel; }

                double seconds = samples / (double)pipeline.SampleRate;
                if (json)
                    stdout.WriteLine($"{{\"type\":\"summary\",\"samples\":{samples},\"audioS\":{seconds.ToString("0.000", inv)},\"windows\":{pipeline.Windows},\"inferences\":{pipeline.Inferences}," +
                        $"\"frontendP50Ms\":{pipeline.FrontendP50Ms.ToString("0.0000", inv)},\"modelP50Ms\":{pipeline.ModelP50Ms.ToString("0.0000", inv)},\"kernels\":\"{JsonEscape(kernels)}\"}}");
                else
                    stdout.WriteLine($"{samples} samples ({seconds.ToString("F3", inv)} s), {pipeline.Windows} windows, {pipeline.Inferences} inferences; " +
                        $"p50 front end {pipeline.FrontendP50Ms.ToString("F3", inv)} ms/window, model {pipeline.ModelP50Ms.ToString("F3", inv)} ms");
                if (pipeline.Inferences == 0 && !json)
                    stdout.WriteLine($"(no inference: the classifier needs {pipeline.Rows} windows, {((pipeline.Rows - 1) * pipeline.StrideSamples + pipeline.WindowSamples) / (double)pipeline.SampleRate:F2} s of audio)");
            }
            return Program.ExitOk;
        }

        private static string JsonEscape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");
    }
}
