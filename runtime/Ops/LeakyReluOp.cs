using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>LEAKY_RELU, int8 (TFLM's QuantizeLeakyRelu: identity and alpha multipliers).</summary>
    public sealed class LeakyReluOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int _inOff, _outOff, _multId, _shiftId, _multAlpha, _shiftAlpha;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.LeakyRelu);
            LeakyReluOp op = new LeakyReluOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            OpCheck.SameElements(d, op._in, op._out);
            op._inOff = d.Int(0, 0, "input_offset");
            op._outOff = d.Int(1, 0, "output_offset");
            op._multId = d.Int(2, 0, "output_multiplier_identity");
            op._shiftId = d.Int(3, 0, "output_shift_identity");
            op._multAlpha = d.Int(4, 0, "output_multiplier_alpha");
            op._shiftAlpha = d.Int(5, 0, "output_shift_alpha");
            OpCheck.ZeroPoint(d, -op._inOff, "input");
            OpCheck.ZeroPoint(d, op._outOff, "output");
            OpCheck.Shift(d, op._shiftId, "identity");
            OpCheck.Shift(d, op._shiftAlpha, "alpha");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            LeakyRelu.Eval(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _inOff, _outOff,
                _multId, _shiftId, _multAlpha, _shiftAlpha, arena, _out.DataOffset);
        }
    }
}
