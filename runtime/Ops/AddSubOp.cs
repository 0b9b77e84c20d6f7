using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>ADD and SUB, int8, broadcasting up to 6-D (TFLite's left_shift = 20 scheme).</summary>
    public sealed class AddSubOp : OpKernel
    {
        private const int LeftShift = 0, Input1Offset = 1, Input1Multiplier = 2, Input1Shift = 3, Input2Offset = 4,
            Input2Multiplier = 5, Input2Shift = 6, OutputOffset = 7, OutputMultiplier = 8, OutputShift = 9, ActMin = 10, ActMax = 11;

        private bool _sub;
        private TensorInfo _a, _b, _out;
        private int _leftShift, _off1, _mult1, _shift1, _off2, _mult2, _shift2, _outOff, _outMult, _outShift, _actMin, _actMax;

        /// <summary>True for SUB, false for ADD (read-only accessors for alternate kernel sets).</summary>
        public bool IsSub { get { return _sub; } }
        public TensorInfo Input1 { get { return _a; } }
        public TensorInfo Input2 { get { return _b; } }
        public TensorInfo Output { get { return _out; } }
        public int LeftShiftValue { get { return _leftShift; } }
        public int Input1OffsetValue { get { return _off1; } }
        public int Input1MultiplierValue { get { return _mult1; } }
        public int Input1ShiftValue { get { return _shift1; } }
        public int Input2OffsetValue { get { return _off2; } }
        public int Input2MultiplierValue { get { return _mult2; } }
        public int Input2ShiftValue { get { return _shift2; } }
        public int OutputOffsetValue { get { return _outOff; } }
        public int OutputMultiplierValue { get { return _outMult; } }
        public int OutputShiftValue { get { return _outShift; } }
        public int ActMinValue { get { return _actMin; } }
        public int ActMaxValue { get { return _actMax; } }

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 2, 2);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.AddSub);
            AddSubOp op = new AddSubOp();
            op._sub = d.Type == OpType.Sub;
            op._a = OpCheck.Required(d, 0, "input 1");
            op._b = OpCheck.Required(d, 1, "input 2");
            op._out = d.Output(0);
            OpCheck.Type(d, op._a, DType.Int8, "input 1");
            OpCheck.Type(d, op._b, DType.Int8, "input 2");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            Broadcast.Check(d, op._a, op._b, op._out);
            op._leftShift = d.Int(LeftShift, 0, "left_shift");
            if (op._leftShift < 0 || op._leftShift > 24) throw d.Error("left_shift out of range [0, 24]");
            op._off1 = d.Int(Input1Offset, 0, "input1_offset");
            op._mult1 = d.Int(Input1Multiplier, 0, "input1_multiplier");
            op._shift1 = d.Int(Input1Shift, 0, "input1_shift");
            op._off2 = d.Int(Input2Offset, 0, "input2_offset");
            op._mult2 = d.Int(Input2Multiplier, 0, "input2_multiplier");
            op._shift2 = d.Int(Input2Shift, 0, "input2_shift");
            op._outOff = d.Int(OutputOffset, 0, "output_offset");
            op._outMult = d.Int(OutputMultiplier, 0, "output_multiplier");
            op._outShift = d.Int(OutputShift, 0, "output_shift");
            op._actMin = d.Int(ActMin, 0, "act_min");
            op._actMax = d.Int(ActMax, 0, "act_max");
            OpCheck.ZeroPoint(d, -op._off1, "input 1");
            OpCheck.ZeroPoint(d, -op._off2, "input 2");
            OpCheck.ZeroPoint(d, op._outOff, "output");
            OpCheck.Shift(d, op._shift1, "input1"); OpCheck.Shift(d, op._shift2, "input2"); OpCheck.Shift(d, op._outShift, "output");
            if (op._mult1 < 0 || op._mult2 < 0 || op._outMult < 0) throw d.Error("negative multiplier");
            OpCheck.Int8Range(d, op._actMin, op._actMax);
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            if (_sub)
                Sub.Eval(Data(_a, arena, model), _a.DataOffset, _a.Shape, Data(_b, arena, model), _b.DataOffset, _b.Shape,
                    arena, _out.DataOffset, _leftShift, _off1, _mult1, _shift1, _off2, _mult2, _shift2,
                    _outOff, _outMult, _outShift, _actMin, _actMax);
            else
                Add.Eval(Data(_a, arena, model), _a.DataOffset, _a.Shape, Data(_b, arena, model), _b.DataOffset, _b.Shape,
                    arena, _out.DataOffset, _leftShift, _off1, _mult1, _shift1, _off2, _mult2, _shift2,
                    _outOff, _outMult, _outShift, _actMin, _actMax);
        }
    }

    /// <summary>Broadcast shape validation for the element-wise binary ops (TFLite rules, rank ≤ 6).</summary>
    public static class Broadcast
    {
        public static void Check(OperatorDef d, TensorInfo a, TensorInfo b, TensorInfo output)
        {
            if (a.Rank > BroadcastShape.MaxRank || b.Rank > BroadcastShape.MaxRank)
                throw d.Error("broadcasting supports up to 6 dimensions");
            int rank = a.Rank > b.Rank ? a.Rank : b.Rank;
            if (output.Rank != rank) throw d.Error(string.Concat("output ", output.ShapeText(), " should have rank ", rank.ToString()));
            for (int i = 0; i < BroadcastShape.MaxRank; i++)
            {
                int da = BroadcastShape.Dim(a.Shape, i), db = BroadcastShape.Dim(b.Shape, i);
                if (da != db && da != 1 && db != 1)
                    throw d.Error(string.Concat("shapes ", a.ShapeText(), " and ", b.ShapeText(), " do not broadcast"));
                if (BroadcastShape.Dim(output.Shape, i) != (da > db ? da : db))
                    throw d.Error(string.Concat("output ", output.ShapeText(), " is not the broadcast of ", a.ShapeText(), " and ", b.ShapeText()));
            }
        }
    }
}
