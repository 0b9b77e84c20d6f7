using Edge.Kernels.Reference.Signal;

namespace Edge.Runtime
{
    /// <summary>SignalEnergy: |X[i]|² of an int16 complex spectrum into uint32, for i in [start_index, end_index).</summary>
    public sealed class SignalEnergyOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int _start, _end;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.SignalEnergy);
            SignalEnergyOp op = new SignalEnergyOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int16, "input");
            OpCheck.Type(d, op._out, DType.UInt32, "output");
            OpCheck.Rank(d, op._in, 1, "input");
            OpCheck.Rank(d, op._out, 1, "output");
            op._start = d.Int(0, 0, "start_index");
            op._end = d.Int(1, 0, "end_index");
            int bins = op._in.ElementCount / 2;
            if (op._start < 0 || op._end < op._start || op._end > bins || op._end > op._out.ElementCount)
                throw d.Error(string.Concat("range [", op._start.ToString(), ", ", op._end.ToString(), ") does not fit ", bins.ToString(), " bins"));
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Energy.Eval(Data(_in, arena, model), _in.DataOffset, _start, _end, arena, _out.DataOffset);
        }
    }
}
