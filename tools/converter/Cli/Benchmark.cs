using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Edge.Runtime;

namespace Edge.Converter.Cli
{
    public sealed class BenchResult
    {
        public double P50Ms, P90Ms, P99Ms, MeanMs, MinMs, MaxMs;
        public long AllocatedBytesPerInvoke;
        public double[] SamplesMs = Array.Empty<double>();
    }

    /// <summary>Times Invoke() and counts managed allocations per inference.</summary>
    public static class Benchmark
    {
        public static BenchResult Measure(Interpreter interp, int warmup, int iterations, TextWriter progress = null)
        {
            for (int i = 0; i < warmup; i++) interp.Invoke();
            var ticks = new long[iterations];
            long lastReport = Stopwatch.GetTimestamp();
            bool reported = false;
            long allocBefore = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < iterations; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                interp.Invoke();
                ticks[i] = Stopwatch.GetTimestamp() - t0;
                if (progress != null && ticks[i] + t0 - lastReport > Stopwatch.Frequency)
                {
                    lastReport = Stopwatch.GetTimestamp();
                    progress.Write($"\r  {i + 1}/{iterations} inferences");
                    reported = true;
                }
            }
            long allocAfter = GC.GetAllocatedBytesForCurrentThread();
            if (reported) progress.Write("\r" + new string(' ', 40) + "\r");
            var ms = ticks.Select(t => t * 1000.0 / Stopwatch.Frequency).ToArray();
            var sorted = ms.OrderBy(x => x).ToArray();
            return new BenchResult
            {
                P50Ms = Percentile(sorted, 50),
                P90Ms = Percentile(sorted, 90),
                P99Ms = Percentile(sorted, 99),
                MeanMs = ms.Average(),
                MinMs = sorted[0],
                MaxMs = sorted[^1],
                AllocatedBytesPerInvoke = (allocAfter - allocBefore) / iterations,
                SamplesMs = ms,
            };
        }

        /// <summary>Nearest-rank percentile of sorted samples.</summary>
        public static double Percentile(double[] sorted, double p)
        {
            int rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
        }
    }

    /// <summary>Per-op timings with Stopwatch; allocates nothing per op.</summary>
    public sealed class StopwatchProfiler : OpProfiler
    {
        public readonly long[] TotalTicks;
        public readonly int[] Calls;
        public StopwatchProfiler(int opCount) { TotalTicks = new long[opCount]; Calls = new int[opCount]; }
        public override long GetTicks() => Stopwatch.GetTimestamp();
        public override void OnOp(int opIndex, OpType type, long elapsedTicks) { TotalTicks[opIndex] += elapsedTicks; Calls[opIndex]++; }

        public void WriteTable(EdgeModel m, TextWriter w, System.Collections.Generic.IReadOnlyList<string> kernels = null)
        {
            double total = TotalTicks.Sum();
            var t = new TextTable("#", "op", "output", "ms", "%", "MACs", "kernel");
            for (int i = 0; i < TotalTicks.Length; i++)
            {
                double ms = Calls[i] == 0 ? 0 : TotalTicks[i] * 1000.0 / Stopwatch.Frequency / Calls[i];
                t.Add(i.ToString(), OpNames.Name(m.Ops[i].Type), ModelOpInfo.OutputShape(m, i), ms.ToString("F3"),
                    (total > 0 ? 100.0 * TotalTicks[i] / total : 0).ToString("F1"), m.Ops[i].Macs.ToString("N0"),
                    kernels != null && i < kernels.Count ? kernels[i] : "reference");
            }
            w.WriteLine();
            t.Write(w);
        }
    }

    public static class ModelOpInfo
    {
        public static string OutputShape(EdgeModel m, int opIndex)
        {
            var outs = m.Ops[opIndex].Outputs;
            return string.Join(" ", outs.Select(o => m.Tensors[o].ShapeText().Replace(" ", "")));
        }
    }
}
