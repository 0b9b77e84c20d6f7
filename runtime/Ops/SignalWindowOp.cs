using Edge.Kernels.Reference.Signal;

namespace Edge.Runtime
{
    /// <summary>SignalWindow (TFLM signal library): int16 samples times an int16 window, shifted and saturated.</summary>
    public sealed class SignalWindowOp : OpKernel
    {
        private TensorInfo _in, _w, _out;
        private int _shift;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 2, 2);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.SignalWindow);
            SignalWindowOp op = new SignalWindowOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._w = OpCheck.Required(d, 1, "weights");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int16, "input");
            OpCheck.Type(d, op._w, DType.Int16, "weights");
            OpCheck.Type(d, op._out, DType.Int16, "output");
            OpCheck.Rank(d, op._w, 1, "weights");
            if (op._in.Rank < 1) throw d.Error("input must have at least one dimension");
            OpCheck.SameElements(d, op._in, op._out);
            OpCheck.Positive(d, op._w.ElementCount, "window length");
            if (op._in.ElementCount % op._w.ElementCount != 0) throw d.Error("input length is not a multiple of the window length");
            op._shift = d.Int(0, 0, "shift");
            if (op._shift < 0 || op._shift > 31) throw d.Error("shift must be in [0, 31]");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Window.Eval(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, Data(_w, arena, model), _w.DataOffset, _w.ElementCount,
                _shift, arena, _out.DataOffset);
        }
    }
}
