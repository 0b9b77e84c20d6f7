using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>QLINEAR_AVERAGE_POOL (format 1.2): ONNX Runtime's QLinearAveragePool, NHWC int8/uint8 (QLinearAveragePoolOptions).</summary>
    public sealed class QLinearAveragePoolOp : OpKernel
    {
        private TensorInfo _in, _out;
        private bool _signed, _countIncludePad;
        private int _sw, _sh, _fw, _fh, _pt, _pl, _xZp, _yZp, _shift;
        private float _xScale, _yScale;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 1, 1);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.QLinearAveragePool);
            QLinearAveragePoolOp op = new QLinearAveragePoolOp();
            op._in = OpCheck.Required(d, 0, "input");
            op._out = d.Output(0);
            op._signed = QLinearCheck.Signed8(d, op._in, "input");
            OpCheck.Type(d, op._out, op._in.Type, "output");
            OpCheck.Rank(d, op._in, 4, "input");
            OpCheck.Rank(d, op._out, 4, "output");
            op._sw = d.Int(0, 1, "stride_w"); op._sh = d.Int(1, 1, "stride_h");
            op._fw = d.Int(2, 1, "filter_w"); op._fh = d.Int(3, 1, "filter_h");
            op._pt = d.Int(4, 0, "pad_top"); op._pl = d.Int(5, 0, "pad_left");
            int pb = d.Int(6, 0, "pad_bottom"), pr = d.Int(7, 0, "pad_right");
            OpCheck.Positive(d, op._sw, "stride_w"); OpCheck.Positive(d, op._sh, "stride_h");
            OpCheck.Positive(d, op._fw, "filter_w"); OpCheck.Positive(d, op._fh, "filter_h");
            OpCheck.NonNegative(d, op._pt, "pad_top"); OpCheck.NonNegative(d, op._pl, "pad_left");
            OpCheck.NonNegative(d, pb, "pad_bottom"); OpCheck.NonNegative(d, pr, "pad_right");
            if (op._pt >= op._fh || op._pl >= op._fw || pb >= op._fh || pr >= op._fw) throw d.Error("padding as large as the filter leaves empty windows");
            int[] i = op._in.Shape;
            OpCheck.Dim(d, op._out, 0, i[0], "output");
            OpCheck.Dim(d, op._out, 1, ConvGeometry.OutputSize(i[1], op._fh, op._sh, 1, op._pt, pb), "output");
            OpCheck.Dim(d, op._out, 2, ConvGeometry.OutputSize(i[2], op._fw, op._sw, 1, op._pl, pr), "output");
            OpCheck.Dim(d, op._out, 3, i[3], "output");
            op._countIncludePad = d.Bool(8, "count_include_pad");
            op._xScale = d.Float(9, 0f, "input_scale");
            op._xZp = d.Int(10, 0, "input_zero_point");
            op._yScale = d.Float(11, 0f, "output_scale");
            op._yZp = d.Int(12, 0, "output_zero_point");
            op._shift = d.Int(13, 0, "shift");
            if (!(op._xScale > 0) || op._xScale > 3.4e38f || !(op._yScale > 0) || op._yScale > 3.4e38f) throw d.Error("scales must be positive and finite");
            if (op._shift != 0 && op._shift != 128) throw d.Error("shift must be 0 or 128");
            if (op._signed && op._shift == 0) throw d.Error("int8 needs shift 128 (the uint8 domain)");
            if (op._xZp < 0 || op._xZp > 255 || op._yZp < 0 || op._yZp > 255) throw d.Error("zero points out of [0, 255]");
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            int[] i = _in.Shape, o = _out.Shape;
            QLinearAveragePool.Eval(Data(_in, arena, model), _in.DataOffset, _signed, i[0], i[1], i[2], i[3], arena, _out.DataOffset, o[1], o[2],
                _fh, _fw, _sh, _sw, _pt, _pl, _countIncludePad, _xScale, _xZp, _yScale, _yZp, _shift);
        }
    }
}
