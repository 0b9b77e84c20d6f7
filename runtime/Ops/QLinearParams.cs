namespace Edge.Runtime
{
    /// <summary>
    /// QLINEAR_CONV's validated parameters (see <see cref="QLinearConvOp"/>), public so alternate kernel sets
    /// (<see cref="KernelProvider"/>) reuse the reference op's validation. Per-channel vectors are expanded to OutC
    /// entries; Scale is null for an int32 output (OutKind 0; 1 = uint8, 2 = int8).
    /// </summary>
    public sealed class QLinearConvParams
    {
        public TensorInfo Input, Filter, Bias, Output;
        public bool InSigned, WSigned, PairSaturation;
        public int Batches, InH, InW, InC, OutC, KernelH, KernelW, Group, OutH, OutW;
        public int StrideH, StrideW, DilationH, DilationW, PadTop, PadLeft;
        public int InputZeroPoint, OutputZeroPoint, ActMin, ActMax, OutKind;
        public int[] WeightZeroPoint;
        public float[] Scale;
    }

    /// <summary>
    /// QLINEAR_MATMUL's validated parameters (see <see cref="QLinearMatMulOp"/>): A [.., M, K], B [.., K, N],
    /// ABatch/BBatch the element offsets of each of the Batches products' matrices; per-column vectors have N entries.
    /// </summary>
    public sealed class QLinearMatMulParams
    {
        public TensorInfo A, B, Bias, Output;
        public bool ASigned, BSigned, PairSaturation;
        public int M, K, N, Batches;
        public int[] ABatch, BBatch;
        public int InputZeroPoint, OutputZeroPoint, ActMin, ActMax, OutKind;
        public int[] WeightZeroPoint;
        public float[] Scale;
    }
}
