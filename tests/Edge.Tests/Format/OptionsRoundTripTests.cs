using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Edge.Converter.Format;
using Edge.Converter.Ir;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Format
{
    /// <summary>
    /// Every options table of the schema, filled with distinct non-default values through the converter IR,
    /// written by EdgeWriter and decoded by flatc with our schema: each IR field must come back under its
    /// schema name. This pins the writer's vtable slots to edge.fbs (a swapped slot fails here).
    /// </summary>
    public class OptionsRoundTripTests
    {
        public sealed class FlatcFactAttribute : FactAttribute
        {
            public FlatcFactAttribute() { if (Conformance.FlatcDecodeTests.Flatc() == null) Skip = "flatc not installed (apt-get install flatbuffers-compiler): skipped"; }
        }

        private static string Snake(string pascal)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < pascal.Length; i++)
            {
                char c = pascal[i];
                bool boundary = i > 0 && char.IsUpper(c) && !char.IsUpper(pascal[i - 1]);
                if (boundary) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            return sb.ToString();
        }

        [FlatcFact]
        public void EveryOptionsFieldLandsInItsSchemaSlot()
        {
            var types = typeof(OpOptions).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(OpOptions)) && !t.IsAbstract).OrderBy(t => t.Name).ToArray();
            Assert.Equal(OptionsType.Count - 1, types.Length);
            var g = new EdgeGraph();
            int x = g.AddTensor(new EdgeTensor { Name = "x", DType = DType.Int8, Shape = new[] { 1 }, ArenaOffset = 0 });
            g.ArenaBytes = 16;
            g.Inputs.Add(x); g.Outputs.Add(x);
            int seed = 100;
            var filled = types.Select(t =>
            {
                var o = (OpOptions)Activator.CreateInstance(t);
                foreach (var f in t.GetFields(BindingFlags.Public | BindingFlags.Instance))
                {
                    seed += 7;
                    if (f.FieldType == typeof(int)) f.SetValue(o, seed);
                    else if (f.FieldType == typeof(bool)) f.SetValue(o, true);
                    else if (f.FieldType == typeof(float)) f.SetValue(o, seed + 0.5f);
                    else if (f.FieldType == typeof(int[])) f.SetValue(o, new[] { seed, seed + 1, seed + 2 });
                    else if (f.FieldType == typeof(float[])) f.SetValue(o, new[] { seed + 0.25f, seed + 1.25f });
                    else if (f.FieldType.IsEnum) f.SetValue(o, Enum.ToObject(f.FieldType, Convert.ToInt32(f.GetValue(o)) ^ 1));   // the non-default value
                    else throw new InvalidOperationException($"unhandled field type {f.FieldType} in {t.Name}");
                }
                g.Ops.Add(new EdgeOp { Type = OpType.Reshape, Inputs = new[] { x }, Outputs = new[] { x }, Options = o });
                return o;
            }).ToArray();

            string dir = Directory.CreateTempSubdirectory("edge-opts").FullName;
            try
            {
                string file = Path.Combine(dir, "opts.edge");
                File.WriteAllBytes(file, EdgeWriter.Write(g));
                string schema = Path.Combine(SharedData.RepoRoot, "runtime", "Format", "edge.fbs");
                var psi = new ProcessStartInfo(Conformance.FlatcDecodeTests.Flatc(), new[] { "--json", "--strict-json", "--raw-binary", "-o", dir, schema, "--", file })
                { RedirectStandardError = true };
                using (var p = Process.Start(psi)!) { string err = p.StandardError.ReadToEnd(); p.WaitForExit(); Assert.True(p.ExitCode == 0, err); }
                using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "opts.json")));
                var ops = doc.RootElement.GetProperty("operators").EnumerateArray().ToArray();
                for (int i = 0; i < filled.Length; i++)
                {
                    var o = filled[i];
                    string tableName = o.GetType().Name;
                    Assert.Equal(tableName, ops[i].GetProperty("options_type").GetString());
                    var json = ops[i].GetProperty("options");
                    foreach (var f in o.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
                    {
                        string name = Snake(f.Name);
                        Assert.True(json.TryGetProperty(name, out var v), $"{tableName}.{name} missing in flatc output: {json}");
                        object want = f.GetValue(o);
                        switch (want)
                        {
                            case int n: Assert.Equal(n, v.GetInt32()); break;
                            case Enum e: Assert.Equal(e.ToString(), v.GetString()); break;
                            case bool b: Assert.Equal(b, v.GetBoolean()); break;
                            case float fl: Assert.Equal(fl, v.GetSingle(), 3); break;
                            case int[] a: Assert.Equal(a, v.EnumerateArray().Select(e => e.GetInt32()).ToArray()); break;
                            case float[] a: Assert.Equal(a, v.EnumerateArray().Select(e => e.GetSingle()).ToArray()); break;
                        }
                    }
                }
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
