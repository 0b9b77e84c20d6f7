using System;
using System.Collections.Generic;
using System.Linq;
using Edge.Converter.Cli;
using Edge.Kernels.Simd;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Conformance
{
    /// <summary>
    /// The whole conformance set byte for byte with each kernel set forced — portable, x86 (where the CPU has
    /// AVX2), the NEON software model with and without the dot-product extension — and with two threads;
    /// and zero allocations per Invoke with each.
    /// </summary>
    public class KernelSetConformanceTests
    {
        private readonly ITestOutputHelper _log;
        public KernelSetConformanceTests(ITestOutputHelper log) { _log = log; }

        /// <summary>(set, ISA-suffix filter or "", threads).</summary>
        public static readonly (string Set, string Suffix, int Threads)[] Configs =
        {
            ("portable", "", 1),
            ("x86", "", 1),
            ("x86", "", 2),
            ("neon-model", "-neondotmodel", 1),
            ("neon-model", "-neonmodel", 1),
            ("portable", "", 2),
        };

        public static IEnumerable<object[]> Cases() =>
            from c in ConformanceCase.Names()
            from k in Enumerable.Range(0, Configs.Length)
            select new object[] { c, k };

        private static SimdKernelProvider Provider(int config)
        {
            var (set, suffix, threads) = Configs[config];
            var kind = KernelCatalog.Parse(set);
            if (!KernelCatalog.IsSupported(kind)) return null;
            return new SimdKernelProvider(kind, threads) { IsaSuffix = suffix.Length == 0 ? null : suffix };
        }

        [SharedDataTheory]
        [MemberData(nameof(Cases))]
        public void MatchesTfliteMicroWithKernelSet(string caseName, int config)
        {
            var provider = Provider(config);
            if (provider == null) { _log.WriteLine($"{Configs[config].Set} does not run on this CPU: compared nothing"); Assert.False(KernelCatalog.IsSupported(KernelCatalog.Parse(Configs[config].Set))); return; }
            var c = ConformanceCase.Load(caseName);
            var model = EdgeModel.Load(c.EdgeBytes(), provider);
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            int compared = 0;
            try
            {
                foreach (var set in c.Inputs)
                {
                    ConformanceCase.SetInputs(interp, set);
                    interp.Invoke();
                    for (int o = 0; o < set.Expected.Length; o++)
                    {
                        var expected = Npy.Read(set.Expected[o]).Data;
                        var actual = new byte[model.Output(o).SizeBytes];
                        interp.GetOutput(o, actual, 0);
                        Assert.True(expected.AsSpan().SequenceEqual(actual),
                            $"{caseName}/{set.Name} with {Describe(config)}: output {o} differs; kernels: {string.Join(", ", provider.Chosen.Distinct())}");
                        compared++;
                    }
                }
                int fast = provider.Chosen.Count(k => k != "reference");
                _log.WriteLine($"{caseName} [{Describe(config)}]: {compared} outputs equal; {fast}/{model.Ops.Length} ops on SIMD kernels: {string.Join(", ", provider.Chosen.Where(k => k != "reference").Distinct())}");
                Assert.True(compared > 0);
            }
            finally { provider.Context.Pool?.Dispose(); }
        }

        /// <summary>The NEON software model is slow, so its allocation check runs on the smaller models only (same code paths).</summary>
        public static IEnumerable<object[]> AllocationCases() =>
            Cases().Where(c => !(Configs[(int)c[1]].Set == "neon-model" && (string)c[0] is "vww_96_int8" or "person_detect" or "pretrainedResnet_quant"));

        [SharedDataTheory]
        [MemberData(nameof(AllocationCases))]
        public void InvokeAllocatesNothingWithKernelSet(string caseName, int config)
        {
            var provider = Provider(config);
            if (provider == null) { Assert.False(KernelCatalog.IsSupported(KernelCatalog.Parse(Configs[config].Set))); return; }
            var c = ConformanceCase.Load(caseName);
            var model = EdgeModel.Load(c.EdgeBytes(), provider);
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            ConformanceCase.SetInputs(interp, c.Inputs[0]);
            try
            {
                long allocated = -1;
                for (int window = 0; window < 4 && allocated != 0; window++)
                {
                    for (int i = 0; i < 40; i++) interp.Invoke();
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < 50; i++) interp.Invoke();
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }
                Assert.Equal(0, allocated);
            }
            finally { provider.Context.Pool?.Dispose(); }
        }

        private static string Describe(int config)
        {
            var (set, suffix, threads) = Configs[config];
            return $"{set}{(suffix.Length > 0 ? " " + suffix.TrimStart('-') : "")}, {threads} thread{(threads > 1 ? "s" : "")}";
        }
    }
}
