using Edge.Kernels.Reference.Signal;

namespace Edge.Runtime
{
    /// <summary>SignalFftAutoScale: scales int16 samples up to use the full range; output 1 is the shift (int32 scalar).</summary>
    public sealed class SignalFftAutoScaleOp : OpKernel
    {
        private TensorInfo _in, _out, _shift;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 2);
            SignalFftAutoScaleOp op = new SignalFftAutoScaleOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            op._shift = d.Output(1);
            OpCheck.Type(d, op._in, DType.Int16, "input");
            OpCheck.Type(d, op._out, DType.Int16, "output");
            OpCheck.Type(d, op._shift, DType.Int32, "scale bits output");
            OpCheck.SameElements(d, op._in, op._out);
            if (op._shift.ElementCount != 1) throw d.Error("scale bits output must hold one element");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            int s = FftAutoScale.Eval(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, arena, _out.DataOffset);
            SignalMath.WriteInt32(arena, _shift.DataOffset, s);
        }
    }
}
