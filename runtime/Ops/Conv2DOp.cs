using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// CONV_2D. Prepare validates shapes, options and constants (Conv2DOptions in runtime/Format/edge.fbs) and
    /// decodes the folded bias and per-channel multipliers into <see cref="Params"/>; Eval dispatches to the
    /// reference kernel.
    /// </summary>
    public sealed class Conv2DOp : OpKernel
    {
        // Conv2DOptions slots: stride_w, stride_h, dilation_w, dilation_h, pad_top, pad_left, pad_bottom,
        // pad_right (0..7), then input_zero_point, output_zero_point, act_min, act_max, output_multiplier,
        // output_shift (8..13).
        private const int WindowSlots = 0, QuantSlots = 8;

        /// <summary>The validated parameters (also used by alternate kernel sets).</summary>
        public ConvParams Params;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 3, 3);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Conv2D);
            ConvParams p = ConvGeometry.Tensors(d);
            int[] i = p.Input.Shape, f = p.Filter.Shape;
            int outC = f[0];
            OpCheck.Positive(d, f[3], "filter input depth");
            if (i[3] % f[3] != 0) throw d.Error(string.Concat("input depth ", i[3].ToString(), " is not a multiple of the filter depth ", f[3].ToString()));
            int groups = i[3] / f[3];
            if (groups <= 0 || outC % groups != 0) throw d.Error("output channels are not a multiple of the group count");
            p.OutC = outC; p.KernelH = f[1]; p.KernelW = f[2]; p.FilterInC = f[3];
            ConvGeometry.ReadWindow(d, p, WindowSlots);
            ConvGeometry.ReadQuantization(d, p, QuantSlots);
            Conv2DOp op = new Conv2DOp();
            op.Params = p;
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            ConvParams p = Params;
            Conv2D.Eval(
                Data(p.Input, arena, model), p.Input.DataOffset, p.Batches, p.InH, p.InW, p.InC,
                Data(p.Filter, arena, model), p.Filter.DataOffset, p.OutC, p.KernelH, p.KernelW, p.FilterInC,
                p.Bias, p.Multiplier, p.Shift,
                arena, p.Output.DataOffset, p.OutH, p.OutW,
                p.StrideH, p.StrideW, p.DilationH, p.DilationW, p.PadTop, p.PadLeft,
                p.InputZeroPoint, p.OutputZeroPoint, p.ActMin, p.ActMax);
        }
    }

    /// <summary>Shape arithmetic, option reading and checks shared by the convolution, FC and pooling ops.</summary>
    public static class ConvGeometry
    {
        /// <summary>Output size for explicit paddings: (in + padBefore + padAfter − effectiveFilter) / stride + 1.</summary>
        public static int OutputSize(int input, int filter, int stride, int dilation, int padBefore, int padAfter)
        {
            long effective = (long)(filter - 1) * dilation + 1;
            long span = (long)input + padBefore + padAfter - effective;
            if (span < 0) return 0;
            return (int)(span / stride + 1);
        }

        /// <summary>Input (int8 NHWC), filter (int8 rank 4) and output (int8 NHWC) of a convolution.</summary>
        public static ConvParams Tensors(OperatorDef d)
        {
            ConvParams p = new ConvParams();
            p.Input = OpCheck.Required(d, 0, "input");
            p.Filter = OpCheck.Required(d, 1, "filter");
            p.Output = d.Output(0);
            OpCheck.Type(d, p.Input, DType.Int8, "input");
            OpCheck.Type(d, p.Filter, DType.Int8, "filter");
            OpCheck.Type(d, p.Output, DType.Int8, "output");
            OpCheck.Rank(d, p.Input, 4, "input");
            OpCheck.Rank(d, p.Filter, 4, "filter");
            OpCheck.Rank(d, p.Output, 4, "output");
            int[] i = p.Input.Shape, o = p.Output.Shape;
            p.Batches = i[0]; p.InH = i[1]; p.InW = i[2]; p.InC = i[3];
            p.OutH = o[1]; p.OutW = o[2];
            OpCheck.Dim(d, p.Output, 0, i[0], "output");
            return p;
        }

        /// <summary>
        /// Reads stride_w, stride_h, dilation_w, dilation_h, pad_top, pad_left, pad_bottom, pad_right from eight
        /// consecutive slots, validates them, and checks the output shape they imply (p.KernelH/W, p.OutC set).
        /// </summary>
        public static void ReadWindow(OperatorDef d, ConvParams p, int first)
        {
            p.StrideW = d.Int(first, 1, "stride_w");
            p.StrideH = d.Int(first + 1, 1, "stride_h");
            p.DilationW = d.Int(first + 2, 1, "dilation_w");
            p.DilationH = d.Int(first + 3, 1, "dilation_h");
            p.PadTop = d.Int(first + 4, 0, "pad_top");
            p.PadLeft = d.Int(first + 5, 0, "pad_left");
            p.PadBottom = d.Int(first + 6, 0, "pad_bottom");
            p.PadRight = d.Int(first + 7, 0, "pad_right");
            OpCheck.Positive(d, p.StrideW, "stride_w"); OpCheck.Positive(d, p.StrideH, "stride_h");
            OpCheck.Positive(d, p.DilationW, "dilation_w"); OpCheck.Positive(d, p.DilationH, "dilation_h");
            OpCheck.NonNegative(d, p.PadTop, "pad_top"); OpCheck.NonNegative(d, p.PadLeft, "pad_left");
            OpCheck.NonNegative(d, p.PadBottom, "pad_bottom"); OpCheck.NonNegative(d, p.PadRight, "pad_right");
            OpCheck.Dim(d, p.Output, 1, OutputSize(p.InH, p.KernelH, p.StrideH, p.DilationH, p.PadTop, p.PadBottom), "output");
            OpCheck.Dim(d, p.Output, 2, OutputSize(p.InW, p.KernelW, p.StrideW, p.DilationW, p.PadLeft, p.PadRight), "output");
            OpCheck.Dim(d, p.Output, 3, p.OutC, "output");
        }

        /// <summary>
        /// Reads input_zero_point, output_zero_point, act_min, act_max, output_multiplier, output_shift from six
        /// consecutive slots and the folded bias (input 2), all validated against p.OutC.
        /// </summary>
        public static void ReadQuantization(OperatorDef d, ConvParams p, int first)
        {
            p.InputZeroPoint = d.Int(first, 0, "input_zero_point");
            p.OutputZeroPoint = d.Int(first + 1, 0, "output_zero_point");
            OpCheck.ZeroPoint(d, p.InputZeroPoint, "input");
            OpCheck.ZeroPoint(d, p.OutputZeroPoint, "output");
            p.ActMin = d.Int(first + 2, 0, "act_min");
            p.ActMax = d.Int(first + 3, 0, "act_max");
            OpCheck.Int8Range(d, p.ActMin, p.ActMax);
            p.Multiplier = d.Ints(first + 4, "output_multiplier");
            p.Shift = d.Ints(first + 5, "output_shift");
            CheckMultipliers(d, p.Multiplier, p.Shift, p.OutC);
            p.Bias = OpCheck.ConstInts(d, OpCheck.Required(d, 2, "bias"), p.OutC, "bias");
        }

        public static void CheckMultipliers(OperatorDef d, int[] mult, int[] shift, int channels)
        {
            OpCheck.Length(d, mult, channels, "output_multiplier");
            OpCheck.Length(d, shift, channels, "output_shift");
            for (int c = 0; c < channels; c++)
            {
                if (mult[c] < 0) throw d.Error(string.Concat("output_multiplier[", c.ToString(), "] is negative"));
                OpCheck.Shift(d, shift[c], "output");
            }
        }
    }
}
