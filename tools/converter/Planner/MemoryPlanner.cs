using System;
using System.Collections.Generic;
using System.Globalization;
using Edge.Converter.Ir;
using Edge.Runtime;

namespace Edge.Converter.Planner
{
    /// <summary>The arena plan of one non-constant tensor.</summary>
    public sealed class TensorLifetime
    {
        public int TensorIndex { get; init; }
        public string Name { get; init; } = "";
        /// <summary>The tensor's own size (product(shape) * sizeof(dtype)).</summary>
        public int SizeBytes { get; init; }
        /// <summary>Size of the arena buffer the tensor lives in, rounded up to 16 (for an alias group: the largest member).</summary>
        public int BufferBytes { get; init; }
        /// <summary>
        /// Lifetime in TFLM allocation scopes (micro_allocation_info.cc), inclusive: 0 = before the first op (model
        /// inputs), k = while op k-1 runs; model outputs last until scope ops.Count. -1/-1 = never referenced.
        /// For an aliased tensor these are the shared buffer's (the union of the group).
        /// </summary>
        public int FirstTime { get; init; }
        public int LastTime { get; init; }
        /// <summary>First/last op index (FirstTime-1 / LastTime-1); -1 as FirstOp means "model input, live from the start".</summary>
        public int FirstOp => FirstTime - 1;
        public int LastOp => LastTime - 1;
        public int ArenaOffset { get; init; }
        /// <summary>Tensor index whose buffer this tensor shares (Reshape aliasing), or -1 when it owns its buffer.</summary>
        public int AliasOf { get; init; } = -1;
        /// <summary>False for zero-byte tensors, which get offset 0 and no arena space.</summary>
        public bool Planned { get; init; }
        /// <summary>A state tensor (format 1.2): live across invokes, for the whole run.</summary>
        public bool IsState { get; init; }
    }

    /// <summary>Result of <see cref="MemoryPlanner.Plan"/>.</summary>
    public sealed class MemoryPlan
    {
        public int ArenaBytes { get; init; }
        public int OpCount { get; init; }
        /// <summary>One entry per non-constant tensor, in tensor order.</summary>
        public IReadOnlyList<TensorLifetime> Lifetimes { get; init; } = Array.Empty<TensorLifetime>();

        /// <summary>Human-readable plan for the CLI: one line per activation (tensor, size, first..last op, offset).</summary>
        public IReadOnlyList<string> ToLines() => Describe(null);

        /// <summary>
        /// Like <see cref="ToLines"/>; with the planned graph <paramref name="g"/> each line also shows the tensor's
        /// dtype and shape.
        /// </summary>
        public IReadOnlyList<string> Describe(EdgeGraph g)
        {
            var lines = new List<string>
            {
                string.Format(CultureInfo.InvariantCulture, "arena: {0} bytes, {1} activations, {2} ops (alignment {3})",
                    ArenaBytes, Lifetimes.Count, OpCount, MemoryPlanner.Alignment),
            };
            foreach (var l in Lifetimes)
            {
                string first = l.FirstTime < 0 ? "unused" : l.FirstOp < 0 ? "input" : l.FirstOp.ToString(CultureInfo.InvariantCulture);
                string last = l.LastTime < 0 ? "unused" : l.LastOp < 0 ? "input" : l.LastOp.ToString(CultureInfo.InvariantCulture);
                string span = l.IsState ? "state (all)" : l.FirstTime < 0 ? "unused" : first + ".." + last;
                string where = l.Planned
                    ? string.Format(CultureInfo.InvariantCulture, "[{0,8} .. {1,8})", l.ArenaOffset, l.ArenaOffset + l.SizeBytes)
                    : "(no storage)";
                string alias = l.AliasOf >= 0 ? string.Format(CultureInfo.InvariantCulture, "  alias of #{0}", l.AliasOf) : "";
                string type = "";
                if (g != null && l.TensorIndex < g.Tensors.Count)
                {
                    var t = g.Tensors[l.TensorIndex];
                    type = string.Format(CultureInfo.InvariantCulture, "  {0}[{1}]", t.DType, string.Join(",", t.Shape));
                }
                lines.Add(string.Format(CultureInfo.InvariantCulture, "  #{0,-4} {1,9} B  ops {2,-14} offset {3}{4}  {5}{6}",
                    l.TensorIndex, l.SizeBytes, span, where, alias, l.Name, type));
            }
            return lines;
        }
    }

