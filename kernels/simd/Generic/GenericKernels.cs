using System.Collections.Generic;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// Registration point of the kernels generic over the ISA seam (<see cref="IInt8Isa"/>): the same kernel
    /// code is registered for the Neon, NeonModel and Portable sets.
    /// </summary>
    public static partial class GenericKernels
    {
        public static IEnumerable<KernelEntry> Entries<TIsa>(KernelSetKind set) where TIsa : IInt8Isa
        {
            var list = new List<KernelEntry>();
            RegisterConv<TIsa>(list, set);
            RegisterDepthwise<TIsa>(list, set);
            RegisterElementwise<TIsa>(list, set);
            return list;
        }

        /// <summary>CONV_2D / FULLY_CONNECTED kernels (kernels/simd/Generic/Conv*, Gemm*).</summary>
        static partial void RegisterConv<TIsa>(List<KernelEntry> list, KernelSetKind set) where TIsa : IInt8Isa;

        /// <summary>DEPTHWISE_CONV_2D kernels (kernels/simd/Generic/Depthwise*).</summary>
        static partial void RegisterDepthwise<TIsa>(List<KernelEntry> list, KernelSetKind set) where TIsa : IInt8Isa;

        /// <summary>Add / mul / pooling / mean kernels (kernels/simd/Generic/Elementwise*).</summary>
        static partial void RegisterElementwise<TIsa>(List<KernelEntry> list, KernelSetKind set) where TIsa : IInt8Isa;

        /// <summary>The ISA suffix of kernel names for a set.</summary>
        public static string IsaSuffix<TIsa>(KernelSetKind set) where TIsa : IInt8Isa => set switch
        {
            KernelSetKind.Neon => TIsa.HasDotProduct ? "neondot" : "neon",
            KernelSetKind.NeonModel => TIsa.HasDotProduct ? "neondotmodel" : "neonmodel",
            _ => "portable",
        };
    }
}
