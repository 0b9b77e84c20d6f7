using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    /// <summary>A kernel set: which implementations an interpreter may use.</summary>
    public enum KernelSetKind
    {
        /// <summary>The scalar reference kernels only (the spec).</summary>
        Reference,
        /// <summary>Generic SIMD kernels over <c>PortableIsa</c> (Vector128; any CPU).</summary>
        Portable,
        /// <summary>x86 kernels (AVX2, AVX-512 VNNI / AVX-VNNI), then the portable set.</summary>
        X86,
        /// <summary>Generic SIMD kernels over the exact software model of the AdvSimd instructions (runs anywhere; slow).</summary>
        NeonModel,
        /// <summary>Generic SIMD kernels over AdvSimd (ARM64 only).</summary>
        Neon,
    }

    /// <summary>
    /// One kernel of the catalog. Names follow XNNPACK: dtype-op-tile-requantization-isa,
    /// e.g. <c>qs8-conv2d-4x8c4-gemmlowp-neondot</c>. The catalog drives both the tests and the benchmarks.
    /// </summary>
    public sealed class KernelEntry
    {
        public string Name { get; init; } = "";
        public OpType Op { get; init; }
        public KernelSetKind Set { get; init; }
        /// <summary>
        /// Creates the fast kernel for a validated reference op, or returns null when this kernel does not
        /// cover the op's parameters (then the next entry, and finally the reference kernel, is used).
        /// </summary>
        public Func<OperatorDef, OpKernel, KernelContext, OpKernel> TryCreate { get; init; } = (_, _, _) => null;
        public override string ToString() => Name;
    }

    /// <summary>Per-model state shared by the kernels a provider creates: threads and packed-weight accounting.</summary>
    public sealed class KernelContext
    {
        public KernelContext(int threads) { Threads = Math.Max(1, threads); Pool = Threads > 1 ? new WorkerPool(Threads) : null; }
        public int Threads { get; }
        /// <summary>Worker threads, created once; null for one thread.</summary>
        public WorkerPool Pool { get; }
        /// <summary>Bytes of repacked weights and other load-time buffers the fast kernels allocated.</summary>
        public long PackedBytes { get; set; }
    }

    /// <summary>All kernels, in preference order within each set.</summary>
    public static class KernelCatalog
    {
        private static readonly Lazy<IReadOnlyList<KernelEntry>> _all = new(() =>
            X86Kernels.Entries()
                .Concat(GenericKernels.Entries<NeonIsa>(KernelSetKind.Neon))
                .Concat(GenericKernels.Entries<NeonModelIsa>(KernelSetKind.NeonModel))
                .Concat(GenericKernels.Entries<NeonModelNoDotIsa>(KernelSetKind.NeonModel))
                .Concat(GenericKernels.Entries<PortableIsa>(KernelSetKind.Portable))
                .ToArray());

        public static IReadOnlyList<KernelEntry> All => _all.Value;

        /// <summary>Entries consulted for a set, in order (x86 falls back to the portable kernels).</summary>
        public static IEnumerable<KernelEntry> For(KernelSetKind set) => set switch
        {
            KernelSetKind.Reference => Array.Empty<KernelEntry>(),
            KernelSetKind.X86 => All.Where(e => e.Set == KernelSetKind.X86).Concat(All.Where(e => e.Set == KernelSetKind.Portable)),
            _ => All.Where(e => e.Set == set),
        };

        /// <summary>The best set this CPU runs natively.</summary>
        public static KernelSetKind Auto()
        {
            if (AdvSimd.IsSupported) return KernelSetKind.Neon;
            if (Avx2.IsSupported) return KernelSetKind.X86;
            return KernelSetKind.Portable;
        }

        public static bool IsSupported(KernelSetKind set) => set switch
        {
            KernelSetKind.Neon => AdvSimd.IsSupported,
            KernelSetKind.X86 => Avx2.IsSupported,
            _ => true,
        };

        public static string Name(KernelSetKind set) => set switch
        {
            KernelSetKind.Reference => "reference",
            KernelSetKind.Portable => "portable",
            KernelSetKind.X86 => "x86",
            KernelSetKind.NeonModel => "neon-model",
            KernelSetKind.Neon => "neon",
            _ => set.ToString(),
        };

        /// <summary>Parses reference|portable|x86|neon-model|neon|auto.</summary>
        public static KernelSetKind Parse(string s) => s switch
        {
            "reference" => KernelSetKind.Reference,
            "portable" => KernelSetKind.Portable,
            "x86" => KernelSetKind.X86,
            "neon-model" => KernelSetKind.NeonModel,
            "neon" => KernelSetKind.Neon,
            "auto" => Auto(),
            _ => throw new ArgumentException($"unknown kernel set '{s}' (reference, portable, x86, neon-model, neon, auto)"),
        };
    }

    /// <summary>
    /// A <see cref="KernelProvider"/> over the catalog: for each op, the first entry of the chosen set that
    /// covers it, else the reference kernel. Records which kernel each op got.
    /// </summary>
    public sealed class SimdKernelProvider : KernelProvider
    {
        private readonly KernelSetKind _set;
        private readonly List<KernelEntry> _entries;
        private readonly List<string> _chosen = new();

        public SimdKernelProvider(KernelSetKind set, int threads = 1)
        {
            if (!KernelCatalog.IsSupported(set))
                throw new PlatformNotSupportedException($"kernel set '{KernelCatalog.Name(set)}' does not run on this CPU");
            _set = set;
            _entries = KernelCatalog.For(set).ToList();
            Context = new KernelContext(threads);
        }

        public override string Name => KernelCatalog.Name(_set);
        public KernelContext Context { get; }

        /// <summary>Kernel name per op index (in load order), "reference" where no fast kernel applied.</summary>
        public IReadOnlyList<string> Chosen => _chosen;

        /// <summary>Restrict to one catalog entry (tests and benchmarks of a single kernel).</summary>
        public string Only { get; set; }

        /// <summary>Restrict to entries whose name ends with this ISA suffix (e.g. "-neonmodel" for the no-dot-product path).</summary>
        public string IsaSuffix { get; set; }

        public override OpKernel Select(OperatorDef def, OpKernel reference)
        {
            foreach (var e in _entries)
            {
                if (e.Op != def.Type) continue;
                if (Only != null && e.Name != Only) continue;
                if (IsaSuffix != null && !e.Name.EndsWith(IsaSuffix, StringComparison.Ordinal)) continue;
                var k = e.TryCreate(def, reference, Context);
                if (k != null) { _chosen.Add(e.Name); return k; }
            }
            _chosen.Add("reference");
            return null;
        }
    }
}
