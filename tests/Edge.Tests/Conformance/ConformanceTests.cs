using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Edge.Converter.Cli;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Conformance
{
    /// <summary>
    /// Every case of ../shared/conformance/tflite: convert the .tflite, run every input set with the reference
    /// kernels, and compare each output with TensorFlow Lite Micro's expected output byte for byte. On a
    /// mismatch the message names the first differing layer (from the layers/ dumps where the case has them).
    /// </summary>
    public class ConformanceTests
    {
        private readonly ITestOutputHelper _log;
        public ConformanceTests(ITestOutputHelper log) { _log = log; }

        public static IEnumerable<object[]> Cases() => ConformanceCase.Names().Select(n => new object[] { n });

        [SharedDataTheory]
        [MemberData(nameof(Cases))]
        public void MatchesTfliteMicroByteForByte(string caseName)
        {
            var c = ConformanceCase.Load(caseName);
            Assert.NotEmpty(c.Inputs);
            var model = EdgeModel.Load(c.EdgeBytes());
            var arena = new byte[model.ArenaBytes];
            var interp = new Interpreter(model, arena);
            var failures = new List<string>();
            int compared = 0;
            foreach (var set in c.Inputs)
            {
                Array.Clear(arena);
                ConformanceCase.SetInputs(interp, set);
                interp.Invoke();
                Assert.Equal(model.OutputCount, set.Expected.Length);
                for (int o = 0; o < set.Expected.Length; o++)
                {
                    var expected = Npy.Read(set.Expected[o]);
                    var t = model.Output(o);
                    Assert.Equal(expected.DType, t.Type);
                    Assert.Equal(expected.Shape, t.Shape);
                    var actual = new byte[t.SizeBytes];
                    interp.GetOutput(o, actual, 0);
                    compared++;
                    int at = FirstDifference(actual, expected.Data);
                    if (at >= 0)
                        failures.Add($"{caseName}/{set.Name}: output {o} differs first at byte {at} (got {(sbyte)actual[at]}, expected {(sbyte)expected.Data[at]}); {Diagnose(c, set, model)}");
                }
            }
            _log.WriteLine($"{caseName}: {compared} outputs compared over {c.Inputs.Count} input sets, {failures.Count} mismatches");
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        /// <summary>Runs the input set again, capturing every op's output, and names the first layer that differs.</summary>
        private static string Diagnose(ConformanceCase c, ConformanceCase.InputSet set, EdgeModel model)
        {
            if (!c.LayerDirs.TryGetValue(set.Name, out var dir)) return "no per-layer dumps for this case";
            var arena = new byte[model.ArenaBytes];
            var interp = new Interpreter(model, arena);
            var cap = new LayerCapture(model, arena);
            interp.Profiler = cap;
            ConformanceCase.SetInputs(interp, set);
            interp.Invoke();
            foreach (var layer in c.Layers)
            {
                var expected = Npy.Read(Path.Combine(dir, layer.File)).Data;
                var actual = cap.Outputs[layer.Op];
                int at = FirstDifference(actual, expected);
                if (at >= 0)
                {
                    int n = actual.Zip(expected).Count(p => p.First != p.Second);
                    return $"first differing layer: op {layer.Op} {layer.OpName} ({n} of {expected.Length} bytes differ, first at {at})";
                }
            }
            return "all layers match the dumps";
        }

        [SharedDataTheory]
        [MemberData(nameof(LayerCases))]
        public void EveryLayerMatchesTheDumps(string caseName)
        {
            var c = ConformanceCase.Load(caseName);
            var model = EdgeModel.Load(c.EdgeBytes());
            Assert.Equal(c.Layers.Count, model.Ops.Length);
            foreach (var (setName, dir) in c.LayerDirs)
            {
                var set = c.Inputs.Single(s => s.Name == setName);
                var arena = new byte[model.ArenaBytes];
                var interp = new Interpreter(model, arena);
                var cap = new LayerCapture(model, arena);
                interp.Profiler = cap;
                ConformanceCase.SetInputs(interp, set);
                interp.Invoke();
                foreach (var layer in c.Layers)
                {
                    Assert.Equal(layer.OpName, OpNames.Name(model.Ops[layer.Op].Type) == "RESHAPE" && layer.OpName == "SQUEEZE" ? "SQUEEZE" : OpNames.Name(model.Ops[layer.Op].Type));
                    var expected = Npy.Read(Path.Combine(dir, layer.File)).Data;
                    int at = FirstDifference(cap.Outputs[layer.Op], expected);
                    Assert.True(at < 0, $"{caseName}/{setName}: op {layer.Op} {layer.OpName} differs first at byte {at}");
                }
            }
        }

        public static IEnumerable<object[]> LayerCases() =>
            ConformanceCase.Names().Where(n => Directory.Exists(Path.Combine(SharedData.Tflite(n), "layers"))).Select(n => new object[] { n });

        /// <summary>Runs every conformance model 100 times after warm-up: the allocation counter must not move.</summary>
        [SharedDataTheory]
        [MemberData(nameof(Cases))]
        public void InvokeAllocatesNothing(string caseName)
        {
            var c = ConformanceCase.Load(caseName);
            var model = EdgeModel.Load(c.EdgeBytes());
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            ConformanceCase.SetInputs(interp, c.Inputs[0]);
            // Warm-up covers the JIT's tiering (methods are recompiled after ~30 calls, which can allocate once);
            // a real per-inference allocation would show in every window, so the last window must read 0.
            long allocated = -1;
            for (int window = 0; window < 4 && allocated != 0; window++)
            {
                for (int i = 0; i < 40; i++) interp.Invoke();
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 100; i++) interp.Invoke();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                _log.WriteLine($"{caseName}: window {window}: {allocated} bytes allocated over 100 invokes");
            }
            Assert.Equal(0, allocated);
        }

        /// <summary>The converter's arena is no larger than TFLite Micro's greedy plan needs for the same tensors.</summary>
        [SharedDataTheory]
        [MemberData(nameof(Cases))]
        public void ArenaFitsTheWholeModelPlan(string caseName)
        {
            var c = ConformanceCase.Load(caseName);
            var model = EdgeModel.Load(c.EdgeBytes());
            // Lower bound: at some op, its inputs and outputs are all live at once.
            long lower = 0;
            foreach (var op in model.Ops)
            {
                long live = op.Inputs.Where(i => i >= 0 && !model.Tensors[i].IsConstant).Select(i => (long)model.Tensors[i].SizeBytes)
                    .Concat(op.Outputs.Select(o => (long)model.Tensors[o].SizeBytes)).Sum();
                if (op.Type == OpType.Reshape) live = model.Tensors[op.Outputs[0]].SizeBytes;
                lower = Math.Max(lower, live);
            }
            long naive = model.Tensors.Where(t => !t.IsConstant).Sum(t => (long)t.SizeBytes);
            _log.WriteLine($"{caseName}: arena {model.ArenaBytes} bytes (peak op working set {lower}, sum of all activations {naive})");
            Assert.InRange(model.ArenaBytes, lower, Math.Max(lower, naive + 16L * model.Tensors.Length));
        }

        private static int FirstDifference(byte[] a, byte[] b)
        {
            if (a.Length != b.Length) return Math.Min(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return i;
            return -1;
        }
    }
}
