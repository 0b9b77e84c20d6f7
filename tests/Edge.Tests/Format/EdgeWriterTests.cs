using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Edge.Converter.FlatBuffers;
using Edge.Converter.Format;
using Edge.Converter.Ir;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Format
{
    public class EdgeWriterTests
    {
        // Field indices of table Model in edge.fbs (only what the alignment checks need).
        private const int ModelConstants = 6;

        private static readonly Type[] OptionTypes = typeof(OpOptions).Assembly.GetTypes()
            .Where(t => typeof(OpOptions).IsAssignableFrom(t) && !t.IsAbstract)
            .OrderBy(t => ((OpOptions)Activator.CreateInstance(t)).UnionType)
            .ToArray();

        private static byte[] RandomBytes(Random rnd, int n)
        {
            var b = new byte[n];
            rnd.NextBytes(b);
            return b;
        }

        /// <summary>Dyadic floats with at most 6 significant digits: flatc prints them exactly.</summary>
        private static float DyadicFloat(Random rnd) => rnd.Next(-999, 1000) / 8f;

        /// <summary>An options object of type <paramref name="t"/> with every public field set to a random value.</summary>
        private static OpOptions RandomOptions(Type t, Random rnd)
        {
            var o = (OpOptions)Activator.CreateInstance(t);
            foreach (var f in t.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                if (rnd.Next(5) == 0) continue; // sometimes keep the default, so default handling is exercised too
                if (f.FieldType == typeof(int)) f.SetValue(o, rnd.Next(-70000, 70000));
                else if (f.FieldType == typeof(bool)) f.SetValue(o, rnd.Next(2) == 1);
                else if (f.FieldType == typeof(float)) f.SetValue(o, DyadicFloat(rnd));
                else if (f.FieldType == typeof(int[])) f.SetValue(o, Enumerable.Range(0, rnd.Next(0, 6)).Select(_ => rnd.Next()).ToArray());
                else if (f.FieldType == typeof(float[])) f.SetValue(o, Enumerable.Range(0, rnd.Next(0, 6)).Select(_ => DyadicFloat(rnd)).ToArray());
                else if (f.FieldType.IsEnum) f.SetValue(o, Enum.ToObject(f.FieldType, rnd.Next(2)));
                else throw new InvalidOperationException($"unhandled field type {f.FieldType} in {t.Name}.{f.Name}");
            }
            return o;
        }

        private static string SnakeCase(string pascal)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < pascal.Length; i++)
            {
                char c = pascal[i];
                if (char.IsUpper(c) && i > 0) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            return sb.ToString();
        }

        /// <summary>A small hand-built graph: constants of awkward sizes, several activations, one op per options type.</summary>
        private static EdgeGraph SampleGraph(int seed)
        {
            var rnd = new Random(seed);
            var g = new EdgeGraph();
            g.AddTensor(new EdgeTensor { Name = "input", DType = DType.Int8, Shape = new[] { 1, 4, 4, 2 }, Scales = new[] { 0.5f }, ZeroPoints = new[] { -3 }, ArenaOffset = 0 });
            g.AddTensor(new EdgeTensor { Name = "weights", DType = DType.Int8, Shape = new[] { 2, 3, 3, 2 }, Scales = new[] { 0.25f, 0.125f }, ZeroPoints = new[] { 0, 1 }, QuantizedDimension = 0, Data = RandomBytes(rnd, 36) });
            g.AddTensor(new EdgeTensor { Name = "bias", DType = DType.Int32, Shape = new[] { 2 }, Data = RandomBytes(rnd, 8) });
            g.AddTensor(new EdgeTensor { Name = "conv_out", DType = DType.Int8, Shape = new[] { 1, 4, 4, 2 }, Scales = new[] { 0.75f }, ZeroPoints = new[] { 5 }, ArenaOffset = 32 });
            g.AddTensor(new EdgeTensor { Name = "flat", DType = DType.Int8, Shape = new[] { 1, 32 }, Scales = new[] { 0.75f }, ZeroPoints = new[] { 5 }, ArenaOffset = 32 });
            g.AddTensor(new EdgeTensor { Name = "odd_const", DType = DType.Int8, Shape = new[] { 3 }, Data = RandomBytes(rnd, 3) });
            g.AddTensor(new EdgeTensor { Name = "out", DType = DType.Float32, Shape = new[] { 1, 32 }, ArenaOffset = 64 });
            g.AddTensor(new EdgeTensor { Name = "empty_const", DType = DType.Int16, Shape = new[] { 0, 4 }, Data = Array.Empty<byte>() });
            g.AddTensor(new EdgeTensor { Name = "big_const_ünï", DType = DType.Int16, Shape = new[] { 5, 7 }, Data = RandomBytes(rnd, 70), Scales = new[] { 1f / 1024 }, ZeroPoints = new[] { 0 } });
            g.AddTensor(new EdgeTensor { Name = "scalar", DType = DType.UInt8, Shape = Array.Empty<int>(), ArenaOffset = 176 });
            g.ArenaBytes = 192;
            g.Inputs.Add(0);
            g.Outputs.Add(6);
            g.Outputs.Add(9);

            // One op per options class (in union order), a Reshape without options, random inputs/outputs.
            var opTypes = (OpType[])Enum.GetValues(typeof(OpType));
            foreach (var t in OptionTypes)
            {
                g.Ops.Add(new EdgeOp
                {
                    Type = opTypes[rnd.Next(opTypes.Length)],
                    Inputs = new[] { rnd.Next(g.Tensors.Count), -1, rnd.Next(g.Tensors.Count) },
                    Outputs = new[] { rnd.Next(g.Tensors.Count) },
                    Options = RandomOptions(t, rnd),
                    Macs = rnd.NextInt64(0, 1L << 40),
                });
            }
            g.Ops.Insert(3, new EdgeOp { Type = OpType.Reshape, Inputs = new[] { 3 }, Outputs = new[] { 4 } });
            g.Metadata = new EdgeMetadata
            {
                SourceFormat = "tflite",
                SourceFile = "model_" + seed + ".tflite",
                SourceSha256 = new string('a', 64),
                ConverterVersion = "0.1.0",
                Macs = g.Ops.Sum(o => o.Macs),
            };
            foreach (var grp in g.Ops.GroupBy(o => o.Type))
                g.Metadata.OpCounts.Add(new KeyValuePair<OpType, int>(grp.Key, grp.Count()));
            return g;
        }

        private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

        private static void AssertFloat(float expected, JsonElement e, string what)
        {
            double actual = e.GetDouble();
            // flatc 2.0.8 prints floats in fixed notation with 6 decimals: exact to ±5e-7.
            Assert.True(Math.Abs(actual - expected) <= 5.01e-7 + 1e-6 * Math.Abs(expected), $"{what}: expected {expected}, flatc printed {actual}");
        }

        [FlatcFact]
        public void Write_DecodedByFlatc_MatchesGraph()
        {
            var g = SampleGraph(7);
            byte[] bytes = EdgeWriter.Write(g);
            string dir = Path.Combine(Path.GetTempPath(), "edge-writer-test-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string path = Path.Combine(dir, "sample.edge");
                File.WriteAllBytes(path, bytes);
                using var doc = FormatTestEnvironment.FlatcToJson(FormatTestEnvironment.EdgeSchema, path);
                var m = doc.RootElement;

                Assert.Equal(EdgeWriter.FormatVersion, m.GetProperty("format_version").GetUInt32());
                Assert.Equal((uint)g.ArenaBytes, m.GetProperty("arena_bytes").GetUInt32());
                Assert.Equal(g.Inputs.ToArray(), Ints(m.GetProperty("inputs")));
                Assert.Equal(g.Outputs.ToArray(), Ints(m.GetProperty("outputs")));

                // Tensors and constants.
                var tensors = m.GetProperty("tensors").EnumerateArray().ToArray();
                var buffers = m.GetProperty("buffers").EnumerateArray().ToArray();
                byte[] constants = m.GetProperty("constants").EnumerateArray().Select(x => x.GetByte()).ToArray();
                Assert.Equal(g.Tensors.Count, tensors.Length);
                Assert.Equal(g.Tensors.Count(t => t.IsConstant), buffers.Length);
                int nextBuffer = 0;
                for (int i = 0; i < g.Tensors.Count; i++)
                {
                    var t = g.Tensors[i];
                    var j = tensors[i];
                    Assert.Equal(t.Name, j.GetProperty("name").GetString());
                    Assert.Equal(t.DType.ToString(), j.GetProperty("dtype").GetString());
                    Assert.Equal(t.Shape, Ints(j.GetProperty("shape")));
                    Assert.Equal(t.SizeBytes, j.GetProperty("size_bytes").GetInt32());
                    if (t.Scales != null)
                    {
                        var q = j.GetProperty("quantization");
                        var scales = q.GetProperty("scale").EnumerateArray().ToArray();
                        Assert.Equal(t.Scales.Length, scales.Length);
                        for (int k = 0; k < scales.Length; k++) AssertFloat(t.Scales[k], scales[k], $"tensor {i} scale {k}");
                        Assert.Equal(t.ZeroPoints, Ints(q.GetProperty("zero_point")));
                        Assert.Equal(t.QuantizedDimension, q.GetProperty("quantized_dimension").GetInt32());
                    }
                    else
                    {
                        Assert.False(j.TryGetProperty("quantization", out _));
                    }
                    if (t.IsConstant)
                    {
                        Assert.Equal(nextBuffer, j.GetProperty("buffer").GetInt32());
                        Assert.Equal(-1, j.GetProperty("arena_offset").GetInt32());
                        var br = buffers[nextBuffer];
                        uint off = br.GetProperty("offset").GetUInt32(), len = br.GetProperty("length").GetUInt32();
                        Assert.Equal(0u, off % 16);
                        Assert.Equal((uint)t.Data.Length, len);
                        Assert.Equal(t.Data, constants.AsSpan((int)off, (int)len).ToArray());
                        nextBuffer++;
                    }
                    else
                    {
                        Assert.Equal(-1, j.GetProperty("buffer").GetInt32());
                        Assert.Equal(t.ArenaOffset, j.GetProperty("arena_offset").GetInt32());
                    }
                }

                // Operators and every options table, field by field.
                var ops = m.GetProperty("operators").EnumerateArray().ToArray();
                Assert.Equal(g.Ops.Count, ops.Length);
                for (int i = 0; i < g.Ops.Count; i++)
                {
                    var op = g.Ops[i];
                    var j = ops[i];
                    Assert.Equal(op.Type.ToString(), j.GetProperty("type").GetString());
                    Assert.Equal(op.Inputs, Ints(j.GetProperty("inputs")));
                    Assert.Equal(op.Outputs, Ints(j.GetProperty("outputs")));
                    Assert.Equal(op.Macs, j.GetProperty("macs").GetInt64());
                    if (op.Options == null)
                    {
                        Assert.Equal("NONE", j.GetProperty("options_type").GetString());
                        continue;
                    }
                    Assert.Equal(op.Options.GetType().Name, j.GetProperty("options_type").GetString());
                    var oj = j.GetProperty("options");
                    foreach (var f in op.Options.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
                    {
                        string name = SnakeCase(f.Name);
                        string what = $"op {i} {op.Options.GetType().Name}.{name}";
                        // A TFLite-rule AffineQuantizeOptions keeps the 1.1 table: its 1.2 vectors are not written.
                        if (op.Options is AffineQuantizeOptions aq && !aq.HasOnnxFields && name is "scales" or "zero_points") { Assert.False(oj.TryGetProperty(name, out _)); continue; }
                        Assert.True(oj.TryGetProperty(name, out var v), $"{what} missing in flatc output");
                        object x = f.GetValue(op.Options);
                        switch (x)
                        {
                            case int iv: Assert.Equal(iv, v.GetInt32()); break;
                            case Enum ev: Assert.Equal(ev.ToString(), v.GetString()); break;
                            case bool bv: Assert.Equal(bv, v.GetBoolean()); break;
                            case float fv: AssertFloat(fv, v, what); break;
                            case int[] ia: Assert.Equal(ia, Ints(v)); break;
                            case float[] fa:
                                var arr = v.EnumerateArray().ToArray();
                                Assert.Equal(fa.Length, arr.Length);
                                for (int k = 0; k < fa.Length; k++) AssertFloat(fa[k], arr[k], $"{what}[{k}]");
                                break;
                            default: throw new InvalidOperationException(what);
                        }
                    }
                }

                // Metadata.
                var md = m.GetProperty("metadata");
                Assert.Equal(g.Metadata.SourceFormat, md.GetProperty("source_format").GetString());
                Assert.Equal(g.Metadata.SourceFile, md.GetProperty("source_file").GetString());
                Assert.Equal(g.Metadata.SourceSha256, md.GetProperty("source_sha256").GetString());
                Assert.Equal(g.Metadata.ConverterVersion, md.GetProperty("converter_version").GetString());
                Assert.Equal(g.Metadata.Macs, md.GetProperty("macs").GetInt64());
                var counts = md.GetProperty("op_counts").EnumerateArray().ToArray();
                Assert.Equal(g.Metadata.OpCounts.Count, counts.Length);
                for (int k = 0; k < counts.Length; k++)
                {
                    Assert.Equal(g.Metadata.OpCounts[k].Key.ToString(), counts[k].GetProperty("op").GetString());
                    Assert.Equal(g.Metadata.OpCounts[k].Value, counts[k].GetProperty("count").GetInt32());
                }
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [FlatcFact]
        public void OptionsClasses_MatchSchemaUnionOrder_AndRuntimeEnums()
        {
            var union = FormatTestEnvironment.ParseFbsUnion(FormatTestEnvironment.EdgeSchema, "OpOptions");
            Assert.Equal(OptionsType.Count, union.Count); // members + NONE
            Assert.Equal(union.Count - 1, OptionTypes.Length);
            foreach (var t in OptionTypes)
            {
                Assert.True(union.TryGetValue(t.Name, out long tag), $"{t.Name} is not a member of union OpOptions");
                Assert.Equal(tag, ((OpOptions)Activator.CreateInstance(t)).UnionType);
            }
            var opTypes = FormatTestEnvironment.ParseFbsEnum(FormatTestEnvironment.EdgeSchema, "OpType");
            Assert.Equal(opTypes.Count, Enum.GetValues(typeof(OpType)).Length);
            foreach (var kv in opTypes) Assert.Equal(kv.Value, (long)(ushort)Enum.Parse<OpType>(kv.Key));
            var dtypes = FormatTestEnvironment.ParseFbsEnum(FormatTestEnvironment.EdgeSchema, "DType");
            foreach (var kv in dtypes) Assert.Equal(kv.Value, (long)(byte)Enum.Parse<DType>(kv.Key));
        }

        [Fact]
        public void Constants_StartAt16AlignedFileOffset_ForManyLayouts()
        {
            for (int seed = 0; seed < 40; seed++)
            {
                var g = SampleGraph(seed);
                g.Metadata.SourceFile = new string('f', seed); // shifts everything around
                g.Tensors[0].Name = new string('n', seed * 3);
                byte[] bytes = EdgeWriter.Write(g);
                Assert.Equal(0, bytes.Length % 16);
                var r = new FlatBufferReader(bytes);
                Assert.Equal("EDGE", r.FileIdentifier);
                var constants = r.Root().GetVector(ModelConstants, 1);
                Assert.Equal(0, constants.Position % 16);
                // Independent of the reader: the weights' random bytes sit in the file at constants + their offset.
                byte[] w = g.Tensors[1].Data;
                int at = bytes.AsSpan().IndexOf(w);
                Assert.True(at >= 0);
                Assert.Equal(0, at % 16);
                Assert.Equal(constants.Position, at); // weights are the first constant, BufferRef.offset 0
                // Model.constants is created first, so it ends the file: no unreferenced trailing padding.
                Assert.Equal(0, constants.Length % 16);
                Assert.Equal(bytes.Length, constants.Position + constants.Length);
            }
        }

        [Fact]
        public void Write_IsDeterministic()
        {
            Assert.Equal(EdgeWriter.Write(SampleGraph(3)), EdgeWriter.Write(SampleGraph(3)));
        }

        [Fact]
        public void WriteFile_ReplacesAtomically_AndLeavesNoTempFiles()
        {
            string dir = Path.Combine(Path.GetTempPath(), "edge-writer-file-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string path = Path.Combine(dir, "m.edge");
                File.WriteAllText(path, "old content");
                var g = SampleGraph(11);
                EdgeWriter.WriteFile(g, path);
                Assert.Equal(EdgeWriter.Write(g), File.ReadAllBytes(path));
                Assert.Equal(new[] { "m.edge" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());

                // An invalid graph: nothing is written, the old file is untouched, no temp file remains.
                var bad = SampleGraph(12);
                bad.Tensors[1].Data = new byte[5];
                Assert.Throws<ArgumentException>(() => EdgeWriter.WriteFile(bad, path));
                Assert.Equal(EdgeWriter.Write(g), File.ReadAllBytes(path));
                string missing = Path.Combine(dir, "never.edge");
                Assert.Throws<ArgumentException>(() => EdgeWriter.WriteFile(bad, missing));
                Assert.False(File.Exists(missing));
                Assert.Equal(new[] { "m.edge" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void Validate_RejectsInconsistentGraphs()
        {
            var cases = new List<(string what, Action<EdgeGraph> breakIt)>
            {
                ("constant size", g => g.Tensors[2].Data = new byte[7]),
                ("unplanned activation", g => g.Tensors[3].ArenaOffset = -1),
                ("arena overflow", g => g.ArenaBytes = 100),
                ("op input range", g => g.Ops[0].Inputs = new[] { 99 }),
                ("op output absent", g => g.Ops[0].Outputs = new[] { -1 }),
                ("model output range", g => g.Outputs.Add(-5)),
                ("negative dim", g => g.Tensors[0].Shape = new[] { 1, -4 }),
                ("scale/zp count", g => g.Tensors[1].ZeroPoints = new[] { 0, 0, 0 }),
            };
            foreach (var (what, breakIt) in cases)
            {
                var g = SampleGraph(5);
                breakIt(g);
                var e = Assert.Throws<ArgumentException>(() => EdgeWriter.Write(g));
                Assert.False(string.IsNullOrEmpty(e.Message), what);
            }
        }
    }
}
