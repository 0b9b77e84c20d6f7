using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// DEPTHWISE_CONV_2D (any depth multiplier). Prepare validates shapes, options (DepthwiseConv2DOptions) and
    /// constants; Eval dispatches to the reference kernel.
    /// </summary>
    public sealed class DepthwiseConv2DOp : OpKernel
    {
        private const int StrideW = 0, StrideH = 1, DilationW = 2, DilationH = 3, PadTop = 4, PadLeft = 5,
            PadBottom = 6, PadRight = 7, DepthMultiplier = 8, InputZeroPoint = 9, OutputZeroPoint = 10,
            ActMin = 11, ActMax = 12, OutputMultiplier = 13, OutputShift = 14;

        private TensorInfo _in, _filter, _out;
        private int[] _bias, _mult, _shift;
        private int _strideW, _strideH, _dilW, _dilH, _padTop, _padLeft, _depthMultiplier, _inZp, _outZp, _actMin, _actMax;

        /// <summary>The validated parameters (for alternate kernel sets).</summary>
        public ConvParams Params;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 3, 3);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.DepthwiseConv2D);
            DepthwiseConv2DOp op = new DepthwiseConv2DOp();
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
            int[] i = op._in.Shape, f = op._filter.Shape;
            op._depthMultiplier = d.Int(DepthMultiplier, 1, "depth_multiplier");
            OpCheck.Positive(d, op._depthMultiplier, "depth_multiplier");
            int outC = f[3];
            OpCheck.Dim(d, op._filter, 0, 1, "filter");
            if ((long)i[3] * op._depthMultiplier != outC)
                throw d.Error(string.Concat("filter has ", outC.ToString(), " channels; input depth ", i[3].ToString(), " × depth multiplier ", op._depthMultiplier.ToString(), " differs"));
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
            int[] o = op._out.Shape;
            ConvParams p = new ConvParams();
            p.Input = op._in; p.Filter = op._filter; p.Output = op._out;
            p.Bias = op._bias; p.Multiplier = op._mult; p.Shift = op._shift;
            p.StrideW = op._strideW; p.StrideH = op._strideH; p.DilationW = op._dilW; p.DilationH = op._dilH;
            p.PadTop = op._padTop; p.PadLeft = op._padLeft; p.PadBottom = padBottom; p.PadRight = padRight;
            p.DepthMultiplier = op._depthMultiplier;
            p.InputZeroPoint = op._inZp; p.OutputZeroPoint = op._outZp; p.ActMin = op._actMin; p.ActMax = op._actMax;
            p.Batches = i[0]; p.InH = i[1]; p.InW = i[2]; p.InC = i[3];
            p.OutH = o[1]; p.OutW = o[2]; p.OutC = outC; p.KernelH = f[1]; p.KernelW = f[2]; p.FilterInC = 1;
            op.Params = p;
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            int[] i = _in.Shape, f = _filter.Shape, o = _out.Shape;
            DepthwiseConv2D.Eval(
                Data(_in, arena, model), _in.DataOffset, i[0], i[1], i[2], i[3],
                Data(_filter, arena, model), _filter.DataOffset, f[1], f[2], _depthMultiplier,
                _bias, _mult, _shift,
                arena, _out.DataOffset, o[1], o[2],
                _strideH, _strideW, _dilH, _dilW, _padTop, _padLeft,
                _inZp, _outZp, _actMin, _actMax);
        }
    }
}
