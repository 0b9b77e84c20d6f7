using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>QLINEAR_SOFTMAX (format 1.2): ONNX Runtime's QLinearSoftmax over the innermost dimension (QLinearSoftmaxOptions).</summary>
    public sealed class QLinearSoftmaxOp : OpKernel
    {
        private TensorInfo _in, _out;
        private bool _signed;
        private int _rows, _d, _zp;
        private float[] _table;
        private float _multiplier;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.QLinearSoftmax);
            QLinearSoftmaxOp op = new QLinearSoftmaxOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            op._signed = QLinearCheck.Signed8(d, op._in, "input");
            OpCheck.Type(d, op._out, op._in.Type, "output");
            OpCheck.SameShape(d, op._in, op._out, "input and output");
            if (op._in.Rank < 1) throw d.Error("input must have rank 1 or more");
            op._d = op._in.Shape[op._in.Rank - 1];
            OpCheck.Positive(d, op._d, "innermost dimension");
            op._rows = op._in.ElementCount / op._d;
            op._table = d.Floats(0, "table");
            OpCheck.Length(d, new int[op._table.Length], 256, "table");
            for (int i = 0; i < 256; i++)
                if (!(op._table[i] >= 0) || op._table[i] > 3.4e38f) throw d.Error("table entries must be finite and not negative");
            op._multiplier = d.Float(1, 0f, "output_multiplier");
            if (!(op._multiplier >= 0) || op._multiplier > 3.4e38f) throw d.Error("output_multiplier must be finite and not negative");
            op._zp = d.Int(2, 0, "output_zero_point");
            QLinearCheck.ZeroPoint(d, op._zp, op._out.Type, "output");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            QLinearSoftmax.Eval(Data(_in, arena, model), _in.DataOffset, _signed, _rows, _d, _table, _multiplier, _zp, arena, _out.DataOffset);
        }
    }
}
