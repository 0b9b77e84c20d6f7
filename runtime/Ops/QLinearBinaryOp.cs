using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// QLINEAR_BINARY (format 1.2): ONNX Runtime's QLinearAdd / QLinearMul, int8 or uint8, same-shape inputs or one
    /// single-element input (QLinearBinaryOptions). Every kernel set runs this reference kernel.
    /// </summary>
    public sealed class QLinearBinaryOp : OpKernel
    {
        private TensorInfo _a, _b, _out;
        private bool _signed;
        private int _kind, _shift, _zpA, _zpB;
        private float _ratioA, _ratioB, _fixed;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 2, 2);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.QLinearBinary);
            QLinearBinaryOp op = new QLinearBinaryOp();
            op._a = OpCheck.Required(d, 0, "input 1");
            op._b = OpCheck.Required(d, 1, "input 2");
            op._out = d.Output(0);
            op._signed = QLinearCheck.Signed8(d, op._out, "output");
            OpCheck.Type(d, op._a, op._out.Type, "input 1");
            OpCheck.Type(d, op._b, op._out.Type, "input 2");
            if (op._a.ElementCount != 1) OpCheck.SameShape(d, op._a, op._out, "input 1 and output");
            if (op._b.ElementCount != 1) OpCheck.SameShape(d, op._b, op._out, "input 2 and output");
            op._kind = d.Int(0, 0, "kind");
            if (op._kind != 0 && op._kind != 1) throw d.Error("kind must be 0 (add) or 1 (mul)");
            op._shift = d.Int(1, 0, "shift");
            if (op._shift != 0 && op._shift != 128) throw d.Error("shift must be 0 or 128");
            op._zpA = d.Int(2, 0, "zero_point_a");
            op._zpB = d.Int(3, 0, "zero_point_b");
            int zmin = op._signed && op._shift == 0 ? -128 : 0, zmax = zmin + 255;
            if (op._zpA < zmin || op._zpA > zmax || op._zpB < zmin || op._zpB > zmax) throw d.Error("zero points out of range (of the shifted domain)");
            op._ratioA = d.Float(4, 0f, "ratio_a");
            op._ratioB = d.Float(5, 0f, "ratio_b");
            op._fixed = d.Float(6, 0f, "fixed");
            if (!(op._ratioA > 0) || op._ratioA > 3.4e38f || !(op._ratioB >= 0) || op._ratioB > 3.4e38f || op._fixed != op._fixed || op._fixed - op._fixed != 0)
                throw d.Error("ratios must be positive and finite, fixed finite");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            QLinearBinary.Eval(Data(_a, arena, model), _a.DataOffset, _a.ElementCount, Data(_b, arena, model), _b.DataOffset, _b.ElementCount,
                _signed, _out.ElementCount, _kind, _shift, _zpA, _zpB, _ratioA, _ratioB, _fixed, arena, _out.DataOffset);
        }
    }
}
