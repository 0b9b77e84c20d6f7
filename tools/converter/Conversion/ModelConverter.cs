using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Edge.Converter.Format;
using Edge.Converter.Ir;
using Edge.Converter.Onnx;
using Edge.Converter.Planner;
using Edge.Converter.Tflite;
using Edge.Runtime;

namespace Edge.Converter.Conversion
{
    public sealed class ConversionResult
    {
        public EdgeGraph Graph { get; init; }
        public byte[] FileBytesData { get; init; }
        public long FileBytes => FileBytesData.Length;
        public long SourceBytes { get; init; }
        public long WeightBytes { get; init; }
        public IReadOnlyList<string> PlanLines { get; init; } = Array.Empty<string>();
        /// <summary>Notes for the user from the importer (e.g. where ONNX Runtime computes an op in float).</summary>
        public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
    }

    /// <summary>Source model → .edge: import, drop dead tensors, plan the arena, fill metadata, write.</summary>
    public static class ModelConverter
    {
        public static string Version =>
            typeof(ModelConverter).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

        /// <summary>Converts and writes atomically (temp file + rename): on failure no output file exists.</summary>
        public static ConversionResult ConvertFile(string input, string output, IReadOnlyList<byte[]> selfTestInputs = null)
        {
            var r = Convert(File.ReadAllBytes(input), Path.GetFileName(input), selfTestInputs);
            string full = Path.GetFullPath(output);
            string dir = Path.GetDirectoryName(full) ?? ".";
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: output directory does not exist");
            string tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                File.WriteAllBytes(tmp, r.FileBytesData);
                File.Move(tmp, full, overwrite: true);
            }
            finally
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
            return r;
        }

        /// <param name="selfTestInputs">Optional: one byte image per model input; the model is run once with the
        /// reference kernels and the inputs with their outputs are embedded as the file's self-test.</param>
        public static ConversionResult Convert(byte[] source, string sourceName, IReadOnlyList<byte[]> selfTestInputs = null)
        {
            string sha = System.Convert.ToHexString(SHA256.HashData(source)).ToLowerInvariant();
            if (source.Length >= 8 && source[4] == 'T' && source[5] == 'F' && source[6] == 'L' && source[7] == '3')
                return Finish(TfliteImporter.Import(TfliteReader.Read(source)), "tflite", sourceName, sha, source.Length, selfTestInputs);
            if (OnnxImporter.LooksLikeOnnx(source))
            {
                OnnxModel onnx;
                try { onnx = OnnxReader.ReadModel(source); }
                catch (OnnxFormatException e) { throw new ConversionException($"{sourceName}: not a TFLite flatbuffer (identifier 'TFL3' missing) and not a readable ONNX model: {e.Message}"); }
                return Finish(OnnxImporter.Import(onnx), "onnx", sourceName, sha, source.Length, selfTestInputs);
            }
            throw new ConversionException($"{sourceName}: not a TFLite flatbuffer (identifier 'TFL3' missing) nor an ONNX protobuf; Edge converts full-integer INT8 .tflite and quantized .onnx models");
        }

        /// <summary>
        /// Converts an in-memory ONNX model (e.g. the QDQ model post-training quantization builds) with ONNX
        /// Runtime's semantics. <paramref name="sourceBytes"/> (optional) is hashed into the metadata's source_sha256.
        /// </summary>
        public static ConversionResult Convert(OnnxModel model, string sourceName, IReadOnlyList<byte[]> selfTestInputs = null, byte[] sourceBytes = null)
        {
            string sha = sourceBytes == null ? "" : System.Convert.ToHexString(SHA256.HashData(sourceBytes)).ToLowerInvariant();
            return Finish(OnnxImporter.Import(model), "onnx", sourceName, sha, sourceBytes?.Length ?? 0, selfTestInputs);
        }

