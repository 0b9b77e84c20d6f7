using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>CAST between integer types (int8, uint8, int16, int32, uint32, uint64): C's static_cast per element.</summary>
    public sealed class CastOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int _inType, _outType;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            CastOp op = new CastOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            if (!IsInteger(op._in.Type)) throw d.Error(string.Concat("input type ", TensorInfo.DTypeName(op._in.Type), " is not supported (integer types are)"));
            if (!IsInteger(op._out.Type)) throw d.Error(string.Concat("output type ", TensorInfo.DTypeName(op._out.Type), " is not supported (integer types are)"));
            OpCheck.SameElements(d, op._in, op._out);
            op._inType = (int)op._in.Type;
            op._outType = (int)op._out.Type;
            return op;
        }

        private static bool IsInteger(DType t)
        {
            return t == DType.Int8 || t == DType.UInt8 || t == DType.Int16 || t == DType.Int32 || t == DType.UInt32 || t == DType.UInt64;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Cast.Eval(Data(_in, arena, model), _in.DataOffset, _inType, arena, _out.DataOffset, _outType, _out.ElementCount);
        }
    }
}
