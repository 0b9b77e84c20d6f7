using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>LOGISTIC and TANH, int8 → int8 (TFLite's fixed-point integer paths).</summary>
    public sealed class SigmoidTanhOp : OpKernel
    {
        private const int InputZeroPoint = 0, InputRangeRadius = 1, InputMultiplier = 2, InputLeftShift = 3;

        private bool _tanh;
        private TensorInfo _in, _out;
        private int _zp, _radius, _mult, _shift;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.SigmoidTanh);
            SigmoidTanhOp op = new SigmoidTanhOp();
            op._tanh = d.Type == OpType.Tanh;
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            OpCheck.SameElements(d, op._in, op._out);
            op._zp = d.Int(InputZeroPoint, 0, "input_zero_point");
            op._radius = d.Int(InputRangeRadius, 0, "input_range_radius");
            op._mult = d.Int(InputMultiplier, 0, "input_multiplier");
            op._shift = d.Int(InputLeftShift, 0, "input_left_shift");
            OpCheck.ZeroPoint(d, op._zp, "input");
            if (op._radius < 0) throw d.Error("input_range_radius is negative");
            if (op._mult < 0) throw d.Error("input_multiplier is negative");
            if (op._shift < 0 || op._shift > 31) throw d.Error("input_left_shift out of range [0, 31]");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            if (_tanh)
                Tanh.Eval(Data(_in, arena, model), _in.DataOffset, arena, _out.DataOffset, _in.ElementCount, _zp, _radius, _mult, _shift);
            else
                Logistic.Eval(Data(_in, arena, model), _in.DataOffset, arena, _out.DataOffset, _in.ElementCount, _zp, _radius, _mult, _shift);
        }
    }
}
