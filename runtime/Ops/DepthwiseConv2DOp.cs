using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// DEPTHWISE_CONV_2D (any depth multiplier). Prepare validates shapes, options (DepthwiseConv2DOptions) and
    /// constants into <see cref="Params"/>; Eval dispatches to the reference kernel.
    /// </summary>
    public sealed class DepthwiseConv2DOp : OpKernel
    {
        // DepthwiseConv2DOptions slots: the window (0..7), depth_multiplier (8), then input_zero_point,
        // output_zero_point, act_min, act_max, output_multiplier, output_shift (9..14).
        private const int WindowSlots = 0, DepthMultiplierSlot = 8, QuantSlots = 9;

        /// <summary>The validated parameters (also used by alternate kernel sets).</summary>
        public ConvParams Params;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 3, 3);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.DepthwiseConv2D);
            ConvParams p = ConvGeometry.Tensors(d);
            int[] f = p.Filter.Shape;
            p.DepthMultiplier = d.Int(DepthMultiplierSlot, 1, "depth_multiplier");
            OpCheck.Positive(d, p.DepthMultiplier, "depth_multiplier");
            int outC = f[3];
            OpCheck.Dim(d, p.Filter, 0, 1, "filter");
            if ((long)p.InC * p.DepthMultiplier != outC)
                throw d.Error(string.Concat("filter has ", outC.ToString(), " channels; input depth ", p.InC.ToString(), " × depth multiplier ", p.DepthMultiplier.ToString(), " differs"));
            p.OutC = outC; p.KernelH = f[1]; p.KernelW = f[2]; p.FilterInC = 1;
            ConvGeometry.ReadWindow(d, p, WindowSlots);
            ConvGeometry.ReadQuantization(d, p, QuantSlots);
            DepthwiseConv2DOp op = new DepthwiseConv2DOp();
            op.Params = p;
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            ConvParams p = Params;
            DepthwiseConv2D.Eval(
                Data(p.Input, arena, model), p.Input.DataOffset, p.Batches, p.InH, p.InW, p.InC,
                Data(p.Filter, arena, model), p.Filter.DataOffset, p.KernelH, p.KernelW, p.DepthMultiplier,
                p.Bias, p.Multiplier, p.Shift,
                arena, p.Output.DataOffset, p.OutH, p.OutW,
                p.StrideH, p.StrideW, p.DilationH, p.DilationW, p.PadTop, p.PadLeft,
                p.InputZeroPoint, p.OutputZeroPoint, p.ActMin, p.ActMax);
        }
    }
}
