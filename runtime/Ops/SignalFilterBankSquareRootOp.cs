using Edge.Kernels.Reference.Signal;

namespace Edge.Runtime
{
    /// <summary>SignalFilterBankSquareRoot: uint32 = Sqrt64(uint64) ≫ scale bits (input 1, an int32 scalar).</summary>
    public sealed class SignalFilterBankSquareRootOp : OpKernel
    {
        private TensorInfo _in, _bits, _out;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 2, 2);
            OpCheck.OutputCount(d, 1);
            SignalFilterBankSquareRootOp op = new SignalFilterBankSquareRootOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._bits = OpCheck.Required(d, 1, "scale bits");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.UInt64, "input");
            OpCheck.Type(d, op._bits, DType.Int32, "scale bits");
            OpCheck.Type(d, op._out, DType.UInt32, "output");
            OpCheck.Rank(d, op._in, 1, "input");
            OpCheck.SameElements(d, op._in, op._out);
            if (op._bits.ElementCount != 1) throw d.Error("scale bits must hold one element");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            int bits = SignalMath.ReadInt32(Data(_bits, arena, model), _bits.DataOffset);
            FilterBankSquareRoot.Eval(Data(_in, arena, model), _in.DataOffset, _in.ElementCount, bits, arena, _out.DataOffset);
        }
    }
}
