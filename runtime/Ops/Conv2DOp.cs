using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// CONV_2D. Prepare validates shapes, options and constants (Conv2DOptions in runtime/Format/edge.fbs) and
    /// decodes the folded bias and per-channel multipliers; Eval dispatches to the reference kernel.
    /// </summary>
    public sealed class Conv2DOp : OpKernel
    {
        // Conv2DOptions slots.
        private const int StrideW = 0, StrideH = 1, DilationW = 2, DilationH = 3, PadTop = 4, PadLeft = 5,
            PadBottom = 6, PadRight = 7, InputZeroPoint = 8, OutputZeroPoint = 9, ActMin = 10, ActMax = 11,
            OutputMultiplier = 12, OutputShift = 13;

        private TensorInfo _in, _filter, _out;
        private int[] _bias, _mult, _shift;
        private int _strideW, _strideH, _dilW, _dilH, _padTop, _padLeft, _inZp, _outZp, _actMin, _actMax;

        /// <summary>The validated parameters (for alternate kernel sets).</summary>
        public ConvParams Params;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 3, 3);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Conv2D);
            Conv2DOp op = new Conv2DOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._filter = OpCheck.Required(d, 1, "filter");
            TensorInfo bias = OpCheck.Required(d, 2, "bias");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._filter, DType.Int8, "filter");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            OpCheck.Rank(d, op._in, 4, "input");
            OpCheck.Rank(d, op._filter, 4, "filter");
            OpCheck.Rank(d, op._out, 4, "output");
            int[] i = op._in.Shape, f = op._filter.Shape, o = op._out.Shape;
            int outC = f[0];
            OpCheck.Positive(d, f[3], "filter input depth");
            if (i[3] % f[3] != 0) throw d.Error(string.Concat("input depth ", i[3].ToString(), " is not a multiple of the filter depth ", f[3].ToString()));
            int groups = i[3] / f[3];
            if (groups <= 0 || outC % groups != 0) throw d.Error("output channels are not a multiple of the group count");
            OpCheck.Dim(d, op._out, 0, i[0], "output");
            OpCheck.Dim(d, op._out, 3, outC, "output");

            op._strideW = d.Int(StrideW, 1, "stride_w");
            op._strideH = d.Int(StrideH, 1, "stride_h");
            op._dilW = d.Int(DilationW, 1, "dilation_w");
            op._dilH = d.Int(DilationH, 1, "dilation_h");
            op._padTop = d.Int(PadTop, 0, "pad_top");
            op._padLeft = d.Int(PadLeft, 0, "pad_left");
            int padBottom = d.Int(PadBottom, 0, "pad_bottom");
            int padRight = d.Int(PadRight, 0, "pad_right");
            OpCheck.Positive(d, op._strideW, "stride_w"); OpCheck.Positive(d, op._strideH, "stride_h");
            OpCheck.Positive(d, op._dilW, "dilation_w"); OpCheck.Positive(d, op._dilH, "dilation_h");
            OpCheck.NonNegative(d, op._padTop, "pad_top"); OpCheck.NonNegative(d, op._padLeft, "pad_left");
            OpCheck.NonNegative(d, padBottom, "pad_bottom"); OpCheck.NonNegative(d, padRight, "pad_right");
            OpCheck.Dim(d, op._out, 1, ConvGeometry.OutputSize(i[1], f[1], op._strideH, op._dilH, op._padTop, padBottom), "output");
            OpCheck.Dim(d, op._out, 2, ConvGeometry.OutputSize(i[2], f[2], op._strideW, op._dilW, op._padLeft, padRight), "output");

            op._inZp = d.Int(InputZeroPoint, 0, "input_zero_point");
            op._outZp = d.Int(OutputZeroPoint, 0, "output_zero_point");
            OpCheck.ZeroPoint(d, op._inZp, "input");
            OpCheck.ZeroPoint(d, op._outZp, "output");
            op._actMin = d.Int(ActMin, 0, "act_min");
            op._actMax = d.Int(ActMax, 0, "act_max");
            OpCheck.Int8Range(d, op._actMin, op._actMax);
            op._mult = d.Ints(OutputMultiplier, "output_multiplier");
            op._shift = d.Ints(OutputShift, "output_shift");
            ConvGeometry.CheckMultipliers(d, op._mult, op._shift, outC);
            op._bias = OpCheck.ConstInts(d, bias, outC, "bias");
            ConvParams p = new ConvParams();
            p.Input = op._in; p.Filter = op._filter; p.Output = op._out;
            p.Bias = op._bias; p.Multiplier = op._mult; p.Shift = op._shift;
            p.StrideW = op._strideW; p.StrideH = op._strideH; p.DilationW = op._dilW; p.DilationH = op._dilH;
            p.PadTop = op._padTop; p.PadLeft = op._padLeft; p.PadBottom = padBottom; p.PadRight = padRight;
            p.InputZeroPoint = op._inZp; p.OutputZeroPoint = op._outZp; p.ActMin = op._actMin; p.ActMax = op._actMax;
            p.Batches = i[0]; p.InH = i[1]; p.InW = i[2]; p.InC = i[3];
            p.OutH = o[1]; p.OutW = o[2]; p.OutC = outC; p.KernelH = f[1]; p.KernelW = f[2]; p.FilterInC = f[3];
            op.Params = p;
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            int[] i = _in.Shape, f = _filter.Shape, o = _out.Shape;
            Conv2D.Eval(
                Data(_in, arena, model), _in.DataOffset, i[0], i[1], i[2], i[3],
                Data(_filter, arena, model), _filter.DataOffset, f[0], f[1], f[2], f[3],
                _bias, _mult, _shift,
                arena, _out.DataOffset, o[1], o[2],
                _strideH, _strideW, _dilH, _dilW, _padTop, _padLeft,
                _inZp, _outZp, _actMin, _actMax);
        }
    }

    /// <summary>Shape arithmetic and checks shared by the convolution and pooling ops.</summary>
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