    /// <summary>
    /// The offline arena plan: tensor lifetimes as TFLM's AllocationInfoBuilder marks them (model inputs created
    /// at scope 0, op k's outputs at scope k+1, inputs last used at the consuming op's scope, model outputs kept to
    /// the end), buffer sizes rounded up to MicroArenaBufferAlignment (16), offsets from the ported
    /// <see cref="GreedyMemoryPlanner"/>. Buffers are added in tensor order, as TFLM's CreatePlan does.
    ///
    /// Reshape aliasing (an Edge extension, not in TFLM): the output of an <see cref="OpType.Reshape"/> op shares its
    /// input's buffer (one buffer, lifetime = union of the group, size = largest member) unless either side is a
    /// constant. Chains of reshapes form one group.
    /// </summary>
    public static class MemoryPlanner
    {
        /// <summary>TFLM's MicroArenaBufferAlignment().</summary>
        public const int Alignment = 16;

        public static int AlignUp(int size) => checked((size + Alignment - 1) / Alignment * Alignment);

        /// <summary>
        /// Plans the arena for <paramref name="g"/> (ops in execution order): sets <see cref="EdgeTensor.ArenaOffset"/>
        /// on every tensor (-1 for constants) and <see cref="EdgeGraph.ArenaBytes"/>, and returns the plan.
        /// </summary>
        public static MemoryPlan Plan(EdgeGraph g)
        {
            if (g == null) throw new ArgumentNullException(nameof(g));
            int n = g.Tensors.Count;
            Validate(g);

            // ---- lifetimes (micro_allocation_info.cc MarkAllocationLifetimes) ----
            var first = new int[n];
            var last = new int[n];
            Array.Fill(first, -1);
            Array.Fill(last, -1);
            int scope = 0;
            foreach (int t in g.Inputs) { first[t] = scope; last[t] = scope; }
            foreach (int t in g.Outputs) { first[t] = scope; last[t] = scope; }
            for (int i = 0; i < g.Ops.Count; i++)
            {
                scope++;
                var op = g.Ops[i];
                foreach (int t in op.Outputs) { first[t] = scope; last[t] = scope; }
                foreach (int t in op.Inputs) if (t >= 0) last[t] = scope;
                foreach (int t in op.Outputs) last[t] = scope;
            }
            foreach (int t in g.Outputs) last[t] = scope;
            // State tensors (format 1.2) persist across invokes: live for the whole run, never shared.
            foreach (int t in g.StateTensors) { first[t] = 0; last[t] = scope; }

            // ---- Reshape aliasing: union-find, root = smallest tensor index of the group ----
            var parent = new int[n];
            for (int i = 0; i < n; i++) parent[i] = i;
            int Find(int x) { while (parent[x] != x) { parent[x] = parent[parent[x]]; x = parent[x]; } return x; }
            foreach (var op in g.Ops)
            {
                if (op.Type != OpType.Reshape || op.Inputs.Length < 1 || op.Outputs.Length < 1) continue;
                int a = op.Inputs[0], b = op.Outputs[0];
                if (a < 0 || g.Tensors[a].IsConstant || g.Tensors[b].IsConstant) continue;
                int ra = Find(a), rb = Find(b);
                if (ra == rb) continue;
                if (ra < rb) parent[rb] = ra; else parent[ra] = rb;
            }

            // Group size and lifetime.
            var groupSize = new int[n];
            var groupFirst = new int[n];
            var groupLast = new int[n];
            Array.Fill(groupFirst, int.MaxValue);
            Array.Fill(groupLast, int.MinValue);
            for (int i = 0; i < n; i++)
            {
                var t = g.Tensors[i];
                if (t.IsConstant) continue;
                int r = Find(i);
                groupSize[r] = Math.Max(groupSize[r], AlignUp(t.SizeBytes));
                groupFirst[r] = Math.Min(groupFirst[r], first[i]);
                groupLast[r] = Math.Max(groupLast[r], last[i]);
            }

            // ---- place (CreatePlan order: by tensor index of the group root) ----
            var planner = new GreedyMemoryPlanner();
            var bufferOf = new int[n];
            Array.Fill(bufferOf, -1);
            for (int i = 0; i < n; i++)
            {
                if (g.Tensors[i].IsConstant || Find(i) != i || groupSize[i] == 0) continue;
                bufferOf[i] = planner.AddBuffer(groupSize[i], groupFirst[i], groupLast[i]);
            }
            int arena = planner.GetMaximumMemorySize();

            var lifetimes = new List<TensorLifetime>();
            for (int i = 0; i < n; i++)
            {
                var t = g.Tensors[i];
                if (t.IsConstant) { t.ArenaOffset = -1; continue; }
                int r = Find(i);
                bool planned = bufferOf[r] >= 0;
                int offset = planned ? planner.GetOffsetForBuffer(bufferOf[r]) : 0;
                t.ArenaOffset = offset;
                lifetimes.Add(new TensorLifetime
                {
                    TensorIndex = i,
                    Name = t.Name ?? "",
                    SizeBytes = t.SizeBytes,
                    BufferBytes = groupSize[r],
                    FirstTime = groupFirst[r],
                    LastTime = groupLast[r],
                    ArenaOffset = offset,
                    AliasOf = r != i ? r : -1,
                    Planned = planned,
                    IsState = g.StateTensors.Contains(i),
                });
            }
            g.ArenaBytes = arena;
            return new MemoryPlan { ArenaBytes = arena, OpCount = g.Ops.Count, Lifetimes = lifetimes };
        }

