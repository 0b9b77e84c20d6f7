namespace Edge.Runtime
{
    /// <summary>
    /// Everything CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED need, validated and decoded by their Prepare.
    /// Public so alternate kernel sets (<see cref="KernelProvider"/>) reuse the reference op's validation.
    /// FULLY_CONNECTED is described as a 1×1 convolution over a [Batches, 1, 1, InC] input.
    /// </summary>
    public sealed class ConvParams
    {
        public TensorInfo Input, Filter, Output;
        /// <summary>Folded bias (bias − input_zp·Σw), per output channel.</summary>
        public int[] Bias;
        public int[] Multiplier, Shift;
        public int StrideW = 1, StrideH = 1, DilationW = 1, DilationH = 1;
        public int PadTop, PadLeft, PadBottom, PadRight;
        public int DepthMultiplier = 1;
        public int InputZeroPoint, OutputZeroPoint, ActMin, ActMax;
        public int Batches, InH, InW, InC, OutH, OutW, OutC, KernelH = 1, KernelW = 1;
        /// <summary>Input channels per filter (CONV_2D groups = InC / FilterInC).</summary>
        public int FilterInC;
    }
}
