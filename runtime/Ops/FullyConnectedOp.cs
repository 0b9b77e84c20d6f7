using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// FULLY_CONNECTED: input flattened to [batches, in_depth], weights [units, in_depth], folded bias.
    /// Prepare validates; Eval dispatches to the reference kernel.
    /// </summary>
    public sealed class FullyConnectedOp : OpKernel
    {
        private const int InputZeroPoint = 0, OutputZeroPoint = 1, ActMin = 2, ActMax = 3, OutputMultiplier = 4, OutputShift = 5;

        private TensorInfo _in, _weights, _out;
        private int[] _bias, _mult, _shift;
        private int _batches, _inDepth, _units, _inZp, _outZp, _actMin, _actMax;

        /// <summary>The validated parameters, as a 1×1 convolution over [batches, 1, 1, depth] (for alternate kernel sets).</summary>
        public ConvParams Params;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 3, 3);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.FullyConnected);
            FullyConnectedOp op = new FullyConnectedOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._weights = OpCheck.Required(d, 1, "weights");
            TensorInfo bias = OpCheck.Required(d, 2, "bias");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._weights, DType.Int8, "weights");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            OpCheck.Rank(d, op._weights, 2, "weights");
            op._units = op._weights.Shape[0];
            op._inDepth = op._weights.Shape[1];
            OpCheck.Positive(d, op._inDepth, "weights input depth");
            OpCheck.Positive(d, op._units, "weights units");
            if (op._in.ElementCount % op._inDepth != 0)
                throw d.Error(string.Concat("input ", op._in.ShapeText(), " does not flatten to rows of ", op._inDepth.ToString()));
            op._batches = op._in.ElementCount / op._inDepth;
            if ((long)op._batches * op._units != op._out.ElementCount)
                throw d.Error(string.Concat("output ", op._out.ShapeText(), " should hold ", op._batches.ToString(), " x ", op._units.ToString(), " values"));
            if (op._out.Rank == 0 || op._out.Shape[op._out.Rank - 1] != op._units)
                throw d.Error(string.Concat("output ", op._out.ShapeText(), " must end in ", op._units.ToString(), " units"));
            op._inZp = d.Int(InputZeroPoint, 0, "input_zero_point");
            op._outZp = d.Int(OutputZeroPoint, 0, "output_zero_point");
            OpCheck.ZeroPoint(d, op._inZp, "input");
            OpCheck.ZeroPoint(d, op._outZp, "output");
            op._actMin = d.Int(ActMin, 0, "act_min");
            op._actMax = d.Int(ActMax, 0, "act_max");
            OpCheck.Int8Range(d, op._actMin, op._actMax);
            op._mult = d.Ints(OutputMultiplier, "output_multiplier");
            op._shift = d.Ints(OutputShift, "output_shift");
            ConvGeometry.CheckMultipliers(d, op._mult, op._shift, op._units);
            op._bias = OpCheck.ConstInts(d, bias, op._units, "bias");
            ConvParams p = new ConvParams();
            p.Input = op._in; p.Filter = op._weights; p.Output = op._out;
            p.Bias = op._bias; p.Multiplier = op._mult; p.Shift = op._shift;
            p.InputZeroPoint = op._inZp; p.OutputZeroPoint = op._outZp; p.ActMin = op._actMin; p.ActMax = op._actMax;
            p.Batches = op._batches; p.InH = 1; p.InW = 1; p.InC = op._inDepth;
            p.OutH = 1; p.OutW = 1; p.OutC = op._units; p.FilterInC = op._inDepth;
            op.Params = p;
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            FullyConnected.Eval(
                Data(_in, arena, model), _in.DataOffset, _batches, _inDepth,
                Data(_weights, arena, model), _weights.DataOffset, _units,
                _bias, _mult, _shift,
                arena, _out.DataOffset,
                _inZp, _outZp, _actMin, _actMax);
        }
    }
}