        /// <summary>Plans <paramref name="g"/> and returns the printable plan lines.</summary>
        public static IReadOnlyList<string> PlanAndDescribe(EdgeGraph g) => Plan(g).ToLines();

        private static void Validate(EdgeGraph g)
        {
            int n = g.Tensors.Count;
            void Check(int t, bool allowAbsent, string where)
            {
                if (t == -1 && allowAbsent) return;
                if (t < 0 || t >= n) throw new ArgumentException($"{where}: tensor index {t} out of range (0..{n - 1})");
            }
            foreach (int t in g.Inputs) Check(t, false, "model input");
            foreach (int t in g.Outputs) Check(t, false, "model output");
            var produced = new bool[n];
            foreach (int t in g.Inputs) produced[t] = true;
            foreach (int t in g.StateTensors) { Check(t, false, "state tensor"); produced[t] = true; }
            for (int i = 0; i < g.Ops.Count; i++)
            {
                var op = g.Ops[i];
                foreach (int t in op.Inputs)
                {
                    Check(t, true, $"op {i} ({op.Type}) input");
                    if (t >= 0 && !g.Tensors[t].IsConstant && !produced[t])
                        throw new ArgumentException($"op {i} ({op.Type}) reads tensor {t} \"{g.Tensors[t].Name}\" before any op produces it (ops must be in execution order)");
                }
                foreach (int t in op.Outputs)
                {
                    Check(t, false, $"op {i} ({op.Type}) output");
                    if (g.Tensors[t].IsConstant) throw new ArgumentException($"op {i} ({op.Type}) writes constant tensor {t} \"{g.Tensors[t].Name}\"");
                    produced[t] = true;
                }
            }
        }
    }
}
