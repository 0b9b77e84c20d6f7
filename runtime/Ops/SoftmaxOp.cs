using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>SOFTMAX over the last dimension, int8 → int8 (TFLite's fixed-point path).</summary>
    public sealed class SoftmaxOp : OpKernel
    {
        private const int InputMultiplier = 0, InputLeftShift = 1, DiffMin = 2;

        private TensorInfo _in, _out;
        private int _outer, _depth, _mult, _leftShift, _diffMin;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Softmax);
            SoftmaxOp op = new SoftmaxOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            OpCheck.SameShape(d, op._in, op._out, "input and output");
            if (op._in.Rank == 0) throw d.Error("input must have rank >= 1");
            op._depth = op._in.Shape[op._in.Rank - 1];
            op._outer = op._depth == 0 ? 0 : op._in.ElementCount / op._depth;
            op._mult = d.Int(InputMultiplier, 0, "input_multiplier");
            op._leftShift = d.Int(InputLeftShift, 0, "input_left_shift");
            op._diffMin = d.Int(DiffMin, 0, "diff_min");
            if (op._mult < 0) throw d.Error("input_multiplier is negative");
            if (op._leftShift < 0 || op._leftShift > 31) throw d.Error("input_left_shift out of range [0, 31]");
            if (op._diffMin > 0) throw d.Error("diff_min must not be positive");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Softmax.Eval(Data(_in, arena, model), _in.DataOffset, arena, _out.DataOffset, _outer, _depth, _mult, _leftShift, _diffMin);
        }
    }
}
