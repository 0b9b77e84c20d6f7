using System;
using System.Linq;
using Edge.Converter.Format;
using Edge.Converter.Ir;
using Edge.Converter.Planner;
using Edge.Kernels.Simd;
using Edge.Runtime;

namespace Edge.Tests.Simd
{
    /// <summary>
    /// Differential harness for the SIMD kernels: a (usually one-op) graph built through the converter IR is
    /// planned, written and loaded twice — with the reference kernels and with one catalog kernel forced — fed
    /// the same seeded random inputs, and the outputs compared byte for byte.
    /// </summary>
    public static class SimdHarness
    {
        public sealed class Result
        {
            /// <summary>False when the forced kernel declined the op (TryCreate returned null).</summary>
            public bool Applied;
            /// <summary>Null when every output byte matched; else a description of the first difference.</summary>
            public string Difference;
            public long PackedBytes;
        }

        /// <summary>The graph's bytes (planned and written). Activations get arena offsets; constants keep their data.</summary>
        public static byte[] Write(EdgeGraph g)
        {
            MemoryPlanner.Plan(g);
            return EdgeWriter.Write(g);
        }

        public static Result Compare(EdgeGraph g, string kernelName, int seed, int threads = 1, int runs = 2)
        {
            byte[] file = Write(g);
            var reference = EdgeModel.Load(file);
            var provider = new SimdKernelProvider(SetOf(kernelName), threads) { Only = kernelName };
            var fast = EdgeModel.Load(file, provider);
            var result = new Result { Applied = provider.Chosen.Contains(kernelName), PackedBytes = provider.Context.PackedBytes };
            var ri = new Interpreter(reference, new byte[reference.ArenaBytes]);
            var fi = new Interpreter(fast, new byte[fast.ArenaBytes]);
            var rng = new Random(seed);
            for (int run = 0; run < runs && result.Difference == null; run++)
            {
                for (int i = 0; i < reference.InputCount; i++)
                {
                    var data = new byte[reference.Input(i).SizeBytes];
                    rng.NextBytes(data);
                    if (run == 1 && data.Length > 0) { data[0] = 0x80; data[^1] = 0x7F; }   // extremes
                    ri.SetInput(i, data, 0);
                    fi.SetInput(i, data, 0);
                }
                ri.Invoke();
                fi.Invoke();
                for (int o = 0; o < reference.OutputCount; o++)
                {
                    var a = new byte[reference.Output(o).SizeBytes];
                    var b = new byte[a.Length];
                    ri.GetOutput(o, a, 0);
                    fi.GetOutput(o, b, 0);
                    for (int k = 0; k < a.Length; k++)
                        if (a[k] != b[k])
                        {
                            result.Difference = $"{kernelName}: output {o} byte {k} of {a.Length}: reference {(sbyte)a[k]}, kernel {(sbyte)b[k]} (run {run}, seed {seed})";
                            break;
                        }
                }
            }
            provider.Context.Pool?.Dispose();
            return result;
        }

        /// <summary>The kernel set a catalog entry belongs to.</summary>
        public static KernelSetKind SetOf(string kernelName) => KernelCatalog.All.First(e => e.Name == kernelName).Set;

        /// <summary>Catalog entries for an op that run on this machine.</summary>
        public static string[] Entries(OpType op) =>
            KernelCatalog.All.Where(e => e.Op == op && KernelCatalog.IsSupported(e.Set)).Select(e => e.Name).Distinct().ToArray();
    }
}
