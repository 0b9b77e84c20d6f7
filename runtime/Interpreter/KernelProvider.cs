namespace Edge.Runtime
{
    /// <summary>
    /// An alternate kernel registration (TFLite Micro's cmsis_nn idea): after an op's reference Prepare has
    /// validated it and decoded its constants, a provider may return a faster kernel that computes the same
    /// bytes, or null to keep the reference kernel. Called once per op at load; never during Invoke.
    /// </summary>
    public abstract class KernelProvider
    {
        /// <summary>Name of the kernel set, e.g. "reference", "x86", "neon-model".</summary>
        public abstract string Name { get; }

        /// <summary>A replacement for <paramref name="reference"/>, or null.</summary>
        public abstract OpKernel Select(OperatorDef def, OpKernel reference);
    }
}
