using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.Format;
using Edge.Converter.Ir;
using Edge.Converter.Planner;
using Edge.Converter.Tflite;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Format
{
    public class MemoryPlannerTests
    {
        // =========================================================================================================
        // The buffer-level port against TFLM's own greedy_memory_planner_test.cc (expected values from upstream).
        // =========================================================================================================

        [Fact]
        public void Tflm_ReverseSortInPlace()
        {
            int[] aValues = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }, aIds = Enumerable.Range(0, 10).ToArray();
            GreedyMemoryPlanner.ReverseSortInPlace(aValues, aIds, 0, 10);
            Assert.Equal(new[] { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }, aValues);
            Assert.Equal(Enumerable.Range(0, 10).ToArray(), aIds);

            int[] bValues = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, bIds = Enumerable.Range(0, 10).ToArray();
            GreedyMemoryPlanner.ReverseSortInPlace(bValues, bIds, 0, 10);
            Assert.Equal(new[] { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }, bValues);
            Assert.Equal(new[] { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 }, bIds);

            int[] cValues = Enumerable.Range(0, 100).Select(i => i % 10 + 1).ToArray(), cIds = Enumerable.Range(0, 100).ToArray();
            GreedyMemoryPlanner.ReverseSortInPlace(cValues, cIds, 0, 100);
            int[] cExpectedIds =
            {
                9, 19, 29, 39, 49, 59, 69, 79, 89, 99, 8, 18, 28, 38, 48, 58, 68, 78, 88, 98, 7, 17, 27, 37, 47, 57, 67, 77, 87, 97,
                6, 16, 26, 36, 46, 56, 66, 76, 86, 96, 5, 15, 25, 35, 45, 55, 65, 75, 85, 95, 4, 14, 24, 34, 44, 54, 64, 74, 84, 94,
                3, 13, 23, 33, 43, 53, 63, 73, 83, 93, 2, 12, 22, 32, 42, 52, 62, 72, 82, 92, 1, 11, 21, 31, 41, 51, 61, 71, 81, 91,
                0, 10, 20, 30, 40, 50, 60, 70, 80, 90,
            };
            Assert.Equal(Enumerable.Range(0, 100).Select(i => 10 - i / 10).ToArray(), cValues);
            Assert.Equal(cExpectedIds, cIds);
        }

        [Fact]
        public void Tflm_GreedyBasics()
        {
            var p = new GreedyMemoryPlanner();
            p.AddBuffer(10, 0, 1);
            p.AddBuffer(20, 2, 3);
            Assert.False(p.DoAnyBuffersOverlap());
            Assert.Equal(20, p.GetMaximumMemorySize());
            Assert.Equal(0, p.GetOffsetForBuffer(0));
            Assert.Equal(0, p.GetOffsetForBuffer(1));
        }

        [Fact]
        public void Tflm_GreedyMedium()
        {
            var p = new GreedyMemoryPlanner();
            p.AddBuffer(10, 0, 1);
            p.AddBuffer(20, 1, 2);
            p.AddBuffer(30, 2, 3);
            p.AddBuffer(40, 3, 4);
            p.AddBuffer(50, 0, 1);
            Assert.Equal(50, p.GetOffsetForBuffer(0));
            Assert.Equal(70, p.GetOffsetForBuffer(1));
            Assert.Equal(40, p.GetOffsetForBuffer(2));
            Assert.Equal(0, p.GetOffsetForBuffer(3));
            Assert.Equal(0, p.GetOffsetForBuffer(4));
            Assert.False(p.DoAnyBuffersOverlap());
            Assert.Equal(90, p.GetMaximumMemorySize());
        }

        [Fact]
        public void Tflm_PersonDetectionModel()
        {
            var p = new GreedyMemoryPlanner();
            (int size, int first, int last)[] buffers =
            {
                (9216, 0, 29), (3, 28, 29), (256, 27, 28), (2304, 26, 27), (2304, 25, 26), (2304, 24, 25), (1152, 23, 24),
                (4608, 22, 23), (4608, 21, 22), (4608, 20, 21), (4608, 19, 20), (4608, 18, 19), (4608, 17, 18),
                (4608, 16, 17), (4608, 15, 16), (4608, 14, 15), (4608, 13, 14), (4608, 12, 13), (2304, 11, 12),
                (9216, 10, 11), (9216, 9, 10), (9216, 8, 9), (4608, 7, 8), (18432, 6, 7), (18432, 5, 6), (18432, 4, 5),
                (9216, 3, 4), (36864, 2, 3), (18432, 1, 2), (18432, 0, 1),
            };
            foreach (var (size, first, last) in buffers) p.AddBuffer(size, first, last);
            Assert.False(p.DoAnyBuffersOverlap());
            Assert.True(p.GetMaximumMemorySize() < 241027); // upstream: smaller than the sum of all buffers
        }

        [Fact]
        public void Tflm_OverlapCase()
        {
            var p = new GreedyMemoryPlanner();
            p.AddBuffer(100, 0, 1);
            p.AddBuffer(50, 2, 3);
            p.AddBuffer(20, 1, 2);
            Assert.False(p.DoAnyBuffersOverlap());
            Assert.Equal(120, p.GetMaximumMemorySize());
        }

        // =========================================================================================================
        // Graph level.
        // =========================================================================================================

        private static EdgeTensor Act(string name, int bytes) => new() { Name = name, DType = DType.Int8, Shape = new[] { bytes } };
        private static EdgeTensor Const(string name, int bytes) => new() { Name = name, DType = DType.Int8, Shape = new[] { bytes }, Data = new byte[bytes] };
        private static EdgeOp Op(OpType type, int[] inputs, params int[] outputs) => new() { Type = type, Inputs = inputs, Outputs = outputs };
        private static int Align(int n) => (n + 15) / 16 * 16;

        /// <summary>
        /// Checks a plan against lifetimes computed here, independently of the planner: a tensor is live from its
        /// producing op (model inputs: from before op 0) to its last reader (model outputs: to the end); Reshape
        /// outputs with a non-constant input share the input's buffer. Returns the lower bound max_t(sum of live sizes).
        /// </summary>
        private static int CheckPlan(EdgeGraph g, MemoryPlan plan)
        {
            int n = g.Tensors.Count, nOps = g.Ops.Count;
            // alias groups
            var group = Enumerable.Range(0, n).ToArray();
            int Root(int x) => group[x] == x ? x : (group[x] = Root(group[x]));
            foreach (var op in g.Ops)
                if (op.Type == OpType.Reshape && op.Inputs[0] >= 0 && !g.Tensors[op.Inputs[0]].IsConstant)
                    group[Root(op.Outputs[0])] = Root(op.Inputs[0]);
            // intervals in op indices: -1 = before op 0, nOps = after the last op
            var start = Enumerable.Repeat(int.MaxValue, n).ToArray();
            var end = Enumerable.Repeat(int.MinValue, n).ToArray();
            foreach (int t in g.Inputs) { start[t] = -1; end[t] = Math.Max(end[t], -1); }
            for (int k = 0; k < nOps; k++)
            {
                foreach (int t in g.Ops[k].Outputs) { start[t] = Math.Min(start[t], k); end[t] = Math.Max(end[t], k); }
                foreach (int t in g.Ops[k].Inputs) if (t >= 0) end[t] = Math.Max(end[t], k);
            }
            foreach (int t in g.Outputs) end[t] = nOps;
            var gStart = new Dictionary<int, int>();
            var gEnd = new Dictionary<int, int>();
            var gSize = new Dictionary<int, int>();
            for (int t = 0; t < n; t++)
            {
                if (g.Tensors[t].IsConstant || start[t] == int.MaxValue) continue;
                int r = Root(t);
                gStart[r] = Math.Min(gStart.GetValueOrDefault(r, int.MaxValue), start[t]);
                gEnd[r] = Math.Max(gEnd.GetValueOrDefault(r, int.MinValue), end[t]);
                gSize[r] = Math.Max(gSize.GetValueOrDefault(r, 0), Align(g.Tensors[t].SizeBytes));
            }

            Assert.Equal(plan.ArenaBytes, g.ArenaBytes);
            Assert.Equal(g.Tensors.Count(t => !t.IsConstant), plan.Lifetimes.Count);
            for (int t = 0; t < n; t++)
            {
                var x = g.Tensors[t];
                if (x.IsConstant) { Assert.Equal(-1, x.ArenaOffset); continue; }
                Assert.True(x.ArenaOffset >= 0 && x.ArenaOffset % 16 == 0, $"tensor {t} offset {x.ArenaOffset}");
                Assert.True(x.ArenaOffset + x.SizeBytes <= g.ArenaBytes, $"tensor {t} exceeds the arena");
                if (Root(t) != t && x.SizeBytes > 0) Assert.Equal(g.Tensors[Root(t)].ArenaOffset, x.ArenaOffset);
            }
            var roots = gStart.Keys.Where(r => gSize[r] > 0).ToArray();
            for (int i = 0; i < roots.Length; i++)
                for (int j = i + 1; j < roots.Length; j++)
                {
                    int a = roots[i], b = roots[j];
                    if (gStart[a] > gEnd[b] || gStart[b] > gEnd[a]) continue; // not live together
                    int aOff = g.Tensors[a].ArenaOffset, bOff = g.Tensors[b].ArenaOffset;
                    Assert.True(aOff + gSize[a] <= bOff || bOff + gSize[b] <= aOff,
                        $"tensors {a} [{aOff},{aOff + gSize[a]}) live {gStart[a]}..{gEnd[a]} and {b} [{bOff},{bOff + gSize[b]}) live {gStart[b]}..{gEnd[b]} overlap");
                }
            int lower = 0;
            for (int time = -1; time <= nOps; time++)
                lower = Math.Max(lower, roots.Where(r => gStart[r] <= time && time <= gEnd[r]).Sum(r => gSize[r]));
            Assert.True(g.ArenaBytes >= lower);
            Assert.True(g.ArenaBytes <= roots.Sum(r => gSize[r]));
            return lower;
        }

        [Fact]
        public void Chain_PingPongs_AndFollowsTflmLifetimes()
        {
            var g = new EdgeGraph();
            int t0 = g.AddTensor(Act("in", 100)), t1 = g.AddTensor(Act("a", 300)), t2 = g.AddTensor(Act("b", 50)), t3 = g.AddTensor(Act("out", 200));
            int w = g.AddTensor(Const("w", 64));
            g.Ops.Add(Op(OpType.Conv2D, new[] { t0, w, -1 }, t1));
            g.Ops.Add(Op(OpType.Conv2D, new[] { t1, w }, t2));
            g.Ops.Add(Op(OpType.FullyConnected, new[] { t2, w }, t3));
            g.Inputs.Add(t0);
            g.Outputs.Add(t3);
            var plan = MemoryPlanner.Plan(g);
            int lower = CheckPlan(g, plan);
            Assert.Equal(lower, plan.ArenaBytes); // a chain needs only two live buffers at a time

            var lt = plan.Lifetimes.ToDictionary(l => l.TensorIndex);
            Assert.Equal((-1, 0), (lt[t0].FirstOp, lt[t0].LastOp)); // model input: live from the start
            Assert.Equal((0, 1), (lt[t1].FirstOp, lt[t1].LastOp));
            Assert.Equal((1, 2), (lt[t2].FirstOp, lt[t2].LastOp));
            Assert.Equal((2, 2), (lt[t3].FirstOp, lt[t3].LastOp));
            Assert.Equal(3, lt[t3].LastTime);                      // TFLM: outputs last until scope ops.Count
            Assert.Equal(Align(300), lt[t1].BufferBytes);
            Assert.False(lt.ContainsKey(w));
            Assert.Equal(-1, g.Tensors[w].ArenaOffset);
        }

        [Fact]
        public void Diamond_ResidualAdd_KeepsSkipTensorAlive()
        {
            const int S = 64;
            var g = new EdgeGraph();
            int x = g.AddTensor(Act("x", S)), a = g.AddTensor(Act("a", S)), b = g.AddTensor(Act("b", S)), y = g.AddTensor(Act("y", S));
            int w = g.AddTensor(Const("w", 9));
            g.Ops.Add(Op(OpType.Conv2D, new[] { x, w }, a));
            g.Ops.Add(Op(OpType.Conv2D, new[] { a, w }, b));
            g.Ops.Add(Op(OpType.Add, new[] { a, b }, y));
            g.Inputs.Add(x);
            g.Outputs.Add(y);
            var plan = MemoryPlanner.Plan(g);
            int lower = CheckPlan(g, plan);
            var lt = plan.Lifetimes.ToDictionary(l => l.TensorIndex);
            Assert.Equal(2, lt[a].LastOp); // the skip connection lives until the Add
            var offsets = new[] { a, b, y }.Select(t => g.Tensors[t].ArenaOffset).ToArray();
            Assert.Equal(3, offsets.Distinct().Count());
            Assert.Equal(3 * S, lower);
            Assert.Equal(lower, plan.ArenaBytes); // x's space is reused: 3 buffers, not 4
        }

        [Fact]
        public void Reshape_OutputAliasesInput_UnlessInputIsConstant()
        {
            var g = new EdgeGraph();
            int x = g.AddTensor(Act("x", 64));
            int a = g.AddTensor(Act("a", 128));
            int r1 = g.AddTensor(Act("a_reshaped", 128));
            int r2 = g.AddTensor(Act("a_reshaped_again", 128));
            int c = g.AddTensor(Const("c", 32));
            int rc = g.AddTensor(Act("c_reshaped", 32));
            int y = g.AddTensor(Act("y", 32));
            int z = g.AddTensor(Act("z", 32));
            g.Ops.Add(Op(OpType.Conv2D, new[] { x }, a));            // 0
            g.Ops.Add(Op(OpType.Reshape, new[] { a, c }, r1));       // 1 (shape given by a constant second input)
            g.Ops.Add(Op(OpType.Reshape, new[] { r1 }, r2));         // 2
            g.Ops.Add(Op(OpType.Reshape, new[] { c }, rc));          // 3 constant input: a real buffer
            g.Ops.Add(Op(OpType.FullyConnected, new[] { r2, rc }, y)); // 4
            g.Ops.Add(Op(OpType.Add, new[] { y, x }, z));            // 5
            g.Inputs.Add(x);
            g.Outputs.Add(z);
            var plan = MemoryPlanner.Plan(g);
            CheckPlan(g, plan);
            var lt = plan.Lifetimes.ToDictionary(l => l.TensorIndex);

            Assert.Equal(g.Tensors[a].ArenaOffset, g.Tensors[r1].ArenaOffset);
            Assert.Equal(g.Tensors[a].ArenaOffset, g.Tensors[r2].ArenaOffset);
            Assert.Equal(-1, lt[a].AliasOf);
            Assert.Equal(a, lt[r1].AliasOf);
            Assert.Equal(a, lt[r2].AliasOf);
            // One buffer whose lifetime is the union: produced by op 0, last read by op 4.
            foreach (int t in new[] { a, r1, r2 }) Assert.Equal((0, 4), (lt[t].FirstOp, lt[t].LastOp));
            Assert.Equal(-1, lt[rc].AliasOf);
            Assert.Equal(-1, g.Tensors[c].ArenaOffset);
            Assert.True(g.Tensors[rc].ArenaOffset >= 0);
        }

        [Fact]
        public void Reshape_FromModelInputToModelOutput_SpansWholeRun()
        {
            var g = new EdgeGraph();
            int x = g.AddTensor(Act("x", 40)), xr = g.AddTensor(Act("x_flat", 40)), y = g.AddTensor(Act("y", 40)), z = g.AddTensor(Act("z", 40));
            g.Ops.Add(Op(OpType.Reshape, new[] { x }, xr));
            g.Ops.Add(Op(OpType.Relu, new[] { x }, y));
            g.Ops.Add(Op(OpType.Relu, new[] { y }, z));
            g.Inputs.Add(x);
            g.Outputs.Add(xr);
            g.Outputs.Add(z);
            var plan = MemoryPlanner.Plan(g);
            CheckPlan(g, plan);
            var l = plan.Lifetimes.Single(t => t.TensorIndex == xr);
            Assert.Equal(0, l.FirstTime);
            Assert.Equal(g.Ops.Count, l.LastTime);
            Assert.Equal(g.Tensors[x].ArenaOffset, g.Tensors[xr].ArenaOffset);
        }

        [Fact]
        public void ModelInputsLiveFromStart_ModelOutputsLiveToEnd()
        {
            var g = new EdgeGraph();
            int in0 = g.AddTensor(Act("in0", 64)), in1 = g.AddTensor(Act("in1_late", 64));
            int a = g.AddTensor(Act("a", 64)), early = g.AddTensor(Act("early_out", 64)), b = g.AddTensor(Act("b", 64)), o = g.AddTensor(Act("out", 64));
            g.Ops.Add(Op(OpType.Conv2D, new[] { in0 }, a, early)); // 0: early_out is a model output nobody reads
            g.Ops.Add(Op(OpType.Conv2D, new[] { a }, b));           // 1
            g.Ops.Add(Op(OpType.Add, new[] { b, in1 }, o));         // 2: in1 is first read here
            g.Inputs.Add(in0);
            g.Inputs.Add(in1);
            g.Outputs.Add(o);
            g.Outputs.Add(early);
            var plan = MemoryPlanner.Plan(g);
            CheckPlan(g, plan);
            var lt = plan.Lifetimes.ToDictionary(l => l.TensorIndex);
            Assert.Equal(0, lt[in1].FirstTime);
            Assert.Equal(-1, lt[in1].FirstOp);
            Assert.Equal(2, lt[in1].LastOp);
            Assert.Equal(0, lt[early].FirstOp);
            Assert.Equal(g.Ops.Count, lt[early].LastTime);
            // in1 must not share memory with anything produced before op 2; early_out with nothing after op 0.
            int Off(int t) => g.Tensors[t].ArenaOffset;
            foreach (int t in new[] { in0, a, early, b, o })
                Assert.NotEqual(Off(in1), Off(t));
            foreach (int t in new[] { a, b, o, in1 })
                Assert.NotEqual(Off(early), Off(t));
        }

        [Fact]
        public void ZeroSizedTensors_GetNoStorage_ConstantsGetMinusOne()
        {
            var g = new EdgeGraph();
            int x = g.AddTensor(Act("x", 16)), e = g.AddTensor(Act("empty", 0)), y = g.AddTensor(Act("y", 16));
            int c = g.AddTensor(Const("c", 4));
            g.Tensors[c].ArenaOffset = 1234; // stale value: the planner resets it
            g.Ops.Add(Op(OpType.Conv2D, new[] { x, c }, e));
            g.Ops.Add(Op(OpType.Add, new[] { x, e }, y));
            g.Inputs.Add(x);
            g.Outputs.Add(y);
            var plan = MemoryPlanner.Plan(g);
            int lower = CheckPlan(g, plan);
            var le = plan.Lifetimes.Single(l => l.TensorIndex == e);
            Assert.False(le.Planned);
            Assert.Equal(0, g.Tensors[e].ArenaOffset);
            Assert.Equal(-1, g.Tensors[c].ArenaOffset);
            Assert.Equal(lower, plan.ArenaBytes); // x and y only
        }

        [Fact]
        public void InvalidGraphs_AreRejected()
        {
            EdgeGraph Make()
            {
                var g = new EdgeGraph();
                g.AddTensor(Act("x", 8));
                g.AddTensor(Act("y", 8));
                g.AddTensor(Const("c", 8));
                g.Inputs.Add(0);
                g.Outputs.Add(1);
                return g;
            }
            var g1 = Make();
            g1.Ops.Add(Op(OpType.Relu, new[] { 1 }, 0)); // reads y before anything writes it
            Assert.Throws<ArgumentException>(() => MemoryPlanner.Plan(g1));
            var g2 = Make();
            g2.Ops.Add(Op(OpType.Relu, new[] { 0 }, 2)); // writes a constant
            Assert.Throws<ArgumentException>(() => MemoryPlanner.Plan(g2));
            var g3 = Make();
            g3.Ops.Add(Op(OpType.Relu, new[] { 7 }, 1));
            Assert.Throws<ArgumentException>(() => MemoryPlanner.Plan(g3));
        }

        [Fact]
        public void PrintablePlan_HasOneLinePerActivation()
        {
            var g = new EdgeGraph();
            int x = g.AddTensor(Act("input_tensor", 100)), y = g.AddTensor(Act("output_tensor", 200));
            g.AddTensor(Const("weights", 3));
            g.Ops.Add(Op(OpType.FullyConnected, new[] { x, 2 }, y));
            g.Inputs.Add(x);
            g.Outputs.Add(y);
            var plan = MemoryPlanner.Plan(g);
            var lines = plan.Describe(g);
            Assert.Equal(3, lines.Count);
            Assert.Contains(plan.ArenaBytes.ToString(), lines[0]);
            Assert.Contains("input_tensor", lines[1]);
            Assert.Contains("input..0", lines[1]);
            Assert.Contains("output_tensor", lines[2]);
            Assert.Contains(g.Tensors[y].ArenaOffset.ToString(), lines[2]);
            Assert.Contains("Int8[200]", lines[2]);
            Assert.Equal(lines.Count, plan.ToLines().Count);
        }

        // =========================================================================================================
        // Property: random graphs (seeded).
        // =========================================================================================================

        private static EdgeGraph RandomGraph(Random rnd)
        {
            var g = new EdgeGraph();
            var available = new List<int>();
            int nIn = rnd.Next(1, 4);
            for (int i = 0; i < nIn; i++) { int t = g.AddTensor(Act("in" + i, rnd.Next(1, 5000))); g.Inputs.Add(t); available.Add(t); }
            int nConst = rnd.Next(0, 4);
            var consts = new List<int>();
            for (int i = 0; i < nConst; i++) consts.Add(g.AddTensor(Const("c" + i, rnd.Next(1, 300))));
            int nOps = rnd.Next(1, 30);
            for (int k = 0; k < nOps; k++)
            {
                if (rnd.Next(5) == 0)
                {
                    // Reshape: one input (sometimes a constant), one output of the same size.
                    bool fromConst = consts.Count > 0 && rnd.Next(4) == 0;
                    int src = fromConst ? consts[rnd.Next(consts.Count)] : available[rnd.Next(available.Count)];
                    int dst = g.AddTensor(Act($"r{k}", g.Tensors[src].SizeBytes));
                    g.Ops.Add(Op(OpType.Reshape, new[] { src }, dst));
                    available.Add(dst);
                    continue;
                }
                int nI = rnd.Next(1, 4);
                var ins = new List<int>();
                for (int i = 0; i < nI; i++)
                {
                    int pick = rnd.Next(10);
                    if (pick == 0) ins.Add(-1);
                    else if (pick == 1 && consts.Count > 0) ins.Add(consts[rnd.Next(consts.Count)]);
                    else ins.Add(available[rnd.Next(Math.Max(0, available.Count - 4), available.Count)]); // mostly recent tensors
                }
                int nO = rnd.Next(1, 3);
                var outs = new int[nO];
                for (int o = 0; o < nO; o++)
                {
                    int size = rnd.Next(20) == 0 ? 0 : rnd.Next(1, 6000);
                    outs[o] = g.AddTensor(Act($"t{k}_{o}", size));
                    available.Add(outs[o]);
                }
                g.Ops.Add(Op((OpType)rnd.Next(0, 8), ins.ToArray(), outs));
            }
            g.Outputs.Add(available[^1]);
            for (int i = 0; i < rnd.Next(0, 3); i++) g.Outputs.Add(available[rnd.Next(available.Count)]);
            // Unused activations are legal too (TFLM plans them in their own -1 slot).
            if (rnd.Next(4) == 0) g.AddTensor(Act("unused", rnd.Next(1, 100)));
            return g;
        }

        [Fact]
        public void RandomGraphs_NoTwoLiveTensorsOverlap()
        {
            var rnd = new Random(20240601);
            for (int iter = 0; iter < 400; iter++)
            {
                var g = RandomGraph(rnd);
                var plan = MemoryPlanner.Plan(g);
                CheckPlan(g, plan);
                // The writer accepts what the planner produced (arena ranges inside arena_bytes).
                EdgeWriter.Validate(g);
            }
        }

        // =========================================================================================================
        // Real topologies: every conformance model's tensors and ops, planned.
        // =========================================================================================================

        [ConformanceTheory]
        [MemberData(nameof(TfliteReaderTests.Models), MemberType = typeof(TfliteReaderTests))]
        public void ConformanceModelTopology_PlansWithoutOverlap(string caseName)
        {
            var m = TfliteReader.ReadFile(FormatTestEnvironment.ModelPath(caseName));
            var g = new EdgeGraph();
            foreach (var t in m.Tensors)
            {
                var dtype = t.Type switch
                {
                    TfliteTensorType.Int8 => DType.Int8,
                    TfliteTensorType.UInt8 => DType.UInt8,
                    TfliteTensorType.Int16 => DType.Int16,
                    TfliteTensorType.Int32 => DType.Int32,
                    TfliteTensorType.Float32 => DType.Float32,
                    _ => throw new InvalidOperationException($"{caseName}: tensor type {t.Type}"),
                };
                var data = m.GetConstantData(t);
                g.AddTensor(new EdgeTensor { Name = t.Name, DType = dtype, Shape = t.Shape, Data = data });
            }
            foreach (var op in m.Operators)
            {
                var code = m.OpCode(op).Builtin;
                var type = code is TfliteBuiltinOperator.Reshape or TfliteBuiltinOperator.Squeeze ? OpType.Reshape : OpType.Conv2D;
                g.Ops.Add(new EdgeOp { Type = type, Inputs = op.Inputs, Outputs = op.Outputs });
            }
            g.Inputs.AddRange(m.Inputs);
            g.Outputs.AddRange(m.Outputs);
            var plan = MemoryPlanner.Plan(g);
            CheckPlan(g, plan);
            Assert.True(plan.ArenaBytes > 0);
        }
    }
}
