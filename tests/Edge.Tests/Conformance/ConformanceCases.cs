using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Edge.Converter.Cli;
using Edge.Converter.Conversion;
using Edge.Runtime;

namespace Edge.Tests.Conformance
{
    /// <summary>One case of ../shared/conformance/tflite: the model and its input sets (manifest.json).</summary>
    public sealed class ConformanceCase
    {
        public string Name = "";
        public string Dir = "";
        public List<InputSet> Inputs = new();
        /// <summary>input set name → layers/ dump directory (person_detect, kws_ref_model, pretrainedResnet_quant).</summary>
        public Dictionary<string, string> LayerDirs = new();
        public List<LayerInfo> Layers = new();

        public sealed class InputSet
        {
            public string Name = "";
            public string[] Files = Array.Empty<string>();
            public string[] Expected = Array.Empty<string>();
        }

        public sealed class LayerInfo
        {
            public int Op;
            public string OpName = "";
            public string File = "";
        }

        public static IEnumerable<string> Names()
        {
            string root = SharedData.Root;
            if (root == null) return Array.Empty<string>();
            return Directory.GetDirectories(Path.Combine(root, "tflite"))
                .Where(d => File.Exists(Path.Combine(d, "manifest.json")))
                .Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal);
        }

        public static ConformanceCase Load(string name)
        {
            string dir = SharedData.Tflite(name);
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "manifest.json")));
            var root = doc.RootElement;
            var c = new ConformanceCase { Name = name, Dir = dir };
            foreach (var s in root.GetProperty("inputs").EnumerateArray())
                c.Inputs.Add(new InputSet
                {
                    Name = s.GetProperty("name").GetString(),
                    Files = s.GetProperty("files").EnumerateArray().Select(f => Path.Combine(dir, f.GetString())).ToArray(),
                    Expected = s.GetProperty("expected").EnumerateArray().Select(f => Path.Combine(dir, f.GetString())).ToArray(),
                });
            if (root.TryGetProperty("layers", out var layers))
            {
                foreach (var p in layers.GetProperty("dirs").EnumerateObject())
                    c.LayerDirs[p.Name] = Path.Combine(dir, p.Value.GetString());
                using var idx = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, layers.GetProperty("index").GetString())));
                foreach (var op in idx.RootElement.GetProperty("operators").EnumerateArray())
                    c.Layers.Add(new LayerInfo { Op = op.GetProperty("op").GetInt32(), OpName = op.GetProperty("op_name").GetString(), File = op.GetProperty("file").GetString() });
            }
            return c;
        }

        private static readonly Dictionary<string, byte[]> EdgeCache = new();

        /// <summary>The case converted to .edge (once per test run).</summary>
        public byte[] EdgeBytes()
        {
            lock (EdgeCache)
            {
                if (!EdgeCache.TryGetValue(Name, out var b))
                {
                    b = ModelConverter.Convert(File.ReadAllBytes(Path.Combine(Dir, "model.tflite")), Name + ".tflite").FileBytesData;
                    EdgeCache[Name] = b;
                }
                return b;
            }
        }

        /// <summary>Sets the input set's tensors into the interpreter (dtype and shape checked).</summary>
        public static void SetInputs(Interpreter interp, InputSet s)
        {
            for (int i = 0; i < s.Files.Length; i++)
            {
                var arr = Npy.Read(s.Files[i]);
                Commands.CheckInput(interp.Input(i), arr, s.Files[i], i);
                interp.SetInput(i, arr.Data, 0);
            }
        }
    }

    /// <summary>Copies every op's output out of the arena right after the op ran (the arena is reused later).</summary>
    public sealed class LayerCapture : OpProfiler
    {
        private readonly EdgeModel _model;
        private readonly byte[] _arena;
        public readonly byte[][] Outputs;

        public LayerCapture(EdgeModel model, byte[] arena)
        {
            _model = model;
            _arena = arena;
            Outputs = new byte[model.Ops.Length][];
        }

        public override long GetTicks() => 0;

        public override void OnOp(int opIndex, OpType type, long elapsedTicks)
        {
            var t = _model.Tensors[_model.Ops[opIndex].Outputs[0]];
            var copy = new byte[t.SizeBytes];
            Array.Copy(_arena, t.DataOffset, copy, 0, t.SizeBytes);
            Outputs[opIndex] = copy;
        }
    }
}
