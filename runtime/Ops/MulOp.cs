using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>MUL, int8, broadcasting up to 6-D.</summary>
    public sealed class MulOp : OpKernel
    {
        private const int Input1Offset = 0, Input2Offset = 1, OutputOffset = 2, OutputMultiplier = 3, OutputShift = 4, ActMin = 5, ActMax = 6;

        private TensorInfo _a, _b, _out;
        private int _off1, _off2, _outOff, _mult, _shift, _actMin, _actMax;

        /// <summary>Read-only accessors for alternate kernel sets.</summary>
        public TensorInfo Input1 { get { return _a; } }
        public TensorInfo Input2 { get { return _b; } }
        public TensorInfo Output { get { return _out; } }
        public int Input1OffsetValue { get { return _off1; } }
        public int Input2OffsetValue { get { return _off2; } }
        public int OutputOffsetValue { get { return _outOff; } }
        public int OutputMultiplierValue { get { return _mult; } }
        public int OutputShiftValue { get { return _shift; } }
        public int ActMinValue { get { return _actMin; } }
        public int ActMaxValue { get { return _actMax; } }

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 2, 2);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Mul);
            MulOp op = new MulOp();
            op._a = OpCheck.Required(d, 0, "input 1");
            op._b = OpCheck.Required(d, 1, "input 2");
            op._out = d.Output(0);
            OpCheck.Type(d, op._a, DType.Int8, "input 1");
            OpCheck.Type(d, op._b, DType.Int8, "input 2");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            Broadcast.Check(d, op._a, op._b, op._out);
            op._off1 = d.Int(Input1Offset, 0, "input1_offset");
            op._off2 = d.Int(Input2Offset, 0, "input2_offset");
            op._outOff = d.Int(OutputOffset, 0, "output_offset");
            op._mult = d.Int(OutputMultiplier, 0, "output_multiplier");
            op._shift = d.Int(OutputShift, 0, "output_shift");
            op._actMin = d.Int(ActMin, 0, "act_min");
            op._actMax = d.Int(ActMax, 0, "act_max");
            OpCheck.ZeroPoint(d, -op._off1, "input 1");
            OpCheck.ZeroPoint(d, -op._off2, "input 2");
            OpCheck.ZeroPoint(d, op._outOff, "output");
            OpCheck.Shift(d, op._shift, "output");
            if (op._mult < 0) throw d.Error("negative multiplier");
            OpCheck.Int8Range(d, op._actMin, op._actMax);
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Mul.Eval(Data(_a, arena, model), _a.DataOffset, _a.Shape, Data(_b, arena, model), _b.DataOffset, _b.Shape,
                arena, _out.DataOffset, _off1, _off2, _outOff, _mult, _shift, _actMin, _actMax);
        }
    }
}
