using System;

namespace Edge.Runtime
{
    /// <summary>
    /// RESHAPE (also TFLite SQUEEZE): same bytes, new shape. When the planner placed the output on the input's
    /// bytes (the usual case) Eval does nothing; otherwise it copies.
    /// </summary>
    public sealed class ReshapeOp : OpKernel
    {
        private TensorInfo _in;
        private TensorInfo _out;
        private bool _alias;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 2);   // an optional shape tensor may remain as input 1; it is not read
            OpCheck.OutputCount(d, 1);
            ReshapeOp op = new ReshapeOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            if (op._in.Type != op._out.Type) throw d.Error("input and output types differ");
            OpCheck.SameElements(d, op._in, op._out);
            op._alias = !op._in.IsConstant && op._in.DataOffset == op._out.DataOffset;
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            if (_alias) return;
            Array.Copy(Data(_in, arena, model), _in.DataOffset, arena, _out.DataOffset, _out.SizeBytes);
        }
    }
}
