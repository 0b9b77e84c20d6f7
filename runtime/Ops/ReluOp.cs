using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// RELU and RELU6, int8, in the requantize form out = clamp(MBQM(x + input_offset, m, s) + output_offset,
    /// act_min, act_max) (RequantizeOptions). TFLM's RELU6 clamps in the input domain; the converter encodes
    /// it with the identity multiplier (2^30, shift 1), for which this is the same computation.
    /// </summary>
    public sealed class ReluOp : OpKernel
    {
        internal const int InputOffset = 0, OutputOffset = 1, OutputMultiplier = 2, OutputShift = 3, ActMin = 4, ActMax = 5;

        private TensorInfo _in, _out;
        private int _inOff, _outOff, _mult, _shift, _actMin, _actMax;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Requantize);
            ReluOp op = new ReluOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            OpCheck.SameElements(d, op._in, op._out);
            ReadRequantize(d, out op._inOff, out op._outOff, out op._mult, out op._shift, out op._actMin, out op._actMax);
            return op;
        }

        internal static void ReadRequantize(OperatorDef d, out int inOff, out int outOff, out int mult, out int shift, out int actMin, out int actMax)
        {
            inOff = d.Int(InputOffset, 0, "input_offset");
            outOff = d.Int(OutputOffset, 0, "output_offset");
            mult = d.Int(OutputMultiplier, 0, "output_multiplier");
            shift = d.Int(OutputShift, 0, "output_shift");
            actMin = d.Int(ActMin, 0, "act_min");
            actMax = d.Int(ActMax, 0, "act_max");
            OpCheck.ZeroPoint(d, -inOff, "input");
            OpCheck.ZeroPoint(d, outOff, "output");
            if (mult < 0) throw d.Error("negative multiplier");
            OpCheck.Shift(d, shift, "output");
            OpCheck.Int8Range(d, actMin, actMax);
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Relu.Eval(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _inOff, _outOff, _mult, _shift, _actMin, _actMax, arena, _out.DataOffset);
        }
    }
}
