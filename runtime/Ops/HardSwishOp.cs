using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>HARD_SWISH, int8 (TFLite's reference_ops::HardSwish with int16 fixed-point multipliers).</summary>
    public sealed class HardSwishOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int _inZp, _outZp, _reluishMult, _reluishExp, _outMult, _outExp;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.HardSwish);
            HardSwishOp op = new HardSwishOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            OpCheck.SameElements(d, op._in, op._out);
            op._inZp = d.Int(0, 0, "input_zero_point");
            op._outZp = d.Int(1, 0, "output_zero_point");
            op._reluishMult = d.Int(2, 0, "reluish_multiplier_fixedpoint_int16");
            op._reluishExp = d.Int(3, 0, "reluish_multiplier_exponent");
            op._outMult = d.Int(4, 0, "output_multiplier_fixedpoint_int16");
            op._outExp = d.Int(5, 0, "output_multiplier_exponent");
            OpCheck.ZeroPoint(d, op._inZp, "input");
            OpCheck.ZeroPoint(d, op._outZp, "output");
            if (op._reluishMult < -32768 || op._reluishMult > 32767 || op._outMult < -32768 || op._outMult > 32767)
                throw d.Error("int16 multipliers out of range");
            if (op._reluishExp < -31 || op._reluishExp > 31 || op._outExp < -31 || op._outExp > 31)
                throw d.Error("multiplier exponents out of range [-31, 31]");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            HardSwish.Eval(Data(_in, arena, model), _in.DataOffset, arena, _out.DataOffset, _in.ElementCount,
                _inZp, _outZp, _reluishMult, _reluishExp, _outMult, _outExp);
        }
    }
}
