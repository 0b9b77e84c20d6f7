using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>MEAN, int8, over any set of axes (TFLM's integer mean paths; 1/count folded on the host).</summary>
    public sealed class MeanOp : OpKernel
    {
        private TensorInfo _in, _out;
        private int[] _axes;
        private bool _same;
        private int _inZp, _outZp, _mult, _shift;
        private int[] _scratch;

        /// <summary>Read-only accessors for alternate kernel sets (Axes is the op's own array: do not modify).</summary>
        public TensorInfo Input { get { return _in; } }
        public TensorInfo Output { get { return _out; } }
        public int[] Axes { get { return _axes; } }
        public bool SameQuantization { get { return _same; } }
        public int InputZeroPoint { get { return _inZp; } }
        public int OutputZeroPoint { get { return _outZp; } }
        public int Multiplier { get { return _mult; } }
        public int Shift { get { return _shift; } }

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.Mean);
            MeanOp op = new MeanOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            OpCheck.Type(d, op._in, DType.Int8, "input");
            OpCheck.Type(d, op._out, DType.Int8, "output");
            int rank = op._in.Rank;
            if (rank > 30) throw d.Error("rank too large");
            op._axes = d.Ints(0, "axes");
            if (op._axes.Length == 0) throw d.Error("no axes");
            int mask = 0;
            for (int k = 0; k < op._axes.Length; k++)
            {
                int a = op._axes[k];
                if (a < 0 || a >= rank) throw d.Error(string.Concat("axis ", a.ToString(), " out of range"));
                if (k > 0 && a <= op._axes[k - 1]) throw d.Error("axes must be sorted and distinct");
                mask |= 1 << a;
            }
            long outCount = 1;
            for (int k = 0; k < rank; k++)
            {
                if (op._in.Shape[k] <= 0) throw d.Error("zero-sized input dimension");
                if (((mask >> k) & 1) == 0) outCount *= op._in.Shape[k];
            }
            if (outCount != op._out.ElementCount) throw d.Error(string.Concat("output ", op._out.ShapeText(), " does not match the reduction of ", op._in.ShapeText()));
            op._inZp = d.Int(2, 0, "input_zero_point");
            op._outZp = d.Int(3, 0, "output_zero_point");
            op._mult = d.Int(4, 0, "multiplier");
            op._shift = d.Int(5, 0, "shift");
            op._same = d.Bool(6, "same_quantization");
            OpCheck.ZeroPoint(d, op._inZp, "input");
            OpCheck.ZeroPoint(d, op._outZp, "output");
            if (op._mult < 0) throw d.Error("negative multiplier");
            if (op._shift < -62 || op._shift > 30) throw d.Error("shift out of range");
            op._scratch = new int[Mean.ScratchLength(op._in.Shape, op._axes)];
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            Mean.Eval(Data(_in, arena, model), _in.DataOffset, _in.Shape, _axes, arena, _out.DataOffset, _same,
                _inZp, _outZp, _mult, _shift, _scratch);
        }
    }
}
