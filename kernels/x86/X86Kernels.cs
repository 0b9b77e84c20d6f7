using System.Collections.Generic;

namespace Edge.Kernels.Simd
{
    /// <summary>Registration point of the x86 kernels (AVX2, AVX-512 VNNI / AVX-VNNI), in preference order.</summary>
    public static partial class X86Kernels
    {
        public static IEnumerable<KernelEntry> Entries()
        {
            var list = new List<KernelEntry>();
            Register(list);
            return list;
        }

        /// <summary>Implemented by the x86 kernel files.</summary>
        static partial void Register(List<KernelEntry> list);
    }
}
