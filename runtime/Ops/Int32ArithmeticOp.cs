using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// ADD, SUB, MUL, DIV, MINIMUM, MAXIMUM on int32 tensors without quantization (IntegerArithmeticOptions),
    /// broadcasting up to 6-D.
    /// </summary>
    public sealed class Int32ArithmeticOp : OpKernel
    {
        private TensorInfo _a, _b, _out;
        private int _op, _actMin, _actMax;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 2, 2);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.IntegerArithmetic);
            Int32ArithmeticOp op = new Int32ArithmeticOp();
            switch (d.Type)
            {
                case OpType.Add: op._op = Int32Arithmetic.OpAdd; break;
                case OpType.Sub: op._op = Int32Arithmetic.OpSub; break;
                case OpType.Mul: op._op = Int32Arithmetic.OpMul; break;
                case OpType.Div: op._op = Int32Arithmetic.OpDiv; break;
                case OpType.Minimum: op._op = Int32Arithmetic.OpMin; break;
                case OpType.Maximum: op._op = Int32Arithmetic.OpMax; break;
                default: throw d.Error("is not an int32 arithmetic op");
            }
            op._a = OpCheck.Required(d, 0, "input 1");
            op._b = OpCheck.Required(d, 1, "input 2");
            op._out = d.Output(0);
            OpCheck.Type(d, op._a, DType.Int32, "input 1");
            OpCheck.Type(d, op._b, DType.Int32, "input 2");
            OpCheck.Type(d, op._out, DType.Int32, "output");
            Broadcast.Check(d, op._a, op._b, op._out);
            op._actMin = d.Int(0, int.MinValue, "act_min");
            op._actMax = d.Int(1, int.MaxValue, "act_max");
            if (op._actMin > op._actMax) throw d.Error("act_min is above act_max");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Int32Arithmetic.Eval(_op, Data(_a, arena, model), _a.DataOffset, _a.Shape, Data(_b, arena, model), _b.DataOffset, _b.Shape,
                arena, _out.DataOffset, _actMin, _actMax);
        }
    }
}
