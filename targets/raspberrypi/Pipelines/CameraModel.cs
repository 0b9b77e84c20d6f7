using System;
using System.IO;
using Edge.Kernels.Simd;
using Edge.Runtime;

namespace Edge.Pi.Pipelines
{
    /// <summary>Loads a .edge file with the kernel set named on the command line (as the edge CLI's --kernels).</summary>
    public static class CameraModel
    {
        /// <param name="kernels">reference | portable | x86 | neon-model | neon | auto.</param>
        /// <exception cref="ArgumentException">An unknown or unsupported kernel set (a usage error).</exception>
        public static EdgeModel Load(byte[] file, string kernels, out string kernelName)
        {
            KernelSetKind set = KernelCatalog.Parse(kernels ?? "auto");
            if (!KernelCatalog.IsSupported(set)) throw new ArgumentException($"--kernels {kernels}: not supported on this CPU");
            if (set == KernelSetKind.Reference)
            {
                kernelName = "reference";
                return EdgeModel.Load(file);
            }
            var provider = new SimdKernelProvider(set);
            kernelName = provider.Name;
            return EdgeModel.Load(file, provider);
        }

        public static EdgeModel Load(string path, string kernels, out string kernelName)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
            return Load(File.ReadAllBytes(path), kernels, out kernelName);
        }
    }
}
