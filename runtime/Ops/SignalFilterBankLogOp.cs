using Edge.Kernels.Reference.Signal;

namespace Edge.Runtime
{
    /// <summary>SignalFilterBankLog: scaled natural log of uint32 channels into int16.</summary>
    public sealed class SignalFilterBankLogOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int _correction, _scale;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.SignalFilterBankLog);
            SignalFilterBankLogOp op = new SignalFilterBankLogOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.UInt32, "input");
            OpCheck.Type(d, op._out, DType.Int16, "output");
            OpCheck.Rank(d, op._in, 1, "input");
            OpCheck.SameElements(d, op._in, op._out);
            op._correction = d.Int(0, 0, "input_correction_bits");
            op._scale = d.Int(1, 0, "output_scale");
            if (op._correction < 0 || op._correction > 31) throw d.Error("input_correction_bits must be in [0, 31]");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            FilterBankLog.Eval(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, _correction, _scale, arena, _out.DataOffset);
        }
    }
}