        private static ConversionResult Finish(EdgeGraph g, string format, string sourceName, string sha, long sourceBytes, IReadOnlyList<byte[]> selfTestInputs)
        {
            RemoveUnusedTensors(g);
            var plan = MemoryPlanner.Plan(g);
            g.Metadata = new EdgeMetadata
            {
                SourceFormat = format,
                SourceFile = sourceName,
                SourceSha256 = sha,
                ConverterVersion = Version,
                Macs = g.Ops.Sum(o => o.Macs),
            };
            foreach (var grp in g.Ops.GroupBy(o => o.Type))
                g.Metadata.OpCounts.Add(new KeyValuePair<OpType, int>(grp.Key, grp.Count()));
            byte[] bytes = EdgeWriter.Write(g);
            // The converter's output must pass the runtime's verifier; a failure here is a converter bug.
            var loaded = EdgeModel.Load(bytes);
            if (selfTestInputs != null)
            {
                if (selfTestInputs.Count != loaded.InputCount)
                    throw new ConversionException($"--embed-test: the model has {loaded.InputCount} input(s), {selfTestInputs.Count} given");
                var interp = new Interpreter(loaded, new byte[loaded.ArenaBytes]);
                var st = new EdgeSelfTest();
                for (int i = 0; i < selfTestInputs.Count; i++)
                {
                    if (selfTestInputs[i].Length != loaded.Input(i).SizeBytes)
                        throw new ConversionException($"--embed-test: input {i} holds {selfTestInputs[i].Length} bytes, the model needs {loaded.Input(i).SizeBytes}");
                    interp.SetInput(i, selfTestInputs[i], 0);
                    st.Inputs.Add((byte[])selfTestInputs[i].Clone());
                }
                interp.Invoke();
                for (int o = 0; o < loaded.OutputCount; o++)
                {
                    var outBytes = new byte[loaded.Output(o).SizeBytes];
                    interp.GetOutput(o, outBytes, 0);
                    st.Outputs.Add(outBytes);
                }
                g.SelfTest = st;
                bytes = EdgeWriter.Write(g);
                if (!new Interpreter(EdgeModel.Load(bytes), new byte[loaded.ArenaBytes]).SelfTest().Passed)
                    throw new InvalidOperationException("embedded self-test does not reproduce (converter bug)");
            }
            return new ConversionResult
            {
                Graph = g,
                FileBytesData = bytes,
                SourceBytes = sourceBytes,
                WeightBytes = g.Tensors.Where(t => t.IsConstant).Sum(t => (long)t.SizeBytes),
                PlanLines = plan.Describe(g),
                Notes = g.Notes.ToArray(),
            };
        }

        /// <summary>Drops tensors no op or model input/output refers to (e.g. biases replaced by folded ones).</summary>
        public static void RemoveUnusedTensors(EdgeGraph g)
        {
            var used = new HashSet<int>(g.Inputs.Concat(g.Outputs));
            foreach (var op in g.Ops) { used.UnionWith(op.Inputs.Where(i => i >= 0)); used.UnionWith(op.Outputs); }
            var remap = new int[g.Tensors.Count];
            var kept = new List<EdgeTensor>();
            for (int i = 0; i < g.Tensors.Count; i++)
            {
                if (used.Contains(i)) { remap[i] = kept.Count; kept.Add(g.Tensors[i]); }
                else remap[i] = -1;
            }
            g.Tensors.Clear();
            g.Tensors.AddRange(kept);
            foreach (var op in g.Ops)
            {
                op.Inputs = op.Inputs.Select(i => i < 0 ? -1 : remap[i]).ToArray();
                op.Outputs = op.Outputs.Select(i => remap[i]).ToArray();
            }
            for (int i = 0; i < g.Inputs.Count; i++) g.Inputs[i] = remap[g.Inputs[i]];
            for (int i = 0; i < g.Outputs.Count; i++) g.Outputs[i] = remap[g.Outputs[i]];
        }
    }
}
